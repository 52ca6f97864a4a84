"""Text clean-up shared by the parsers: markup, PDF artefacts, sentences."""

from __future__ import annotations

import re

__all__ = [
    "clean_inline",
    "join_broken_lines",
    "split_sentences",
]

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BOLD = re.compile(r"\*\*")
_TAGS = re.compile(r"</?u>", re.IGNORECASE)
_ESCAPES = re.compile(r"\\([()\[\]*_#.\-])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_ENDS_SENTENCE = re.compile(r"[.!?:;)\]”\"’]$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZÀ-Ý0-9])")


def clean_inline(text: str) -> str:
    """Strip markdown bold, ``<u>`` tags and ``[text](#)`` links; squeeze spaces."""
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub("", text)
    text = _TAGS.sub("", text)
    text = _ESCAPES.sub(r"\1", text)
    text = re.sub(r"^\* ", "- ", text)  # a footnote-style bullet
    text = re.sub(r"\*([^*\s][^*]*?)\*", r"\1", text)  # *emphasis*
    text = re.sub(r"(?<=\w)\*(?!\w)", "", text)  # a dangling footnote star
    text = text.replace("📍", "").replace("→", "")
    return _SPACES.sub(" ", text).strip()


def join_broken_lines(lines: list[str]) -> list[str]:
    """Repair paragraphs the PDF extraction broke across (blank) lines.

    A line ending in ``word-`` followed by a line starting in lower case is one
    hyphenated word (``spe-`` … ``cific``); a line that does not end a sentence
    followed by one starting in lower case is the same paragraph. Blank lines
    are dropped; the result has one paragraph per element.
    """
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and line[0].islower() and not out[-1].startswith("- "):
            prev = out[-1]
            if re.search(r"[A-Za-zÀ-ÿ]-$", prev):
                out[-1] = prev[:-1] + line
                continue
            if not _ENDS_SENTENCE.search(prev):
                out[-1] = f"{prev} {line}"
                continue
        out.append(line)
    return out


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends followed by a capital, digit or opening quote."""
    return [s.strip() for s in _SENTENCE_BREAK.split(text) if s.strip()]
