"""The helpers every benchmark shares, on known inputs."""

from __future__ import annotations

import os
import random

import pytest

from bench.common import machine, needs, peak_rss_mb, percentiles, rss_mb
from bench.scaling.measure import pct_ms


def test_percentiles_of_a_known_list() -> None:
    values = list(range(1, 12))  # 1 .. 11
    random.Random(0).shuffle(values)  # the order given does not matter
    # inclusive method: the p-th percentile sits at (n - 1) * p / 100 between sorted values
    assert percentiles(values) == {"p50": 6.0, "p95": 10.5, "p99": 10.9}
    assert percentiles([1.0, 2.0, 4.0, 8.0]) == {"p50": 3.0, "p95": 7.4, "p99": 7.88}
    assert percentiles([0.123456, 0.2], 3) == {"p50": 0.162, "p95": 0.196, "p99": 0.199}


def test_percentiles_of_one_value_and_of_none() -> None:
    assert percentiles([7.256]) == {"p50": 7.26, "p95": 7.26, "p99": 7.26}
    assert percentiles([]) == {"p50": 0.0, "p95": 0.0, "p99": 0.0}


def test_scaling_timings_use_the_same_percentiles_in_milliseconds() -> None:
    seconds = [i / 1000 for i in range(1, 12)]  # 1 .. 11 ms
    assert pct_ms(seconds) == {"p50_ms": 6.0, "p95_ms": 10.5}
    assert pct_ms([0.004]) == {"p50_ms": 4.0, "p95_ms": 4.0}


def test_needs_are_the_hundred_distinct_sample_needs() -> None:
    sample = needs()
    assert len(sample) == 100 == len(set(sample))
    assert all(n == n.strip() and n for n in sample)
    sample.append("changed")  # a copy: the next caller gets the file's list
    assert len(needs()) == 100


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux /proc")
def test_memory_readers_and_machine_facts() -> None:
    now, peak = rss_mb(), peak_rss_mb()
    assert 0 < now <= peak
    assert peak_rss_mb(os.getpid()) >= peak
    facts = machine()
    assert list(facts) == ["cpu", "cores", "python"] and facts["cores"] == os.cpu_count()
    detail = machine(detail=True)
    assert list(detail)[:4] == ["cpu", "cores", "ram_gb", "python"]
    assert {"faiss", "bm25s", "numpy", "load_average"} <= set(detail)
