"""Add, replace and remove an organisation's own documents, and publish the index.

Each change holds the build lock from start to end: the files are read and checked
first (a rejected one changes nothing), then a new index version is built from the
bundled corpus and the documents as they will be, published by the atomic switch of
:mod:`index.build`, and only then is the store (:mod:`corpus.userdocs`) changed. A
failure before the switch leaves both the served index and the store as they were.

Only new or changed passages are embedded: EmbeddingGemma keeps its vectors by exact
text, so a rebuild of the whole corpus costs the new document's passages (a build of
FAISS, BM25 and SQLite for the whole corpus takes well under a second).
"""

from __future__ import annotations

import functools
import hashlib
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from corpus import Corpus, corpus_hash, load_corpus
from corpus.added import AddedDocument, added_passages, read_added
from corpus.ingest import IngestLimits, check_file_name, iter_files
from corpus.userdocs import DocumentStore, StoredDocument, slug_id, valid_id
from index.build import build_index, build_lock, current_dir
from index.encoders import Encoder
from index.manifest import Manifest
from index.store import read_records
from practice_search.config import Settings
from practice_search.errors import DocumentRejected, NotFound

__all__ = [
    "Change",
    "Incoming",
    "add_documents",
    "collect_files",
    "list_documents",
    "remove_document",
]


@dataclass(frozen=True)
class Incoming:
    """A file to add: its name (as given), its bytes, and what the user said of it."""

    name: str
    data: bytes
    title: str | None = None
    lang: str | None = None
    doc_id: str | None = None


@dataclass(frozen=True)
class Change:
    """What one add or remove did to one document."""

    doc_id: str
    status: Literal["added", "replaced", "unchanged", "removed"]
    title: str
    passages: int
    source: str = ""


@functools.lru_cache(maxsize=2)
def _parsed(max_words: int, hashed: str) -> Corpus:
    """The bundled corpus parsed once per process (a change rebuilds often; parsing
    is a few seconds). ``hashed``: the raw files' hash, so an edit is parsed again."""
    del hashed
    return load_corpus(max_words=max_words)


def _bundled(settings: Settings) -> Corpus:
    return _parsed(settings.max_words, corpus_hash())


def _limits(settings: Settings) -> IngestLimits:
    return IngestLimits(max_bytes=settings.max_document_bytes)


def collect_files(paths: Sequence[Path], settings: Settings) -> list[Incoming]:
    """The files named by ``paths`` (a folder gives every file in it), read and bounded.

    Raises:
        DocumentRejected: a file is missing, too large, badly named or outside its folder.
    """
    limit = settings.max_document_bytes
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += iter_files(path)
        else:
            files.append(path)
    out = []
    for path in files:
        check_file_name(path.name)
        try:
            info = path.stat()
        except OSError as exc:
            raise DocumentRejected(
                "corrupt", f"{path.name}: cannot be read ({exc.strerror or exc})"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise DocumentRejected("unknown_format", f"{path.name}: not a regular file")
        if info.st_size > limit:  # checked before reading: a 2 GB file is never read
            raise DocumentRejected(
                "too_large",
                f"{path.name}: the file is {info.st_size} bytes, over the limit of {limit}",
            )
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
        out.append(Incoming(path.name, data))
    return out


def _prepare(
    item: Incoming, store_docs: dict[str, StoredDocument], settings: Settings
) -> tuple[AddedDocument, Change]:
    """Check one file and say what adding it would do (nothing is written)."""
    from corpus.ingest import extract

    name = check_file_name(item.name)
    doc_id = item.doc_id or slug_id(name)
    if not doc_id:
        raise DocumentRejected("bad_name", f"{name}: no document id can be made from it; give --id")
    why = valid_id(doc_id)
    if why is not None:
        raise DocumentRejected("bad_name", why)
    try:
        extracted = extract(
            item.data, name=name, title=item.title, lang=item.lang, limits=_limits(settings)
        )
    except DocumentRejected as exc:
        raise DocumentRejected(exc.code, f"{name}: {exc.message}") from None
    meta = StoredDocument(
        id=doc_id,
        title=extracted.title,
        lang=extracted.lang,
        kind=str(extracted.kind),
        source=name,
        sha256=hashlib.sha256(item.data).hexdigest(),
        size=len(item.data),
        added_at=datetime.now(UTC).isoformat(timespec="seconds"),
        passages=0,
    )
    doc = AddedDocument(meta, item.data)
    count = len(added_passages(doc, settings.max_words))
    if count == 0:
        raise DocumentRejected("no_text", f"{name}: no passage of text could be read from it")
    meta = replace(meta, passages=count)
    old = store_docs.get(doc_id)
    if old is not None and (old.sha256, old.title, old.lang) == (
        meta.sha256,
        meta.title,
        meta.lang,
    ):
        return AddedDocument(old, item.data), Change(doc_id, "unchanged", old.title, count, name)
    status: Literal["added", "replaced"] = "added" if old is None else "replaced"
    return AddedDocument(meta, item.data), Change(doc_id, status, meta.title, count, name)


def add_documents(
    settings: Settings,
    items: Sequence[Incoming],
    *,
    encoders: Mapping[str, Encoder] | None = None,
    progress: bool = False,
) -> tuple[list[Change], Manifest | None]:
    """Add or replace ``items`` and publish a new index version with them (none when
    every item is unchanged). Every item is checked before anything is changed.

    Raises:
        DocumentRejected: an item cannot be taken in (nothing was changed).
        BuildError: another change is running, or the build failed (nothing changed).
    """
    store = DocumentStore(settings.data_dir)
    with build_lock(settings.data_dir):
        store.clean()
        current = {d.id: d for d in store.list()}
        prepared: dict[str, tuple[AddedDocument, Change]] = {}
        for item in items:
            doc, change = _prepare(item, current, settings)
            if doc.meta.id in prepared:
                raise DocumentRejected(
                    "bad_name",
                    f"{item.name}: two files would both be document {doc.meta.id!r}; give --id",
                )
            prepared[doc.meta.id] = (doc, change)
        changes = [c for _, c in prepared.values()]
        if all(c.status == "unchanged" for c in changes):
            return changes, None
        added = [a for a in read_added(settings.data_dir) if a.meta.id not in prepared]
        added += [doc for doc, _ in prepared.values()]
        staged = {
            doc.meta.id: store.stage(doc.meta, doc.data)
            for doc, change in prepared.values()
            if change.status != "unchanged"
        }
        try:
            manifest = _publish(settings, added, encoders, progress)
        except BaseException:
            for path in staged.values():
                store.discard(path)
            raise
        for doc_id, path in staged.items():
            store.commit(path, doc_id)
        return changes, manifest


def _publish(
    settings: Settings,
    added: Sequence[AddedDocument],
    encoders: Mapping[str, Encoder] | None,
    progress: bool,
) -> Manifest:
    """A new index version of the bundled corpus with ``added``; the caller holds the
    build lock."""
    return build_index(
        settings,
        progress=progress,
        encoders=encoders,
        corpus=_bundled(settings),
        added=added,
        lock=False,
    )


def remove_document(
    settings: Settings,
    doc_id: str,
    *,
    encoders: Mapping[str, Encoder] | None = None,
    progress: bool = False,
) -> tuple[Change, Manifest]:
    """Remove an added document and publish a new index version without it.

    Raises:
        NotFound: no added document has this id (bundled documents cannot be removed).
        BuildError: another change is running, or the build failed (nothing changed).
    """
    store = DocumentStore(settings.data_dir)
    with build_lock(settings.data_dir):
        store.clean()
        doc = store.get(doc_id)
        if doc is None:
            why = valid_id(doc_id)
            if why is not None and "bundled" in why:
                raise NotFound(f"{doc_id!r} is a bundled document: only added ones can be removed")
            raise NotFound(f"no added document with id {doc_id!r}")
        added = [a for a in read_added(settings.data_dir) if a.meta.id != doc_id]
        manifest = _publish(settings, added, encoders, progress)
        store.remove(doc_id)
        return Change(doc_id, "removed", doc.title, doc.passages, doc.source), manifest


def list_documents(settings: Settings) -> list[dict[str, object]]:
    """The bundled documents and the added ones: id, title, source file, language,
    added-at (None for bundled ones) and passage count (for bundled ones, as the
    published index holds them; None when there is none)."""
    from corpus import DOCUMENTS

    rows: list[dict[str, object]] = [
        {
            "id": d.id,
            "title": d.title,
            "source": d.file,
            "lang": d.lang,
            "added_at": None,
            "passages": None,
            "bundled": True,
        }
        for d in DOCUMENTS
    ]
    rows += [
        {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "lang": d.lang,
            "added_at": d.added_at,
            "passages": d.passages,
            "bundled": False,
        }
        for d in DocumentStore(settings.data_dir).list()
    ]
    path = current_dir(settings.data_dir) / "records.sqlite"
    try:
        passages = read_records(path)["passages"] if path.is_file() else []
    except Exception:  # a damaged index: the store still answers
        passages = []
    counts: dict[str, int] = {}
    for p in passages:
        for d in p["doc_ids"]:
            counts[d] = counts.get(d, 0) + 1
    for row in rows:
        if row["bundled"] and passages:
            row["passages"] = counts.get(str(row["id"]), 0)
    return rows
