"""The labelled set on both backends, with the real model: the built index copied
into Milvus (Lite in-process and a Lite server) without embedding it again, the
needs embedded once and shared, and the answers compared.

The shipped default weighs BM25 0 (EmbeddingGemma decides; BM25 only gives the
highlights' terms), so the default hybrid is dense-only search: with exact (flat)
indexes its top-10 must be identical. With BM25 voting (weight 0.5) Milvus's BM25
ranks too: there the bar is a mean top-10 overlap >= 0.9 and nDCG@10 within 0.01.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from eval.dataset import load_dataset
from eval.runner import evaluate_run, run_retriever
from index.load import load_index
from index.milvus.export import export_to_milvus
from practice_search.config import Settings
from retriever import Retriever
from tests.scale.conftest import MODES, LiteServer, milvus_settings

pytestmark = pytest.mark.model


class _Shared:
    """An encoder whose query vectors are computed once for every retriever here."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._memo: dict[tuple[str, ...], np.ndarray] = {}
        self.info = inner.info

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in self._memo:
            self._memo[key] = self._inner.encode_queries(texts)
        return self._memo[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture(scope="module")
def shared(real_retriever: Retriever) -> dict[str, Any]:
    return {name: _Shared(enc) for name, enc in real_retriever.index.encoders.items()}


@pytest.fixture(scope="module", params=MODES)
def real_milvus(
    request: pytest.FixtureRequest,
    real_retriever: Retriever,
    tmp_path_factory: pytest.TempPathFactory,
    lite_server: LiteServer,
) -> Settings:
    data_dir = tmp_path_factory.mktemp(f"real-{request.param}")
    uri = str(data_dir / "m.db") if request.param == "lite" else lite_server.uri
    alias = f"real_{request.param}"
    target = milvus_settings(real_retriever.settings, uri, milvus_collection=alias)
    export_to_milvus(real_retriever.settings, target)
    return target


def _retriever(settings: Settings, shared: dict[str, Any], **update: Any) -> Retriever:
    settings = settings.model_copy(update=update)
    return Retriever(load_index(settings, encoders=shared), settings)


def _compare(a: Retriever, b: Retriever) -> tuple[float, float, float, int]:
    """Mean top-10 overlap, both nDCG@10 and how many top-10 lists are identical."""
    dataset = load_dataset()
    run_a, run_b = run_retriever(a, dataset), run_retriever(b, dataset)
    tops_a = {q: list(run_a[q])[:10] for q in run_a}
    tops_b = {q: list(run_b[q])[:10] for q in run_b}
    overlap = float(np.mean([len(set(tops_a[q]) & set(tops_b[q])) / 10 for q in tops_a]))
    same = sum(tops_a[q] == tops_b[q] for q in tops_a)
    ndcg_a = evaluate_run(run_a, dataset)["all"]["ndcg@10"]
    ndcg_b = evaluate_run(run_b, dataset)["all"]["ndcg@10"]
    return overlap, ndcg_a, ndcg_b, same


def test_default_dense_decides_identical_top10(
    real_retriever: Retriever, real_milvus: Settings, shared: dict[str, Any]
) -> None:
    assert real_retriever.settings.weights.get("bm25") == 0.0  # the shipped default
    assert real_retriever.index.manifest.vector_spec("passages").type == "flat"
    embedded = _retriever(real_retriever.settings, shared)
    milvus = _retriever(real_milvus, shared)
    overlap, ndcg_a, ndcg_b, same = _compare(embedded, milvus)
    assert same == len(load_dataset().queries)
    assert overlap == 1.0 and ndcg_a == ndcg_b
    need = "interpreti per i migranti in ospedale"
    a, b = embedded.search(need), milvus.search(need)
    assert [p.highlight for p in a.passages] == [p.highlight for p in b.passages]


def test_bm25_voting_conforms(
    real_retriever: Retriever, real_milvus: Settings, shared: dict[str, Any]
) -> None:
    weights = {"bm25": 0.5}
    embedded = _retriever(real_retriever.settings, shared, weights=weights)
    milvus = _retriever(real_milvus, shared, weights=weights)
    assert any(ch.name.startswith("bm25") for ch in milvus.channels)
    overlap, ndcg_a, ndcg_b, _ = _compare(embedded, milvus)
    assert overlap >= 0.9
    assert abs(ndcg_a - ndcg_b) <= 0.01
