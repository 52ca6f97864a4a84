"""`practice-search add`, `remove` and `documents` (the command line's own entry point,
in this process; one real subprocess too) with real PDF, DOCX, HTML and Markdown files
against a copy of the fake-encoder index: found by a need in English and in Italian,
replaced, removed; hostile files refused with exit 2 and nothing changed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cli.main import main
from corpus.ingest import IngestLimits
from practice_search.config import get_settings
from tests import documents_factory as f
from tests.conftest import fake_env
from tests.documents.table import HOSTILE, TWO_GB, Hostile, leftovers, snapshot
from tests.hostile_files import HOSTILE as LIBRARY_TABLE
from tests.hostile_files import HOSTILE_MESSAGES
from tests.hostile_files import Hostile as LibraryCase

NEED_EN = "night school for taxi drivers learning the language between rides"
NEED_IT = "ciclofficina dove i richiedenti asilo riparano la bicicletta"
NEW_EN = replace(
    f.EN,
    title="Lighthouse keepers mentoring newcomers",
    sections=[
        (
            "Mentoring on the coast",
            [
                "Retired lighthouse keepers mentor newcomers in fishing villages, walking "
                "the cliffs together every Sunday and teaching the names of seabirds.",
            ],
        )
    ],
)


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``practice-search ARGS`` run by its entry point (settings from the environment
    the ``data_dir`` fixture set), its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(data_dir), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture
def data_dir(
    fake_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A data dir of its own: a copy of the built fake index, with the fake encoder's
    settings in the environment."""
    target = tmp_path / "data"
    shutil.copytree(fake_index_dir, target, symlinks=True)
    for key in [k for k in os.environ if k.startswith("PRACTICE_SEARCH_")]:
        monkeypatch.delenv(key)
    for key, value in fake_env(target).items():
        if key.startswith("PRACTICE_SEARCH_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield target
    get_settings.cache_clear()


def test_a_real_subprocess_adds_and_lists(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_bytes(f.markdown_bytes(f.IT))
    outputs = []
    for args in (["add", str(tmp_path / "notes.md")], ["documents"]):
        out = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            capture_output=True,
            text=True,
            env=fake_env(data_dir),
            timeout=120,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout)
    assert outputs[0].startswith(f"added notes: {f.IT.title!r}")
    row = next(line for line in outputs[1].splitlines() if line.startswith("notes "))
    assert f.IT.title in row and "notes.md" in row
    assert outputs[1].count("(bundled)") == 5


def docs_of(data_dir: Path, need: str, k: int = 5) -> list[str]:
    out = cli(data_dir, "query", need, "--json", "-k", str(k), "--type", "passage")
    assert out.returncode == 0, out.stderr
    return [p["doc"]["id"] for p in json.loads(out.stdout)["passages"]]


def texts_of(data_dir: Path, doc_id: str) -> str:
    out = cli(data_dir, "query", "anything", "--json", "-k", "50", "--doc", doc_id)
    assert out.returncode == 0, out.stderr
    return " ".join(p["text"] for p in json.loads(out.stdout)["passages"])


def test_add_find_replace_remove(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "Night school.docx").write_bytes(f.docx_bytes(f.EN))
    (folder / "ciclofficina.pdf").write_bytes(f.pdf_bytes(f.IT))
    (folder / "page.html").write_bytes(f.html_bytes(f.EN))

    out = cli(data_dir, "add", str(folder), "-q")
    assert out.returncode == 0, out.stderr
    assert "added night-school:" in out.stdout and "added ciclofficina:" in out.stdout
    assert "added page:" in out.stdout
    assert docs_of(data_dir, NEED_EN)[0] in {"night-school", "page"}
    assert docs_of(data_dir, NEED_IT)[0] == "ciclofficina"
    assert "SCRIPT-TEXT" not in texts_of(data_dir, "page")  # scripts are never read

    listed = json.loads(cli(data_dir, "documents", "--json").stdout)
    added = {d["id"]: d for d in listed if not d["bundled"]}
    assert set(added) == {"night-school", "ciclofficina", "page"}
    assert added["ciclofficina"]["lang"] == "it" and added["ciclofficina"]["passages"] > 0
    assert added["night-school"]["source"] == "Night school.docx"
    assert {d["id"] for d in listed if d["bundled"]} == {
        "spring-a",
        "spring-b",
        "asap",
        "oss",
        "regin",
    }
    assert (data_dir / "documents" / "night-school" / "original.docx").read_bytes() == (
        folder / "Night school.docx"
    ).read_bytes()

    # the same bytes again: nothing changes, nothing is rebuilt
    before = snapshot(data_dir)
    out = cli(data_dir, "add", str(folder / "ciclofficina.pdf"), "-q")
    assert out.returncode == 0 and "unchanged ciclofficina" in out.stdout, out.stderr
    assert snapshot(data_dir) == before

    # a changed file under the same id replaces it: the new text found, the old gone
    (tmp_path / "v2.md").write_bytes(f.markdown_bytes(NEW_EN))
    out = cli(data_dir, "add", str(tmp_path / "v2.md"), "--id", "night-school", "-q")
    assert out.returncode == 0 and "replaced night-school" in out.stdout, out.stderr
    text = texts_of(data_dir, "night-school")
    assert "lighthouse keepers" in text and "taxi" not in text
    assert docs_of(data_dir, "lighthouse keepers mentor newcomers")[0] == "night-school"
    old = cli(data_dir, "query", NEED_EN, "--json", "-k", "20", "--type", "passage")
    found = json.loads(old.stdout)["passages"]
    assert not any("taxi" in p["text"] for p in found if p["doc"]["id"] == "night-school")
    assert any(p["doc"]["id"] == "page" for p in found)  # the other copy of the old text

    out = cli(data_dir, "remove", "night-school", "-q")
    assert out.returncode == 0 and "removed night-school" in out.stdout, out.stderr
    assert "night-school" not in docs_of(data_dir, "lighthouse keepers mentor newcomers", 10)
    assert "night-school" not in docs_of(data_dir, NEED_EN, k=10)
    gone = cli(data_dir, "query", "x", "--doc", "night-school")
    assert gone.returncode == 2 and "unknown doc 'night-school'" in gone.stderr
    assert not (data_dir / "documents" / "night-school").exists()
    assert cli(data_dir, "status").returncode == 0  # the index is fresh with the store
    assert leftovers(data_dir) == []


def test_remove_and_ids_that_cannot_be(data_dir: Path, tmp_path: Path) -> None:
    out = cli(data_dir, "remove", "asap")
    assert out.returncode == 1 and "bundled document" in out.stderr
    out = cli(data_dir, "remove", "never-added")
    assert out.returncode == 1 and "no added document with id 'never-added'" in out.stderr
    (tmp_path / "x.md").write_bytes(f.markdown_bytes(f.EN))
    out = cli(data_dir, "add", str(tmp_path / "x.md"), "--id", "oss")
    assert out.returncode == 2 and "bundled document" in out.stderr


def _hostile_path(case: Hostile, folder: Path) -> Path:
    path = folder / case.name
    if case.data is None:  # 2 GB, sparse: nothing is written, nothing must be read
        with path.open("wb") as fh:
            fh.truncate(TWO_GB)
    else:
        path.write_bytes(case.data())
    return path


CLI_CASES = [*HOSTILE, Hostile("symlink-outside-folder", "link.md", None, "outside_folder")]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.case for c in CLI_CASES])
def test_a_hostile_file_changes_nothing(case: Hostile, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    if case.case == "symlink-outside-folder":
        secret = tmp_path / "secret.md"
        secret.write_text("# Secret\n\nNot for the index.\n")
        os.symlink(secret, folder / case.name)
        target = folder
    else:
        target = _hostile_path(case, folder)
    before = snapshot(data_dir)
    out = cli(data_dir, "add", str(target))
    assert out.returncode == 2, out.stderr
    line = out.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line and "Traceback" not in line
    if case.code == "bad_name":
        assert "control characters" in line
    elif case.code == "too_large":
        assert "over the limit" in line
    elif case.code == "outside_folder":
        assert "outside the folder" in line
    else:
        assert case.name in line  # which file, and why
    assert snapshot(data_dir) == before
    assert leftovers(data_dir) == []


LIBRARY = [c for c in LIBRARY_TABLE if c.limits == IngestLimits() and "/" not in c.name]


@pytest.mark.parametrize(
    "case", LIBRARY, ids=[c.name.encode("unicode_escape").decode() for c in LIBRARY]
)
def test_every_refusal_of_the_library_reaches_the_user(
    case: LibraryCase, data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / case.name).write_bytes(case.data())
    before = snapshot(data_dir)
    out = cli(data_dir, "add", str(tmp_path / case.name))
    assert out.returncode == 2, out.stderr
    message = case.message or HOSTILE_MESSAGES[case.name]
    if message.startswith("re:"):
        assert re.search(message[3:], out.stderr), out.stderr
    else:
        assert message in out.stderr
    assert snapshot(data_dir) == before and leftovers(data_dir) == []
