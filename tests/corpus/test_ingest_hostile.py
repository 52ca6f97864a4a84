"""Files that must be refused with a clear reason (or, for HTML with scripts, taken in
without the scripts): the library-level table of hostile files."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.ingest import IngestLimits, check_file_name, extract, iter_files
from practice_search.errors import DocumentRejected
from tests import documents_factory as f


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
    Hostile("bad\x1bname.txt", lambda: b"text", "bad_name", ""),
    Hostile("../../etc/passwd", lambda: b"text", "bad_name", ""),
]
HOSTILE_MESSAGES = {
    "bad\x1bname.txt": "the file name 'bad\\x1bname.txt' has control characters ('\\x1b')",
    "../../etc/passwd": "the file name '../../etc/passwd' has a path separator; give the name only",
}


@pytest.mark.parametrize(
    "case", HOSTILE, ids=[c.name.encode("unicode_escape").decode() for c in HOSTILE]
)
def test_a_hostile_file_is_refused_with_its_reason(case: Hostile) -> None:
    with pytest.raises(DocumentRejected) as err:
        extract(case.data(), name=case.name, limits=case.limits)
    assert err.value.code == case.code
    message = case.message or HOSTILE_MESSAGES[case.name]
    if message.startswith("re:"):  # the numbers depend on the zlib build
        assert re.fullmatch(message[3:], str(err.value))
    else:
        assert str(err.value) == message
    assert "\n" not in str(err.value)


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


def test_html_with_scripts_is_taken_in_without_them() -> None:
    got = extract(f.html_bytes(f.IT), name="pagina.html")
    text = " ".join(p for b in got.blocks for p in b.paragraphs)
    assert "SCRIPT-TEXT" not in text and "<" not in text
    assert f.IT.sections[0][1][0] in text


def test_a_pdf_that_opens_without_a_password_is_read() -> None:
    got = extract(f.encrypted_pdf_bytes(user_password=""), name="restricted.pdf")
    assert got.title == f.EN.title
    assert got.blocks[0].paragraphs == f.EN.sections[0][1]


@pytest.mark.parametrize("name", ["", "   ", "..", "a\u202eb.txt", "a\nb.txt", "dir\\x.txt"])
def test_unsafe_file_names(name: str) -> None:
    with pytest.raises(DocumentRejected) as err:
        check_file_name(name)
    assert err.value.code == "bad_name"


def test_ordinary_names_pass() -> None:
    for name in ["Relazione finale 2024 (v2).pdf", "città.md", "notes"]:
        assert check_file_name(name) == name


def test_a_folder_lists_its_files_and_skips_hidden_ones(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ["a.md", "sub/b.txt", ".hidden.txt", ".git/config"]:
        (tmp_path / rel).write_text("x")
    os.symlink(tmp_path / "a.md", tmp_path / "sub" / "link-to-a.md")  # inside: fine
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)] == [
        "a.md",
        "sub/b.txt",
        "sub/link-to-a.md",
    ]


@pytest.mark.parametrize("target_is_dir", [False, True], ids=["file", "folder"])
def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path, target_is_dir: bool) -> None:
    folder, outside = tmp_path / "docs", tmp_path / "secret"
    folder.mkdir()
    outside.mkdir()
    (outside / "passwords.txt").write_text("hunter2")
    (folder / "ok.md").write_text("# ok")
    target = outside if target_is_dir else outside / "passwords.txt"
    os.symlink(target, folder / "innocent")
    with pytest.raises(DocumentRejected) as err:
        iter_files(folder)
    assert err.value.code == "outside_folder"
    assert str(err.value) == f"innocent points outside the folder {folder} (to {target})"


def test_a_rejection_has_a_known_code() -> None:
    with pytest.raises(ValueError, match="unknown rejection code 'nope'"):
        DocumentRejected("nope", "x")
