"""``practice-search export-to-milvus``: an embedded index (a data dir) copied into
Milvus as a new version behind the alias, without embedding anything again — the
migration path from one machine to a cluster (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from index.build import KINDS, current_dir
from index.integrity import RECORDS
from index.load import _read_files, read_manifest
from index.manifest import Manifest
from index.milvus.build import publish
from index.store import read_records
from practice_search.config import Settings

__all__ = ["export_to_milvus", "lexical_text"]


def lexical_text(kind: str, record: Mapping[str, Any], with_context: bool) -> str:
    """What the lexical index read for a record (``embed_text`` of corpus.records)."""
    if kind == "checklist":
        title = f"{record['dimension']}. {record['question']}"
        return f"{title}\n{record['text']}" if with_context else str(record["text"])
    context = record.get("context") or ""
    return f"{context}\n{record['text']}" if with_context and context else str(record["text"])


def export_to_milvus(source: Settings, target: Settings) -> Manifest:
    """Copy the index published in ``source.data_dir`` (embedded backend) to the Milvus
    backend of ``target``; returns the manifest stored with it.

    Raises:
        IndexMissing, IndexStale, IndexCorrupt: the source index cannot be read.
        BuildError: writing to Milvus failed; the alias still points where it did.
    """
    source = source.model_copy(update={"backend": "embedded"})
    target = target.model_copy(update={"backend": "milvus"})
    manifest = read_manifest(source)
    index = _read_files(source, manifest)  # verified against the manifest's checksums
    records = read_records(current_dir(source.data_dir) / RECORDS)
    texts = {
        kind: [lexical_text(kind, r, manifest.context_in_embedding) for r in records[kind]]
        for kind in KINDS
    }

    def kind_vectors(kind: str) -> dict[str, np.ndarray]:
        return {
            name: by_kind[kind].rows(0, by_kind[kind].size)
            for name, by_kind in index.vectors.items()
        }

    copy = Manifest.from_json(manifest.to_json(), "manifest")
    copy.files = {}  # the files stay behind: Milvus holds the data
    return publish(target, records, kind_vectors, texts, copy)
