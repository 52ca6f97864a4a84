"""Integrity of a published index: the files the manifest lists, and what the loaded
data must satisfy whatever the manifest says.

A build records the size and SHA-256 of every file it wrote (:func:`checksum_files`);
loading compares them (:func:`check_files`) before any file is parsed, so tampered or
damaged bytes never reach FAISS, bm25s or SQLite. The structural checks
(:func:`check_records`, :func:`check_lexical`) catch what checksums cannot when the
manifest itself was edited. Every failure is an :class:`IndexCorrupt` whose message is
one line naming the file relative to the index folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.records import ChecklistRecord, DocumentRecord, PassageRecord, PracticeRecord
from practice_search.errors import IndexCorrupt

__all__ = [
    "BM25_FILES",
    "MANIFEST",
    "RECORDS",
    "check_files",
    "check_lexical",
    "check_records",
    "checksum_files",
    "clean_reason",
    "corrupt",
]

MANIFEST = "manifest.json"
RECORDS = "records.sqlite"
# what bm25s writes into, and reads back from, one lexical folder
BM25_FILES = (
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
    "params.index.json",
    "vocab.index.json",
)
_SCHEMAS: dict[str, Any] = {
    "documents": DocumentRecord,
    "practices": PracticeRecord,
    "passages": PassageRecord,
    "checklist": ChecklistRecord,
}
_ABSOLUTE = re.compile(r"(?:^|(?<=[\s'\"(=]))(?:[A-Za-z]:)?[/\\][^\s'\"():,]*")
_SOURCE_AT = re.compile(r"\s+(?:in|at)\s+\S*\.(?:cpp|cc|c|h|hpp|py)\S*", re.IGNORECASE)


def _role(rel: str) -> str:
    if rel.startswith("vectors/"):
        return "vector index"
    if rel.startswith("lexical/"):
        return "BM25 index"
    if rel == RECORDS:
        return "record store"
    return "index file"


def clean_reason(exc: BaseException) -> str:
    """One line about ``exc`` without absolute paths or a library's source location."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = _SOURCE_AT.sub("", text)
    text = _ABSOLUTE.sub("<path>", text)
    text = text[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def corrupt(rel: str, problem: str) -> IndexCorrupt:
    """The error for a damaged file ``rel`` (relative to the index folder)."""
    return IndexCorrupt(
        f"{_role(rel)} {rel} {problem}; the index is damaged: run `practice-search build`"
    )


def _files_under(root: Path) -> Iterable[Path]:
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.relative_to(root).as_posix() != MANIFEST:
                yield path


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def checksum_files(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under ``root`` but the manifest: relative path -> size and SHA-256."""
    return {
        path.relative_to(root).as_posix(): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in _files_under(root)
    }


def check_files(
    root: Path,
    listed: Mapping[str, Mapping[str, Any]],
    needed: Sequence[str],
    *,
    full: bool = True,
) -> None:
    """Every file the loader ``needed`` is listed, every listed file is there with its
    size, and (``full``) its SHA-256. Raises IndexCorrupt naming the first bad file."""
    for rel in needed:
        if rel not in listed:
            raise corrupt(rel, "is not listed in manifest.json")
    for rel, entry in listed.items():
        path = root / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise IndexCorrupt(f"manifest.json lists a file outside the index folder: {rel}")
        try:
            if not path.is_file():
                problem = "is missing" if not path.exists() else "is not a regular file"
                raise corrupt(rel, problem)
            size = path.stat().st_size
            if size != entry.get("size"):
                raise corrupt(rel, f"has {size} bytes, the manifest says {entry.get('size')}")
            if full and _sha256(path) != entry.get("sha256"):
                raise corrupt(rel, "changed since the build (its SHA-256 is not the manifest's)")
        except OSError as exc:
            raise corrupt(rel, f"cannot be read ({clean_reason(exc)})") from exc


def _checker(hint: Any) -> Callable[[Any], bool]:
    """A predicate for values of the type ``hint`` (the few shapes records use)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_checker(h) for h in typing.get_args(hint)]
        return lambda v: any(p(v) for p in parts)
    if hint is type(None):
        return lambda v: v is None
    if origin is list:
        return lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
    if origin is dict:
        return lambda v: isinstance(v, dict)
    if hint is str:
        return lambda v: isinstance(v, str)
    return lambda v: True  # a Literal or alias: its presence is enough here


def _fields(schema: Any) -> list[tuple[str, Callable[[Any], bool]]]:
    """Each field of a record type with a predicate its values must pass (``id`` and
    ``text`` must also be non-blank: the retriever matches and shows them)."""
    out = []
    for name, hint in typing.get_type_hints(schema).items():
        check = _checker(hint)
        if name in ("id", "text"):
            out.append((name, lambda v: isinstance(v, str) and bool(v.strip())))
        else:
            out.append((name, check))
    return out


def _problem(rec: Any, fields: list[tuple[str, Callable[[Any], bool]]]) -> str | None:
    if not isinstance(rec, dict):
        return "is not an object"
    for name, check in fields:
        if name not in rec or not check(rec[name]):
            return f"has no valid '{name}'"
    return None


def check_records(records: Mapping[str, Sequence[Any]], counts: Mapping[str, int]) -> None:
    """Every record has the fields its type names (with non-empty ``id`` and ``text``),
    ids are unique, references resolve, and each table holds the manifest's count."""
    where = f"record store {RECORDS}"
    for table, schema in _SCHEMAS.items():
        rows = records[table]
        if len(rows) != counts.get(table):
            raise IndexCorrupt(
                f"{where}: {len(rows)} {table} records, manifest.json says {counts.get(table)}; "
                "the index is damaged: run `practice-search build`"
            )
        fields = _fields(schema)
        seen: set[str] = set()
        for row, rec in enumerate(rows, start=1):
            bad = _problem(rec, fields)
            if bad is None and rec["id"] in seen:
                bad = f"repeats id {rec['id']}"
            if bad:
                raise IndexCorrupt(
                    f"{where}: {table} row {row} {bad}; "
                    "the index is damaged: run `practice-search build`"
                )
            seen.add(rec["id"])
    docs = {d["id"] for d in records["documents"]}
    practices = {p["id"] for p in records["practices"]}
    refs = [
        *(("practices", p["id"], d, docs) for p in records["practices"] for d in p["doc_ids"]),
        *(("passages", p["id"], d, docs) for p in records["passages"] for d in p["doc_ids"]),
        *(
            ("passages", p["id"], p["practice_id"], practices)
            for p in records["passages"]
            if p["practice_id"] is not None
        ),
        *(("checklist", c["id"], m, practices) for c in records["checklist"] for m in c["marks"]),
    ]
    for table, rid, target, known in refs:
        if target not in known:
            raise IndexCorrupt(
                f"{where}: {table} record {rid} refers to {target}, which the index lacks; "
                "the index is damaged: run `practice-search build`"
            )


def check_lexical(rel: str, scores: Mapping[str, Any], top_term: int, docs: int) -> None:
    """A BM25 index's postings (CSC: ``indptr`` by term id, ``indices`` = document rows)
    reach every term id up to ``top_term`` and cover exactly ``docs`` documents."""
    data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
    problem = None
    if int(scores.get("num_docs", -1)) != docs:
        problem = f"holds {scores.get('num_docs')} documents, the record store {docs}"
    elif indptr.ndim != 1 or indptr.size < top_term + 2 or (indptr.size and indptr[0] != 0):
        problem = f"has {indptr.size} posting offsets for term ids up to {top_term}"
    elif np.any(np.diff(indptr) < 0) or indptr[-1] != data.size or data.size != indices.size:
        problem = "has posting offsets that do not match its postings"
    elif indices.size and (indices.min() < 0 or indices.max() >= docs):
        problem = "has postings for documents it does not hold"
    elif not np.all(np.isfinite(data)):
        problem = "has scores that are not numbers"
    if problem:
        raise corrupt(rel, problem)
