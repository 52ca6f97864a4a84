"""Latency percentiles, computed one way for every benchmark."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

__all__ = ["percentiles"]


def percentiles(values: Sequence[float], ndigits: int = 2) -> dict[str, float]:
    """p50, p95 and p99 of ``values`` (``statistics.quantiles``' inclusive method);
    a single value is every percentile, no value gives zeros."""
    if len(values) < 2:
        v = round(values[0] if values else 0.0, ndigits)
        return {"p50": v, "p95": v, "p99": v}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(statistics.median(values), ndigits),
        "p95": round(q[94], ndigits),
        "p99": round(q[98], ndigits),
    }
