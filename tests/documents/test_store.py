"""The document store and the index built with it: freshness, a failed change, the
texts each build embedded, and the passage cache's key."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from cli.main import _ensure_index
from corpus import Corpus
from corpus.userdocs import DocumentStore, StoredDocument, slug_id
from index import HashEncoder, build_index, check_fresh, read_manifest
from index.documents import Incoming, add_documents
from index.encoders.onnx import PassageCache
from practice_search.errors import BuildError, IndexStale
from retriever import Retriever
from tests import documents_factory as f
from tests.conftest import fake_settings
from tests.documents.table import leftovers, snapshot


@pytest.fixture
def data_dir(fake_index_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(fake_index_dir, target, symlinks=True)
    return target


def test_slugs() -> None:
    assert slug_id("Rapporto Città 2024 (finale).pdf") == "rapporto-citta-2024-finale"
    assert slug_id("notes") == "notes" and slug_id("..pdf") == "pdf"


def test_an_index_without_an_added_document_is_stale_and_run_rebuilds_it(
    data_dir: Path,
) -> None:
    settings = fake_settings(data_dir)
    check_fresh(read_manifest(settings), settings)  # the bundled corpus alone: fresh
    store = DocumentStore(data_dir)
    data = f.markdown_bytes(f.EN)
    meta = StoredDocument("taxi", "Taxi", "en", "markdown", "taxi.md", "x" * 64, len(data), "", 3)
    store.commit(store.stage(meta, data), "taxi")  # put there by hand: no build
    with pytest.raises(IndexStale, match="corpus changed"):
        check_fresh(read_manifest(settings), settings)
    _ensure_index(settings, quiet=True)  # what `make run` does first
    check_fresh(read_manifest(settings), settings)
    assert "taxi" in Retriever.load(settings).doc_ids


class Exploding(HashEncoder):
    """Fails once it has embedded ``after`` batches: a build that dies halfway."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.left = after

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("the machine ran out of memory")
        return super().encode_passages(texts, titles)


def test_a_change_that_fails_halfway_changes_nothing(data_dir: Path) -> None:
    settings = fake_settings(data_dir)
    before = snapshot(data_dir)
    item = Incoming("taxi.md", f.markdown_bytes(f.EN))
    with pytest.raises(BuildError, match="previous index kept: RuntimeError"):
        add_documents(settings, [item], encoders={"hash": Exploding(after=3)})
    assert snapshot(data_dir) == before and DocumentStore(data_dir).list() == []
    assert leftovers(data_dir) == []
    changes, manifest = add_documents(settings, [item])  # and then it works
    assert changes[0].status == "added" and manifest is not None
    assert snapshot(data_dir) != before


class Caching(HashEncoder):
    """A fake with a cache by exact text that counts what it really embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, np.ndarray] = {}
        self.embedded_texts = 0

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        keys = [f"{t}|{titles[i] if titles else ''}" for i, t in enumerate(texts)]
        todo = [i for i, k in enumerate(keys) if k not in self.known]
        if todo:
            fresh = super().encode_passages(
                [texts[i] for i in todo], [titles[i] for i in todo] if titles else None
            )
            self.known |= {keys[i]: v for i, v in zip(todo, fresh, strict=True)}
            self.embedded_texts += len(todo)
        return np.stack([self.known[k] for k in keys])


def test_each_build_counts_the_texts_really_embedded(data_dir: Path, corpus: Corpus) -> None:
    settings = fake_settings(data_dir)
    plain = read_manifest(settings)
    total = plain.counts["passages"] + plain.counts["checklist"]
    assert plain.embedded == {"hash": total}  # no cache: every text
    enc = {"hash": Caching()}
    first = build_index(settings, encoders=enc, corpus=corpus, progress=False)
    assert first.embedded == {"hash": total}
    _, added = add_documents(settings, [Incoming("taxi.md", f.markdown_bytes(f.EN))], encoders=enc)
    assert added is not None
    new = added.counts["passages"] - plain.counts["passages"]
    assert new > 0 and added.embedded == {"hash": new}  # only the new document's
    again = build_index(settings, encoders=enc, corpus=corpus, progress=False)
    assert again.embedded == {"hash": 0}


def test_the_passage_cache_is_keyed_by_the_model_too(tmp_path: Path) -> None:
    vec = np.arange(4, dtype=np.float32)
    PassageCache(tmp_path / "c.sqlite", "model r1").put({"title: none | text: a": vec})
    same = PassageCache(tmp_path / "c.sqlite", "model r1").get(["title: none | text: a"])
    assert np.array_equal(same["title: none | text: a"], vec)
    assert PassageCache(tmp_path / "c.sqlite", "model r2").get(["title: none | text: a"]) == {}
