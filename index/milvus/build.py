"""``practice-search build`` with ``PRACTICE_SEARCH_BACKEND=milvus``: the corpus
embedded as for the embedded backend (the same batches, optionally on Ray), written
as a new Milvus version and published by switching the alias (index.milvus.write)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import numpy as np
from tqdm import tqdm

from corpus import CHUNKING_VERSION, Corpus
from corpus.added import AddedDocument
from index.build import KINDS, _counts, _prepare, _records, _texts, _titled, build_lock
from index.distributed import Embedder, local_embedder, ray_embedder
from index.encoders import Encoder, EncoderFactory, EncoderInfo, threads
from index.lexical import LexicalIndex, LexicalLang
from index.manifest import Manifest
from index.milvus.client import connect, milvus_errors, milvus_uri
from index.milvus.write import (
    create_version,
    drop_unpublished,
    insert_kind,
    insert_meta,
    published,
    switch_alias,
)
from index.vectors import VectorIndexSpec, choose_spec
from practice_search.config import Settings
from practice_search.errors import BuildError, ConfigError, PracticeSearchError

__all__ = ["build_milvus", "publish", "stemmed_terms"]


def stemmed_terms(texts: list[str], langs: list[str]) -> dict[str, list[str]]:
    """Each text's terms in each language's analysis (index.lexical), space-separated:
    what the Milvus BM25 function indexes."""
    out = {}
    for lang in langs:
        analysis = LexicalIndex(LexicalLang(lang))
        out[lang] = [" ".join(analysis.query_terms(t)) for t in texts]
    return out


def _new_version() -> str:
    return f"v{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"


def _versions(manifest: Manifest) -> None:
    for lib in ("pymilvus", "milvus-lite"):
        try:
            manifest.versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            manifest.versions[lib] = "not installed"


def publish(
    settings: Settings,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    kind_vectors: Any,
    texts: Mapping[str, list[str]],
    manifest: Manifest,
    started: float | None = None,
) -> Manifest:
    """Write one version and switch the alias to it. ``kind_vectors(kind)`` gives the
    kind's vectors by encoder (computed when asked: a build embeds a kind at a time);
    ``started`` (a ``perf_counter``) dates the build in the stored manifest.

    Raises:
        BuildError: anything failed; the alias still points where it did.
    """
    uri = milvus_uri(settings)
    client = connect(settings, create=True)
    alias = settings.milvus_collection
    dims = {e.name: e.dim for e in manifest.encoders}
    specs = {kind: manifest.vector_spec(kind) for kind in KINDS}
    langs = list(manifest.lexical_langs)
    try:
        with milvus_errors(uri, "while building"):
            drop_unpublished(client, alias)  # what killed builds left behind
            names = create_version(client, settings, _new_version(), dims, langs, specs)
            for kind in KINDS:
                vectors = kind_vectors(kind)
                insert_kind(
                    client, names[kind], records[kind], vectors, stemmed_terms(texts[kind], langs)
                )
            _versions(manifest)
            if started is not None:
                manifest.build_seconds = round(time.perf_counter() - started, 2)
            previous = published(client, alias)
            insert_meta(
                client,
                names["meta"],
                records["documents"],
                records["practices"],
                manifest,
                previous,
            )
            switch_alias(client, settings, names)
            drop_unpublished(client, alias)
    except PracticeSearchError as exc:
        if isinstance(exc, BuildError | ConfigError):
            raise
        raise BuildError(f"build failed, previous index kept: {exc}") from exc
    except Exception as exc:
        raise BuildError(
            f"build failed, previous index kept: {exc.__class__.__name__}: {exc}"
        ) from exc
    finally:
        client.close()
    return manifest


def build_milvus(
    settings: Settings,
    *,
    progress: bool = True,
    encoders: Mapping[str, Encoder] | None = None,
    corpus: Corpus | None = None,
    encoder_factory: EncoderFactory,
    ray: str | None = None,
    added: Sequence[AddedDocument] | None = None,
    lock: bool = True,
) -> Manifest:
    """:func:`index.build.build_index` for the Milvus backend (same arguments): the
    bundled corpus with the data dir's added documents, as the embedded backend."""
    started = time.perf_counter()
    embed: Embedder = (
        local_embedder if ray is None else ray_embedder(ray, settings, encoder_factory)
    )
    with build_lock(settings.data_dir) if lock else contextlib.nullcontext():
        stages: dict[str, float] = {}
        corpus, hashed, encoders = _prepare(
            settings, corpus, added, encoders, encoder_factory, stages
        )
        texts = _texts(corpus, settings.context_in_embedding)
        titled = _titled(corpus, settings.context_in_embedding)
        specs = {
            kind: choose_spec(len(texts[kind]), settings.index_type, settings.hnsw_m)
            for kind in KINDS
        }
        langs = ["en", "it"] if settings.lexical else []
        infos = [_with_width(e) for e in encoders.values()]  # a collection's widths are fixed
        total = sum(len(t) for t in texts.values()) * len(encoders)
        bar = tqdm(total=total, desc="embedding", unit="text", disable=not progress)

        def kind_vectors(kind: str) -> dict[str, np.ndarray]:
            out = {}
            for name, encoder in encoders.items():
                t1 = time.perf_counter()
                with threads(encoder, os.cpu_count() or 1):
                    out[name] = embed(name, encoder, *titled[kind], bar)
                key = f"embed:{name}"
                stages[key] = round(stages.get(key, 0.0) + time.perf_counter() - t1, 2)
            return out

        manifest = _manifest(settings, corpus, hashed, specs, langs, stages, started)
        records: dict[str, Sequence[Mapping[str, Any]]] = dict(_records(corpus))
        manifest.encoders = infos
        with bar:
            publish(settings, records, kind_vectors, texts, manifest, started)
    return manifest


def _with_width(encoder: Encoder) -> EncoderInfo:
    """The encoder's info with its width (some learn it only by encoding)."""
    info = encoder.info
    if info.dim:
        return info
    dim = int(encoder.encode_passages(["width"], None).shape[1])
    return dataclasses.replace(info, dim=dim)


def _manifest(
    settings: Settings,
    corpus: Corpus,
    hashed: str,
    specs: Mapping[str, VectorIndexSpec],
    langs: list[str],
    stages: dict[str, float],
    started: float,
) -> Manifest:
    return Manifest(
        corpus_hash=hashed,
        chunking_version=CHUNKING_VERSION,
        max_words=settings.max_words,
        context_in_embedding=settings.context_in_embedding,
        encoders=[],
        lexical_langs=langs,
        vector_index={kind: spec.to_dict() for kind, spec in specs.items()},
        counts=_counts(corpus),
        build_seconds=round(time.perf_counter() - started, 2),
        stage_seconds=stages,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
