"""EmbeddingGemma on onnxruntime against the sentence-transformers fp32 model it was
exported from, and the run-time promise that a search never imports torch.

These need the real model, fetched and exported by `practice-search models` (CI does it
first); elsewhere they are skipped with that reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.encoders import gemma_export_dir, models_dir
from index.encoders.fetch import EMBEDDINGGEMMA, MARKER
from index.encoders.onnx import EmbeddingGemmaEncoder
from practice_search.config import Settings

pytestmark = pytest.mark.model

MODELS = models_dir(Settings()).resolve()
SOURCE = MODELS / EMBEDDINGGEMMA.name
EXPORT = gemma_export_dir(MODELS)

NEEDS = [
    "language barrier in healthcare",
    "barriere linguistiche nella sanità",
    "come finanziare un progetto dopo la fine del bando",
    "should we pay migrants who give us their input",
    "housing for refugees",
    "mediatori interculturali negli ospedali",
]
PASSAGES = [
    ("Zagreb pilot. Health", "Volunteers interpret for migrants at hospital appointments."),
    ("", "Compensate participants for their contribution."),
    ("REGIN. Formazione", "La formazione del personale regionale è organizzata in moduli."),
    ("", "Il progetto ha coinvolto le associazioni di migranti nella valutazione."),
    ("Sustainability", "The municipality took over the funding after the EU grant ended."),
    ("Florence. Housing", "Refugee families found flats through a network of landlords."),
]


def _require(path: Path, what: str) -> None:
    if path.exists():
        return
    reason = f"{what} not in {path.parent}: run `practice-search models` first"
    if os.environ.get("CI"):
        pytest.fail(f"CI must fetch the model before the tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def onnx_encoder() -> EmbeddingGemmaEncoder:
    _require(EXPORT / "model.onnx", "the EmbeddingGemma export")
    # no passage cache: every vector below comes from the model, and none is stored
    return EmbeddingGemmaEncoder("gemma", EXPORT, cache=False)


def test_int8_export_matches_the_fp32_sentence_transformers_model(
    onnx_encoder: EmbeddingGemmaEncoder,
) -> None:
    _require(SOURCE / MARKER, "the EmbeddingGemma model folder")
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(SOURCE), device="cpu", local_files_only=True)
    queries = reference.encode(
        [f"task: search result | query: {n}" for n in NEEDS], normalize_embeddings=True
    )
    docs = reference.encode(
        [f"title: {t or 'none'} | text: {x}" for t, x in PASSAGES], normalize_embeddings=True
    )
    cos_q = (onnx_encoder.encode_queries(NEEDS) * queries).sum(axis=1)
    titles, texts = zip(*PASSAGES, strict=True)
    cos_p = (onnx_encoder.encode_passages(list(texts), list(titles)) * docs).sum(axis=1)
    assert cos_q.min() >= 0.98, cos_q
    assert cos_p.min() >= 0.98, cos_p


def test_matryoshka_cut_keeps_the_leading_dimensions(
    onnx_encoder: EmbeddingGemmaEncoder,
) -> None:
    small = EmbeddingGemmaEncoder("gemma-256", EXPORT, dim=256, cache=False)
    full = onnx_encoder.encode_queries(NEEDS)
    cut = small.encode_queries(NEEDS)
    assert cut.shape == (len(NEEDS), 256)
    expected = full[:, :256] / np.linalg.norm(full[:, :256], axis=1, keepdims=True)
    np.testing.assert_allclose(cut, expected, atol=1e-5)


def test_the_italian_need_is_closest_to_its_english_answer(
    onnx_encoder: EmbeddingGemmaEncoder,
) -> None:
    # what e5-small could not do: carry an Italian need to the English passage answering
    # it (among English passages: across languages the engine corrects the cosine's
    # same-language bonus, see retriever.calibration)
    q = onnx_encoder.encode_queries(["pagare i migranti che ci danno il loro contributo"])
    english = [PASSAGES[i] for i in (0, 1, 4, 5)]
    titles, texts = zip(*english, strict=True)
    p = onnx_encoder.encode_passages(list(texts), list(titles))
    assert int(np.argmax(p @ q[0])) == 1


def test_a_search_process_never_imports_torch(onnx_encoder: EmbeddingGemmaEncoder) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import retriever, service, index\n"
        "from index.encoders.onnx import EmbeddingGemmaEncoder\n"
        f"e = EmbeddingGemmaEncoder('gemma', Path({str(EXPORT)!r}))\n"
        "e.encode_queries(['housing for refugees'])\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_passage_vectors_are_reused_by_exact_text(
    onnx_encoder: EmbeddingGemmaEncoder, tmp_path: Path
) -> None:
    # a copy of the export with its own cache, so this test sees only its own rows
    copy = tmp_path / "export"
    copy.mkdir()
    for name in ("model.onnx", "tokenizer.json"):
        (copy / name).symlink_to(EXPORT / name)
    encoder = EmbeddingGemmaEncoder("gemma", copy)
    titles, texts = zip(*PASSAGES, strict=True)
    first = encoder.encode_passages(list(texts), list(titles))
    assert (copy / "passages.sqlite").exists()
    encoder._session = None  # a second call that ran the model would fail
    again = encoder.encode_passages(list(texts), list(titles))
    np.testing.assert_array_equal(first, again)
