"""Files that must be refused with a clear reason (or, for HTML with scripts, taken in
without the scripts): the library-level table of hostile files."""

from __future__ import annotations

import os
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
        "report.pdf is named .pdf but its content is plain text (UTF-8, UTF-16 or "
        "Windows-1252), not a PDF (no %PDF- header)",
    ),
    Hostile(
        "photo.pdf",
        lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "not_pdf",
        "photo.pdf is not a PDF: the file is a PNG image",
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
        "the file is an old Office file (.doc, .xls or .ppt); save it as .docx; supported: "
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
    assert str(err.value) == (case.message or HOSTILE_MESSAGES[case.name])
    assert "\n" not in str(err.value)


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
