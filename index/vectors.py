"""Exact inner-product search in FAISS over normalised vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from practice_search.errors import IndexCorrupt

__all__ = ["FaissVectorIndex", "VectorIndex"]


class VectorIndex(Protocol):
    def add(self, vectors: np.ndarray) -> None: ...

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def save(self, path: Path) -> None: ...

    @property
    def size(self) -> int: ...


class FaissVectorIndex:
    """``IndexFlatIP``: exact cosine search (vectors are normalised); row = record position."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexFlatIP(dim)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected (n, {self.dim}) vectors, got {vectors.shape}")
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows per query; ``allowed`` (row numbers) restricts the search.

        Returns (scores, rows); rows are -1 where fewer than k rows qualify.
        """
        k = max(1, min(k, self.size))
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if allowed is None:
            scores, rows = self._index.search(q, k)
        else:
            params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBatch(allowed.astype(np.int64))
            scores, rows = self._index.search(q, k, params=params)
        return scores, rows

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self._index.reconstruct(int(row)), dtype=np.float32)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissVectorIndex:
        try:
            index = faiss.read_index(str(path))
        except Exception as exc:  # faiss raises RuntimeError with C++ text
            raise IndexCorrupt(f"cannot read vector index {path.name}: {exc}") from exc
        return cls(int(index.d), index)
