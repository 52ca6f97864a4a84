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
    and ``channel_langs`` the sum is divided by the total weight of the channels
    that can read the row's language ("*" reads all): an Italian passage is
    reachable by fewer channels than an English one for an English need, and
    would otherwise lose just for having fewer votes. Ties are broken by row
    number so the order is deterministic (pagination depends on it).
    """
    fused: dict[int, Fused] = {}
    for channel, ranked in rankings.items():
        weight = weights.get(channel, 1.0)
        for rank, (row, score) in enumerate(ranked, start=1):
            entry = fused.setdefault(row, Fused(row, 0.0))
            entry.score += weight / (k + rank)
            entry.hits[channel] = ChannelHit(rank, float(score))
    if row_langs is not None and channel_langs is not None:
        norms: dict[str, float] = {}
        for entry in fused.values():
            lang = row_langs[entry.row]
            if lang not in norms:
                norms[lang] = sum(
                    weights.get(c, 1.0) for c in rankings
                    if "*" in channel_langs.get(c, ("*",)) or lang in channel_langs.get(c, ())
                ) or 1.0
            entry.score /= norms[lang]
    return sorted(fused.values(), key=lambda f: (-f.score, f.row))
