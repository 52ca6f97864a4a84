"""What the scaling workers share: the search depth, timings in milliseconds, sizes
on disk and the progress log."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import percentiles

__all__ = ["Json", "K", "mean", "pct_ms", "save", "say", "size_mb"]

K = 100  # hits per search, as the engine asks (Settings.candidates)

Json = dict[str, Any]


def pct_ms(times_s: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds (3 decimals) of times in seconds."""
    pct = percentiles([t * 1000 for t in times_s], 3)
    return {"p50_ms": pct["p50"], "p95_ms": pct["p95"]}


def mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4)


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub: no **dict


def say(text: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
