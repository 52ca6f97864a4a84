"""The scale benchmark's synthetic corpus and its measurements, on tiny
hand-made inputs: nothing here builds a real index or runs a size.

Nothing here asserts a time.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.scaling.measure import K
from bench.scaling.report import _STYLES
from bench.scaling.run import _vector_configs
from bench.scaling.stores import argsort_top
from bench.scaling.synth import (
    DOC_FILTER,
    MIX,
    assign,
    filters,
    seeds,
    synthetic_records,
    texts,
    vectors,
)
from bench.scaling.vectors import exact_truth
from index.lexical import top_rows
from index.store import write_records
from index.vectors import FaissVectorIndex, VectorIndexSpec, choose_spec

Json = dict[str, Any]

N_SEEDS = 50
DIM = 32
N = 300  # synthetic rows
PNG = b"\x89PNG\r\n\x1a\n"


# -- a small fake of the real passages -----------------------------------------------------


def _words(row: int) -> list[str]:
    # every word names its record and position, so a synthetic text can be traced back;
    # some passages are a single word
    return [f"r{row}w{j}" for j in range(1 + row % 9)]


@pytest.fixture(scope="module")
def records() -> list[Json]:
    return [
        {
            "id": f"p-{i:03d}",
            "lang": "it" if i % 3 == 0 else "en",
            "text": " ".join(_words(i)),
            "doc_ids": [DOC_FILTER, "other"] if i % 4 == 0 else ["other"],
            "context": f"Context of {i}" if i % 2 else "",
            "dimension": "work",
        }
        for i in range(N_SEEDS)
    ]


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    x = np.random.default_rng(7).standard_normal((N_SEEDS, DIM)).astype(np.float32)
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def _all_vectors(real: np.ndarray, records: list[Json], n: int = N) -> np.ndarray:
    return np.vstack(list(vectors(real, *assign(n, records))))


# -- bench.scaling.synth ---------------------------------------------------------------------


def test_assign_is_deterministic_and_partners_share_the_seed_language(
    records: list[Json],
) -> None:
    seed, partner, share = assign(N, records)
    again = assign(N, records)
    for a, b in zip((seed, partner, share), again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert seed.shape == partner.shape == share.shape == (N,)
    assert seed.min() >= 0 and seed.max() < N_SEEDS
    assert partner.min() >= 0 and partner.max() < N_SEEDS
    langs = np.array([r["lang"] for r in records])
    np.testing.assert_array_equal(langs[partner], langs[seed])
    assert set(langs[seed]) == {"en", "it"}  # both groups are drawn, not just one
    assert share.dtype == np.float32 and share.min() >= 0 and share.max() < MIX
    assert len(set(seed.tolist())) > N_SEEDS // 2  # seeds spread over the passages


def test_vectors_are_unit_norm_deterministic_and_independent_of_the_chunk_size(
    real: np.ndarray, records: list[Json]
) -> None:
    x = _all_vectors(real, records)
    assert x.shape == (N, DIM) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(x, _all_vectors(real, records))
    chunks = list(vectors(real, *assign(N, records), chunk=7))
    assert len(chunks) == -(-N // 7) and all(len(c) <= 7 for c in chunks)
    np.testing.assert_allclose(np.vstack(chunks), x, atol=1e-6)


def test_vectors_stay_near_their_seed_then_their_partner(
    real: np.ndarray, records: list[Json]
) -> None:
    seed, partner, _ = assign(N, records)
    cos = _all_vectors(real, records) @ real.T
    rows = np.arange(N)
    to_seed, to_partner = cos[rows, seed], cos[rows, partner]
    assert (cos.argmax(axis=1) == seed).mean() > 0.9
    other = ~(np.eye(N_SEEDS, dtype=bool)[seed] | np.eye(N_SEEDS, dtype=bool)[partner])
    unrelated = cos[other].mean()
    assert to_seed.mean() > to_partner.mean() + 0.2
    assert to_partner.mean() > unrelated + 0.1


def _split_windows(tokens: list[str], a: list[str], b: list[str]) -> bool:
    """``tokens`` = a non-empty window of ``a`` followed by a non-empty window of ``b``."""

    def window(part: list[str], words: list[str]) -> bool:
        return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))

    return any(window(tokens[:cut], a) and window(tokens[cut:], b) for cut in range(1, len(tokens)))


def test_texts_are_a_seed_window_then_a_partner_window_after_the_context(
    records: list[Json],
) -> None:
    seed, partner, _ = assign(N, records)
    pairs = list(texts(records, seed, partner))
    assert pairs == list(texts(records, seed, partner))
    assert len(pairs) == N
    for i, (text, indexed) in enumerate(pairs):
        a, b = _words(int(seed[i])), _words(int(partner[i]))
        assert _split_windows(text.split(), a, b), (i, text)
        context = records[seed[i]]["context"]
        assert indexed == (f"{context}\n{text}" if context else text)
    assert len({t for t, _ in pairs}) > N // 2  # not one text repeated


def test_filters_select_rows_by_the_seed_language_and_document(records: list[Json]) -> None:
    seed, _, _ = assign(N, records)
    got = filters(records, seed)
    assert set(got) == {"lang:en", "lang:it", f"doc:{DOC_FILTER}"}
    for name, lang in (("lang:en", "en"), ("lang:it", "it")):
        want = [i for i in range(N) if records[seed[i]]["lang"] == lang]
        assert got[name].tolist() == want
    want_doc = [i for i in range(N) if DOC_FILTER in records[seed[i]]["doc_ids"]]
    assert got[f"doc:{DOC_FILTER}"].tolist() == want_doc
    assert 0 < len(want_doc) < N
    assert sorted(got["lang:en"].tolist() + got["lang:it"].tolist()) == list(range(N))


def test_synthetic_records_are_their_seed_with_a_new_id_and_text(records: list[Json]) -> None:
    before = copy.deepcopy(records)
    out = list(synthetic_records(N, records))
    assert records == before  # the real records are not touched
    assert out == list(synthetic_records(N, records))
    seed, partner, _ = assign(N, records)
    text = [t for t, _ in texts(records, seed, partner)]
    assert [r["id"] for r in out] == [f"p-syn{i:07d}" for i in range(N)]
    for i, rec in enumerate(out):
        assert rec["text"] == text[i]
        assert {k: v for k, v in rec.items() if k not in ("id", "text")} == {
            k: v for k, v in records[seed[i]].items() if k not in ("id", "text")
        }
    # the records stage and the vectors stage agree on every row's language and document
    allowed = filters(records, seed)
    assert [i for i, r in enumerate(out) if r["lang"] == "it"] == allowed["lang:it"].tolist()
    in_doc = [i for i, r in enumerate(out) if DOC_FILTER in r["doc_ids"]]
    assert in_doc == allowed[f"doc:{DOC_FILTER}"].tolist()


def _publish(root: Path, x: np.ndarray, passages: list[Json]) -> None:
    import faiss

    (root / "current" / "vectors").mkdir(parents=True)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    faiss.write_index(index, str(root / "current" / "vectors" / "e5.passages.faiss"))
    tables = {"documents": [], "practices": [], "checklist": [], "passages": passages}
    write_records(root / "current" / "records.sqlite", tables)


def test_seeds_reads_the_published_vectors_and_records_row_aligned(
    tmp_path: Path, real: np.ndarray, records: list[Json]
) -> None:
    _publish(tmp_path, real[:10], records[:10])
    x, recs = seeds(tmp_path)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, real[:10])
    assert recs == records[:10]


def test_seeds_refuses_an_index_that_disagrees_with_its_records(
    tmp_path: Path, real: np.ndarray, records: list[Json]
) -> None:
    _publish(tmp_path, real[:10], records[:9])
    with pytest.raises(SystemExit, match="inconsistent"):
        seeds(tmp_path)


# -- bench.scaling: the pieces that decide what is measured ---------------------------------


def test_exact_truth_is_the_filtered_top_k_across_chunks() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1200, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[[0, 500, 1199]] + 0.1 * rng.standard_normal((3, 8)).astype(np.float32)
    allowed = {
        "lang:en": np.arange(0, 1200, 2),  # more rows than K
        "lang:it": np.array([3, 77, 420, 901, 1199]),  # fewer than K: padded with -1
    }
    truth = exact_truth(x, q, allowed, chunk=300)  # four chunks to merge
    assert set(truth) == {"all", "lang:en", "lang:it"}
    scores = q @ x.T
    k = K
    for name, rows in {"all": np.arange(1200), **allowed}.items():
        assert truth[name].shape == (3, k)
        for i in range(3):
            best = rows[np.argsort(-scores[i, rows], kind="stable")][:k]
            want = np.full(k, -1)
            want[: best.size] = best
            np.testing.assert_array_equal(truth[name][i], want, err_msg=name)


def test_argsort_and_the_partition_top_k_agree_with_ties_and_zeros() -> None:
    # "same_results" in scale.json compares these two: they must agree on ties and zeros
    scores = np.array([0.0, 2.0, 1.0, 2.0, 0.0, 3.0, 1.0, 2.0, -1.0, 0.5], dtype=np.float32)
    assert argsort_top(scores, 4) == [(5, 3.0), (1, 2.0), (3, 2.0), (7, 2.0)]
    for n in (0, 1, 2, 3, 5, 7, 100):
        assert argsort_top(scores, n) == top_rows(scores, n), n


@pytest.mark.parametrize("n", [10_000, 100_000, 1_000_000])
def test_every_measured_configuration_is_a_real_knob_the_report_can_draw(n: int) -> None:
    configs = _vector_configs(n)
    names = [name for name, _, _ in configs]
    assert len(set(names)) == len(names)
    for _, spec, knobs in configs:
        index = FaissVectorIndex.create(8, VectorIndexSpec.from_dict(spec))
        for label, attr, _ in knobs:
            assert label[:3] in _STYLES  # scale_report.plot picks a line style by prefix
            assert attr is None or hasattr(index, attr), attr  # setattr would not fail
    # the retriever stage serves the index production would choose for n rows
    chosen = choose_spec(n)
    served = f"hnsw{chosen.hnsw_m}" if chosen.type == "hnsw" else chosen.type
    assert dict((name, spec) for name, spec, _ in configs)[served] == chosen.to_dict()
