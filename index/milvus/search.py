"""The Milvus side of the seam (index.backend): vector and BM25 search over one
result kind's collection, rows filtered by a scalar expression.

Scores mean what the embedded backend's do: inner products of normalised vectors,
and BM25 (Milvus Lite returns BM25 scores negated, a server positive: BM25 is
never negative, so the magnitude is the score; and k1 + 1 times bm25s's, divided
back here). A filter reaches
Milvus as the rows it allows (``row in [...]``), or a language when the rows are
exactly one language's (an inverted index on ``lang``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

import numpy as np

from index.lexical import LexicalIndex, LexicalLang
from index.milvus.client import milvus_errors
from index.milvus.schema import BM25_K1, bm25_field, search_params, vector_field
from index.vectors import IndexType, VectorIndexSpec

__all__ = ["MilvusLexical", "MilvusVectors", "row_filter"]

T = TypeVar("T")

_FETCH = 4096  # rows per query when vectors are read back
_MAX_LIMIT = 16_384  # Milvus's largest top-k
# Milvus scores BM25 with the (k1 + 1) numerator that bm25s's Lucene variant leaves out:
# the same ranking, every score k1 + 1 times larger (measured: 2.5 at k1 = 1.5)
_TF_SCALE = BM25_K1 + 1


def row_filter(allowed: np.ndarray | None, groups: Mapping[str, np.ndarray]) -> str:
    """The scalar filter of the rows ``allowed`` (all rows: no filter)."""
    if allowed is None:
        return ""
    for lang, rows in groups.items():
        if rows.size == allowed.size and np.array_equal(rows, allowed):
            return f'lang == "{lang}"'
    if allowed.size and int(allowed[-1]) - int(allowed[0]) + 1 == allowed.size:
        return f"row >= {int(allowed[0])} and row <= {int(allowed[-1])}"
    return "row in [" + ",".join(str(int(r)) for r in allowed) + "]"


class _Collection:
    def __init__(self, client: Any, uri: str, name: str, size: int) -> None:
        self._client = client
        self._uri = uri
        self._name = name
        self.size = size

    def _call(self, doing: str, call: Callable[[], T]) -> T:
        """``call()``, loading the collection again once if Milvus says it is not
        loaded (a restarted Milvus Lite server comes back with its collections
        released)."""
        from pymilvus.exceptions import MilvusException

        with milvus_errors(self._uri, doing):
            try:
                return call()
            except MilvusException as exc:
                if not _not_loaded(exc):
                    raise
                self._client.load_collection(self._name)
                return call()

    def _search(self, data: list[Any], field: str, k: int, expr: str, params: Any) -> list[Any]:
        hits = self._call(
            "a search",
            lambda: self._client.search(
                self._name,
                data=data,
                anns_field=field,
                limit=min(k, _MAX_LIMIT),
                filter=expr,
                output_fields=["row"],
                search_params=params,
            ),
        )
        return list(hits[0])


def _not_loaded(exc: Exception) -> bool:
    # a Milvus server: code 101 "collection not loaded"; Milvus Lite: "state 'released'"
    message = str(exc)
    return getattr(exc, "code", None) == 101 or "not loaded" in message or "load()" in message


class MilvusVectors(_Collection):
    """One encoder's vectors of one result kind (:class:`index.backend.VectorSearch`)."""

    def __init__(
        self,
        client: Any,
        uri: str,
        name: str,
        encoder: str,
        dim: int,
        size: int,
        spec: VectorIndexSpec,
        groups: Mapping[str, np.ndarray],
        *,
        ef_search: int,
        nprobe: int,
    ) -> None:
        super().__init__(client, uri, name, size)
        self.dim = dim
        self._field = vector_field(encoder)
        self._spec = spec
        self._groups = groups
        self._ef = ef_search
        self._nprobe = nprobe

    @property
    def index_type(self) -> IndexType:
        return self._spec.type

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.size == 0 or k <= 0 or (allowed is not None and allowed.size == 0):
            return np.empty((1, 0), dtype=np.float32), np.empty((1, 0), dtype=np.int64)
        k = min(k, self.size)
        params = search_params(self._spec, max(self._ef, k), self._nprobe)
        vec = np.asarray(query, dtype=np.float32).reshape(-1).tolist()
        hits = self._search([vec], self._field, k, row_filter(allowed, self._groups), params)
        scores = np.array([[h["distance"] for h in hits]], dtype=np.float32)
        rows = np.array([[h["entity"]["row"] for h in hits]], dtype=np.int64)
        return scores, rows

    def rows_at(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        for start in range(0, len(rows), _FETCH):
            chunk = [int(r) for r in rows[start : start + _FETCH]]
            get = partial(self._client.get, self._name, ids=chunk, output_fields=[self._field])
            got = self._call("reading vectors", get)
            by_row = {int(g["row"]): g[self._field] for g in got}
            out[start : start + len(chunk)] = [by_row[r] for r in chunk]
        return out

    def rows(self, start: int, stop: int) -> np.ndarray:
        return self.rows_at(np.arange(start, stop, dtype=np.int64))

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self.rows_at(np.array([row]))[0], dtype=np.float32)

    def mean_of(self, rows: np.ndarray, chunk: int = 65_536) -> np.ndarray:
        """As :meth:`index.vectors.FaissVectorIndex.mean_of` (the same float64 sums)."""
        total = np.zeros(self.dim, dtype=np.float64)
        for start in range(0, len(rows), chunk):
            total += self.rows_at(rows[start : start + chunk]).sum(axis=0, dtype=np.float64)
        return np.asarray(total / max(len(rows), 1), dtype=np.float32)


class MilvusLexical(_Collection):
    """BM25 over one language's stemmed terms of one result kind
    (:class:`index.backend.LexicalSearch`): the analysis is :mod:`index.lexical`'s,
    the postings and scoring Milvus's."""

    def __init__(
        self, client: Any, uri: str, name: str, lang: str, size: int, groups: Mapping[str, Any]
    ) -> None:
        super().__init__(client, uri, name, size)
        self._analysis = LexicalIndex(LexicalLang(lang))
        self._field = bm25_field(lang)
        self._groups = groups

    def query_terms(self, query: str) -> list[str]:
        return self._analysis.query_terms(query)

    def stem(self, words: list[str]) -> list[str]:
        return self._analysis.stem(words)

    def top_terms(
        self, terms: list[str], n: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        if not terms or n <= 0 or (allowed is not None and allowed.size == 0):
            return []
        expr = row_filter(allowed, self._groups)
        hits = self._search([" ".join(terms)], self._field, n, expr, {"metric_type": "BM25"})
        out = [(int(h["entity"]["row"]), abs(float(h["distance"])) / _TF_SCALE) for h in hits]
        out = [(r, s) for r, s in out if s > 0]
        out.sort(key=lambda h: (-h[1], h[0]))
        return out
