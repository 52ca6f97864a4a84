"""Optional per-stage timing of a search, for benchmarks.

A search records nothing unless it runs inside :func:`record_stages`; outside it
each :func:`stage` costs one context-variable lookup. Stages that run in other
threads (the query encoders) are added through :meth:`StageTimes.add`, which
locks.

Example:
    >>> with record_stages() as times:
    ...     retriever.search("language barrier in healthcare")
    >>> times.ms  # {"lang": 0.4, "encode:e5": 12.1, "faiss": 0.2, ...}
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["StageTimes", "current_stages", "record_stages", "stage"]


class StageTimes:
    """Seconds spent per named stage; a stage entered twice adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @property
    def ms(self) -> dict[str, float]:
        with self._lock:
            return {name: s * 1000 for name, s in self.seconds.items()}


_current: ContextVar[StageTimes | None] = ContextVar("practice_search_stages", default=None)


def current_stages() -> StageTimes | None:
    """The recorder of the search running in this context, if one is recording."""
    return _current.get()


@contextlib.contextmanager
def record_stages() -> Iterator[StageTimes]:
    """Record the stages of every search run inside the block."""
    times = StageTimes()
    token = _current.set(times)
    try:
        yield times
    finally:
        _current.reset(token)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` when a recorder is active."""
    times = _current.get()
    if times is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        times.add(name, time.perf_counter() - t0)
