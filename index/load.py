"""Load a published index and check it against the corpus and the settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, cast, overload

import numpy as np

from corpus import CHUNKING_VERSION, corpus_hash
from corpus.records import ChecklistRecord, DocumentRecord, PassageRecord, PracticeRecord
from corpus.userdocs import DocumentStore, documents_hash
from index.backend import LexicalSearch, VectorSearch
from index.build import KINDS, current_dir, encoder_file, lexical_dir
from index.encoders import Encoder, EncoderFactory, create_encoder, encoder_args
from index.integrity import (
    BM25_FILES,
    MANIFEST,
    RECORDS,
    check_files,
    check_lexical,
    check_records,
    clean_reason,
    corrupt,
)
from index.lexical import LexicalIndex, LexicalLang
from index.manifest import FORMAT_VERSION, Manifest
from index.store import read_records
from index.vectors import FaissVectorIndex, choose_spec
from practice_search.config import Settings
from practice_search.errors import IndexCorrupt, IndexMissing, IndexStale

__all__ = [
    "LoadedIndex",
    "RowsByKind",
    "check_fresh",
    "check_index_files",
    "load_index",
    "needed_files",
    "read_manifest",
    "verify_index",
]


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
    vectors: Mapping[str, Mapping[str, VectorSearch]]  # encoder -> kind -> index
    lexical: Mapping[str, Mapping[str, LexicalSearch]]  # lang -> kind -> index
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


def _index_root(settings: Settings) -> Path:
    root = current_dir(settings.data_dir)
    if root.is_symlink() and not root.exists():
        raise IndexCorrupt(
            "the index folder `current` points to a build that is missing; "
            "the index is damaged: run `practice-search build`"
        )
    if not root.exists():
        raise IndexMissing(
            f"no index in {settings.data_dir.resolve()}: run `practice-search build`"
        )
    return root


def read_manifest(settings: Settings) -> Manifest:
    """The published index's manifest (IndexMissing if nothing was built, IndexCorrupt if
    the manifest is missing from the index folder or unreadable)."""
    if settings.backend == "milvus":  # the manifest is stored with the collections
        from index.milvus.load import read_milvus_manifest

        return read_milvus_manifest(settings)
    path = _index_root(settings) / MANIFEST
    try:
        return Manifest.load(path)
    except FileNotFoundError:
        raise IndexCorrupt(
            f"manifest {MANIFEST} is missing from the index folder; "
            "the index is damaged: run `practice-search build`"
        ) from None


def needed_files(manifest: Manifest) -> list[str]:
    """The files the loader reads, relative to the index folder."""
    out = [RECORDS]
    for info in manifest.encoders:
        out += [encoder_file(Path(), info.name, kind).as_posix() for kind in KINDS]
    for lang in manifest.lexical_langs:
        for kind in KINDS:
            out += [(lexical_dir(Path(), lang, kind) / name).as_posix() for name in BM25_FILES]
    return out


def check_index_files(settings: Settings, manifest: Manifest, *, full: bool = True) -> None:
    """Every file the index needs is listed in the manifest and present with its size
    and (``full``) its SHA-256. Raises IndexStale for an index built before checksums,
    IndexCorrupt for a damaged one. A Milvus index has no files: nothing to check."""
    if settings.backend == "milvus":
        return
    if manifest.format_version < FORMAT_VERSION or not manifest.files:
        raise IndexStale(
            "index is stale: it was built before file checksums were recorded "
            f"(index format {manifest.format_version}, this version reads {FORMAT_VERSION}). "
            "Run `practice-search build`."
        )
    check_files(_index_root(settings), manifest.files, needed_files(manifest), full=full)


def check_fresh(manifest: Manifest, settings: Settings) -> None:
    """Raise IndexStale naming every way the index differs from corpus and settings."""
    problems = []
    if manifest.format_version != FORMAT_VERSION:
        older = ", built before file checksums" if manifest.format_version < 2 else ""
        problems.append(
            f"index format {manifest.format_version}{older} (this version reads {FORMAT_VERSION})"
        )
    added = DocumentStore(settings.data_dir).list()  # the added documents count too
    if manifest.corpus_hash != documents_hash(corpus_hash(), added):
        problems.append("the corpus changed since the build (bundled or added documents)")
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


@contextlib.contextmanager
def _reading(rel: str) -> Iterator[None]:
    """Any failure to parse ``rel`` becomes an IndexCorrupt naming it, in one line."""
    try:
        yield
    except (IndexCorrupt, IndexStale):
        raise
    except Exception as exc:
        cause = exc.__cause__ if isinstance(exc, IndexCorrupt) and exc.__cause__ else exc
        raise corrupt(rel, f"cannot be read ({clean_reason(cause)})") from exc


def _read_files(settings: Settings, manifest: Manifest, *, full: bool = True) -> LoadedIndex:
    """Verify the files against the manifest, read them, and check that they agree with
    each other and with the manifest (what checksums miss if it was edited too).
    A Milvus index is read from its collections (index.milvus.load)."""
    if settings.backend == "milvus":
        from index.milvus.load import read_milvus_index

        return read_milvus_index(settings)
    check_index_files(settings, manifest, full=full)
    root = _index_root(settings)
    with _reading(RECORDS):
        records = read_records(root / RECORDS)
        check_records(records, manifest.counts)
    kinds = {"passages": records["passages"], "checklist": records["checklist"]}
    vectors: dict[str, dict[str, FaissVectorIndex]] = {}
    for info in manifest.encoders:
        vectors[info.name] = {}
        for kind in KINDS:
            path = encoder_file(root, info.name, kind)
            rel = path.relative_to(root).as_posix()
            with _reading(rel):
                vec = FaissVectorIndex.load(
                    path, ef_search=settings.hnsw_ef_search, nprobe=settings.ivf_nprobe
                )
            wanted = manifest.vector_spec(kind).type
            if vec.index_type != wanted:
                raise corrupt(rel, f"is a {vec.index_type} index, manifest says {wanted}")
            if vec.size != len(kinds[kind]) or vec.dim != info.dim:
                raise corrupt(
                    rel,
                    f"holds {vec.size}x{vec.dim} vectors, expected {len(kinds[kind])}x{info.dim} "
                    f"({kind} records x {info.name} dimension)",
                )
            vectors[info.name][kind] = vec
    lexical: dict[str, dict[str, LexicalIndex]] = {}
    for lang in manifest.lexical_langs:
        lexical[lang] = {}
        for kind in KINDS:
            folder = lexical_dir(root, lang, kind)
            rel = folder.relative_to(root).as_posix() + "/"
            with _reading(rel):
                lex = LexicalIndex.load(folder, LexicalLang(lang))
                check_lexical(rel, *lex.postings(), len(kinds[kind]))
            lexical[lang][kind] = lex
    return LoadedIndex(
        manifest=manifest,
        documents={d["id"]: d for d in records["documents"]},
        practices={p["id"]: p for p in records["practices"]},
        records=kinds,
        vectors=vectors,
        lexical=lexical,
    )


def verify_index(settings: Settings, *, full: bool = True) -> Manifest:
    """Check the published index without loading encoders: fresh for ``settings``, every
    file as the manifest lists it; with ``full``, also every SHA-256 and the structure
    of the data (what :func:`load_index` checks). Without ``full``, only presence and
    sizes (a stat per file). Raises IndexMissing, IndexStale or IndexCorrupt."""
    manifest = read_manifest(settings)
    check_fresh(manifest, settings)
    if full:
        _read_files(settings, manifest)
    else:
        check_index_files(settings, manifest, full=False)
    return manifest


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
    index = _read_files(settings, manifest)
    loaded = dict(encoders or {})
    for info in manifest.encoders:
        if info.name not in loaded:
            loaded[info.name] = encoder_factory(info.name, **encoder_args(settings))
    for info in manifest.encoders:
        dim = loaded[info.name].info.dim
        if dim and dim != info.dim:  # some encoders cannot say their width before encoding
            raise IndexStale(
                f"index is stale: encoder {info.name} gives {dim}-dimensional vectors, the "
                f"index holds {info.dim}. Run `practice-search build`."
            )
    index.encoders = loaded
    return index
