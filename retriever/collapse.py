"""Near-identical passages: one result listing every source.

Similarity is measured on the displayed text (word 3-gram shingles), not on
embeddings: passages of one practice share their context, so their vectors are
close even when their texts say different things.
"""

from __future__ import annotations

import functools
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


def collapse(
    items: Sequence[T], text_of: Callable[[T], str], limit: int, threshold: float = NEAR_DUPLICATE
) -> list[tuple[T, list[T]]]:
    """Walk ``items`` best first; an item near-identical to a kept one joins it.

    Returns up to ``limit`` (kept item, merged items) pairs, in order.
    """
    kept: list[tuple[T, list[T]]] = []
    seen: list[frozenset[tuple[str, ...]]] = []
    for item in items:
        if len(kept) >= limit:
            break
        sh = shingles(text_of(item))
        match = next((i for i, other in enumerate(seen) if _jaccard(sh, other) >= threshold), None)
        if match is None:
            kept.append((item, []))
            seen.append(sh)
        else:
            kept[match][1].append(item)
    return kept
