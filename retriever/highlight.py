"""A short snippet of a passage with the words that match the query marked."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["Highlight", "highlight"]

_WORD = re.compile(r"\w+", re.UNICODE)
Highlight = dict[str, object]


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
    words = list(_WORD.finditer(text))
    if not words:
        return {"snippet": text[:200], "spans": []}
    lowered = [w.group().lower() for w in words]
    hit = [False] * len(words)
    for stem in stemmers:
        for i, s in enumerate(stem(lowered)):
            if s in stems and len(lowered[i]) > 2:
                hit[i] = True
    best, best_count = 0, -1
    for start in range(max(1, len(words) - width + 1)):
        count = sum(hit[start : start + width])
        if count > best_count:
            best, best_count = start, count
    first, last = words[best], words[min(best + width, len(words)) - 1]
    begin, end = first.start(), last.end()
    snippet = text[begin:end]
    spans = [
        [w.start() - begin, w.end() - begin]
        for i, w in enumerate(words)
        if hit[i] and begin <= w.start() < end
    ]
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix)
    return {
        "snippet": prefix + snippet + suffix,
        "spans": [[s + shift, e + shift] for s, e in spans],
    }
