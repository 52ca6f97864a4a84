"""Load a published index and check it against the corpus and the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, cast, overload

import numpy as np

from corpus import CHUNKING_VERSION, corpus_hash
from corpus.records import ChecklistRecord, DocumentRecord, PassageRecord, PracticeRecord
from index.build import KINDS, current_dir, encoder_file, lexical_dir
from index.encoders import Encoder, EncoderFactory, create_encoder, encoder_args
from index.lexical import LexicalIndex, LexicalLang
from index.manifest import FORMAT_VERSION, Manifest
from index.store import read_records
from index.vectors import FaissVectorIndex, choose_spec
from practice_search.config import Settings
from practice_search.errors import IndexCorrupt, IndexMissing, IndexStale

__all__ = ["LoadedIndex", "RowsByKind", "check_fresh", "load_index", "read_manifest"]


class RowsByKind(Protocol):
    """The searchable records by kind, each list in index row order (a plain dict):
    ``rows["passages"]`` are passage records, ``rows["checklist"]`` checklist records."""

    @overload
    def __getitem__(self, kind: Literal["passages"], /) -> list[PassageRecord]: ...
    @overload
    def __getitem__(self, kind: Literal["checklist"], /) -> list[ChecklistRecord]: ...
    @overload
    def __getitem__(self, kind: str, /) -> list[PassageRecord] | list[ChecklistRecord]: ...


@dataclass
class LoadedIndex:
    """Everything a query needs, in memory and read-only after loading."""

    manifest: Manifest
    documents: dict[str, DocumentRecord]
    practices: dict[str, PracticeRecord]
    records: RowsByKind
    vectors: dict[str, dict[str, FaissVectorIndex]]  # encoder -> kind -> index
    lexical: dict[str, dict[str, LexicalIndex]]  # lang -> kind -> index
    encoders: dict[str, Encoder] = field(default_factory=dict)
    row_of: dict[str, tuple[str, int]] = field(default_factory=dict)  # record id -> (kind, row)

    def __post_init__(self) -> None:
        self.row_of = {
            r["id"]: (kind, i) for kind in KINDS for i, r in enumerate(self.records[kind])
        }

    def facet(self, kind: str, name: str) -> np.ndarray:
        """Per-row values of one filterable field (``doc`` rows hold lists)."""
        rows = self.records[kind]
        if name == "doc":
            # a passage names its documents; a checklist item is in those of the
            # practices that mark it
            docs = [
                tuple(cast(PassageRecord, r)["doc_ids"])
                if "doc_ids" in r
                else tuple(
                    sorted({d for pid in r["marks"] for d in self.practices[pid]["doc_ids"]})
                )
                for r in rows
            ]
            out = np.empty(len(docs), dtype=object)
            out[:] = docs
            return out
        return np.array([r.get(name) or "" for r in rows], dtype=object)


def read_manifest(settings: Settings) -> Manifest:
    root = current_dir(settings.data_dir)
    if not (root / "manifest.json").exists():
        raise IndexMissing(
            f"no index in {settings.data_dir.resolve()}: run `practice-search build`"
        )
    return Manifest.load(root / "manifest.json")


def check_fresh(manifest: Manifest, settings: Settings) -> None:
    """Raise IndexStale naming every way the index differs from corpus and settings."""
    problems = []
    if manifest.format_version != FORMAT_VERSION:
        problems.append(
            f"index format {manifest.format_version} (this version reads {FORMAT_VERSION})"
        )
    if manifest.corpus_hash != corpus_hash():
        problems.append("the corpus changed since the build")
    if manifest.chunking_version != CHUNKING_VERSION:
        problems.append(f"chunking version {manifest.chunking_version} (now {CHUNKING_VERSION})")
    if manifest.max_words != settings.max_words:
        problems.append(f"max_words {manifest.max_words} (settings say {settings.max_words})")
    if manifest.context_in_embedding != settings.context_in_embedding:
        problems.append("context_in_embedding differs from the settings")
    built = [e.name for e in manifest.encoders]
    if built != list(settings.encoders):
        problems.append(f"encoders {built} (settings say {list(settings.encoders)})")
    if bool(manifest.lexical_langs) != settings.lexical:
        problems.append("lexical channel differs from the settings")
    for kind in KINDS:
        built_spec = manifest.vector_spec(kind)
        wanted = choose_spec(manifest.counts.get(kind, 0), settings.index_type, settings.hnsw_m)
        if built_spec != wanted:
            problems.append(
                f"{kind} vector index {built_spec.describe()} (settings want {wanted.describe()})"
            )
    if problems:
        raise IndexStale(
            "index is stale: " + "; ".join(problems) + ". Run `practice-search build`."
        )


def load_index(
    settings: Settings,
    encoders: Mapping[str, Encoder] | None = None,
    *,
    check: bool = True,
    encoder_factory: EncoderFactory = create_encoder,
) -> LoadedIndex:
    """Load the published index and the query encoders (those ``encoders`` does not give
    are built by ``encoder_factory``).

    Raises:
        IndexMissing: nothing was built yet.
        IndexStale: built from another corpus, chunking or encoder set.
        IndexCorrupt: files are unreadable or disagree with each other.
        ModelNotAvailable: an encoder the index needs is not installed.
    """
    manifest = read_manifest(settings)
    if check:
        check_fresh(manifest, settings)
    root = current_dir(settings.data_dir)
    records = read_records(root / "records.sqlite")
    kinds = {"passages": records["passages"], "checklist": records["checklist"]}
    for kind, rows in kinds.items():
        if len(rows) != manifest.counts.get(kind):
            raise IndexCorrupt(
                f"{kind}: {len(rows)} records, manifest says {manifest.counts.get(kind)}"
            )
    vectors: dict[str, dict[str, FaissVectorIndex]] = {}
    for info in manifest.encoders:
        vectors[info.name] = {}
        for kind in KINDS:
            path = encoder_file(root, info.name, kind)
            if not path.exists():
                raise IndexCorrupt(f"missing vector file {path.name}")
            vec = FaissVectorIndex.load(
                path, ef_search=settings.hnsw_ef_search, nprobe=settings.ivf_nprobe
            )
            if vec.index_type != manifest.vector_spec(kind).type:
                raise IndexCorrupt(
                    f"{path.name}: a {vec.index_type} index, manifest says "
                    f"{manifest.vector_spec(kind).type}"
                )
            if vec.size != len(kinds[kind]) or vec.dim != info.dim:
                raise IndexCorrupt(
                    f"{path.name}: {vec.size}x{vec.dim} vectors, expected "
                    f"{len(kinds[kind])}x{info.dim}"
                )
            vectors[info.name][kind] = vec
    lexical = {
        lang: {
            kind: LexicalIndex.load(lexical_dir(root, lang, kind), LexicalLang(lang))
            for kind in KINDS
        }
        for lang in manifest.lexical_langs
    }
    loaded = dict(encoders or {})
    for info in manifest.encoders:
        if info.name not in loaded:
            loaded[info.name] = encoder_factory(info.name, **encoder_args(settings))
    return LoadedIndex(
        manifest=manifest,
        documents={d["id"]: d for d in records["documents"]},
        practices={p["id"]: p for p in records["practices"]},
        records=kinds,
        vectors=vectors,
        lexical=lexical,
        encoders=loaded,
    )
