"""Building, loading and protecting the on-disk index (fake encoder: fast)."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import corpus as corpus_package
from corpus import DOCUMENTS, Corpus, corpus_hash
from index import HashEncoder, Manifest, build_index, create_encoder, load_index
from index.build import KINDS, current_dir, encoder_file
from index.load import read_manifest
from index.store import TABLES
from index.vectors import FaissVectorIndex
from practice_search.errors import (
    BuildError,
    ConfigError,
    IndexCorrupt,
    IndexMissing,
    IndexStale,
    ModelNotAvailable,
)
from retriever import Retriever
from tests.conftest import fake_settings


class ExplodingEncoder(HashEncoder):
    """Fails after a few batches, like a build killed midway."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        self.calls += 1
        if self.calls > 3:
            raise RuntimeError("disk full")
        return super().encode_passages(texts, titles)


@pytest.fixture()
def built(tmp_path: Path, corpus: Corpus) -> Path:
    build_index(fake_settings(tmp_path), progress=False, corpus=corpus)
    return tmp_path


def _files_hash(raw_dir: Path) -> str:
    """SHA-256 over each corpus file's name and bytes, then the curated metadata's: the
    hash a manifest must carry, computed here without the code under test."""
    h = hashlib.sha256()
    for path in [*(raw_dir / d.file for d in DOCUMENTS), raw_dir.parent / "practices.toml"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_manifest_hash_is_the_bundled_corpus_files_hash(built: Path, tmp_path: Path) -> None:
    bundled = Path(corpus_package.__file__).parent
    recorded = read_manifest(fake_settings(built)).corpus_hash
    assert recorded == _files_hash(bundled / "raw")

    copy = tmp_path / "corpus"
    shutil.copytree(bundled / "raw", copy / "raw")
    shutil.copy(bundled / "practices.toml", copy / "practices.toml")
    assert corpus_hash(copy / "raw") == recorded
    seen = {recorded}
    for changed in (copy / "raw" / DOCUMENTS[-1].file, copy / "practices.toml"):
        changed.write_bytes(changed.read_bytes() + b"\n")  # one byte more in one file
        now = corpus_hash(copy / "raw")
        assert now == _files_hash(copy / "raw") and now not in seen
        seen.add(now)


def test_manifest_counts_what_was_written(built: Path, corpus: Corpus) -> None:
    root = current_dir(built)
    m = read_manifest(fake_settings(built))
    con = sqlite3.connect(root / "records.sqlite")
    try:
        rows = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()
    assert m.counts == rows
    assert rows == {
        "documents": len(corpus.documents),
        "practices": len(corpus.practices),
        "passages": len(corpus.passages),
        "checklist": len(corpus.checklist),
    }
    assert m.encoders == [HashEncoder().info]
    for kind in KINDS:
        vec = FaissVectorIndex.load(encoder_file(root, "hash", kind))
        assert (vec.size, vec.dim) == (m.counts[kind], m.encoders[0].dim)
        assert vec.index_type == m.vector_spec(kind).type


def test_ids_are_stable_across_builds(
    built: Path, tmp_path_factory: pytest.TempPathFactory, corpus: Corpus
) -> None:
    other = tmp_path_factory.mktemp("again")
    build_index(fake_settings(other), progress=False)
    a, b = load_index(fake_settings(built)), load_index(fake_settings(other))
    for kind in ("passages", "checklist"):
        assert [r["id"] for r in a.records[kind]] == [r["id"] for r in b.records[kind]]


def test_failed_build_leaves_previous_index_loadable(built: Path, corpus: Corpus) -> None:
    settings = fake_settings(built)
    before = load_index(settings).manifest
    with pytest.raises(BuildError, match="previous index kept"):
        build_index(settings, progress=False, corpus=corpus, encoders={"hash": ExplodingEncoder()})
    after = load_index(settings).manifest
    assert after.created == before.created
    assert not list((built / "builds").glob(".tmp-*"))
    assert len(list((built / "builds").iterdir())) == 1


def test_rebuild_replaces_and_cleans_up(built: Path, corpus: Corpus) -> None:
    settings = fake_settings(built)
    first = current_dir(built).resolve()
    build_index(settings, progress=False, corpus=corpus)
    assert current_dir(built).resolve() != first
    assert not first.exists()
    load_index(settings)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="practice-search build"):
        load_index(fake_settings(tmp_path / "nothing"))


def test_stale_when_settings_differ(built: Path) -> None:
    settings = fake_settings(built).model_copy(update={"max_words": 120})
    with pytest.raises(IndexStale, match="max_words"):
        load_index(settings)
    with pytest.raises(IndexStale, match="encoders"):
        load_index(fake_settings(built).model_copy(update={"encoders": ["hash", "e5"]}))


def test_stale_when_corpus_changed(built: Path) -> None:
    path = current_dir(built) / "manifest.json"
    dataclasses.replace(Manifest.load(path), corpus_hash="0" * 64).save(path)  # another corpus
    with pytest.raises(IndexStale, match="corpus changed"):
        load_index(fake_settings(built))


def test_corrupt_vector_file(built: Path) -> None:
    path = next((current_dir(built) / "vectors").glob("hash.passages.faiss"))
    path.write_bytes(b"not a faiss index")
    with pytest.raises(IndexCorrupt, match="vector index"):
        load_index(fake_settings(built))


def test_corrupt_record_store(built: Path) -> None:
    con = sqlite3.connect(current_dir(built) / "records.sqlite")
    con.execute("DELETE FROM passages WHERE rowid % 2 = 0")
    con.commit()
    con.close()
    with pytest.raises(IndexCorrupt, match="records"):
        load_index(fake_settings(built))


def test_corrupt_manifest(built: Path) -> None:
    (current_dir(built) / "manifest.json").write_text("{ truncated")
    with pytest.raises(IndexCorrupt, match="manifest"):
        load_index(fake_settings(built))


def test_unknown_encoder_names_the_known_ones() -> None:
    known = "known: gemma, gemma-512, gemma-256, e5, minilm, use, hash"
    with pytest.raises(ConfigError, match=known):
        create_encoder("bert-9000")


def test_missing_local_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailable, match="never download"):
        create_encoder(f"st:{tmp_path / 'no-such-model'}")


def test_build_and_load_keep_exported_models_in_their_own_data_dir(
    built: Path, corpus: Corpus
) -> None:
    # an index in another data dir than the environment's must not export models
    # into (or look for them in) the environment's folder
    seen: list[Path | None] = []

    def spy(
        name: str,
        threads: int = 2,
        models: Path | None = None,
        source: Path | None = None,
        cache: bool = True,
    ) -> HashEncoder:
        seen.append(models)
        return HashEncoder()

    build_index(fake_settings(built), progress=False, corpus=corpus, encoder_factory=spy)
    load_index(fake_settings(built), encoder_factory=spy)
    Retriever.load(fake_settings(built), encoder_factory=spy)
    assert seen == [built / "models"] * 3


def test_manifest_times_every_build_stage(built: Path) -> None:
    stages = load_index(fake_settings(built)).manifest.stage_seconds
    assert list(stages) == [
        "parse",
        "load_encoders",
        "embed:hash",
        "vectors",
        "lexical",
        "records",
    ]
