"""Admission: at most what the cores can serve runs, a few wait, the rest hear 503.

Searches run in their own pools of ``max_concurrent_searches`` threads, never in the
threadpool the health, readiness, metrics and static routes use, so those answer at
once however busy the searches are. Up to ``max_queued_searches`` more wait for a
thread; any search beyond that is answered at once with 503 and ``Retry-After``
instead of waiting without limit.

There are two such lanes. A need whose embedding is cached costs milliseconds; a new
one costs an encoder run (up to a second or two for a need of hundreds of tokens), so
new needs queue in their own lane and a cached one never waits behind them.

The counts live on the event loop (the routes admit, the pools' threads report back
through ``call_soon_threadsafe``), so they need no lock; a search counts until its
thread is done with it, even if its client has gone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from fastapi import HTTPException

from practice_search.config import Settings

__all__ = ["Admission", "Lane"]

T = TypeVar("T")


class Lane:
    """A bounded pool of threads with a bounded wait in front of it."""

    def __init__(self, name: str, running: int, queued: int) -> None:
        self.running = running
        self.queued = queued
        self.admitted = 0  # running or waiting for a thread
        self.refused = 0  # since the start
        self._pool = ThreadPoolExecutor(max_workers=running, thread_name_prefix=name)

    def full(self) -> bool:
        return self.admitted >= self.running + self.queued

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` on one of the lane's threads (the caller checked :meth:`full`)."""
        loop = asyncio.get_running_loop()
        self.admitted += 1
        try:
            job: Future[T] = self._pool.submit(work)
        except BaseException:
            self.admitted -= 1
            raise
        job.add_done_callback(lambda _: self._done(loop))
        return await asyncio.wrap_future(job)

    def _done(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody counts any more
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self.admitted -= 1


class Admission:
    """The two search lanes: needs to embed (``new``) and needs already embedded
    (``cached``), each ``running`` threads and ``queued`` waiting places."""

    def __init__(self, running: int, queued: int, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        self.new = Lane("search-new", running, queued)
        self.cached = Lane("search-cached", running, queued)

    @classmethod
    def of(cls, settings: Settings) -> Admission:
        return cls(
            settings.max_concurrent_searches, settings.max_queued_searches, settings.retry_after
        )

    @property
    def admitted(self) -> int:
        return self.new.admitted + self.cached.admitted

    async def run(self, work: Callable[[], T], *, cached: bool = False) -> T:
        """``work()`` in its lane's pool, or 503 at once if the pool and its wait are full.

        Raises:
            HTTPException: 503 with ``Retry-After``: the lane is full.
        """
        lane = self.cached if cached else self.new
        if lane.full():
            lane.refused += 1
            raise HTTPException(
                status_code=503,
                detail=(
                    f"too many searches at once ({lane.running} running, {lane.queued} "
                    f"waiting): retry in {self.retry_after} s"
                ),
                headers={"Retry-After": str(self.retry_after)},
            )
        return await lane.run(work)
