"""The hostile files of the documents feature, as one table every face can test with.

Each case gives a file name, a function that makes the bytes, the
``DocumentRejected.code`` the library raises and its message (``re:`` starts a
pattern where numbers depend on the zlib build; an empty message is looked up in
``HOSTILE_MESSAGES``), and the limits to apply when the defaults are not the
point. The CLI should exit 2 and the service answer 4xx for every case.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from corpus.ingest import IngestLimits
from tests import documents_factory as f

__all__ = ["HOSTILE", "HOSTILE_MESSAGES", "SCRIPTED_HTML", "SCRIPT_MARKER", "Hostile"]

# HTML with scripts is taken in, never refused: SCRIPTED_HTML() is a page with scripts in
# the head, the body, an event handler and <noscript>, each holding SCRIPT_MARKER, which
# must appear in no passage, title or answer
SCRIPT_MARKER = "SCRIPT-TEXT"
SCRIPTED_HTML = ("scripted.html", lambda: f.html_bytes(f.EN))


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


@dataclass(frozen=True)
class Hostile:
    name: str
    data: Callable[[], bytes]
    code: str
    message: str
    limits: IngestLimits = IngestLimits()  # noqa: RUF009 - frozen


HOSTILE = [
    Hostile("empty.txt", lambda: b"", "empty", "the file is empty: there is nothing to index"),
    Hostile(
        "blank.md",
        lambda: b" \n\t\n",
        "empty",
        "the file is blank (only white space): there is nothing to index",
    ),
    Hostile(
        "report.pdf",
        lambda: f.text_bytes(f.EN),
        "not_pdf",
        "report.pdf is not a PDF (no %PDF- header): it is plain text (UTF-8, UTF-16 or "
        "Windows-1252)",
    ),
    Hostile(
        "photo.pdf",
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "not_pdf",
        "photo.pdf is not a PDF (no %PDF- header): it is a PNG image",
    ),
    Hostile(
        "data.bin",
        lambda: bytes(range(256)) * 8,
        "unknown_format",
        "the file is not a document format this reads (binary data); supported: PDF with a "
        "text layer, Word document (.docx), HTML page, Markdown, plain text (UTF-8, UTF-16 "
        "or Windows-1252)",
    ),
    Hostile(
        "letter.doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "unknown_format",
        "the file is an old Office file (.doc, .xls, .ppt) or a password-protected one; save "
        "it as .docx without a password; supported: "
        "PDF with a text layer, Word document (.docx), HTML page, Markdown, plain text "
        "(UTF-8, UTF-16 or Windows-1252)",
    ),
    Hostile(
        "big.md",
        lambda: b"a b c\n" * 512,
        "too_large",
        "the file is 3 KB, over the limit of 1000 bytes",
        IngestLimits(max_bytes=1000),
    ),
    Hostile(
        "locked.pdf",
        f.encrypted_pdf_bytes,
        "encrypted_pdf",
        "the PDF is protected by a password; save a copy without the password and add that",
    ),
    Hostile(
        "scan.pdf",
        f.no_text_pdf_bytes,
        "no_text",
        "this PDF has no text layer (a scanned document?); OCR is not supported",
    ),
    Hostile(
        "broken.pdf",
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage",
        "corrupt",
        "the PDF is damaged and cannot be read (Stream has ended unexpectedly)",
    ),
    Hostile(
        "report.pdf",
        lambda: f.report_pdf_bytes(pages=4),
        "too_large",
        "the PDF has 4 pages, over the limit of 3",
        IngestLimits(max_pages=3),
    ),
    Hostile(
        "bomb.docx",
        f.zip_bomb_bytes,
        "zip_bomb",
        "the Word archive unpacks to more than 200 MB (word/document.xml alone is 300 MB)",
    ),
    Hostile(
        "dense.docx",
        lambda: f.zip_bomb_bytes(8 * 1024 * 1024),
        "zip_bomb",
        r"re:the Word archive member word/document\.xml unpacks \d+ times its size "
        r"\([\d.]+ KB to 8 MB\), over the limit of 200",
    ),
    Hostile(
        "damaged.docx",
        f.damaged_docx_bytes,
        "corrupt",
        "the Word document is damaged and cannot be read (Error -3 while decompressing data: "
        "invalid bit length repeat)",
    ),
    Hostile(
        "many.docx",
        lambda: f.docx_bytes(f.EN),
        "zip_bomb",
        "the Word archive has 17 members, over the limit of 5",
        IngestLimits(max_members=5),
    ),
    Hostile(
        "sheet.docx",
        lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "not_docx",
        "sheet.docx is not a Word document: it is an Office spreadsheet, which is not supported",
    ),
    Hostile(
        "sheet.xlsx",
        lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "unknown_format",
        "the file is an Office spreadsheet, which is not supported; supported: PDF with a text "
        "layer, Word document (.docx), HTML page, Markdown, plain text (UTF-8, UTF-16 or "
        "Windows-1252)",
    ),
    Hostile(
        "deep.html",
        lambda: b"<html><body>" + b"<div>" * 5000 + b"text" + b"</div>" * 5000,
        "corrupt",
        "the HTML nests elements 5000 deep, over the limit of 1000",
    ),
    Hostile("bad\x1bname.txt", lambda: b"text", "bad_name", ""),
    Hostile("../../etc/passwd", lambda: b"text", "bad_name", ""),
]
HOSTILE_MESSAGES = {
    "bad\x1bname.txt": "the file name 'bad\\x1bname.txt' has control characters ('\\x1b')",
    "../../etc/passwd": "the file name '../../etc/passwd' has a path separator; give the name only",
}
