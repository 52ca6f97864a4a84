"""Embedding on a local Ray cluster of two workers gives the single-process vectors
bit for bit (the hash encoder is deterministic per text), through the embedder and
through a whole build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus import Corpus
from index import build_index, create_encoder
from index.distributed import batches, local_embedder, ray_embedder, start_ray
from index.vectors import FaissVectorIndex
from tests.conftest import fake_settings


class _Bar:
    def __init__(self) -> None:
        self.n = 0

    def update(self, n: int) -> None:
        self.n += n


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = start_ray("local", num_cpus=2)  # two workers: one actor per CPU
    yield ray
    ray.shutdown()


def test_batches_cover_every_row_once_shortest_first() -> None:
    texts = ["a" * n for n in (5, 1, 9, 3, 7)]
    got = batches(texts, None, size=2)
    assert got == [[1, 3], [0, 4], [2]]


def test_two_ray_workers_embed_as_one_process(
    ray_cluster: Any, corpus: Corpus, tmp_path: Path
) -> None:
    settings = fake_settings(tmp_path)
    assert ray_cluster.cluster_resources()["CPU"] == 2
    texts = [p.text for p in corpus.passages]
    titles = [p.title() for p in corpus.passages]
    encoder = create_encoder("hash")
    here, there = _Bar(), _Bar()
    alone = local_embedder("hash", encoder, texts, titles, here)
    spread = ray_embedder("local", settings, create_encoder)("hash", encoder, texts, titles, there)
    assert spread.dtype == np.float32 and spread.shape == alone.shape
    assert np.array_equal(spread, alone)  # bit for bit
    assert here.n == there.n == len(texts)


def test_a_build_on_ray_writes_the_same_index(
    ray_cluster: Any, corpus: Corpus, tmp_path: Path, fake_index_dir: Path
) -> None:
    settings = fake_settings(tmp_path)
    build_index(settings, progress=False, corpus=corpus, ray="local")
    for kind in ("passages", "checklist"):
        mine = FaissVectorIndex.load(tmp_path / "current" / "vectors" / f"hash.{kind}.faiss")
        ref = FaissVectorIndex.load(fake_index_dir / "current" / "vectors" / f"hash.{kind}.faiss")
        assert mine.size == ref.size
        assert np.array_equal(mine.rows(0, mine.size), ref.rows(0, ref.size))
