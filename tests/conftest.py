"""Shared fixtures: a fast index built with the deterministic fake encoder, and
(for tests marked ``model``) one index built with the real bundled encoders,
created once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import Corpus, load_corpus
from index import build_index, check_fresh, read_manifest
from index.encoders import models_dir
from practice_search.config import Settings
from retriever import Retriever


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus()


def fake_settings(data_dir: Path) -> Settings:
    """The fake encoder with BM25 voting too, so both kinds of channel are exercised."""
    return Settings(data_dir=data_dir, encoders=["hash"], confidence_floor={}, weights={})


def fake_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a child process (CLI, server) that serves the fake-encoder
    index in ``data_dir``: the shell's own PRACTICE_SEARCH_* settings left out, plus
    ``settings`` (e.g. ``PRACTICE_SEARCH_MAX_K="50"``)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PRACTICE_SEARCH_")},
        "PRACTICE_SEARCH_DATA_DIR": str(data_dir),
        "PRACTICE_SEARCH_ENCODERS": '["hash"]',
        "PRACTICE_SEARCH_WEIGHTS": "{}",
        "PRACTICE_SEARCH_CONFIDENCE_FLOOR": "{}",
        **settings,
    }


@pytest.fixture(scope="session")
def fake_index_dir(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Path:
    data_dir = tmp_path_factory.mktemp("fake-index")
    build_index(fake_settings(data_dir), progress=False, corpus=corpus)
    return data_dir


@pytest.fixture(scope="session")
def fake_retriever(fake_index_dir: Path) -> Retriever:
    return Retriever.load(fake_settings(fake_index_dir))


@pytest.fixture(scope="session")
def real_retriever(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Iterator[Retriever]:
    """The shipped default configuration (real encoders), built once per session.

    For quick local iterations, PRACTICE_SEARCH_TEST_INDEX may name the data
    directory of an up-to-date default index to reuse (CI always builds).
    """
    reuse = os.environ.get("PRACTICE_SEARCH_TEST_INDEX")
    if reuse and not os.environ.get("CI"):
        settings = Settings(data_dir=Path(reuse))
        check_fresh(read_manifest(settings), settings)
    else:
        # the models fetched and exported once (`practice-search models`), shared
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("real-index"),
            models_dir=models_dir(Settings()).resolve(),
        )
        build_index(settings, progress=False, corpus=corpus)
    yield Retriever.load(settings)
