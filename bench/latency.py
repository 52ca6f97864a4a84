"""Warm in-process query latency over a fixed list of 100 distinct needs.

Run: ``python -m bench.latency [--data-dir DIR] [--k K]``. Prints one JSON
object (load time, p50/p95/p99 in ms, peak RSS in MB). A benchmark, not a test:
the numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.common import needs, peak_rss_mb, percentiles


def main(argv: list[str] | None = None) -> int:
    from practice_search.config import get_settings
    from retriever import Retriever

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    started = time.perf_counter()
    retriever = Retriever.load(settings)
    load_s = time.perf_counter() - started
    retriever.search("warm-up need about housing", k=args.k)
    times = []
    for need in needs():
        t = time.perf_counter()
        retriever.search(need, k=args.k)
        times.append((time.perf_counter() - t) * 1000)
    # the floor: the query encoders alone, side by side as the retriever runs them
    floor = []
    pool = retriever._pool
    for need in needs():
        t = time.perf_counter()
        jobs = [
            pool.submit(enc.encode_queries, [need]) for enc in retriever.index.encoders.values()
        ]
        for job in jobs:
            job.result()
        floor.append((time.perf_counter() - t) * 1000)
    pct = percentiles(times, 1)
    report = {
        "queries": len(times),
        "encoders": settings.encoders,
        "load_s": round(load_s, 2),
        "query_p50_ms": pct["p50"],
        "query_p95_ms": pct["p95"],
        "query_p99_ms": pct["p99"],
        "encoder_floor_p50_ms": round(statistics.median(floor), 1),
        "peak_rss_mb": peak_rss_mb(),
    }
    json.dump(report, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
