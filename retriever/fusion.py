"""Weighted reciprocal rank fusion (Cormack et al., 2009)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["ChannelHit", "Fused", "rrf"]


@dataclass(frozen=True)
class ChannelHit:
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

    cache: dict[tuple[str, str], bool] = {}

    def reads(channel: str, row: int) -> bool:
        if row_langs is None or channel_langs is None:
            return True
        key = (channel, row_langs[row])
        if key not in cache:
            langs = channel_langs.get(channel, ("*",))
            cache[key] = "*" in langs or key[1] in langs
        return cache[key]

    fused: dict[int, Fused] = {}
    norms: dict[str, float] = {}
    for channel, ranked in rankings.items():
        weight = weights.get(channel, 1.0)
        rank = 0
        for row, score in ranked:
            if not reads(channel, row):
                continue
            rank += 1
            entry = fused.setdefault(row, Fused(row, 0.0))
            entry.score += weight / (k + rank)
            entry.hits[channel] = ChannelHit(rank, float(score))
    if row_langs is not None and channel_langs is not None:
        for entry in fused.values():
            lang = row_langs[entry.row]
            if lang not in norms:
                norms[lang] = (
                    sum(weights.get(c, 1.0) for c in rankings if reads(c, entry.row)) or 1.0
                )
            entry.score /= norms[lang]
    return sorted(fused.values(), key=lambda f: (-f.score, f.row))
