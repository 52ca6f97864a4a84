"""Reading the published Milvus version back: the manifest, the records, and the
seam's search objects (index.milvus.search) for the engine.

Everything a query node needs is in Milvus — records included — so a cluster's
query nodes share no data dir; each keeps the records in memory as the embedded
backend does (hydration, collapse and filters read them there).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from index.load import LoadedIndex
from index.manifest import Manifest
from index.milvus.client import connect, milvus_errors, milvus_uri
from index.milvus.schema import META_KEY, collection_names
from index.milvus.search import MilvusLexical, MilvusVectors
from index.milvus.write import published
from practice_search.config import Settings
from practice_search.errors import IndexCorrupt, IndexMissing

__all__ = ["read_milvus_index", "read_milvus_manifest"]

_PAGE = 4096
_MAX_ROWS = 16_384


def _meta(client: Any, settings: Settings) -> str:
    uri = milvus_uri(settings)
    with milvus_errors(uri, "reading the alias"):
        meta = published(client, settings.milvus_collection)
        if meta is None:
            raise IndexMissing(
                f"no index in Milvus at {uri} (no alias {settings.milvus_collection}): "
                "run `practice-search build`"
            )
        client.load_collection(meta)
    return meta


def _manifest(client: Any, uri: str, meta: str) -> Manifest:
    with milvus_errors(uri, "reading the manifest"):
        rows = client.get(meta, ids=[META_KEY], output_fields=["data"])
    if not rows:
        raise IndexCorrupt(f"Milvus collection {meta} has no manifest: run `practice-search build`")
    return Manifest.from_json(str(rows[0]["data"]), meta)


def read_milvus_manifest(settings: Settings) -> Manifest:
    """The published version's manifest (IndexMissing if nothing was built)."""
    client = connect(settings)
    try:
        return _manifest(client, milvus_uri(settings), _meta(client, settings))
    finally:
        client.close()


def _scan(client: Any, uri: str, name: str, fields: list[str], expr: str) -> list[dict[str, Any]]:
    """Every row of ``name`` matching ``expr`` (Milvus caps one query at 16,384 rows)."""
    with milvus_errors(uri, f"reading {name}"):
        return list(client.query(name, filter=expr, output_fields=fields, limit=_MAX_ROWS))


def _records(client: Any, uri: str, name: str, count: int) -> list[Any]:
    rows: list[dict[str, Any]] = []
    for start in range(0, count, _PAGE):  # by row ranges: no deep offsets
        expr = f"row >= {start} and row < {start + _PAGE}"
        rows += _scan(client, uri, name, ["row", "record"], expr)
    rows.sort(key=lambda r: int(r["row"]))
    if [int(r["row"]) for r in rows] != list(range(count)):
        raise IndexCorrupt(f"Milvus collection {name} holds {len(rows)} rows, expected {count}")
    return [json.loads(r["record"]) for r in rows]


def _parts(client: Any, uri: str, meta: str, part: str, count: int) -> dict[str, Any]:
    """The documents or practices of the meta collection, in their order (keyed
    ``part:00000042``), a page of keys at a time (one query returns 16,384 rows)."""
    rows: list[dict[str, Any]] = []
    for start in range(0, count, _PAGE):
        expr = f'key >= "{part}:{start:08d}" and key < "{part}:{start + _PAGE:08d}"'
        rows += _scan(client, uri, meta, ["key", "data"], expr)
    if len(rows) != count:
        raise IndexCorrupt(f"Milvus collection {meta} holds {len(rows)} {part}, expected {count}")
    recs = [json.loads(r["data"]) for r in sorted(rows, key=lambda r: str(r["key"]))]
    return {rec["id"]: rec for rec in recs}


def read_milvus_index(settings: Settings) -> LoadedIndex:
    """The published version, ready for the engine (encoders not loaded yet)."""
    client = connect(settings)
    try:
        return _read(client, settings)
    except BaseException:  # the engine owns the client only once the index is read
        client.close()
        raise


def _read(client: Any, settings: Settings) -> LoadedIndex:
    uri = milvus_uri(settings)
    meta = _meta(client, settings)
    manifest = _manifest(client, uri, meta)
    version = meta[len(settings.milvus_collection) + 1 : -len("_meta")]
    names = collection_names(settings.milvus_collection, version)
    with milvus_errors(uri, "loading the collections"):
        for kind in ("passages", "checklist"):
            client.load_collection(names[kind], replica_number=settings.milvus_replicas)
    parts = {
        part: _parts(client, uri, meta, part, manifest.counts.get(part, 0))
        for part in ("documents", "practices")
    }
    records = {
        kind: _records(client, uri, names[kind], manifest.counts.get(kind, 0))
        for kind in ("passages", "checklist")
    }
    groups = {
        kind: {
            lang: np.flatnonzero(np.array([(r.get("lang") or "") == lang for r in recs], bool))
            for lang in sorted({r.get("lang") or "" for r in recs})
        }
        for kind, recs in records.items()
    }
    vectors = {
        info.name: {
            kind: MilvusVectors(
                client,
                uri,
                names[kind],
                info.name,
                info.dim,
                len(records[kind]),
                manifest.vector_spec(kind),
                groups[kind],
                ef_search=settings.hnsw_ef_search,
                nprobe=settings.ivf_nprobe,
            )
            for kind in records
        }
        for info in manifest.encoders
    }
    lexical = {
        lang: {
            kind: MilvusLexical(client, uri, names[kind], lang, len(records[kind]), groups[kind])
            for kind in records
        }
        for lang in manifest.lexical_langs
    }
    return LoadedIndex(
        manifest=manifest,
        documents=parts["documents"],
        practices=parts["practices"],
        records=records,
        vectors=vectors,
        lexical=lexical,
    )
