"""Fault injection: every kind of index damage is refused, by every face, in one line.

Each case copies the fake-encoder index, damages the copy, then runs the real command
line (`status`, `status --verify`, `query`) as a subprocess and loads the service on
it. A damaged index must exit 1 with one `error:` line naming the file (relative to
the index folder, never an absolute path or a library's source location), and the
service must stay not ready (503) with the same reason. The ``+ manifest`` cases also
rewrite the manifest's checksums, so the structural checks behind them are exercised.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corpus import Corpus
from index import build_index
from index.build import current_dir
from index.encoders import HashEncoder
from index.integrity import checksum_files
from index.load import verify_index
from index.manifest import Manifest
from practice_search.errors import IndexCorrupt, IndexStale
from retriever import Retriever
from service import create_app
from tests.cli.test_cli import run
from tests.conftest import fake_settings

Damage = Callable[[Path], None]  # damages the index folder (``current``) it is given


@pytest.fixture(scope="module")
def other_encoder_dir(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Path:
    """An index of the same corpus by another encoder (32 dimensions, not 64)."""
    data_dir = tmp_path_factory.mktemp("other-encoder")
    settings = fake_settings(data_dir)
    build_index(settings, progress=False, corpus=corpus, encoders={"hash": HashEncoder(32)})
    return data_dir


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("models"))
    return dst


def _rechecksum(root: Path) -> None:
    """The manifest edited to match the damaged files (what a tamperer would do)."""
    manifest = Manifest.load(root / "manifest.json")
    manifest.files = checksum_files(root)
    manifest.save(root / "manifest.json")


def _edit_manifest(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = root / "manifest.json"
    raw = json.loads(path.read_text())
    edit(raw)
    path.write_text(json.dumps(raw))


def swap_kinds(root: Path) -> None:
    a, b = root / "vectors/hash.passages.faiss", root / "vectors/hash.checklist.faiss"
    data = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data)


def truncate_vectors(root: Path) -> None:
    path = root / "vectors/hash.passages.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garble_vectors(root: Path) -> None:
    path = root / "vectors/hash.passages.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 256] = b"\xff" * 256  # same size, NaN floats
    path.write_bytes(bytes(data))


def garble_postings(root: Path) -> None:
    path = root / "lexical/en.passages/indices.csc.index.npy"
    data = bytearray(path.read_bytes())
    data[256:512] = b"\xff" * 256  # past the .npy header: document rows become -1
    path.write_bytes(bytes(data))


def drop_text(root: Path) -> None:
    con = sqlite3.connect(root / "records.sqlite")
    with con:
        con.execute("UPDATE passages SET data = json_remove(data, '$.text') WHERE rowid = 7")
    con.close()


def directory_in_place(root: Path) -> None:  # unreadable, even for root
    path = root / "vectors/hash.checklist.faiss"
    path.unlink()
    path.mkdir()


def unreadable(root: Path) -> None:
    (root / "records.sqlite").chmod(0)


def remove_postings_file(root: Path) -> None:
    (root / "lexical/it.checklist/vocab.index.json").unlink()


def remove_manifest(root: Path) -> None:
    (root / "manifest.json").unlink()


def garble_manifest(root: Path) -> None:
    (root / "manifest.json").write_text('{"corpus_hash": ')


def unlist_file(root: Path) -> None:
    _edit_manifest(root, lambda raw: raw["files"].pop("records.sqlite"))


def edit_count(root: Path) -> None:
    _edit_manifest(root, lambda raw: raw["counts"].update(passages=raw["counts"]["passages"] + 1))


def then_rechecksum(damage: Damage) -> Damage:
    def both(root: Path) -> None:
        damage(root)
        _rechecksum(root)

    return both


def other_encoder(other: Path) -> Damage:
    def damage(root: Path) -> None:
        src = current_dir(other) / "vectors/hash.passages.faiss"
        (root / "vectors/hash.passages.faiss").write_bytes(src.read_bytes())

    return damage


# name, damage, what the reason names, whether plain `status` (sizes only) notices it
CASES: list[tuple[str, Damage | str, str, bool]] = [
    ("swapped kinds", swap_kinds, "vectors/hash.checklist.faiss", True),
    ("swapped kinds + manifest", then_rechecksum(swap_kinds), "vectors/hash.passages.faiss", False),
    ("other encoder's vectors", "other", "vectors/hash.passages.faiss", True),
    ("other encoder's vectors + manifest", "other+", "vectors/hash.passages.faiss", False),
    ("truncated vectors", truncate_vectors, "vectors/hash.passages.faiss", True),
    ("garbled vectors", garble_vectors, "vectors/hash.passages.faiss", False),
    ("garbled postings", garble_postings, "lexical/en.passages/indices.csc.index.npy", False),
    (
        "garbled postings + manifest",
        then_rechecksum(garble_postings),
        "lexical/en.passages/",
        False,
    ),
    ("record without text", drop_text, "records.sqlite", False),
    ("record without text + manifest", then_rechecksum(drop_text), "records.sqlite", False),
    ("directory in place of a file", directory_in_place, "vectors/hash.checklist.faiss", True),
    ("unreadable file", unreadable, "records.sqlite", False),
    ("missing BM25 file", remove_postings_file, "lexical/it.checklist/vocab.index.json", True),
    ("missing manifest", remove_manifest, "manifest.json", True),
    ("garbled manifest", garble_manifest, "manifest.json", True),
    ("file not listed in the manifest", unlist_file, "records.sqlite", True),
    ("edited manifest count", edit_count, "manifest.json", False),
]


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _served(settings_dir: Path) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """/readyz once loading ended, and a search, on an app loading ``settings_dir``."""
    with TestClient(create_app(fake_settings(settings_dir))) as client:
        deadline = time.monotonic() + 60
        ready = client.get("/readyz")
        while ready.json().get("reason") == "loading" and time.monotonic() < deadline:
            time.sleep(0.05)
            ready = client.get("/readyz")
        search = client.get("/search", params={"q": "housing"})
        return {**ready.json(), "code": ready.status_code}, search.status_code, search.json()


@pytest.mark.parametrize(("name", "damage", "names", "fast"), CASES, ids=[c[0] for c in CASES])
def test_damaged_index_is_refused_everywhere(
    name: str,
    damage: Damage | str,
    names: str,
    fast: bool,
    fake_index_dir: Path,
    other_encoder_dir: Path,
    tmp_path: Path,
) -> None:
    if damage is unreadable and os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file; 'directory in place of a file' covers it")
    data_dir = _copy(fake_index_dir, tmp_path / "data")
    root = current_dir(data_dir)
    if isinstance(damage, str):
        damage = other_encoder(other_encoder_dir)
        if name.endswith("+ manifest"):
            damage = then_rechecksum(damage)
    damage(root)

    with pytest.raises(IndexCorrupt):
        verify_index(fake_settings(data_dir))
    outcomes = {"status --verify": run(["status", "--verify"], data_dir)}
    outcomes["query"] = run(["query", "housing"], data_dir)
    if fast:
        outcomes["status"] = run(["status"], data_dir)
    reasons = []
    for command, out in outcomes.items():
        assert out.returncode == 1, (command, out.stderr)
        line = _one_line(out.stderr)
        assert line.startswith("error: ") and names in line, (command, line)
        assert str(tmp_path) not in line and ".cpp" not in line, (command, line)
        assert "practice-search build" in line, (command, line)
        reasons.append(line.removeprefix("error: "))
    assert len(set(reasons)) == 1, reasons  # every face gives the same reason

    ready, status, body = _served(data_dir)
    assert ready["code"] == 503 and ready["reason"] == reasons[0], ready
    assert status == 503 and body["error"]["message"] == reasons[0], body
    print(f"{name}: {reasons[0]}")


def test_fresh_index_builds_then_verifies(fake_index_dir: Path, tmp_path: Path) -> None:
    data_dir = _copy(fake_index_dir, tmp_path / "data")
    verified = run(["status", "--verify"], data_dir)
    assert verified.returncode == 0, verified.stderr
    assert "index is up to date and verified" in verified.stderr
    assert json.loads(verified.stdout)["files"]["records.sqlite"]["size"] > 0
    plain = run(["status"], data_dir)
    assert plain.returncode == 0 and "index is up to date" in plain.stderr
    ready, status, _ = _served(data_dir)
    assert ready["code"] == 200 and status == 200


def test_index_from_before_checksums_is_stale(fake_index_dir: Path, tmp_path: Path) -> None:
    data_dir = _copy(fake_index_dir, tmp_path / "data")

    def older(raw: dict[str, Any]) -> None:
        raw["format_version"] = 1
        del raw["files"]

    _edit_manifest(current_dir(data_dir), older)
    with pytest.raises(IndexStale, match="before file checksums"):
        verify_index(fake_settings(data_dir), full=False)
    for args in (["status"], ["status", "--verify"], ["query", "housing"]):
        out = run(args, data_dir)
        assert out.returncode == 1, out.stderr
        line = _one_line(out.stderr)
        assert "before file checksums" in line and "practice-search build" in line, line


def test_damage_after_loading_does_not_reach_searches(fake_index_dir: Path, tmp_path: Path) -> None:
    """Everything is read at load: files changed or removed later change no answer."""
    data_dir = _copy(fake_index_dir, tmp_path / "data")
    settings = fake_settings(data_dir)
    retriever = Retriever.load(settings)
    with TestClient(create_app(settings, retriever=retriever)) as client:
        before = client.get("/search", params={"q": "housing", "k": 5}).json()
        root = current_dir(data_dir).resolve()
        for damage in (garble_vectors, garble_postings, drop_text):
            damage(root)
        shutil.rmtree(root)
        after = client.get("/search", params={"q": "housing", "k": 5})
        assert after.status_code == 200
        assert [p["id"] for p in after.json()["passages"]] == [p["id"] for p in before["passages"]]
        practice = client.get("/practices").json()[0]["id"]
        for path in ("/readyz", "/documents", "/checklist", f"/practices/{practice}"):
            assert client.get(path).status_code == 200, path
