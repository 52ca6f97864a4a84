"""LexicalIndex.top: the same rows as a full stable argsort of the BM25 scores."""

from __future__ import annotations

import numpy as np
import pytest

from corpus import Corpus
from index.lexical import LexicalIndex, LexicalLang, top_rows


def _argsort_top(scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    top = np.flatnonzero(scores > 0)
    top = top[np.argsort(-scores[top], kind="stable")][:n]
    return [(int(r), float(scores[r])) for r in top]


def test_top_rows_equals_a_full_stable_sort_with_ties() -> None:
    rng = np.random.default_rng(11)
    for _ in range(500):
        size = int(rng.integers(1, 400))
        # coarse values: many ties, many zeros
        scores = (np.round(rng.random(size) * 4, 1) * (rng.random(size) < 0.6)).astype(np.float32)
        n = int(rng.integers(1, 60))
        assert top_rows(scores, n) == _argsort_top(scores, n)
    assert top_rows(np.zeros(5, np.float32), 3) == []
    assert top_rows(np.ones(5, np.float32), 0) == []


@pytest.mark.parametrize("need", ["language barrier in healthcare", "housing", "the of and"])
def test_top_matches_the_scores(corpus: Corpus, need: str) -> None:
    lex = LexicalIndex(LexicalLang.EN)
    lex.build([p.embed_text() for p in corpus.passages])
    scores = lex.scores(need)
    assert lex.top(need, 20) == _argsort_top(scores, 20)
    allowed = np.arange(0, len(corpus.passages), 3)
    masked = np.zeros_like(scores)
    masked[allowed] = scores[allowed]
    assert lex.top(need, 20, allowed) == _argsort_top(masked, 20)
