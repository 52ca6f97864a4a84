"""With several dense encoders, the fastest runs in the searching thread (the others in
the pool): on a 2-core server that keeps two busy threads, not three."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np

from corpus import Corpus
from index import HashEncoder, build_index, load_index
from practice_search.config import Settings
from retriever import Retriever
from retriever.timing import record_stages


class _Timed(HashEncoder):
    """The hashing encoder under another name, taking ``delay`` seconds per query."""

    def __init__(self, name: str, delay: float) -> None:
        super().__init__()
        self.info = dataclasses.replace(self.info, name=name)
        self.delay = delay

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        time.sleep(self.delay)
        return super().encode_queries(texts)


def test_the_fastest_encoder_runs_in_the_searching_thread(tmp_path: Path, corpus: Corpus) -> None:
    encoders = {"quick": _Timed("quick", 0.0), "slow": _Timed("slow", 0.1)}
    settings = Settings(data_dir=tmp_path, encoders=list(encoders), confidence_floor={})
    build_index(settings, progress=False, corpus=corpus, encoders=encoders)
    retriever = Retriever(load_index(settings, encoders), settings)
    assert retriever._inline == "quick"
    with record_stages() as times:
        result = retriever.search("language barrier in healthcare", k=3)
    assert result.passages
    assert {"encode_here", "encode:quick", "encode:slow", "encode_wait"} <= set(times.ms)
    # the searching thread's own encoding is inside encode_here, the slow one is not
    assert times.ms["encode_here"] >= times.ms["encode:quick"]
    assert times.ms["encode_here"] < times.ms["encode:slow"]


def test_one_encoder_runs_in_the_pool(tmp_path: Path, corpus: Corpus) -> None:
    encoders = {"only": _Timed("only", 0.0)}
    settings = Settings(data_dir=tmp_path, encoders=["only"], confidence_floor={})
    build_index(settings, progress=False, corpus=corpus, encoders=encoders)
    retriever = Retriever(load_index(settings, encoders), settings)
    assert retriever._inline is None
    with record_stages() as times:
        retriever.search("housing for refugees", k=3)
    assert "encode_here" not in times.ms and "encode:only" in times.ms
