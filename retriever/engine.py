"""The retriever: query → ranked passages and checklist items, with provenance."""

from __future__ import annotations

import gc
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from index import EncoderFactory, LoadedIndex, create_encoder, load_index
from index.build import KINDS
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError
from retriever.calibration import Calibration
from retriever.catalog import Catalog
from retriever.channels import Analyzers, Channel, channels_of
from retriever.collapse import collapse
from retriever.fusion import Fused, rrf, score_fusion
from retriever.grouping import group_passages
from retriever.highlight import highlight
from retriever.language import QueryLanguage, channel_weight, detect_query_language
from retriever.query import Filters, ResultType, clean_query, filter_masks
from retriever.request import Limits, SearchRequest, search_request
from retriever.results import ChecklistResult, PassageResult, SearchResult
from retriever.timing import current_stages, stage

__all__ = ["Retriever"]

_NOTHING_TO_SEARCH = "The need has no searchable text."
_LOW_CONFIDENCE_MESSAGE = (
    "Nothing in the corpus matches this need closely; the results below are weak matches."
)


class Retriever:
    """Hybrid retrieval over a loaded index. Read-only after construction: thread-safe.

    Example:
        >>> r = Retriever.load()
        >>> result = r.search("language barrier in healthcare", k=5)
    """

    def __init__(self, index: LoadedIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.limits = Limits.of(settings)
        self.catalog = Catalog(index)
        self._masks, self._row_langs = filter_masks(index)
        self.doc_ids = sorted(index.documents)
        self.langs = sorted(self._masks["passages"]["lang"])
        # Dense hits are ranked by cosine minus a per-language offset (see
        # retriever.calibration): multilingual encoders favour same-language pairs.
        groups = {
            kind: {g: np.flatnonzero(m) for g, m in sorted(self._masks[kind]["lang"].items())}
            for kind in KINDS
        }
        calibration = Calibration(groups, self._row_langs, settings.hubness)
        self._analyzers = Analyzers(index.lexical)
        # what a need costs an encoder grows with its tokens: each tokenizer-based
        # encoder embeds at most max_query_tokens of it (the others have none to count)
        for encoder in index.encoders.values():
            setter = getattr(encoder, "set_query_tokens", None)
            if setter is not None:
                setter(settings.max_query_tokens)
        channels = channels_of(
            index, calibration, self._analyzers, prf=settings.prf, hubness=settings.hubness
        )
        # a channel weighted 0 is switched off (how evaluation compares configurations)
        self.channels: list[Channel] = [ch for ch in channels if self._base(ch.name) > 0]
        if not self.channels:
            raise ConfigError("every channel has weight 0: nothing left to search with")
        costly = [ch for ch in self.channels if ch.costly]
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(costly)), thread_name_prefix="encode"
        )
        # The cheapest of several costly channels runs in the search's own thread, after
        # language detection and the cheap channels, while the others run in the pool: on
        # a 2-core server that keeps two busy threads, not three, so the slowest encoder
        # (the critical path) is not slowed by the rest (see run).
        self._inline = min(costly, key=lambda ch: ch.cost()).name if len(costly) > 1 else None
        calibrated = [kind for kind in KINDS if len(groups[kind]) >= 2]
        for ch in self.channels:
            ch.calibrate(calibrated)
        # everything a search sets up on first use is set up now, before a server says it
        # is ready: concurrent first searches then share nothing half-made
        detect_query_language("language barrier in healthcare")

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

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure the uncached cost)."""
        for ch in self.channels:
            ch.clear_cache()

    def embedded(self, query: str) -> bool:
        """Whether every costly channel already holds this need's form (a search of it
        does no encoder work): a quick look, for callers that schedule searches."""
        text = clean_query(query)
        return all(ch.cached(text) is not None for ch in self.channels if ch.costly)

    def _forms(self, text: str) -> dict[str, Future[Any]]:
        """Start reading the query in every costly channel's form but the one the search
        runs in its own thread; they run side by side, beside language detection and the
        cheap channels (the encoders release the GIL)."""
        times = current_stages()  # the pool's threads do not see this context
        jobs: dict[str, Future[Any]] = {}
        for ch in self.channels:
            if not ch.costly or ch.name == self._inline:
                continue
            known = ch.cached(text)
            if known is not None:  # a cached need never queues behind others' encoding
                jobs[ch.name] = Future()
                jobs[ch.name].set_result(known)
            else:
                jobs[ch.name] = self._pool.submit(ch.form, text, times)
        return jobs

    def _allowed(self, kind: str, filters: Filters) -> np.ndarray | None:
        masks = self._masks[kind]
        mask = np.ones(len(self.index.records[kind]), dtype=bool)
        for field in ("doc", "dimension", "lang"):
            value = getattr(filters, field)
            if value:
                mask &= masks[field].get(value, False)
        return None if mask.all() else np.flatnonzero(mask)

    def _base(self, channel: str) -> float:
        weights = self.settings.weights
        return weights.get(channel, weights.get(channel.split("-")[0], 1.0))

    def _rankings(
        self,
        channels: list[Channel],
        forms: dict[str, Any],
        qlang: QueryLanguage,
        allowed: dict[str, np.ndarray | None],
        depths: dict[str, int],
    ) -> dict[str, dict[str, list[tuple[int, float]]]]:
        """Each channel's ranking per result kind (deep pages need deeper lists)."""
        out: dict[str, dict[str, list[tuple[int, float]]]] = {kind: {} for kind in depths}
        for kind, depth in depths.items():
            n = max(self.settings.candidates, depth)
            for ch in channels:
                rows = allowed[kind]
                empty = rows is not None and rows.size == 0
                out[kind][ch.name] = [] if empty else ch.rank(forms[ch.name], kind, qlang, rows, n)
        return out

    def _weights(self, qlang: QueryLanguage) -> dict[str, float]:
        return {
            ch.name: channel_weight(ch.langs, qlang, self._base(ch.name)) for ch in self.channels
        }

    def _ordered(
        self, rankings: dict[str, list[tuple[int, float]]]
    ) -> dict[str, list[tuple[int, float]]]:
        """The rankings in channel order (fusion sums in that order; ties stay put)."""
        return {ch.name: rankings[ch.name] for ch in self.channels}

    def _fuse(
        self, kind: str, qlang: QueryLanguage, rankings: dict[str, list[tuple[int, float]]]
    ) -> tuple[list[Fused], dict[str, float]]:
        tops = {name: r[0][1] for name, r in rankings.items() if r}
        channel_langs = {ch.name: ch.langs for ch in self.channels}
        with stage("fusion"):
            if self.settings.fusion == "score":
                shifts = {ch.name: ch.shift(kind, qlang) for ch in self.channels}
                fused = score_fusion(
                    rankings,
                    self._weights(qlang),
                    self._row_langs[kind],
                    channel_langs,
                    {name: shift for name, shift in shifts.items() if shift is not None},
                    frozenset(ch.name for ch in self.channels if ch.relative),
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
        stemmers = self._analyzers.stemmers
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
        group: str = "none",
    ) -> SearchResult:
        """Rank passages and checklist items for a need in English or Italian.

        Args:
            query: the need in plain words.
            k: results per type (default ``settings.default_k``).
            offset: skip this many results per type (pagination).
            type: ``all``, ``passage`` or ``checklist``.
            filters: restrict by document id, SPRING dimension or passage language.
            group: ``none``, or ``practice`` to add ``groups``: the page's passages by
                practice (or document section), ranking kept (see :mod:`retriever.grouping`).

        Raises:
            QueryError: empty or over-long query, k/offset out of range, unknown filter value,
                result type or grouping.
        """
        with stage("validate"):
            request = search_request(
                self.limits,
                query,
                k,
                offset,
                type,
                filters,
                group=group,
                docs=self.doc_ids,
                langs=self.langs,
            )
        return self.run(request)

    def run(self, request: SearchRequest) -> SearchResult:
        """Rank passages and checklist items for a request every face builds the same way
        (see :mod:`retriever.request`).

        Raises:
            QueryError: a blank query, or a filter value the index does not hold.
        """
        k, offset, rtype = request.k, request.offset, request.type
        with stage("validate"):
            text = clean_query(request.q)
            filters = request.filters.validate(self.doc_ids, self.langs)
        if not text:  # only control characters: nothing to search for, nothing wrong
            return SearchResult(
                query=text,
                lang="en",
                lang_confident=False,
                low_confidence=True,
                k=k,
                offset=offset,
                message=_NOTHING_TO_SEARCH,
                groups=[] if request.group == "practice" else None,
            )
        jobs = self._forms(text)
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
        # the cheap channels rank while the costly ones are still reading the query
        cheap = [ch for ch in self.channels if not ch.costly]
        forms: dict[str, Any] = {ch.name: ch.form(text) for ch in cheap}
        rankings = self._rankings(cheap, forms, qlang, allowed, depths)
        rest = [ch for ch in self.channels if ch.costly]
        for ch in rest:
            if ch.name == self._inline:
                with stage("encode_here"):  # the cheapest costly channel, in this thread
                    forms[ch.name] = ch.form(text, current_stages())
        with stage("encode_wait"):  # what the encoders add after language detection and BM25
            forms |= {name: job.result() for name, job in jobs.items()}
        for kind, ranked in self._rankings(rest, forms, qlang, allowed, depths).items():
            rankings[kind] |= ranked
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
            fused, tops_all = self._fuse("passages", qlang, self._ordered(rankings["passages"]))
            page = self._collapse("passages", fused, offset + k)[offset:]
            with stage("hydration"):
                stems = self._analyzers.stems(text)
                result.passages = [self._passage(f, d, stems) for f, d in page]
        if "checklist" in depths:
            fused, tops = self._fuse("checklist", qlang, self._ordered(rankings["checklist"]))
            tops_all = tops_all or tops
            with stage("hydration"):
                result.checklist = [self._checklist(f) for f in fused[offset : offset + k]]
        if request.group == "practice":  # arranges the page; result.passages stays as ranked
            result.groups = group_passages(result.passages)
        result.low_confidence = self._low_confidence(tops_all, self._weights(qlang))
        if result.low_confidence:
            result.message = _LOW_CONFIDENCE_MESSAGE
        return result
