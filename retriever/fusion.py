"""Fusing channel rankings: weighted reciprocal rank fusion (Cormack et al., 2009), or
a weighted mean of calibrated scores."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["ChannelHit", "Fused", "rrf", "score_fusion"]


class ChannelHit(NamedTuple):
    rank: int  # 1-based
    score: float


@dataclass
class Fused:
    row: int
    score: float
    hits: dict[str, ChannelHit] = field(default_factory=dict)


def rrf(
    rankings: Mapping[str, list[tuple[int, float]]],
    weights: Mapping[str, float],
    k: int = 60,
    row_langs: Sequence[str] | None = None,
    channel_langs: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Fused]:
    """Fuse ranked lists of (row, channel score) into one list, best first.

    score(row) = sum over channels of weight / (k + rank). With ``row_langs``
    and ``channel_langs``, a channel only votes for rows in a language it reads
    ("*" reads all; an Italian-stemmed BM25 hit on English text is an accident
    of shared stems, not evidence), and a row's sum is divided by the total
    weight of the channels that read its language: an Italian passage can be
    reached by fewer channels than an English one, and must not lose just for
    having fewer votes. Ties are broken by row number so the order is
    deterministic (pagination depends on it).
    """

    langs_of = channel_langs if row_langs is not None and channel_langs is not None else None

    def reads_lang(channel: str, lang: str) -> bool:
        langs = langs_of.get(channel, ("*",)) if langs_of is not None else ("*",)
        return "*" in langs or lang in langs

    fused: dict[int, Fused] = {}
    for channel, ranked in rankings.items():
        weight = weights.get(channel, 1.0)
        rank = 0
        readable: dict[str, bool] = {}
        for row, score in ranked:
            if row_langs is not None:
                lang = row_langs[row]
                ok = readable.get(lang)
                if ok is None:
                    ok = readable[lang] = reads_lang(channel, lang)
                if not ok:
                    continue
            rank += 1
            entry = fused.get(row)
            if entry is None:
                entry = fused[row] = Fused(row, 0.0)
            entry.score += weight / (k + rank)
            entry.hits[channel] = ChannelHit(rank, float(score))
    if row_langs is not None and langs_of is not None:
        norms: dict[str, float] = {}
        for entry in fused.values():
            lang = row_langs[entry.row]
            if lang not in norms:
                norms[lang] = (
                    sum(weights.get(c, 1.0) for c in rankings if reads_lang(c, lang)) or 1.0
                )
            entry.score /= norms[lang]
    return sorted(fused.values(), key=lambda f: (-f.score, f.row))


def _no_shift(row: int) -> float:
    return 0.0


def score_fusion(
    rankings: Mapping[str, list[tuple[int, float]]],
    weights: Mapping[str, float],
    row_langs: Sequence[str],
    channel_langs: Mapping[str, tuple[str, ...]],
    shifts: Mapping[str, Callable[[int], float]],
    lexical: frozenset[str],
) -> list[Fused]:
    """Fuse by score: the weighted mean, over the channels that read a row's language, of
    each channel's score for the row.

    A dense channel's score is its cosine minus ``shifts[channel](row)`` (the
    same-language bonus of the row's language, see retriever.calibration, and optionally
    the row's own hubness), so with one dense channel the fused score is that channel's
    calibrated cosine, comparable across needs and result kinds.
    A lexical channel's BM25 score is divided by its best score for the need (0..1). A
    row a channel did not return gets that channel's lowest returned score.
    """

    def reads(channel: str, lang: str) -> bool:
        langs = channel_langs.get(channel, ("*",))
        return "*" in langs or lang in langs

    scored: dict[str, dict[int, float]] = {}
    floor: dict[str, float] = {}
    hits: dict[int, Fused] = {}
    for channel, ranked in rankings.items():
        ranked = [(r, s) for r, s in ranked if reads(channel, row_langs[r])]
        if not ranked:
            continue
        top = max(s for _, s in ranked) if channel in lexical else 1.0
        shift = shifts.get(channel, _no_shift)
        values = {r: (s / top if top > 0 else 0.0) - shift(r) for r, s in ranked}
        scored[channel] = values
        floor[channel] = min(values.values())
        for rank, (r, s) in enumerate(ranked, start=1):
            hits.setdefault(r, Fused(r, 0.0)).hits[channel] = ChannelHit(rank, float(s))
    for entry in hits.values():
        lang = row_langs[entry.row]
        total = weight_sum = 0.0
        for channel, values in scored.items():
            if not reads(channel, lang):
                continue
            w = weights.get(channel, 1.0)
            total += w * values.get(entry.row, floor[channel])
            weight_sum += w
        entry.score = total / weight_sum if weight_sum else 0.0
    return sorted(hits.values(), key=lambda f: (-f.score, f.row))
