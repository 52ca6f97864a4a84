"""Plain text: decoding the bytes, and paragraphs split at blank lines."""

from __future__ import annotations

import codecs
import re

from corpus.ingest.structure import Outline, Parsed, squeeze

__all__ = ["decode_text", "parse_text"]

# control characters a text file does not hold (tab, newline, form feed and carriage
# return are text)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|(\d{1,3}[.)]))\s+(.*)$")


def decode_text(data: bytes) -> str | None:
    """The text of ``data``, or None when the bytes are not text.

    UTF-8 (with or without a BOM) and UTF-16 with a BOM are read as such; other
    bytes without control characters are read as Windows-1252, the usual encoding
    of older Western-European text files (``à è ù`` in Italian), when every byte
    is defined there.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return None
    if _CONTROL.search(text):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(text: str) -> list[str]:
    """Paragraphs at blank lines; list items stay one per line (``- item``, ``2. item``)."""
    out: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        current: list[str] = []
        in_item = False
        for line in chunk.split("\n"):
            item = _LIST_ITEM.match(line)
            if item:
                if current:
                    out.append(squeeze(" ".join(current)))
                current = []
                out.append(f"{item.group(1) or '-'} {squeeze(item.group(2))}")
                in_item = True
            elif line.strip():
                if in_item and line[:1].isspace():
                    out[-1] += " " + squeeze(line)  # an indented continuation of an item
                else:
                    current.append(line)
                    in_item = False
        if current:
            out.append(squeeze(" ".join(current)))
    return [p for p in out if p.strip("- ")]


def _is_title_line(chunk: str) -> bool:
    line = chunk.strip()
    return "\n" not in line and 0 < len(line.split()) <= 12 and not line.endswith((".", ":", ";"))


def parse_text(text: str) -> Parsed:
    """Plain text: paragraphs at blank lines; a short first line on its own is the heading."""
    outline = Outline()
    first, _, rest = text.strip().partition("\n\n")
    if rest and _is_title_line(first):
        outline.heading(1, first)
        text = rest
    for p in paragraphs(text):
        outline.paragraph(p)
    return outline.parsed()
