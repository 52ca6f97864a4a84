"""The seam between the engine and where an index lives: what the retriever asks of
a vector index and of a lexical index, whichever backend holds them.

The embedded backend's :class:`index.vectors.FaissVectorIndex` and
:class:`index.lexical.LexicalIndex` are one implementation; the Milvus backend's
:mod:`index.milvus.search` the other. Records and filters reach the engine the same way
for both: :class:`index.load.LoadedIndex` holds the records in row order, and a filter
is the array of rows it allows (a Milvus index turns it into a scalar filter).
Fusion, language handling, collapse, highlighting and the result contract stay in
the retriever, the same for both.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

__all__ = ["BACKENDS", "LexicalSearch", "VectorSearch"]

BACKENDS = ("embedded", "milvus")


class VectorSearch(Protocol):
    """Inner-product search over one result kind's normalised vectors; row = record."""

    @property
    def dim(self) -> int: ...

    @property
    def size(self) -> int: ...

    @property
    def index_type(self) -> Any: ...

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, rows)``, each of shape ``(1, m)``, best first; rows < 0 are none."""
        ...

    def reconstruct(self, row: int) -> np.ndarray: ...

    def rows(self, start: int, stop: int) -> np.ndarray: ...

    def rows_at(self, rows: np.ndarray) -> np.ndarray: ...

    def mean_of(self, rows: np.ndarray, chunk: int = 65_536) -> np.ndarray: ...


class LexicalSearch(Protocol):
    """BM25 over one language's analysis (stop words, stemming) of one result kind."""

    def query_terms(self, query: str) -> list[str]: ...

    def stem(self, words: list[str]) -> list[str]: ...

    def top_terms(
        self, terms: list[str], n: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Up to ``n`` rows with a positive score, best first, ties by lower row."""
        ...
