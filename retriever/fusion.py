"""Weighted reciprocal rank fusion (Cormack et al., 2009)."""

from __future__ import annotations

from collections.abc import Mapping
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
) -> list[Fused]:
    """Fuse ranked lists of (row, channel score) into one list, best first.

    score(row) = sum over channels of weight / (k + rank). Ties are broken by
    row number so the order is deterministic (pagination depends on it).
    """
    fused: dict[int, Fused] = {}
    for channel, ranked in rankings.items():
        weight = weights.get(channel, 1.0)
        for rank, (row, score) in enumerate(ranked, start=1):
            entry = fused.setdefault(row, Fused(row, 0.0))
            entry.score += weight / (k + rank)
            entry.hits[channel] = ChannelHit(rank, float(score))
    return sorted(fused.values(), key=lambda f: (-f.score, f.row))
