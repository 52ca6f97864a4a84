"""Weighted reciprocal rank fusion (Cormack et al., 2009)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["ChannelHit", "Fused", "rrf"]


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
