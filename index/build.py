"""Build the on-disk index atomically.

A build writes everything into a fresh folder under ``<data_dir>/builds/`` and
only then points the ``current`` symlink at it (``os.replace`` of a symlink is
atomic). A build that fails or is killed leaves ``current`` — the index being
served — exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from corpus import CHUNKING_VERSION, Corpus, corpus_hash, load_corpus
from corpus.added import AddedDocument, read_added, with_added
from corpus.userdocs import documents_hash
from index.distributed import Embedder, local_embedder, ray_embedder
from index.encoders import Encoder, EncoderFactory, create_encoder, encoder_args, threads
from index.integrity import checksum_files
from index.lexical import LexicalIndex, LexicalLang
from index.manifest import Manifest
from index.store import write_records
from index.vectors import FaissVectorIndex, choose_spec
from practice_search.config import Settings
from practice_search.errors import BuildError, ConfigError, PracticeSearchError

__all__ = [
    "KINDS",
    "build_index",
    "build_lock",
    "current_dir",
    "encoder_file",
    "lexical_dir",
    "write_index_files",
]

KINDS = ("passages", "checklist")


def current_dir(data_dir: Path) -> Path:
    return data_dir / "current"


def encoder_file(root: Path, encoder: str, kind: str) -> Path:
    safe = re.sub(r"[^\w.-]+", "_", encoder)
    return root / "vectors" / f"{safe}.{kind}.faiss"


def lexical_dir(root: Path, lang: str, kind: str) -> Path:
    return root / "lexical" / f"{lang}.{kind}"


@contextlib.contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """Held by whatever publishes an index or changes the added documents."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".build.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"another build is running in {data_dir}") from exc
        yield


def _records(corpus: Corpus) -> dict[str, list[Any]]:
    """The record tables of an index, each in index order."""
    return {
        "documents": [d.to_dict() for d in corpus.documents],
        "practices": [p.to_dict() for p in corpus.practices],
        "passages": [p.to_dict() for p in corpus.passages],
        "checklist": [c.to_dict() for c in corpus.checklist],
    }


def _counts(corpus: Corpus) -> dict[str, int]:
    return {
        "documents": len(corpus.documents),
        "practices": len(corpus.practices),
        "passages": len(corpus.passages),
        "checklist": len(corpus.checklist),
    }


def _prepare(
    settings: Settings,
    corpus: Corpus | None,
    added: Sequence[AddedDocument] | None,
    encoders: Mapping[str, Encoder] | None,
    encoder_factory: EncoderFactory,
    stages: dict[str, float],
) -> tuple[Corpus, str, Mapping[str, Encoder]]:
    """A build's first stages, for either backend: the bundled corpus with the added
    documents (default: the data dir's store), its hash, and the encoders."""
    t0 = time.perf_counter()
    if corpus is None:
        corpus = load_corpus(max_words=settings.max_words)
    if added is None:
        added = read_added(settings.data_dir)
    hashed = documents_hash(corpus_hash(), [a.meta for a in added])
    corpus = with_added(corpus, added, settings.max_words)
    stages["parse"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    if encoders is None:
        encoders = {n: encoder_factory(n, **encoder_args(settings)) for n in settings.encoders}
    stages["load_encoders"] = round(time.perf_counter() - t0, 2)
    return corpus, hashed, encoders


def _texts(corpus: Corpus, with_context: bool) -> dict[str, list[str]]:
    """What the lexical index reads: each record's title line and text."""
    return {
        "passages": [p.embed_text(with_context) for p in corpus.passages],
        "checklist": [c.embed_text(with_context) for c in corpus.checklist],
    }


def _titled(corpus: Corpus, with_context: bool) -> dict[str, tuple[list[str], list[str] | None]]:
    """What the encoders read: each record's text and, with context, its title."""
    return {
        kind: (
            [r.text for r in records],
            [r.title() for r in records] if with_context else None,
        )
        for kind, records in (("passages", corpus.passages), ("checklist", corpus.checklist))
    }


def write_index_files(
    root: Path,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    vectors: Mapping[str, Mapping[str, FaissVectorIndex]],
    lexical: Mapping[str, Mapping[str, LexicalIndex]],
) -> dict[str, float]:
    """Write an index's files into ``root`` in the layout :func:`index.load.load_index`
    reads: the vector indexes (encoder -> kind), the BM25 indexes (language -> kind) and
    the record store (table -> rows in index order). The manifest, which says what the
    files are, is the caller's to write after them, with their checksums
    (:func:`index.integrity.checksum_files`): the loader refuses files it does not list.

    Returns the seconds spent on each: ``vectors``, ``lexical`` and ``records``.
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    (root / "vectors").mkdir(parents=True, exist_ok=True)
    for name, by_kind in vectors.items():
        for kind, index in by_kind.items():
            index.save(encoder_file(root, name, kind))
    seconds["vectors"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for lang, lexicons in lexical.items():
        for kind, lex in lexicons.items():
            lex.save(lexical_dir(root, lang, kind))
    seconds["lexical"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_records(root / "records.sqlite", records)
    seconds["records"] = time.perf_counter() - t0
    return seconds


def _write(
    root: Path,
    corpus: Corpus,
    settings: Settings,
    encoders: Mapping[str, Encoder],
    progress: bool,
    started: float,
    stages: dict[str, float],
    hashed: str,
    version: str,
    embed: Embedder = local_embedder,
) -> Manifest:
    texts = _texts(corpus, settings.context_in_embedding)
    titled = _titled(corpus, settings.context_in_embedding)
    total = sum(len(t) for t in texts.values()) * len(encoders)

    specs = {
        kind: choose_spec(len(texts[kind]), settings.index_type, settings.hnsw_m) for kind in KINDS
    }
    cores = os.cpu_count() or 1
    vectors: dict[str, dict[str, FaissVectorIndex]] = {}
    added = 0.0  # FAISS: adding (and training, for IVF) the vectors
    ran: dict[str, int] = {}
    with tqdm(total=total, desc="embedding", unit="text", disable=not progress) as bar:
        for name, encoder in encoders.items():
            # a build is a batch job: each encoder in turn gets every core
            embedded = 0.0
            vectors[name] = {}
            # texts the model really ran on (a cached vector costs nothing); an
            # encoder that keeps no cache runs on every text
            before = getattr(encoder, "embedded_texts", None)
            with threads(encoder, cores):
                for kind in KINDS:
                    t0 = time.perf_counter()
                    vecs = embed(name, encoder, *titled[kind], bar)
                    t1 = time.perf_counter()
                    index = FaissVectorIndex.create(vecs.shape[1], specs[kind])
                    index.add(vecs)
                    vectors[name][kind] = index
                    embedded += t1 - t0
                    added += time.perf_counter() - t1
            stages[f"embed:{name}"] = round(embedded, 2)
            after = getattr(encoder, "embedded_texts", None)
            ran[name] = (
                after - before
                if isinstance(after, int) and isinstance(before, int)
                else sum(len(texts[kind]) for kind in KINDS)
            )
    t0 = time.perf_counter()
    langs = [LexicalLang.EN, LexicalLang.IT] if settings.lexical else []
    lexical: dict[str, dict[str, LexicalIndex]] = {}
    for lang in langs:
        lexical[lang.value] = {}
        for kind in KINDS:
            lex = LexicalIndex(lang)
            lex.build(texts[kind])
            lexical[lang.value][kind] = lex
    built = time.perf_counter() - t0
    written = write_index_files(
        root,
        _records(corpus),
        vectors,
        lexical,
    )
    stages["vectors"] = round(added + written["vectors"], 3)  # adding and writing
    stages["lexical"] = round(built + written["lexical"], 2)
    manifest = Manifest(
        corpus_hash=hashed,
        chunking_version=CHUNKING_VERSION,
        max_words=settings.max_words,
        context_in_embedding=settings.context_in_embedding,
        encoders=[e.info for e in encoders.values()],
        lexical_langs=[lang.value for lang in langs],
        vector_index={kind: spec.to_dict() for kind, spec in specs.items()},
        counts=_counts(corpus),
        build_seconds=round(time.perf_counter() - started, 2),
        stage_seconds={**stages, "records": round(written["records"], 3)},
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        embedded=ran,
        version=version,
        files=checksum_files(root),  # what was written, verified when it is loaded
    )
    manifest.save(root / "manifest.json")
    return manifest


def _swap(data_dir: Path, new_root: Path) -> None:
    link = current_dir(data_dir)
    previous = link.resolve() if link.is_symlink() else None
    tmp_link = data_dir / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(new_root.relative_to(data_dir), tmp_link)
    os.replace(tmp_link, link)
    if previous is not None and previous != new_root.resolve():
        shutil.rmtree(previous, ignore_errors=True)


def build_index(
    settings: Settings,
    *,
    progress: bool = True,
    encoders: Mapping[str, Encoder] | None = None,
    corpus: Corpus | None = None,
    encoder_factory: EncoderFactory = create_encoder,
    added: Sequence[AddedDocument] | None = None,
    lock: bool = True,
    ray: str | None = None,
) -> Manifest:
    """Parse the corpus, embed it with every configured encoder and publish the index.

    Args:
        settings: where to write and how to build.
        progress: show progress bars on stderr.
        encoders: already-loaded encoders by name (default: create the configured ones).
        corpus: already-parsed bundled corpus (default: parse the vendored raw files).
        encoder_factory: builds the configured encoders that ``encoders`` does not give.
        added: the added documents to index with it (default: those in the data dir's
            store, :mod:`corpus.userdocs`).
        lock: take the build lock (False: the caller holds it, :func:`build_lock`).
        ray: embed on this Ray cluster (``local``: start one here; index.distributed).

    With ``settings.backend == "milvus"`` the index is written to Milvus instead
    (:func:`index.milvus.build.build_milvus`), with the added documents too.

    Raises:
        BuildError: anything went wrong; the previously published index is untouched.
    """
    if settings.backend == "milvus":
        from index.milvus.build import build_milvus

        return build_milvus(
            settings,
            progress=progress,
            encoders=encoders,
            corpus=corpus,
            encoder_factory=encoder_factory,
            ray=ray,
            added=added,
            lock=lock,
        )
    if not lock:
        return _build(settings, progress, encoders, corpus, encoder_factory, added, ray)
    with build_lock(settings.data_dir):
        return _build(settings, progress, encoders, corpus, encoder_factory, added, ray)


def _build(
    settings: Settings,
    progress: bool,
    encoders: Mapping[str, Encoder] | None,
    corpus: Corpus | None,
    encoder_factory: EncoderFactory,
    added: Sequence[AddedDocument] | None,
    ray: str | None,
) -> Manifest:
    started = time.perf_counter()
    data_dir = settings.data_dir
    embed = local_embedder if ray is None else ray_embedder(ray, settings, encoder_factory)
    builds = data_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    for stale in builds.glob(".tmp-*"):  # left by a killed build
        shutil.rmtree(stale, ignore_errors=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex[:12]}"
    try:
        stages: dict[str, float] = {}
        corpus, hashed, encoders = _prepare(
            settings, corpus, added, encoders, encoder_factory, stages
        )
        version = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        manifest = _write(
            tmp, corpus, settings, encoders, progress, started, stages, hashed, version, embed
        )
        final = builds / version
        os.rename(tmp, final)
        _swap(data_dir, final)
    except PracticeSearchError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, BuildError | ConfigError):
            raise
        raise BuildError(f"build failed, previous index kept: {exc}") from exc
    except (Exception, KeyboardInterrupt) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise BuildError(
            f"build failed, previous index kept: {exc.__class__.__name__}: {exc}"
        ) from exc
    return manifest
