"""The channels a search fuses: each reads the query in its own form and ranks rows.

A dense channel's form is the query's vector (an encoder: costly, so the engine runs
it in a pool beside the others); a lexical channel's is the query's stemmed terms
(cheap). The engine asks every channel for its form, ranks with each as soon as its
form is ready, and fuses the rankings without knowing which channel is which.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from index import LoadedIndex
from index.backend import LexicalSearch, VectorSearch
from retriever.cache import EmbeddingCache
from retriever.calibration import Calibration, generic_vectors
from retriever.language import QueryLanguage
from retriever.timing import StageTimes, stage

__all__ = ["Analyzers", "Channel", "DenseChannel", "LexicalChannel", "channels_of"]

_PRF_DEPTH = 3  # top passages the query moves toward (pseudo-relevance feedback)
Ranking = list[tuple[int, float]]


class Channel(Protocol):
    """One way of ranking the rows of a result kind for a query."""

    name: str
    langs: tuple[str, ...]  # the row languages it reads ("*": all)
    costly: bool  # its query form takes real work: worth running beside the others
    relative: bool  # its scores mean something only relative to the need's best one

    def form(self, query: str, times: StageTimes | None = None) -> Any:
        """The query as this channel reads it (a vector, terms)."""
        ...

    def cached(self, query: str) -> Any | None:
        """The query's form if it is already known (no work to do), else None."""
        ...

    def rank(
        self, form: Any, kind: str, qlang: QueryLanguage, allowed: np.ndarray | None, n: int
    ) -> Ranking:
        """Up to ``n`` (row, score) pairs, best first, only ``allowed`` rows if given."""
        ...

    def shift(self, kind: str, qlang: QueryLanguage) -> Callable[[int], float] | None:
        """What to subtract from a row's score before fusing by score, if anything."""
        ...

    def cost(self) -> float:
        """Seconds one query form takes (to choose which costly channel runs inline)."""
        ...

    def calibrate(self, kinds: list[str]) -> None:
        """Measure what :meth:`shift` subtracts, for these result kinds."""
        ...

    def clear_cache(self) -> None:
        """Forget the query forms kept from earlier searches."""
        ...


class Analyzers:
    """The lexical analysis (stop words, stemming) of each index language, with each
    query's terms kept for the query's lifetime: the lexical channels and highlighting
    read the same terms, analysed once."""

    def __init__(self, lexical: Mapping[str, Mapping[str, LexicalSearch]]) -> None:
        self.by_lang = {lang: kinds["passages"] for lang, kinds in lexical.items()}
        self.stemmers = tuple(lex.stem for lex in self.by_lang.values())
        self.terms = functools.lru_cache(maxsize=256)(self._terms)

    def _terms(self, lang: str, query: str) -> tuple[str, ...]:
        return tuple(self.by_lang[lang].query_terms(query))

    def stems(self, query: str) -> set[str]:
        """Every language's terms of the query (what highlighting marks)."""
        return {t for lang in self.by_lang for t in self.terms(lang, query)}


class LexicalChannel:
    """BM25 over one language's stemmed terms."""

    costly = False
    relative = True

    def __init__(self, lang: str, indexes: Mapping[str, LexicalSearch], analyzers: Analyzers):
        self.name = f"bm25-{lang}"
        self.langs: tuple[str, ...] = (lang,)
        self._lang = lang
        self._indexes = indexes
        self._analyzers = analyzers

    def form(self, query: str, times: StageTimes | None = None) -> tuple[str, ...]:
        return self._analyzers.terms(self._lang, query)

    def cached(self, query: str) -> tuple[str, ...] | None:
        return None  # cheap: always read in the search's own thread

    def rank(
        self,
        form: tuple[str, ...],
        kind: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        n: int,
    ) -> Ranking:
        with stage("lexical"):
            return self._indexes[kind].top_terms(list(form), n, allowed)

    def shift(self, kind: str, qlang: QueryLanguage) -> Callable[[int], float] | None:
        return None

    def cost(self) -> float:
        return 0.0

    def calibrate(self, kinds: list[str]) -> None:
        return None

    def clear_cache(self) -> None:
        return None  # the terms are kept for a query's lifetime only (Analyzers)


class DenseChannel:
    """Cosine similarity to the query's vector, less the calibration's per-language
    offsets (see retriever.calibration); optionally moved toward its first hits."""

    costly = True
    relative = False

    def __init__(
        self,
        name: str,
        langs: tuple[str, ...],
        encode: Callable[[list[str]], np.ndarray],
        vectors: Mapping[str, VectorSearch],
        calibration: Calibration,
        *,
        prf: float = 0.0,
        hubness: float = 0.0,
        cache_size: int = 1024,
    ) -> None:
        self.name = name
        self.langs = langs
        self._encode = encode
        self._vectors = vectors
        self._calibration = calibration
        self._prf = prf
        self._hubness = hubness
        self._cache = EmbeddingCache(cache_size)

    def form(self, query: str, times: StageTimes | None = None) -> np.ndarray:
        key = (self.name, query)
        vec = self._cache.get(key)
        if vec is None:
            t0 = time.perf_counter()
            vec = self._encode([query])
            if times is not None:
                times.add(f"encode:{self.name}", time.perf_counter() - t0)
            self._cache.put(key, vec)
        return vec

    def cached(self, query: str) -> np.ndarray | None:
        return self._cache.get((self.name, query))

    def clear_cache(self) -> None:
        self._cache = EmbeddingCache(self._cache.size)

    def cost(self) -> float:
        """Best of three timings, after a first call that pays any one-off set-up."""
        self._encode(["warm-up"])
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            self._encode(["a need about housing for refugees"])
            runs.append(time.perf_counter() - t0)
        return min(runs)

    def calibrate(self, kinds: list[str]) -> None:
        if kinds:
            generic = generic_vectors(self._encode)
            for kind in kinds:
                self._calibration.measure(self.name, kind, generic, self._vectors[kind])

    def shift(self, kind: str, qlang: QueryLanguage) -> Callable[[int], float] | None:
        return self._calibration.row_shift(self.name, kind, qlang)

    def rank(
        self,
        form: np.ndarray,
        kind: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        n: int,
    ) -> Ranking:
        with stage("faiss"):
            return self._rank(form, kind, qlang, allowed, n)

    def _rank(
        self,
        vec: np.ndarray,
        kind: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        n: int,
    ) -> Ranking:
        index = self._vectors[kind]
        if self._prf > 0:
            vec = self._feedback(vec, index, allowed)
        if not self._calibration.measured(self.name, kind):
            scores, rows = index.search(vec, n, allowed)
            return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
        shift = self._calibration.row_shift(self.name, kind, qlang)
        # with hubness correction, rank a wider list: the correction reorders it
        depth = 2 * n if self._hubness > 0 else n
        hits: list[tuple[float, int, float]] = []
        for group in self._calibration.groups[kind].values():
            rows_g = group if allowed is None else np.intersect1d(group, allowed)
            if rows_g.size == 0:
                continue
            scores, rows = index.search(vec, depth, rows_g)
            hits += [
                (float(s) - shift(int(r)), int(r), float(s))
                for r, s in zip(rows[0], scores[0], strict=True)
                if r >= 0
            ]
        hits.sort(key=lambda h: (-h[0], h[1]))
        return [(r, s) for _, r, s in hits[:n]]

    def _feedback(
        self, vec: np.ndarray, index: VectorSearch, allowed: np.ndarray | None
    ) -> np.ndarray:
        """Pseudo-relevance feedback: the query vector moved toward its top passages."""
        _, rows = index.search(vec, _PRF_DEPTH, allowed)
        top = [int(r) for r in rows[0] if r >= 0]
        if not top:
            return vec
        moved = vec[0] + self._prf * index.rows_at(np.array(top)).mean(axis=0)
        return np.asarray(moved / np.linalg.norm(moved), dtype=np.float32)[None, :]


def channels_of(
    index: LoadedIndex,
    calibration: Calibration,
    analyzers: Analyzers,
    *,
    prf: float,
    hubness: float,
) -> list[Channel]:
    """Every channel the index can serve: one per encoder, one per lexical language."""
    channels: list[Channel] = [
        DenseChannel(
            e.name,
            e.languages,
            index.encoders[e.name].encode_queries,
            index.vectors[e.name],
            calibration,
            prf=prf,
            hubness=hubness,
        )
        for e in index.manifest.encoders
    ]
    channels += [LexicalChannel(lang, kinds, analyzers) for lang, kinds in index.lexical.items()]
    return channels
