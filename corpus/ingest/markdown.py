"""Markdown: headings to the section path, lists and tables as readable lines.

Inline markup is stripped (a link keeps its text, an image its alt text); code
blocks are kept as plain text, since a guide's example commands or forms are
content a reader may look for. Raw HTML tags are dropped, their text kept.
"""

from __future__ import annotations

import re

from corpus.ingest.structure import Outline, Parsed, squeeze
from corpus.ingest.text import paragraphs

__all__ = ["looks_like_markdown", "parse_markdown", "strip_inline"]

# No pattern may take quadratic time on a hostile file (a megabyte of "[" or "*"): each
# inner run excludes its own delimiters and is bounded, so a match attempt stops at the
# next delimiter and the work stays linear in the text.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_FRONT = re.compile(r"\A---\n(.{0,3000}?)\n(?:---|\.\.\.)\n", re.DOTALL)
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_LINK = r"\[([^\[\]\n]{0,300})\]\([^()\n]{0,300}\)"
_LINKY = re.compile(_LINK)

_INLINE = [
    (re.compile("!" + _LINK), r"\1"),  # image: alt text
    (re.compile(_LINK), r"\1"),  # link: its text
    (re.compile(r"\[([^\[\]\n]{0,300})\]\[[^\[\]\n]{0,100}\]"), r"\1"),  # reference link
    (re.compile(r"<(https?://[^<>\s]{1,300})>"), r"\1"),  # autolink
    (re.compile(r"</?[A-Za-z][^<>\n]{0,300}>"), ""),  # raw HTML tag
    (re.compile(r"`([^`\n]{1,300})`"), r"\1"),  # code span
    (re.compile(r"\*\*(?=[^\s*])((?:[^*\n]|\*(?!\*)){1,300}?)(?<=\S)\*\*"), r"\1"),  # strong
    (re.compile(r"(?<!\w)__(?=[^\s_])([^_\n]{1,300})(?<=\S)__(?!\w)"), r"\1"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300})(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]{1,300})(?<=\S)_(?![\w_])"), r"\1"),  # emphasis
    (re.compile(r"~~([^~\n]{1,300})~~"), r"\1"),  # strike-through
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # escapes
]


def _atx_text(text: str) -> str:
    """A heading's text without its closing hashes (``## Title ##``), in linear time."""
    text = text.strip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1] in " \t") else text


def strip_inline(text: str) -> str:
    """Markdown inline markup to the text a reader sees."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def looks_like_markdown(text: str) -> bool:
    """ATX or setext headings, a fenced block or an inline link: Markdown, not plain text."""
    lines = text.split("\n")
    for prev, line in zip(["", *lines], lines, strict=False):
        if _ATX.match(line) or _FENCE.match(line):
            return True
        if prev.strip() and _SETEXT.match(line) and not _RULE.match(prev):
            return True
    return bool(_LINKY.search(text))


def _front_title(text: str) -> tuple[str | None, str]:
    match = _FRONT.match(text)
    if not match:
        return None, text
    title = None
    for line in match.group(1).split("\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == "title" and value.strip():
            title = value.strip().strip("\"'")
    return title, text[match.end() :]


def _table_row(line: str) -> str:
    cells = [strip_inline(c).strip() for c in line.strip().strip("|").split("|")]
    return " | ".join(c for c in cells)


def parse_markdown(text: str) -> Parsed:
    """Blocks under the heading path; lists ``- item``, table rows ``a | b``."""
    title, text = _front_title(text)
    outline = Outline()
    pending: list[str] = []  # lines of ordinary text not yet cut into paragraphs
    lines = text.split("\n")

    def flush() -> None:
        for p in paragraphs("\n".join(pending)):
            marker, _, rest = p.partition(" ")
            if _LIST_LINE.match(p):  # "- item", "2. item": the marker is not inline markup
                outline.paragraph(f"{marker} {squeeze(strip_inline(rest))}")
            else:
                outline.paragraph(squeeze(strip_inline(p)))
        pending.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if fence := _FENCE.match(line):
            flush()
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            code = "\n".join(x.rstrip() for x in lines[i + 1 : end]).strip("\n")
            outline.paragraph(code)
            i = end + 1
        elif atx := _ATX.match(line):
            flush()
            outline.heading(len(atx.group(1)), strip_inline(_atx_text(atx.group(2) or "")))
            i += 1
        elif (
            line.strip()
            and not _LIST_LINE.match(line)
            and _SETEXT.match(nxt)
            and (not pending or not pending[-1].strip())
        ):
            flush()
            outline.heading(1 if nxt.strip()[0] == "=" else 2, strip_inline(line))
            i += 2
        elif "|" in line and _TABLE_RULE.match(nxt):
            flush()
            rows = [_table_row(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_table_row(lines[i]))
                i += 1
            for row in rows:
                outline.paragraph(row)
        elif _RULE.match(line):
            flush()
            i += 1
        else:
            pending.append(re.sub(r"^\s{0,3}>\s?", "", line))  # a quote is its text
            i += 1
    flush()
    return outline.parsed(title)
