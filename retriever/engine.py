"""The retriever: query → ranked passages and checklist items, with provenance."""

from __future__ import annotations

import gc
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from index import EncoderFactory, LoadedIndex, create_encoder, load_index
from index.build import KINDS
from index.vectors import FaissVectorIndex
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError, QueryError
from retriever.cache import EmbeddingCache
from retriever.calibration import Calibration, generic_vectors
from retriever.catalog import Catalog
from retriever.collapse import collapse
from retriever.fusion import Fused, rrf, score_fusion
from retriever.highlight import highlight
from retriever.language import QueryLanguage, channel_weight, detect_query_language
from retriever.query import Filters, ResultType, filter_masks, validate_query
from retriever.results import ChecklistResult, PassageResult, SearchResult
from retriever.timing import StageTimes, current_stages, stage

__all__ = ["Retriever"]

_PRF_DEPTH = 3  # top passages the query moves toward (pseudo-relevance feedback)
_NOTHING_TO_SEARCH = "The need has no searchable text."
_LOW_CONFIDENCE_MESSAGE = (
    "Nothing in the corpus matches this need closely; the results below are weak matches."
)


@dataclass(frozen=True)
class _Channel:
    name: str
    langs: tuple[str, ...]
    dense: bool


class Retriever:
    """Hybrid retrieval over a loaded index. Read-only after construction: thread-safe.

    Example:
        >>> r = Retriever.load()
        >>> result = r.search("language barrier in healthcare", k=5)
    """

    def __init__(self, index: LoadedIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.catalog = Catalog(index)
        channels = [_Channel(e.name, e.languages, True) for e in index.manifest.encoders]
        channels += [_Channel(f"bm25-{lang}", (lang,), False) for lang in index.lexical]
        # a channel weighted 0 is switched off (how evaluation compares configurations)
        self.channels = [ch for ch in channels if self._base(ch.name) > 0]
        if not self.channels:
            raise ConfigError("every channel has weight 0: nothing left to search with")
        self._cache = EmbeddingCache(1024)
        dense = [ch.name for ch in self.channels if ch.dense]
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(dense)), thread_name_prefix="encode")
        # The fastest of several encoders runs in the search's own thread, after language
        # detection and BM25, while the others run in the pool: on a 2-core server that
        # keeps two busy threads, not three, so the slowest encoder (the critical path)
        # is not slowed by the rest (see search).
        self._inline = self._fastest(dense) if len(dense) > 1 else None
        self._masks, self._row_langs = filter_masks(index)
        self.doc_ids = sorted(index.documents)
        self._stemmers = tuple(lex["passages"].stem for lex in index.lexical.values())
        self.langs = sorted(self._masks["passages"]["lang"])
        # Dense hits are ranked by cosine minus a per-language offset (see
        # retriever.calibration): multilingual encoders favour same-language pairs.
        groups = {
            kind: {g: np.flatnonzero(m) for g, m in sorted(self._masks[kind]["lang"].items())}
            for kind in KINDS
        }
        self._calibration = Calibration(groups, self._row_langs, settings.hubness)
        generic: dict[str, dict[str, np.ndarray]] = {}  # once per encoder, not per kind
        for kind in KINDS:
            if len(groups[kind]) < 2:
                continue
            for ch in self.channels:
                if ch.dense:
                    if ch.name not in generic:
                        encode = self.index.encoders[ch.name].encode_queries
                        generic[ch.name] = generic_vectors(encode)
                    vec = self.index.vectors[ch.name][kind]
                    self._calibration.measure(ch.name, kind, generic[ch.name], vec)

    def _fastest(self, names: list[str]) -> str:
        """The encoder with the cheapest query embedding (best of three timings each,
        after a first call that pays any one-off set-up)."""
        cost: dict[str, float] = {}
        for name in names:
            encode = self.index.encoders[name].encode_queries
            encode(["warm-up"])
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                encode(["a need about housing for refugees"])
                runs.append(time.perf_counter() - t0)
            cost[name] = min(runs)
        return min(names, key=lambda n: cost[n])

    @classmethod
    def load(
        cls, settings: Settings | None = None, *, encoder_factory: EncoderFactory = create_encoder
    ) -> Retriever:
        """Load the index and encoders named by ``settings`` (default: the environment)."""
        settings = settings or get_settings()
        retriever = cls(load_index(settings, encoder_factory=encoder_factory), settings)
        # The index's objects live as long as the process: move them out of the
        # collector's sight, so no query pays for a full collection scanning them
        # (those pauses were the p99 outliers, inside whatever stage triggered them).
        gc.freeze()
        return retriever

    # -- channels ---------------------------------------------------------------------------

    def _query_vector(
        self, encoder: str, query: str, times: StageTimes | None = None
    ) -> np.ndarray:
        key = (encoder, query)
        vec = self._cache.get(key)
        if vec is None:
            t0 = time.perf_counter()
            vec = self.index.encoders[encoder].encode_queries([query])
            if times is not None:
                times.add(f"encode:{encoder}", time.perf_counter() - t0)
            self._cache.put(key, vec)
        return vec

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the uncached cost)."""
        self._cache = EmbeddingCache(self._cache.size)

    def _encode_all(self, query: str) -> list[Future[np.ndarray]]:
        """Start embedding the query with every dense encoder but the one the search runs
        in its own thread; they run side by side, beside language detection and BM25
        (the encoders release the GIL)."""
        times = current_stages()  # the pool's threads do not see this context
        return [
            self._pool.submit(self._query_vector, ch.name, query, times)
            for ch in self.channels
            if ch.dense and ch.name != self._inline
        ]

    def _allowed(self, kind: str, filters: Filters) -> np.ndarray | None:
        masks = self._masks[kind]
        mask = np.ones(len(self.index.records[kind]), dtype=bool)
        for field in ("doc", "dimension", "lang"):
            value = getattr(filters, field)
            if value:
                mask &= masks[field].get(value, False)
        return None if mask.all() else np.flatnonzero(mask)

    def _rank(
        self,
        channel: _Channel,
        kind: str,
        query: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        depth: int,
    ) -> list[tuple[int, float]]:
        n = max(self.settings.candidates, depth)  # deep pages need deeper channel lists
        if allowed is not None and allowed.size == 0:
            return []
        if channel.dense:
            with stage("faiss"):
                return self._dense_rank(channel.name, kind, query, qlang, allowed, n)
        with stage("lexical"):
            return self.index.lexical[channel.langs[0]][kind].top(query, n, allowed)

    def _base(self, channel: str) -> float:
        weights = self.settings.weights
        return weights.get(channel, weights.get(channel.split("-")[0], 1.0))

    def _dense_rank(
        self,
        encoder: str,
        kind: str,
        query: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        n: int,
    ) -> list[tuple[int, float]]:
        vec = self._query_vector(encoder, query)
        index = self.index.vectors[encoder][kind]
        if self.settings.prf > 0:
            vec = self._feedback(vec, index, allowed)
        if not self._calibration.measured(encoder, kind):
            scores, rows = index.search(vec, n, allowed)
            return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
        shift = self._calibration.row_shift(encoder, kind, qlang)
        # with hubness correction, rank a wider list: the correction reorders it
        depth = 2 * n if self.settings.hubness > 0 else n
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
        self, vec: np.ndarray, index: FaissVectorIndex, allowed: np.ndarray | None
    ) -> np.ndarray:
        """Pseudo-relevance feedback: the query vector moved toward its top passages."""
        _, rows = index.search(vec, _PRF_DEPTH, allowed)
        top = [int(r) for r in rows[0] if r >= 0]
        if not top:
            return vec
        moved = vec[0] + self.settings.prf * index.rows_at(np.array(top)).mean(axis=0)
        return np.asarray(moved / np.linalg.norm(moved), dtype=np.float32)[None, :]

    def _weights(self, qlang: QueryLanguage) -> dict[str, float]:
        return {
            ch.name: channel_weight(ch.langs, qlang, self._base(ch.name)) for ch in self.channels
        }

    def _lexical(
        self, kind: str, query: str, qlang: QueryLanguage, allowed: np.ndarray | None, depth: int
    ) -> dict[str, list[tuple[int, float]]]:
        """The BM25 channels' rankings: they need no query vector, so they run while
        the encoders do."""
        return {
            ch.name: self._rank(ch, kind, query, qlang, allowed, depth)
            for ch in self.channels
            if not ch.dense
        }

    def _fuse(
        self,
        kind: str,
        query: str,
        qlang: QueryLanguage,
        allowed: np.ndarray | None,
        depth: int,
        lexical: dict[str, list[tuple[int, float]]],
    ) -> tuple[list[Fused], dict[str, float]]:
        rankings = {
            ch.name: self._rank(ch, kind, query, qlang, allowed, depth)
            if ch.dense
            else lexical[ch.name]
            for ch in self.channels
        }
        tops = {name: r[0][1] for name, r in rankings.items() if r}
        channel_langs = {ch.name: ch.langs for ch in self.channels}
        with stage("fusion"):
            if self.settings.fusion == "score":
                fused = score_fusion(
                    rankings,
                    self._weights(qlang),
                    self._row_langs[kind],
                    channel_langs,
                    {
                        ch.name: self._calibration.row_shift(ch.name, kind, qlang)
                        for ch in self.channels
                        if ch.dense
                    },
                    frozenset(ch.name for ch in self.channels if not ch.dense),
                )
            else:
                fused = rrf(
                    rankings,
                    self._weights(qlang),
                    self.settings.rrf_k,
                    row_langs=self._row_langs[kind],
                    channel_langs=channel_langs,
                )
        return fused, tops

    def _collapse(self, kind: str, fused: list[Fused], limit: int) -> list[tuple[Fused, list[int]]]:
        """Merge near-identical passages into the better-ranked one (see retriever.collapse)."""
        rows = self.index.records[kind]
        with stage("collapse"):
            pairs = collapse(fused, lambda f: str(rows[f.row]["text"]), limit)
        return [(f, [d.row for d in dupes]) for f, dupes in pairs]

    def _low_confidence(self, tops: dict[str, float], weights: dict[str, float]) -> bool:
        """Judge by the first channel in ``confidence_floor`` that reads the query's language.

        The floors are listed most discriminative first (MiniLM separates on- from
        off-topic English needs far better than E5, whose cosines bunch near 0.8).
        """
        for name, floor in self.settings.confidence_floor.items():
            # a floor named "gemma" also holds for "gemma-512" (the same model, cut)
            for channel in (c for c in tops if name in (c, c.split("-")[0])):
                if weights.get(channel, 0.0) >= 0.5 * self._base(channel):
                    return tops[channel] < floor
        return False

    # -- hydration --------------------------------------------------------------------------

    @staticmethod
    def _match(f: Fused) -> dict[str, dict[str, float]]:
        return {c: {"rank": h.rank, "score": round(h.score, 4)} for c, h in sorted(f.hits.items())}

    def _stems(self, query: str) -> set[str]:
        return {
            t for lex in self.index.lexical.values() for t in lex["passages"].query_terms(query)
        }

    def _passage(self, f: Fused, dupes: list[int], stems: set[str]) -> PassageResult:
        rec = self.index.records["passages"][f.row]
        doc_ids = list(
            dict.fromkeys(
                [
                    *rec["doc_ids"],
                    *(d for r in dupes for d in self.index.records["passages"][r]["doc_ids"]),
                ]
            )
        )
        stemmers = self._stemmers
        return PassageResult(
            id=rec["id"],
            text=rec["text"],
            score=round(f.score, 6),
            doc=self.catalog.doc_ref(doc_ids[0]),
            sources=[self.catalog.doc_ref(d) for d in doc_ids],
            practice=self.catalog.practice_ref(rec["practice_id"])
            if rec.get("practice_id")
            else None,
            section=rec["section"],
            lang=rec["lang"],
            kind=rec["kind"],
            dimension=rec.get("dimension"),
            question=rec.get("question"),
            highlight=highlight(rec["text"], stems, stemmers),
            match=self._match(f),
        )

    def _checklist(self, f: Fused) -> ChecklistResult:
        item = self.catalog.item(self.index.records["checklist"][f.row])
        return ChecklistResult(**item, score=round(f.score, 6), match=self._match(f))

    # -- public -----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        offset: int = 0,
        type: ResultType | str = ResultType.ALL,
        filters: Filters | None = None,
    ) -> SearchResult:
        """Rank passages and checklist items for a need in English or Italian.

        Args:
            query: the need in plain words.
            k: results per type (default ``settings.default_k``).
            offset: skip this many results per type (pagination).
            type: ``all``, ``passage`` or ``checklist``.
            filters: restrict by document id, SPRING dimension or passage language.

        Raises:
            QueryError: empty or over-long query, k/offset out of range, unknown filter value
                or result type.
        """
        k = self.settings.default_k if k is None else k
        with stage("validate"):
            text = validate_query(
                query, k, offset, self.settings.max_query_chars, self.settings.max_k
            )
        try:
            rtype = ResultType(type)
        except ValueError:
            raise QueryError(
                f"unknown type {type!r}; choose one of: {', '.join(t.value for t in ResultType)}"
            ) from None
        filters = (filters or Filters()).validate(self.doc_ids, self.langs)
        if not text:  # only control characters: nothing to search for, nothing wrong
            return SearchResult(
                query=text,
                lang="en",
                lang_confident=False,
                low_confidence=True,
                k=k,
                offset=offset,
                message=_NOTHING_TO_SEARCH,
            )
        jobs = self._encode_all(text)
        with stage("lang"):
            qlang = detect_query_language(text)
        # result kind -> how deep each channel's list goes (deep pages need deeper lists)
        depths = {
            kind: depth
            for kind, depth, wanted in (
                ("passages", 2 * (offset + k), rtype in (ResultType.ALL, ResultType.PASSAGE)),
                ("checklist", offset + k, rtype in (ResultType.ALL, ResultType.CHECKLIST)),
            )
            if wanted
        }
        allowed = {kind: self._allowed(kind, filters) for kind in depths}
        lexical = {
            kind: self._lexical(kind, text, qlang, allowed[kind], d) for kind, d in depths.items()
        }
        if self._inline is not None:
            with stage("encode_here"):  # the fastest encoder, in this thread (see __init__)
                self._query_vector(self._inline, text, current_stages())
        with stage("encode_wait"):  # what the encoders add after language detection and BM25
            for job in jobs:
                job.result()
        result = SearchResult(
            query=text,
            lang=qlang.lang,
            lang_confident=qlang.confident,
            low_confidence=False,
            k=k,
            offset=offset,
        )
        tops_all: dict[str, float] = {}
        if "passages" in depths:
            fused, tops_all = self._fuse(
                "passages",
                text,
                qlang,
                allowed["passages"],
                depths["passages"],
                lexical["passages"],
            )
            page = self._collapse("passages", fused, offset + k)[offset:]
            with stage("hydration"):
                stems = self._stems(text)
                result.passages = [self._passage(f, d, stems) for f, d in page]
        if "checklist" in depths:
            fused, tops = self._fuse(
                "checklist",
                text,
                qlang,
                allowed["checklist"],
                depths["checklist"],
                lexical["checklist"],
            )
            tops_all = tops_all or tops
            with stage("hydration"):
                result.checklist = [self._checklist(f) for f in fused[offset : offset + k]]
        result.low_confidence = self._low_confidence(tops_all, self._weights(qlang))
        if result.low_confidence:
            result.message = _LOW_CONFIDENCE_MESSAGE
        return result
