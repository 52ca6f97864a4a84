"""PDF with a text layer: lines to paragraphs, font sizes to headings, furniture removed.

pdfplumber gives each line with its position and font size (pypdf's text has
neither, so paragraphs and headings could not be told apart); pypdf answers the
cheap questions first: is the file encrypted, how many pages has it.

Running headers and footers (the same line, digits aside, at the top or bottom of
most pages) and page numbers are dropped; a word hyphenated at a line end is
joined (``integra-`` / ``tion``); lines are joined into paragraphs at the gaps
between them; lines in a font larger than the body text are headings, the larger
the higher. A page set in two columns is read column by column. A PDF that opens
with an empty password (an owner password that only restricts printing or editing)
is read like any other; one that needs a password to open is refused.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import Any

from corpus.ingest.limits import IngestLimits
from corpus.ingest.structure import Outline, Parsed, squeeze
from practice_search.errors import DocumentRejected

__all__ = ["parse_pdf"]

NO_TEXT = "this PDF has no text layer (a scanned document?); OCR is not supported"
_PAGE_NUMBER = re.compile(
    r"^(?:page|pagina|pag\.|p\.)?\s*[-–—]?\s*\d{1,4}\s*(?:(?:of|di|/)\s*\d{1,4})?\s*[-–—]?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[•▪◦●■□➢►‣·*–-]\s*(?=\S)")
_ENDS_SENTENCE = re.compile(r"[.!?:;…)\]”\"’]$")
_HYPHENATED = re.compile(r"[A-Za-zÀ-ÿ][-\u00ad]$")
_JUNK_TITLE = re.compile(
    r"(\.(docx?|pdf|odt|rtf|indd|tex|pptx?)$|^microsoft (word|powerpoint) - |^untitled|^title$)",
    re.IGNORECASE,
)
_BOLD = re.compile(r"bold|black|heavy|semibold", re.IGNORECASE)
_ZONE = 2  # lines at the top and at the bottom of a page where furniture sits


@dataclass
class _Line:
    page: int
    text: str
    size: float
    top: float
    bottom: float
    x1: float
    bold: bool = False
    right: float = 0.0  # the right edge of the line's column, when the page has two


def _damaged(exc: Exception) -> DocumentRejected:
    reason = squeeze(str(exc))[:200] or type(exc).__name__
    return DocumentRejected("corrupt", f"the PDF is damaged and cannot be read ({reason})")


def _open_checked(data: bytes, limits: IngestLimits) -> str | None:
    """Refuse a password-protected or too long PDF; the metadata title, if any."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        if not locked:
            pages = len(reader.pages)
            title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _damaged(exc) from exc
    if locked:
        raise DocumentRejected(
            "encrypted_pdf",
            "the PDF is protected by a password; save a copy without the password and add that",
        )
    if pages > limits.max_pages:
        raise DocumentRejected(
            "too_large", f"the PDF has {pages} pages, over the limit of {limits.max_pages}"
        )
    title = squeeze(str(title or ""))
    return title if title and not _JUNK_TITLE.search(title) else None


def _lines(data: bytes) -> tuple[list[_Line], int]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    out: list[_Line] = []
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            for number, page in enumerate(pdf.pages):
                regions = _reading_order(page)
                for region in regions:
                    found = [
                        _line(number, line)
                        for line in region.extract_text_lines(return_chars=True, strip=True)
                    ]
                    if len(regions) > 1:  # a column: its own right edge tells short lines
                        for x in found:
                            x.right = max(y.x1 for y in found)
                    out += found
                page.close()  # frees the page's parsed objects before the next one
            pages = len(pdf.pages)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(exc) from exc
    return [x for x in out if x.text], pages


def _gutter(words: list[dict[str, Any]], width: float) -> float | None:
    """The x of a vertical strip in the middle of the page that (almost) no word
    crosses, with plenty of words on each side: a page set in two columns."""
    if len(words) < 40:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    cover = [0] * (hi - lo)
    for w in words:
        for x in range(max(lo, int(w["x0"])), min(hi, int(w["x1"]) + 1)):
            cover[x - lo] += 1
    allowed = max(3, len(words) // 50)  # a title or a centred page number may cross
    best, best_x, start = 0, 0.0, None
    for i, count in enumerate([*cover, allowed + 1]):
        if count <= allowed and start is None:
            start = i
        elif count > allowed and start is not None:
            if i - start > best:
                best, best_x = i - start, lo + (start + i) / 2
            start = None
    if best < 8:
        return None
    left = sum(1 for w in words if w["x1"] < best_x)
    right = sum(1 for w in words if w["x0"] > best_x)
    return best_x if min(left, right) >= 15 else None


def _reading_order(page: Any) -> list[Any]:
    """The page, or for two columns: what spans the top, the left column, the right
    column, what spans the bottom (each cropped so its lines do not mix)."""
    words = page.extract_words()
    width, height = float(page.width), float(page.height)
    x = _gutter(words, width)
    if x is None:
        return [page]
    crossing = [w for w in words if w["x0"] < x < w["x1"]]
    top = max((w["bottom"] for w in crossing if w["top"] < height / 2), default=0.0)
    bottom = min((w["top"] for w in crossing if w["top"] >= height / 2), default=height)
    boxes = [(0, 0, width, top), (0, top, x, bottom), (x, top, width, bottom)]
    boxes.append((0, bottom, width, height))
    return [page.within_bbox(box) for box in boxes if box[3] - box[1] > 1]


def _line(page: int, line: dict[str, Any]) -> _Line:
    sizes = [c["size"] for c in line["chars"] if not c["text"].isspace()]
    return _Line(
        page,
        squeeze(line["text"]),
        round(median(sizes) * 2) / 2 if sizes else 0.0,
        line["top"],
        line["bottom"],
        line["x1"],
        bool(sizes)
        and all(_BOLD.search(c["fontname"]) for c in line["chars"] if c["text"].strip()),
    )


@dataclass
class _Layout:
    """The body text's font size, the gap between its lines, and its right edge."""

    body: float
    leading: float
    right: float

    @classmethod
    def of(cls, lines: list[_Line]) -> _Layout:
        chars = Counter[float]()
        for x in lines:
            chars[x.size] += len(x.text)
        body = chars.most_common(1)[0][0]
        gaps = [
            b.top - a.bottom
            for a, b in itertools.pairwise(lines)
            if a.page == b.page and a.size == b.size == body and b.top > a.bottom
        ]
        right = max((x.x1 for x in lines if x.size == body), default=0.0)
        return cls(body, median(gaps) if gaps else 0.0, right)

    def apart(self, a: _Line, b: _Line) -> bool:
        """More space between two lines of a page than between two lines of a paragraph."""
        return b.top - a.bottom > self.leading + 0.4 * (b.bottom - b.top)


def _edges(lines: list[_Line], layout: _Layout) -> list[_Line]:
    """The lines at the top and bottom of a page set apart from the rest by a gap."""
    out: list[_Line] = []
    for i in range(min(_ZONE, len(lines) - 1)):
        if layout.apart(lines[i], lines[i + 1]):
            out += lines[: i + 1]
            break
    for i in range(min(_ZONE, len(lines) - 1)):
        if layout.apart(lines[-i - 2], lines[-i - 1]):
            out += lines[len(lines) - i - 1 :]
            break
    return out


def _drop_furniture(lines: list[_Line], pages: int, layout: _Layout) -> list[_Line]:
    """Without running headers and footers (the same line, digits aside, set apart at
    the top or bottom of most pages) and page numbers."""
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    edges = {id(x): x for ls in by_page.values() for x in _edges(ls, layout)}

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    repeated = Counter(k for _, k in {(x.page, key(x)) for x in edges.values()})
    running = {k for k, n in repeated.items() if pages >= 3 and n >= max(3, 0.5 * pages)}
    return [
        x
        for x in lines
        if id(x) not in edges or not (key(x) in running or _PAGE_NUMBER.match(x.text))
    ]


def _join(parts: list[str], line: str) -> None:
    """Add a line to a paragraph's lines (kept apart: joining as we go is quadratic)."""
    if _HYPHENATED.search(parts[-1]) and line[:1].islower():
        parts[-1] = parts[-1][:-1] + line  # integra- / tion
    else:
        parts.append(line)


def _build(lines: list[_Line], layout: _Layout) -> Outline:
    sizes = sorted({x.size for x in lines if x.size >= layout.body + 1}, reverse=True)
    level = {size: i + 1 for i, size in enumerate(sizes)}
    bold_level = len(level) + 1  # a bold line of the body size sits below every size

    outline = Outline()
    paragraph: list[str] = []
    prev: _Line | None = None
    heading: tuple[int, str] | None = None

    def flush() -> None:
        nonlocal paragraph, heading
        if heading is not None:
            outline.heading(*heading)
            heading = None
        if paragraph:
            outline.paragraph(" ".join(paragraph))
            paragraph = []

    for x in lines:
        if x.size in level and len(x.text.split()) <= 20:
            rank: int | None = level[x.size]
        else:
            rank = bold_level if _bold_heading(prev, x, layout) else None
        if rank is not None:
            if heading is not None and heading[0] == rank and not _apart(prev, x, layout):
                heading = (rank, f"{heading[1]} {x.text}")  # a heading on two lines
            else:
                flush()
                heading = (rank, x.text)
            prev = x
            continue
        if heading is not None:
            flush()
        bullet = _BULLET.match(x.text)
        text = f"- {x.text[bullet.end() :]}" if bullet else x.text
        new = not paragraph or bool(bullet) or _starts_paragraph(prev, x, paragraph[-1], layout)
        if new:
            flush()
            paragraph = [text]
        else:
            _join(paragraph, text)
        prev = x
    flush()
    return outline


def _apart(prev: _Line | None, line: _Line, layout: _Layout) -> bool:
    return prev is None or prev.page != line.page or layout.apart(prev, line)


def _bold_heading(prev: _Line | None, line: _Line, layout: _Layout) -> bool:
    """A short bold line of its own, not ending like a sentence: a run-in heading."""
    return (
        line.bold
        and len(line.text.split()) <= 12
        and not re.search(r"[.,;:]$", line.text)
        and _apart(prev, line, layout)
        and not (prev is not None and prev.bold and not layout.apart(prev, line))
    )


def _starts_paragraph(prev: _Line | None, line: _Line, last: str, layout: _Layout) -> bool:
    if prev is None:
        return True
    ended = bool(_ENDS_SENTENCE.search(last))
    if prev.page != line.page:  # a paragraph goes on over a page break unless it ended
        return ended and not line.text[:1].islower()
    if layout.apart(prev, line):
        return True
    right = prev.right or layout.right
    return ended and prev.x1 < 0.85 * right  # a short last line ends a paragraph


def parse_pdf(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks under the headings found from font sizes; the title from the metadata."""
    title = _open_checked(data, limits)
    lines, pages = _lines(data)
    if not any(re.search(r"\w", x.text) for x in lines):
        raise DocumentRejected("no_text", NO_TEXT)
    layout = _Layout.of(lines)
    lines = _drop_furniture(lines, pages, layout)
    return _build(lines, layout).parsed(title, pages)
