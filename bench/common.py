"""What every benchmark shares: the sample needs, the machine's facts, memory readers,
latency percentiles (computed one way everywhere) and the benchmark error."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from practice_search.errors import PracticeSearchError

__all__ = [
    "NEEDS",
    "BenchmarkError",
    "machine",
    "needs",
    "peak_rss_mb",
    "percentiles",
    "rss_mb",
]

NEEDS = Path(__file__).parent / "needs.txt"


class BenchmarkError(PracticeSearchError):
    """A benchmark step failed: a child process exited badly or the service never answered."""


@cache
def _needs() -> tuple[str, ...]:
    text = NEEDS.read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def needs() -> list[str]:
    """The 100 distinct needs (English and Italian) every benchmark times."""
    return list(_needs())


def percentiles(values: Sequence[float], ndigits: int = 2) -> dict[str, float]:
    """p50, p95 and p99 of ``values`` (``statistics.quantiles``' inclusive method, the
    same as numpy's default linear interpolation); a single value is every percentile,
    no value gives zeros."""
    if len(values) < 2:
        v = round(values[0] if values else 0.0, ndigits)
        return {"p50": v, "p95": v, "p99": v}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(statistics.median(values), ndigits),
        "p95": round(q[94], ndigits),
        "p99": round(q[98], ndigits),
    }


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident memory of a process (VmHWM), in MB; ``ru_maxrss`` would carry
    the parent's peak over exec."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")  # pragma: no cover - Linux always reports VmHWM


def machine(*, detail: bool = False) -> dict[str, Any]:
    """CPU model, cores and Python; with ``detail`` also RAM, the versions of the
    libraries that do the heavy lifting and the load average."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    facts: dict[str, Any] = {"cpu": model or platform.processor() or "unknown"}
    facts["cores"] = os.cpu_count()
    if detail:
        mem = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        facts["ram_gb"] = round(mem / 2**20, 1)
    facts["python"] = platform.python_version()
    if detail:
        import bm25s
        import faiss
        import numpy as np

        facts |= {
            "faiss": faiss.__version__,
            "bm25s": bm25s.__version__,
            "numpy": np.__version__,
            "load_average": list(os.getloadavg()),
        }
    return facts
