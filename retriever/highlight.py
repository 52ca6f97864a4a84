"""A short snippet of a passage with the words that match the query marked."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence

from typing_extensions import TypedDict

__all__ = ["Highlight", "highlight"]

_WORD = re.compile(r"\w+", re.UNICODE)


class Highlight(TypedDict):
    """A passage's snippet and the matching words in it."""

    snippet: str
    spans: list[list[int]]  # [start, end] character offsets inside the snippet


@functools.lru_cache(maxsize=8192)
def _analyse(
    text: str, stemmers: tuple[Callable[[list[str]], list[str]], ...]
) -> tuple[list[tuple[int, int]], list[int], list[list[str]]]:
    """Word offsets, word lengths and each stemmer's stems of ``text``; cached,
    since the same passages come back for many needs."""
    words = [m.span() for m in _WORD.finditer(text)]
    lowered = [text[a:b].lower() for a, b in words]
    return words, [len(w) for w in lowered], [stem(lowered) for stem in stemmers]


def highlight(
    text: str,
    stems: set[str],
    stemmers: Sequence[Callable[[list[str]], list[str]]],
    width: int = 30,
) -> Highlight:
    """The ``width``-word window of ``text`` holding most query terms.

    Returns ``{"snippet": str, "spans": [[start, end], ...]}`` where spans are
    character offsets of matching words inside the snippet.
    """
    words, lengths, stemmed = _analyse(text, tuple(stemmers))
    if not words:
        return {"snippet": text[:200], "spans": []}
    hit = [False] * len(words)
    for stems_of_text in stemmed:
        for i, s in enumerate(stems_of_text):
            if s in stems and lengths[i] > 2:
                hit[i] = True
    # the window with most hits, first one on ties: running sums, not a sum per window
    prefix = list(itertools.accumulate(hit, initial=0))
    windows = max(1, len(words) - width + 1)
    counts = [prefix[min(i + width, len(words))] - prefix[i] for i in range(windows)]
    best = counts.index(max(counts))
    begin, end = words[best][0], words[min(best + width, len(words)) - 1][1]
    snippet = text[begin:end]
    spans = [
        [a - begin, b - begin] for i, (a, b) in enumerate(words) if hit[i] and begin <= a < end
    ]
    lead = "… " if begin > 0 else ""
    tail = " …" if end < len(text) else ""
    shift = len(lead)
    return {
        "snippet": lead + snippet + tail,
        "spans": [[s + shift, e + shift] for s, e in spans],
    }
