"""The vector index types (Flat, HNSW, IVF) on small synthetic data: exact neighbours
where the data is easy, filters, save/load, and the choice ``auto`` makes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.vectors import (
    FLAT_MAX_ROWS,
    FaissVectorIndex,
    VectorIndexSpec,
    choose_spec,
    ivf_nlist,
    row_bitmap,
)

TYPES = ("flat", "hnsw", "ivf")
DIM = 32


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """Easy data: 20 well-separated clusters of 30 points; queries near 40 of the points."""
    rng = np.random.default_rng(7)
    centres = _unit(rng.standard_normal((20, DIM)))
    points = _unit(np.repeat(centres, 30, axis=0) + 0.05 * rng.standard_normal((600, DIM)))
    queries = _unit(points[::15] + 0.01 * rng.standard_normal((40, DIM)))
    return points, queries


def _exact(points: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray | None = None):
    scores = queries @ points.T
    if allowed is not None:
        mask = np.zeros(len(points), dtype=bool)
        mask[allowed] = True
        scores = np.where(mask, scores, -np.inf)
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def _built(kind: str, points: np.ndarray) -> FaissVectorIndex:
    vec = FaissVectorIndex.create(DIM, choose_spec(len(points), kind), nprobe=4)  # type: ignore[arg-type]
    vec.add(points)
    return vec


@pytest.mark.parametrize("kind", TYPES)
def test_exact_neighbours_on_easy_data(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    points, queries = data
    vec = _built(kind, points)
    assert vec.index_type == kind
    assert vec.size == len(points)
    scores, rows = vec.search(queries, 10)
    assert rows.tolist() == _exact(points, queries, 10).tolist()
    assert np.all(scores[:, :-1] >= scores[:, 1:])
    assert np.allclose(scores[:, 0], np.sum(queries * points[rows[:, 0]], axis=1), atol=1e-5)


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("exact_scan", [True, False], ids=["exact-scan", "index-search"])
def test_allowed_restricts_results(
    kind: str,
    exact_scan: bool,
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    points, queries = data
    # without the exact scan: through the graph / the probed lists, as for large allowed sets
    limit = None if exact_scan else 0
    vec = _built(kind, points)
    allowed = np.flatnonzero(np.random.default_rng(3).random(len(points)) < 0.5)
    _, rows = vec.search(queries, 10, allowed, exact_scan_rows=limit)
    assert np.isin(rows, allowed).all()
    assert rows.tolist() == _exact(points, queries, 10, allowed).tolist()


@pytest.mark.parametrize("kind", TYPES)
def test_fewer_allowed_rows_than_k(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    points, queries = data
    allowed = np.array([3, 250, 599])
    _, rows = _built(kind, points).search(queries[:1], 10, allowed)
    assert sorted(rows[0][:3].tolist()) == allowed.tolist()
    assert rows[0][3:].tolist() == [-1] * 7


@pytest.mark.parametrize("kind", TYPES)
def test_save_load_round_trip(
    kind: str, data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    points, queries = data
    vec = _built(kind, points)
    vec.save(tmp_path / "v.faiss")
    again = FaissVectorIndex.load(tmp_path / "v.faiss", ef_search=64, nprobe=4)
    assert (again.index_type, again.size, again.dim) == (kind, len(points), DIM)
    assert again.ef_search == 64
    assert again.search(queries, 10)[1].tolist() == vec.search(queries, 10)[1].tolist()
    for row in (0, 123, 599):  # IVF answers through its direct map
        assert np.allclose(again.reconstruct(row), points[row], atol=1e-6)


def test_auto_picks_by_size() -> None:
    assert choose_spec(410).type == "flat"
    assert choose_spec(FLAT_MAX_ROWS).type == "flat"
    assert choose_spec(FLAT_MAX_ROWS + 1) == VectorIndexSpec("ivf", ivf_nlist=224)
    assert choose_spec(10**6) == VectorIndexSpec("ivf", ivf_nlist=1000)
    assert choose_spec(FLAT_MAX_ROWS + 1, "hnsw", hnsw_m=16) == VectorIndexSpec("hnsw", hnsw_m=16)
    assert choose_spec(10**6, "flat").type == "flat"
    assert choose_spec(410, "hnsw").type == "hnsw"
    assert choose_spec(10**6, "ivf") == VectorIndexSpec("ivf", ivf_nlist=1000)
    assert ivf_nlist(40) == 1  # never fewer than 39 training vectors per list


def test_spec_round_trips_through_a_dict() -> None:
    for spec in (
        VectorIndexSpec(),
        VectorIndexSpec("hnsw", hnsw_m=8),
        VectorIndexSpec("ivf", ivf_nlist=9),
    ):
        assert VectorIndexSpec.from_dict(spec.to_dict()) == spec
    assert VectorIndexSpec.from_dict({}) == VectorIndexSpec("flat")
    with pytest.raises(ValueError, match="unknown vector index type"):
        VectorIndexSpec.from_dict({"type": "annoy"})


def test_row_bitmap_marks_exactly_the_rows() -> None:
    rows = np.array([0, 7, 8, 999_999])
    bits = np.unpackbits(row_bitmap(rows, 1_000_000), bitorder="little")[:1_000_000]
    assert np.flatnonzero(bits).tolist() == rows.tolist()


@pytest.mark.parametrize("kind", TYPES)
def test_mean_of_rows_in_chunks(kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    points, _ = data
    vec = _built(kind, points)
    rows = np.arange(3, 600, 7)
    # a chunk smaller than the rows, so several reconstruct_batch calls add up
    assert np.allclose(vec.mean_of(rows, chunk=16), points[rows].mean(axis=0), atol=1e-6)
    assert np.allclose(vec.mean_of(rows), points[rows].mean(axis=0), atol=1e-6)
