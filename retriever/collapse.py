"""Near-identical passages: one result listing every source.

Similarity is measured on the displayed text (word 3-gram shingles), not on
embeddings: passages of one practice share their context, so their vectors are
close even when their texts say different things.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["NEAR_DUPLICATE", "collapse", "shingles"]

NEAR_DUPLICATE = 0.85
T = TypeVar("T")


@functools.lru_cache(maxsize=8192)
def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < n:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@functools.lru_cache(maxsize=8192)
def _prefix(sh: frozenset[tuple[str, ...]], threshold: float) -> tuple[tuple[str, ...], ...]:
    """The shingles any set at least ``threshold`` similar to ``sh`` must share one of.

    Prefix filtering: order every set's shingles one global way (here by hash, fixed
    within a process); two sets with Jaccard ``t`` or more overlap in at least
    ``ceil(t·|x|)`` shingles, so their first ``|x| - ceil(t·|x|) + 1`` shingles meet.
    The prefix is taken one shingle longer than that (float rounding), never shorter.
    """
    ordered = sorted(sh, key=lambda s: (hash(s), s))
    overlap = math.ceil(threshold * len(ordered) - 1e-9)
    return tuple(ordered[: min(len(ordered), len(ordered) - overlap + 2)])


def collapse(
    items: Sequence[T], text_of: Callable[[T], str], limit: int, threshold: float = NEAR_DUPLICATE
) -> list[tuple[T, list[T]]]:
    """Walk ``items`` best first; an item near-identical to a kept one joins it (the
    best-ranked such one).

    Returns up to ``limit`` (kept item, merged items) pairs, in order. An item is
    compared only with the kept ones sharing a shingle of its prefix (see ``_prefix``),
    which every near-identical one does: the same pairs as comparing it with every kept
    one, without a deep page's quadratic cost.
    """
    if threshold <= 0:  # everything is near-identical to the first item
        return [(items[0], list(items[1:]))] if items and limit > 0 else []
    kept: list[tuple[T, list[T]]] = []
    seen: list[frozenset[tuple[str, ...]]] = []
    holders: dict[tuple[str, ...], list[int]] = {}  # prefix shingle -> kept items holding it
    for item in items:
        if len(kept) >= limit:
            break
        sh = shingles(text_of(item))
        prefix = _prefix(sh, threshold)
        candidates = sorted({i for s in prefix for i in holders.get(s, ())})
        match = next((i for i in candidates if _jaccard(sh, seen[i]) >= threshold), None)
        if match is None:
            for s in prefix:
                holders.setdefault(s, []).append(len(kept))
            kept.append((item, []))
            seen.append(sh)
        else:
            kept[match][1].append(item)
    return kept
