"""Writing one index version into Milvus and publishing it by switching the alias.

A version's collections are created, filled a result kind at a time, flushed and
loaded; only then does the alias (``settings.milvus_collection``) move to its meta
collection, in one ``alter_alias`` call. A build that fails or is killed before that
leaves the alias — the index being served — where it was; its half-written
collections are dropped by the next build (:func:`drop_unpublished`).

A running service reads the collections of the version it loaded, by name: the
version the alias left (recorded in the new version's meta collection, row
``previous``) is kept until the build after, so services not yet restarted keep
answering; older versions are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from index.manifest import Manifest
from index.milvus.schema import (
    MAX_TEXT,
    META_KEY,
    PREVIOUS_KEY,
    collection_names,
    index_params,
    kind_schema,
    meta_index_params,
    meta_schema,
    terms_field,
    vector_field,
)
from index.vectors import VectorIndexSpec
from practice_search.config import Settings
from practice_search.errors import BuildError

__all__ = [
    "create_version",
    "drop_unpublished",
    "insert_kind",
    "insert_meta",
    "published",
    "switch_alias",
]

_CHUNK = 512  # rows per insert call (a 768-d float row is 3 KB)


def published(client: Any, alias: str) -> str | None:
    """The meta collection the alias points to, or None if there is no alias yet."""
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return str(client.describe_alias(alias)["collection_name"])


def create_version(
    client: Any,
    settings: Settings,
    version: str,
    dims: Mapping[str, int],
    langs: list[str],
    specs: Mapping[str, VectorIndexSpec],
) -> dict[str, str]:
    """Create the (empty) collections of a new version; returns them by part."""
    names = collection_names(settings.milvus_collection, version)
    for kind in ("passages", "checklist"):
        client.create_collection(
            names[kind],
            schema=kind_schema(dict(dims), langs),
            index_params=index_params(client, list(dims), langs, specs[kind]),
            consistency_level="Strong",
            num_shards=settings.milvus_shards,
        )
    client.create_collection(
        names["meta"],
        schema=meta_schema(),
        index_params=meta_index_params(client),
        consistency_level="Strong",
        num_shards=1,
    )
    return names


def _text(value: str, what: str) -> str:
    if len(value.encode("utf-8")) > MAX_TEXT:
        raise BuildError(f"{what} is over Milvus's {MAX_TEXT}-byte text limit")
    return value


def insert_kind(
    client: Any,
    name: str,
    records: Sequence[Mapping[str, Any]],
    vectors: Mapping[str, np.ndarray],
    terms: Mapping[str, list[str]],
) -> None:
    """Fill a result kind's collection: row = position in ``records``; ``vectors`` by
    encoder, ``terms`` (the stemmed terms of each record, space-separated) by language
    (Milvus's BM25 function fills the sparse fields from them)."""
    for start in range(0, len(records), _CHUNK):
        batch = []
        for row in range(start, min(len(records), start + _CHUNK)):
            rec = records[row]
            entry: dict[str, Any] = {
                "row": row,
                "lang": str(rec.get("lang") or ""),
                "dimension": str(rec.get("dimension") or ""),
                "record": _text(json.dumps(rec, ensure_ascii=False), f"record {rec['id']}"),
            }
            for encoder, vecs in vectors.items():
                entry[vector_field(encoder)] = vecs[row].tolist()
            for lang, texts in terms.items():
                entry[terms_field(lang)] = _text(texts[row], f"the terms of {rec['id']}")
            batch.append(entry)
        client.insert(name, batch)
    client.flush(name)


def insert_meta(
    client: Any,
    name: str,
    documents: Sequence[Mapping[str, Any]],
    practices: Sequence[Mapping[str, Any]],
    manifest: Manifest,
    previous: str | None = None,
) -> None:
    """The documents, practices and manifest of a version, and ``previous``: the meta
    collection the alias pointed to before it (kept while services still read it)."""
    # the key keeps the records' order (the catalogue lists them in it)
    rows: list[dict[str, Any]] = [
        {"key": f"{part}:{i:08d}", "part": part, "data": json.dumps(rec, ensure_ascii=False)}
        for part, recs in (("documents", documents), ("practices", practices))
        for i, rec in enumerate(recs)
    ]
    rows.append({"key": META_KEY, "part": META_KEY, "data": manifest.to_json()})
    rows.append({"key": PREVIOUS_KEY, "part": PREVIOUS_KEY, "data": previous or ""})
    for row in rows:
        _text(row["data"], f"meta row {row['key']}")
        row["_unused"] = [0.0, 0.0]
    for start in range(0, len(rows), _CHUNK):
        client.insert(name, rows[start : start + _CHUNK])
    client.flush(name)


def switch_alias(client: Any, settings: Settings, names: Mapping[str, str]) -> None:
    """Load the new version's collections, then point the alias at its meta collection
    (one call: the atomic switch)."""
    for name in names.values():
        client.load_collection(name, replica_number=settings.milvus_replicas)
    alias = settings.milvus_collection
    if published(client, alias) is None:
        client.create_alias(names["meta"], alias)
    else:
        client.alter_alias(names["meta"], alias)


def _previous(client: Any, meta: str) -> str | None:
    """The meta collection that was published before ``meta`` (None: none recorded)."""
    client.load_collection(meta)
    rows = client.get(meta, ids=[PREVIOUS_KEY], output_fields=["data"])
    return (str(rows[0]["data"]) or None) if rows else None


def drop_unpublished(client: Any, alias: str) -> list[str]:
    """Drop every collection of ``alias`` that is neither the published version's nor
    the one it replaced (older versions, and those a failed or killed build left
    half-written)."""
    meta = published(client, alias)
    metas = [m for m in (meta, _previous(client, meta) if meta else None) if m]
    keep = tuple(m[: -len("_meta")] + "_" for m in metas)
    dropped = []
    for name in client.list_collections():
        if name.startswith(f"{alias}_v") and not (keep and name.startswith(keep)):
            client.drop_collection(name)
            dropped.append(name)
    return dropped
