"""The index type through build, manifest and load (fake encoder: fast)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus import Corpus
from index import build_index, load_index
from index.build import current_dir
from index.integrity import checksum_files
from index.manifest import Manifest
from practice_search.errors import IndexCorrupt, IndexStale
from tests.conftest import fake_settings


@pytest.fixture(scope="module")
def hnsw_dir(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Path:
    data_dir = tmp_path_factory.mktemp("hnsw-index")
    settings = fake_settings(data_dir).model_copy(update={"index_type": "hnsw", "hnsw_m": 8})
    build_index(settings, progress=False, corpus=corpus)
    return data_dir


def test_manifest_records_the_index_type(hnsw_dir: Path) -> None:
    settings = fake_settings(hnsw_dir).model_copy(update={"index_type": "hnsw", "hnsw_m": 8})
    loaded = load_index(settings)
    assert loaded.manifest.vector_index == {
        "passages": {"type": "hnsw", "hnsw_m": 8},
        "checklist": {"type": "hnsw", "hnsw_m": 8},
    }
    vec = loaded.vectors["hash"]["passages"]
    assert vec.index_type == "hnsw"
    assert vec.ef_search == settings.hnsw_ef_search
    _, rows = vec.search(vec.reconstruct(5)[None], 3)
    assert rows[0][0] == 5


def test_changed_index_type_makes_the_index_stale(hnsw_dir: Path) -> None:
    with pytest.raises(
        IndexStale, match=r"passages vector index hnsw \(M=8\) \(settings want flat\)"
    ):
        load_index(fake_settings(hnsw_dir))  # auto: flat at this size
    with pytest.raises(IndexStale, match="settings want hnsw"):
        load_index(fake_settings(hnsw_dir).model_copy(update={"index_type": "hnsw"}))  # M=32


def test_query_knobs_do_not_make_the_index_stale(hnsw_dir: Path) -> None:
    settings = fake_settings(hnsw_dir).model_copy(
        update={"index_type": "hnsw", "hnsw_m": 8, "hnsw_ef_search": 300, "ivf_nprobe": 2}
    )
    assert load_index(settings).vectors["hash"]["checklist"].ef_search == 300


def test_ivf_build_loads_and_finds_each_passage(tmp_path: Path, corpus: Corpus) -> None:
    settings = fake_settings(tmp_path).model_copy(update={"index_type": "ivf", "ivf_nprobe": 64})
    build_index(settings, progress=False, corpus=corpus)
    loaded = load_index(settings)
    assert loaded.manifest.vector_spec("passages").type == "ivf"
    vec = loaded.vectors["hash"]["passages"]
    queries = np.stack([vec.reconstruct(r) for r in range(0, vec.size, 37)])
    _, rows = vec.search(queries, 1)
    assert rows[:, 0].tolist() == list(range(0, vec.size, 37))


def test_manifest_without_index_types_loads_as_flat(tmp_path: Path, corpus: Corpus) -> None:
    build_index(fake_settings(tmp_path), progress=False, corpus=corpus)
    path = current_dir(tmp_path) / "manifest.json"
    raw = json.loads(path.read_text())
    del raw["vector_index"]  # as written before index types existed
    path.write_text(json.dumps(raw))
    assert Manifest.load(path).vector_spec("passages").type == "flat"
    loaded = load_index(fake_settings(tmp_path))
    assert loaded.vectors["hash"]["passages"].index_type == "flat"


def test_unknown_index_type_in_manifest_is_corrupt(tmp_path: Path, corpus: Corpus) -> None:
    build_index(fake_settings(tmp_path), progress=False, corpus=corpus)
    path = current_dir(tmp_path) / "manifest.json"
    raw = json.loads(path.read_text())
    raw["vector_index"]["passages"] = {"type": "annoy"}
    path.write_text(json.dumps(raw))
    with pytest.raises(IndexCorrupt, match="manifest"):
        load_index(fake_settings(tmp_path))


def test_vector_file_of_another_type_is_corrupt(
    hnsw_dir: Path, tmp_path: Path, corpus: Corpus
) -> None:
    build_index(fake_settings(tmp_path), progress=False, corpus=corpus)  # flat
    src = current_dir(hnsw_dir) / "vectors" / "hash.passages.faiss"
    (current_dir(tmp_path) / "vectors" / "hash.passages.faiss").write_bytes(src.read_bytes())
    with pytest.raises(IndexCorrupt, match=r"passages\.faiss has \d+ bytes, the manifest says"):
        load_index(fake_settings(tmp_path))
    # the manifest edited to list the new file: the file is then read and its type checked
    path = current_dir(tmp_path) / "manifest.json"
    manifest = Manifest.load(path)
    manifest.files = checksum_files(current_dir(tmp_path))
    manifest.save(path)
    with pytest.raises(IndexCorrupt, match="is a hnsw index, manifest says flat"):
        load_index(fake_settings(tmp_path))
