"""Which format a file is, from its bytes; the name only has to agree."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from corpus.ingest.markdown import looks_like_markdown
from corpus.ingest.text import decode_text
from practice_search.errors import DocumentRejected

__all__ = ["FORMATS", "Format", "Kind", "detect"]


class Kind(StrEnum):
    """The formats a document can be in."""

    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"


@dataclass(frozen=True)
class Format:
    """A format: what it is called in a list and in a sentence, and its file suffixes."""

    kind: Kind
    label: str
    suffixes: tuple[str, ...]
    noun: str


FORMATS: dict[str, Format] = {
    f.kind.value: f
    for f in (
        Format(Kind.PDF, "PDF with a text layer", (".pdf",), "PDF"),
        Format(Kind.DOCX, "Word document (.docx)", (".docx",), "Word document"),
        Format(Kind.HTML, "HTML page", (".html", ".htm", ".xhtml"), "HTML page"),
        Format(Kind.MARKDOWN, "Markdown", (".md", ".markdown"), "Markdown file"),
        Format(
            Kind.TEXT,
            "plain text (UTF-8, UTF-16 or Windows-1252)",
            (".txt", ".text"),
            "text file",
        ),
    )
}
SUPPORTED = ", ".join(f.label for f in FORMATS.values())

_HTML_START = re.compile(
    r"\A\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(
    r"<(p|div|span|a|b|i|em|strong|h[1-6]|article|section|main|table|ul|ol|li|br|img)\b[^<>]{0,300}>",
    re.IGNORECASE,
)
# active content: a text holding it is read as HTML, so the code is dropped, never kept as text
_ACTIVE = re.compile(r"<(script|style|iframe|object|embed)\b", re.IGNORECASE)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc / .xls / .ppt
_KNOWN_BINARY = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document",
    _OLE2: "an old Office file (.doc, .xls, .ppt) or a password-protected one; "
    "save it as .docx without a password",
}


def _zip_kind(data: bytes) -> Kind:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentRejected(
            "corrupt", f"the file looks like a zip archive but is broken: {exc}"
        ) from exc
    if "word/document.xml" in names:
        return Kind.DOCX
    if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
        what = "spreadsheet" if "xl/workbook.xml" in names else "presentation"
        raise DocumentRejected(
            "unknown_format",
            f"the file is an Office {what}, which is not supported; supported: {SUPPORTED}",
        )
    if any(n.startswith("word/") for n in names) or "[Content_Types].xml" in names:
        raise DocumentRejected("corrupt", "the Word archive has no word/document.xml")
    raise DocumentRejected(
        "unknown_format", f"the file is a zip archive, not a document; supported: {SUPPORTED}"
    )


def _sniff(data: bytes) -> Kind:
    head = data[:1024]
    if b"%PDF-" in head:
        return Kind.PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    for magic, what in _KNOWN_BINARY.items():
        if data.startswith(magic):
            raise DocumentRejected("unknown_format", f"the file is {what}; supported: {SUPPORTED}")
    text = decode_text(data)
    if text is None:
        raise DocumentRejected(
            "unknown_format",
            f"the file is not a document format this reads (binary data); supported: {SUPPORTED}",
        )
    start = text[:65536]
    if (
        _HTML_START.match(start)
        or _ACTIVE.search(text)
        or (start.lstrip().startswith("<") and _HTML_TAG.search(start))
    ):
        return Kind.HTML
    return Kind.MARKDOWN if looks_like_markdown(text) else Kind.TEXT


# a name with one of these suffixes promises that format; the bytes must keep the promise
_CLAIMS = {
    ".pdf": (Kind.PDF, "not_pdf", "a PDF (no %PDF- header)"),
    ".docx": (Kind.DOCX, "not_docx", "a Word document"),
}


def detect(data: bytes, name: str) -> Kind:
    """The format of ``data``; a name that claims PDF or DOCX must be right.

    Raises:
        DocumentRejected: ``unknown_format`` for bytes of no supported format,
            ``not_pdf`` / ``not_docx`` when the name's suffix says otherwise,
            ``corrupt`` for a broken zip archive.
    """
    suffix = PurePath(name).suffix.lower()
    claim = _CLAIMS.get(suffix)
    try:
        kind = _sniff(data)
    except DocumentRejected as exc:
        if claim and exc.code == "unknown_format":
            what = exc.message.split(";")[0].removeprefix("the file is ")
            raise DocumentRejected(claim[1], f"{name} is not {claim[2]}: it is {what}") from None
        raise
    if claim and kind is not claim[0]:
        raise DocumentRejected(claim[1], f"{name} is not {claim[2]}: it is {FORMATS[kind].label}")
    if kind is Kind.TEXT and suffix in FORMATS["markdown"].suffixes:
        return Kind.MARKDOWN
    return kind
