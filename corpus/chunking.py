"""Cut blocks of paragraphs into passages that fit an encoder's window.

all-MiniLM-L6-v2 reads 256 word pieces and ignores the rest, so a passage plus
its context must stay well under that; ``max_words`` (150 by default, about 200
word pieces of English) is the budget for the displayed text.
"""

from __future__ import annotations

import re

from corpus.text import split_sentences

__all__ = ["CHUNKING_VERSION", "chunk_paragraphs"]

CHUNKING_VERSION = "3"
# word pieces are close to words-and-punctuation marks (numbers like 2,114,292.76 cost
# seven); 220 of them plus the context leave room under MiniLM's 256
MAX_UNITS = 220
_UNIT = re.compile(r"\w+|[^\w\s]")


def units(text: str) -> int:
    """Words plus punctuation marks: a cheap, tokenizer-free estimate of word pieces."""
    return len(_UNIT.findall(text))


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


def chunk_paragraphs(paragraphs: list[str], max_words: int, context: str = "") -> list[str]:
    """Group consecutive paragraphs into passages of at most ``max_words`` words.

    Paragraphs stay whole when they fit (joined by newlines, so lists keep
    their shape); a longer one is split at sentence boundaries. A passage plus
    its ``context`` also stays within :data:`MAX_UNITS` estimated word pieces.
    """
    budget = max(40, MAX_UNITS - units(context))

    def too_big(text: str) -> bool:
        return len(text.split()) > max_words or units(text) > budget

    pieces: list[str] = []
    for p in paragraphs:
        if not too_big(p):
            pieces.append(p)
            continue
        words = max_words
        parts = _split_long(p, words)
        while any(too_big(x) for x in parts) and words > 20:
            words = int(words * 0.8)
            parts = _split_long(p, words)
        pieces.extend(parts)
    passages: list[str] = []
    current: list[str] = []
    for piece in pieces:
        if current and too_big("\n".join([*current, piece])):
            passages.append("\n".join(current))
            current = []
        current.append(piece)
    if current:
        passages.append("\n".join(current))
    return passages
