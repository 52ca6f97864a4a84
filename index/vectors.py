"""Inner-product search in FAISS over normalised vectors: Flat, HNSW or IVF.

Row number = record position, for every index type. ``Flat`` is exact; ``HNSW``
and ``IVF`` are approximate and trade a little recall for query time once a
corpus is large (measured in docs/scaling.md, where the thresholds below come from).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import faiss as _faiss
import numpy as np

from practice_search.errors import IndexCorrupt

__all__ = [
    "DEFAULT_EF_SEARCH",
    "DEFAULT_NPROBE",
    "EXACT_SCAN_ROWS",
    "FLAT_MAX_ROWS",
    "FaissVectorIndex",
    "IndexType",
    "VectorIndexSpec",
    "choose_spec",
    "ivf_nlist",
    "row_bitmap",
]

# faiss's bundled stubs cover a fraction of the SWIG API (no HNSW or IVF search
# parameters, selectors or direct maps): typed as Any here, checked by tests/index.
faiss: Any = _faiss

IndexType = Literal["flat", "hnsw", "ivf"]

# ``auto`` keeps exact search up to this many rows (one Flat search costs ~1.3 ms per
# 10k rows on 2 cores, and the engine makes several per need), then IVF: on e5-like
# data with real needs it kept recall@10 >= 0.96 up to 1M rows in <= 5 ms, where
# HNSW levelled off near 0.95, and it built 12x faster (docs/scaling.md).
FLAT_MAX_ROWS = 50_000
# A filtered search allowing at most this many rows scans exactly those rows (a few
# ms at 1M rows); the graph or the probed lists would find few of them.
EXACT_SCAN_ROWS = 50_000
# Above that, HNSW's efSearch and IVF's nprobe grow as the allowed share shrinks (up
# to this factor): the allowed rows nearest the query lie further away.
MAX_BREADTH_FACTOR = 16
HNSW_EF_CONSTRUCTION = 100  # faiss's default 40 cost 2-4 points of recall here
DEFAULT_EF_SEARCH = 512
DEFAULT_NPROBE = 64
_TRAIN_PER_LIST = 64  # IVF k-means sample: 64 vectors per list (faiss wants >= 39)


@dataclass(frozen=True)
class VectorIndexSpec:
    """How a vector index is built (query-time knobs are not part of it)."""

    type: IndexType = "flat"
    hnsw_m: int = 0
    ivf_nlist: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k == "type" or v}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> VectorIndexSpec:
        if raw.get("type", "flat") not in get_args(IndexType):
            raise ValueError(f"unknown vector index type {raw.get('type')!r}")
        return cls(**raw)

    def describe(self) -> str:
        if self.type == "hnsw":
            return f"hnsw (M={self.hnsw_m})"
        if self.type == "ivf":
            return f"ivf (nlist={self.ivf_nlist})"
        return "flat"


def ivf_nlist(rows: int) -> int:
    """About sqrt(rows) lists (1000 at 1M rows), at least 39 training vectors each."""
    return max(1, min(round(math.sqrt(rows)), rows // 39))


def choose_spec(
    rows: int, index_type: Literal["auto", "flat", "hnsw", "ivf"] = "auto", hnsw_m: int = 32
) -> VectorIndexSpec:
    """The index for ``rows`` vectors: ``auto`` is Flat up to FLAT_MAX_ROWS, then IVF."""
    chosen = index_type
    if chosen == "auto":
        chosen = "flat" if rows <= FLAT_MAX_ROWS else "ivf"
    if chosen == "hnsw":
        return VectorIndexSpec("hnsw", hnsw_m=hnsw_m)
    if chosen == "ivf":
        return VectorIndexSpec("ivf", ivf_nlist=ivf_nlist(rows))
    return VectorIndexSpec("flat")


def row_bitmap(rows: np.ndarray, size: int) -> np.ndarray:
    """Row numbers -> a little-endian bitmap (``IDSelectorBitmap``): ~1 ms at 1M rows,
    where ``IDSelectorBatch`` (a hash set) takes ~70 ms."""
    mask = np.zeros(size, dtype=bool)
    mask[rows] = True
    return np.packbits(mask, bitorder="little")


class FaissVectorIndex:
    """A FAISS inner-product index (cosine on normalised vectors); row = record position.

    ``ef_search`` (HNSW) and ``nprobe`` (IVF) are query-time knobs, not stored in the file.
    """

    def __init__(
        self,
        dim: int,
        index: Any = None,
        *,
        ef_search: int = DEFAULT_EF_SEARCH,
        nprobe: int = DEFAULT_NPROBE,
    ) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexFlatIP(dim)
        self.ef_search = ef_search
        self.nprobe = nprobe
        # OpenMP threads per search call: one query gains nothing from a second thread
        # and loses 2x or more when the cores are busy (docs/scaling.md); batch callers
        # may raise it
        self.search_threads = 1
        if isinstance(self._index, faiss.IndexIVF) and self._index.is_trained:
            self._ensure_direct_map()

    @classmethod
    def create(
        cls,
        dim: int,
        spec: VectorIndexSpec,
        *,
        ef_search: int = DEFAULT_EF_SEARCH,
        nprobe: int = DEFAULT_NPROBE,
    ) -> FaissVectorIndex:
        index: Any
        if spec.type == "hnsw":
            index = faiss.IndexHNSWFlat(dim, spec.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        elif spec.type == "ivf":
            # the factory's index owns its quantizer
            index = faiss.index_factory(
                dim, f"IVF{spec.ivf_nlist},Flat", faiss.METRIC_INNER_PRODUCT
            )
        else:
            index = faiss.IndexFlatIP(dim)
        return cls(dim, index, ef_search=ef_search, nprobe=nprobe)

    @property
    def index_type(self) -> IndexType:
        if isinstance(self._index, faiss.IndexHNSW):
            return "hnsw"
        if isinstance(self._index, faiss.IndexIVF):
            return "ivf"
        return "flat"

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; an untrained IVF index is first trained on (a sample of) them."""
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected (n, {self.dim}) vectors, got {vectors.shape}")
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        if not self._index.is_trained:
            nlist = int(self._index.nlist)
            sample = min(len(x), _TRAIN_PER_LIST * nlist)
            if len(x) < nlist:
                raise ValueError(f"IVF with {nlist} lists needs at least {nlist} vectors")
            pick = np.sort(np.random.default_rng(0).choice(len(x), sample, replace=False))
            self._index.train(x[pick])
        self._index.add(x)
        if isinstance(self._index, faiss.IndexIVF):
            self._ensure_direct_map()

    def _ensure_direct_map(self) -> None:
        ivf = self._index
        if ivf.direct_map.type == faiss.DirectMap.NoMap:
            ivf.make_direct_map()

    def search(
        self,
        queries: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        *,
        exact_scan_rows: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows per query; ``allowed`` (row numbers) restricts the search.

        Returns (scores, rows); rows are -1 where fewer than k rows qualify (or, for
        HNSW and IVF, were found). Flat is exact; a filtered search allowing at most
        EXACT_SCAN_ROWS rows is exact for every type, and above that HNSW and IVF search
        wider (efSearch, nprobe) in proportion to the rows filtered out.
        ``exact_scan_rows`` puts that threshold elsewhere (default: EXACT_SCAN_ROWS).
        """
        k = max(1, min(k, self.size))
        q = np.ascontiguousarray(queries, dtype=np.float32)
        sel, exact, share = None, False, 1.0
        if allowed is not None:
            rows = np.asarray(allowed, dtype=np.int64)
            bitmap = row_bitmap(rows, self.size)  # referenced until the search returns
            sel, share = faiss.IDSelectorBitmap(bitmap), rows.size / max(1, self.size)
            limit = EXACT_SCAN_ROWS if exact_scan_rows is None else exact_scan_rows
            exact = rows.size <= limit
        target, params = self._plan(k, sel, exact, share)
        previous = faiss.omp_get_max_threads()  # a per-thread setting in OpenMP
        faiss.omp_set_num_threads(self.search_threads)
        try:
            scores, found = target.search(q, k, params=params)
        finally:
            faiss.omp_set_num_threads(previous)
        return np.asarray(scores, dtype=np.float32), np.asarray(found, dtype=np.int64)

    def _plan(self, k: int, sel: Any, exact: bool, share: float) -> tuple[Any, Any]:
        """Which faiss index to ask, with which search parameters."""
        kind = self.index_type
        factor = min(1.0 / share, MAX_BREADTH_FACTOR) if share > 0 else 1.0
        if kind == "hnsw" and exact:  # few rows qualify: scan them in the flat storage
            return faiss.downcast_index(self._index.storage), faiss.SearchParameters(sel=sel)
        if kind == "hnsw":
            ef = math.ceil(max(self.ef_search, k) * factor)
            return self._index, faiss.SearchParametersHNSW(sel=sel, efSearch=ef)
        if kind == "ivf":  # exact: every list; rows outside the bitmap cost a bit test
            nlist = int(self._index.nlist)
            nprobe = nlist if exact else min(math.ceil(self.nprobe * factor), nlist)
            return self._index, faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        return self._index, None if sel is None else faiss.SearchParameters(sel=sel)

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self._index.reconstruct(int(row)), dtype=np.float32)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """The stored vectors of rows ``start`` to ``stop`` (exclusive)."""
        return self.rows_at(np.arange(start, stop, dtype=np.int64))

    def rows_at(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors at ``rows``."""
        keys = np.ascontiguousarray(rows, dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32)

    def mean_of(self, rows: np.ndarray, chunk: int = 65_536) -> np.ndarray:
        """The mean of the stored vectors at ``rows``, fetched a chunk at a time (at 1M
        rows, one call per row took seconds)."""
        total = np.zeros(self.dim, dtype=np.float64)
        for start in range(0, len(rows), chunk):
            keys = np.asarray(rows[start : start + chunk], dtype=np.int64)
            total += self._index.reconstruct_batch(keys).sum(axis=0, dtype=np.float64)
        return (total / max(len(rows), 1)).astype(np.float32)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(
        cls, path: Path, *, ef_search: int = DEFAULT_EF_SEARCH, nprobe: int = DEFAULT_NPROBE
    ) -> FaissVectorIndex:
        try:
            index = faiss.read_index(str(path))
        except Exception as exc:  # faiss raises RuntimeError with C++ text
            raise IndexCorrupt(f"cannot read vector index {path.name}: {exc}") from exc
        return cls(int(index.d), index, ef_search=ef_search, nprobe=nprobe)
