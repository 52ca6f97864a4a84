"""The documents an organisation adds to the bundled corpus, kept in the data dir.

Each added document is a folder ``<data_dir>/documents/<doc_id>/`` holding the original
file as it was given (``original<suffix>``) and ``document.json`` (id, title, language,
kind, source file name, SHA-256, size, when it was added, passage count). The index is
built from these originals every time, so added documents survive rebuilds and
upgrades; backing up that folder backs them up.

A folder is written in full under a temporary name, then renamed into place, so a
reader sees a document whole or not at all. Nothing here takes the build lock: the
callers that change the store (:mod:`index.documents`) do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus.assemble import DOCUMENTS

__all__ = [
    "DocumentStore",
    "StoredDocument",
    "documents_hash",
    "slug_id",
]

_META = "document.json"
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
BUNDLED_IDS = frozenset(d.id for d in DOCUMENTS)


def slug_id(name: str) -> str:
    """A document id from a file name: ``Rapporto 2024.pdf`` -> ``rapporto-2024``."""
    stem = name.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.strip(".") else stem
    ascii_ = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:64].strip("-")


def valid_id(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot name an added document, or None if it can."""
    if not _ID.match(doc_id):
        return (
            f"document id {doc_id!r} must be 1-64 lowercase letters, digits and hyphens "
            "(not starting or ending with a hyphen)"
        )
    if doc_id in BUNDLED_IDS:
        return f"document id {doc_id!r} is a bundled document's; choose another (--id)"
    return None


@dataclass
class StoredDocument:
    """What ``document.json`` says of one added document."""

    id: str
    title: str
    lang: str
    kind: str
    source: str  # the file name it was added from
    sha256: str
    size: int
    added_at: str  # ISO 8601, UTC
    passages: int

    @property
    def original(self) -> str:
        """The original's file name inside the document's folder."""
        suffix = Path(self.source).suffix.lower()
        return "original" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")


def documents_hash(base: str, docs: list[StoredDocument]) -> str:
    """The corpus hash of an index built from the bundled corpus (``base``) and ``docs``:
    the bundled hash alone when nothing was added, so older indexes stay fresh."""
    if not docs:
        return base
    h = hashlib.sha256(base.encode())
    for d in sorted(docs, key=lambda d: d.id):
        h.update(json.dumps([d.id, d.sha256, d.title, d.lang]).encode())
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DocumentStore:
    """The added documents of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "documents"

    def list(self) -> list[StoredDocument]:
        """Every added document, by id. Folders being written or removed are skipped."""
        if not self.root.is_dir():
            return []
        out = []
        for folder in sorted(self.root.iterdir()):
            if folder.name.startswith(".") or not (folder / _META).is_file():
                continue
            raw = json.loads((folder / _META).read_text(encoding="utf-8"))
            out.append(StoredDocument(**raw))
        return out

    def get(self, doc_id: str) -> StoredDocument | None:
        return next((d for d in self.list() if d.id == doc_id), None)

    def original(self, doc: StoredDocument) -> Path:
        return self.root / doc.id / doc.original

    def read(self, doc: StoredDocument) -> bytes:
        return self.original(doc).read_bytes()

    def stage(self, doc: StoredDocument, data: bytes) -> Path:
        """Write ``doc`` and its bytes into a temporary folder of the store (synced to
        disk); :meth:`commit` puts it in place, :meth:`discard` drops it."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        try:
            for name, content in (
                (doc.original, data),
                (_META, json.dumps(asdict(doc), indent=2, ensure_ascii=False).encode()),
            ):
                with (tmp / name).open("wb") as fh:
                    fh.write(content)
                    fh.flush()
                    os.fsync(fh.fileno())
            _fsync_dir(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return tmp

    def commit(self, staged: Path, doc_id: str) -> None:
        """Put a staged folder in place as ``doc_id``, replacing the one there."""
        target = self.root / doc_id
        trash = None
        if target.exists():
            trash = self.root / f".old-{uuid.uuid4().hex[:12]}"
            os.rename(target, trash)
        os.rename(staged, target)
        _fsync_dir(self.root)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)

    def discard(self, staged: Path) -> None:
        shutil.rmtree(staged, ignore_errors=True)

    def remove(self, doc_id: str) -> None:
        target = self.root / doc_id
        trash = self.root / f".old-{uuid.uuid4().hex[:12]}"
        os.rename(target, trash)
        _fsync_dir(self.root)
        shutil.rmtree(trash, ignore_errors=True)

    def clean(self) -> None:
        """Remove what an interrupted change left (temporary and replaced folders)."""
        if self.root.is_dir():
            for left in self.root.glob(".*-*"):
                shutil.rmtree(left, ignore_errors=True)
