"""Cut blocks of paragraphs into passages that fit an encoder's window.

all-MiniLM-L6-v2 reads 256 word pieces and ignores the rest, so a passage plus
its context must stay well under that; ``max_words`` (150 by default, about 200
word pieces of English) is the budget for the displayed text.
"""

from __future__ import annotations

from corpus.text import split_sentences

__all__ = ["CHUNKING_VERSION", "chunk_paragraphs"]

CHUNKING_VERSION = "2"


def _split_long(paragraph: str, max_words: int) -> list[str]:
    """A paragraph over budget, cut at sentence ends (words as a last resort)."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(paragraph):
        words = sentence.split()
        while len(words) > max_words:  # one enormous sentence
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(current) + len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def chunk_paragraphs(paragraphs: list[str], max_words: int) -> list[str]:
    """Group consecutive paragraphs into passages of at most ``max_words`` words.

    Paragraphs stay whole when they fit (joined by newlines, so lists keep
    their shape); a longer one is split at sentence boundaries.
    """
    units: list[str] = []
    for p in paragraphs:
        units.extend(_split_long(p, max_words) if len(p.split()) > max_words else [p])
    passages: list[str] = []
    current: list[str] = []
    count = 0
    for unit in units:
        n = len(unit.split())
        if current and count + n > max_words:
            passages.append("\n".join(current))
            current, count = [], 0
        current.append(unit)
        count += n
    if current:
        passages.append("\n".join(current))
    return passages
