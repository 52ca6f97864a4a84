"""Files that must be refused with a clear reason (or, for HTML with scripts, taken in
without the scripts): the library-level table of hostile files."""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from corpus.ingest import check_file_name, extract, iter_files
from practice_search.errors import DocumentRejected
from tests import documents_factory as f
from tests.hostile_files import HOSTILE, HOSTILE_MESSAGES, SCRIPT_MARKER, SCRIPTED_HTML, Hostile


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


def test_html_with_scripts_is_taken_in_without_them() -> None:
    name, data = SCRIPTED_HTML
    raw = data().decode()
    assert raw.count(SCRIPT_MARKER) == 5  # head, style, onload, main, noscript
    got = extract(data(), name=name)
    text = " ".join([got.title, *(p for b in got.blocks for p in [*b.section, *b.paragraphs])])
    assert SCRIPT_MARKER not in text and "<" not in text
    assert f.EN.sections[0][1][0] in text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("brackets.md", b"# Title\n\n" + b"[" * 300_000),
        ("stars.md", b"# Title\n\n" + b"*a " * 100_000),
        ("links.md", b"# Title\n\n" + b"[a](" * 100_000),
        ("closing-hashes.md", b"# " + b" #" * 100_000 + b"\n\ntext"),
        ("tags.html", b"<p>Some text</p>" + b"<p " * 100_000),
        ("nested-900.html", b"<html><body>" + b"<div>" * 900 + b"deep" + b"</div>" * 900),
    ],
)
def test_pathological_text_is_read_without_blowing_up(name: str, data: bytes) -> None:
    # the patterns are linear: quadratic ones would take minutes on these
    got = extract(data, name=name)
    assert got.blocks


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_damaged_files_are_refused_never_crash(kind: str) -> None:
    base = f.pdf_bytes(f.EN) if kind == "pdf" else f.docx_bytes(f.EN)
    rng = random.Random(14)
    codes = Counter()
    for _ in range(60):
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        try:
            extract(bytes(data), name=f"damaged.{kind}")
            codes["read"] += 1
        except DocumentRejected as err:
            codes[err.code] += 1
            assert "\n" not in str(err)
    assert codes["corrupt"] >= 20, codes


def test_a_pdf_that_opens_without_a_password_is_read() -> None:
    got = extract(f.encrypted_pdf_bytes(user_password=""), name="restricted.pdf")
    assert got.title == f.EN.title
    assert got.blocks[0].paragraphs == f.EN.sections[0][1]


@pytest.mark.parametrize(
    "name", ["", "   ", "..", "é" * 128 + ".txt", "a\u202eb.txt", "a\nb.txt", "dir\\x.txt"]
)
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
