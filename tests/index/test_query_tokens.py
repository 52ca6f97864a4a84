"""A need's token budget: a tokenizer-based encoder embeds at most ``max_query_tokens``
of it, and a need within the budget exactly as it is."""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from index.encoders.onnx import _OnnxModel
from practice_search.config import Settings
from retriever import Retriever


def _model(budget: int | None) -> _OnnxModel:
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1, "b": 2}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    model = _OnnxModel()
    model._tokenizer = tokenizer
    model.set_query_tokens(budget)
    return model


@pytest.mark.parametrize(
    ("budget", "need", "embedded"),
    [
        (None, "a b " * 50, "a b " * 50),
        (4, "a b a", "a b a"),
        (4, "a  b a b", "a  b a b"),
        (4, "a b a b a b", "a b a b"),
        (2, "héllo wörld, again", "héllo wörld"),
        (3, "a,b,c,d", "a,b"),  # punctuation is a token of its own
    ],
)
def test_a_need_is_cut_after_its_last_budgeted_token(
    budget: int | None, need: str, embedded: str
) -> None:
    assert _model(budget)._clip(need) == embedded


def test_the_retriever_gives_each_encoder_the_budget(fake_retriever: Retriever) -> None:
    seen: list[int | None] = []

    class Budgeted:
        def set_query_tokens(self, n: int | None) -> None:
            seen.append(n)

    index = fake_retriever.index
    encoders = dict(index.encoders)
    index.encoders["budgeted"] = Budgeted()  # type: ignore[assignment]
    try:
        settings = fake_retriever.settings.model_copy(update={"max_query_tokens": 64})
        Retriever(index, settings)
    finally:
        index.encoders.clear()
        index.encoders.update(encoders)
    assert seen == [64]
    assert Settings.model_fields["max_query_tokens"].default == 256
