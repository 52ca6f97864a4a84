"""PDF with a text layer: lines to paragraphs, font sizes to headings, furniture removed.

pdfplumber gives each line with its position and font size (pypdf's text has
neither, so paragraphs and headings could not be told apart); pypdf answers the
cheap questions first: is the file encrypted, how many pages has it.

Running headers and footers (the same line, digits aside, at the top or bottom of
most pages) and page numbers are dropped; a word hyphenated at a line end is
joined (``integra-`` / ``tion``); lines are joined into paragraphs at the gaps
between them; lines in a font larger than the body text are headings, the larger
the higher. A PDF that opens with an empty password (an owner password that only
restricts printing or editing) is read like any other; one that needs a password
to open is refused.
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
_ZONE = 2  # lines at the top and at the bottom of a page where furniture sits


@dataclass
class _Line:
    page: int
    text: str
    size: float
    top: float
    bottom: float
    x1: float


def _damaged(exc: Exception) -> DocumentRejected:
    return DocumentRejected(
        "corrupt", f"the PDF is damaged and cannot be read ({squeeze(str(exc))})"
    )


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
                for line in page.extract_text_lines(return_chars=True, strip=True):
                    out.append(_line(number, line))
                page.close()  # frees the page's parsed objects before the next one
            pages = len(pdf.pages)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(exc) from exc
    return [x for x in out if x.text], pages


def _line(page: int, line: dict[str, Any]) -> _Line:
    sizes = [c["size"] for c in line["chars"] if not c["text"].isspace()]
    return _Line(
        page,
        squeeze(line["text"]),
        round(median(sizes) * 2) / 2 if sizes else 0.0,
        line["top"],
        line["bottom"],
        line["x1"],
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


def _join(paragraph: str, line: str) -> str:
    if _HYPHENATED.search(paragraph) and line[:1].islower():
        return paragraph[:-1] + line  # integra- / tion
    return f"{paragraph} {line}"


def _build(lines: list[_Line], layout: _Layout) -> Outline:
    sizes = sorted({x.size for x in lines if x.size >= layout.body + 1}, reverse=True)
    level = {size: i + 1 for i, size in enumerate(sizes)}

    outline = Outline()
    paragraph = ""
    prev: _Line | None = None
    heading: tuple[float, str] | None = None

    def flush() -> None:
        nonlocal paragraph, heading
        if heading is not None:
            outline.heading(level[heading[0]], heading[1])
            heading = None
        if paragraph:
            outline.paragraph(paragraph)
            paragraph = ""

    for x in lines:
        if x.size in level and len(x.text.split()) <= 20:
            if heading is not None and heading[0] == x.size and prev is not None:
                heading = (x.size, f"{heading[1]} {x.text}")  # a heading on two lines
            else:
                flush()
                heading = (x.size, x.text)
            prev = x
            continue
        if heading is not None:
            flush()
        bullet = _BULLET.match(x.text)
        text = f"- {x.text[bullet.end() :]}" if bullet else x.text
        new = not paragraph or bool(bullet) or _starts_paragraph(prev, x, paragraph, layout)
        if new:
            flush()
            paragraph = text
        else:
            paragraph = _join(paragraph, text)
        prev = x
    flush()
    return outline


def _starts_paragraph(prev: _Line | None, line: _Line, paragraph: str, layout: _Layout) -> bool:
    if prev is None:
        return True
    ended = bool(_ENDS_SENTENCE.search(paragraph))
    if prev.page != line.page:  # a paragraph goes on over a page break unless it ended
        return ended and not line.text[:1].islower()
    if layout.apart(prev, line):
        return True
    return ended and prev.x1 < 0.85 * layout.right  # a short last line ends a paragraph


def parse_pdf(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks under the headings found from font sizes; the title from the metadata."""
    title = _open_checked(data, limits)
    lines, pages = _lines(data)
    if not any(re.search(r"\w", x.text) for x in lines):
        raise DocumentRejected("no_text", NO_TEXT)
    layout = _Layout.of(lines)
    lines = _drop_furniture(lines, pages, layout)
    return _build(lines, layout).parsed(title, pages)
