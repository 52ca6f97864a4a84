"""The HTTP server's guards against slow and surplus connections.

uvicorn times out an idle kept-alive connection (``timeout_keep_alive``) but not a
request still arriving: a connection may take forever to send its headers or its
body, and every one held costs a file descriptor. :func:`protocol_class` is uvicorn's
h11 protocol with three guards, and :func:`server_config` the uvicorn configuration
that uses it:

- **headers** must be complete ``header_timeout`` seconds after the connection opens
  (or, on a kept-alive connection, after the next request's first byte);
- **a body** must be complete ``body_timeout`` seconds after its headers;
- **at most** ``max_connections`` connections are served; one more is answered 503
  and closed as soon as it is accepted.

A connection that runs out of time gets 408 and is closed. What was closed or refused
is logged at most once per interval, with counts, never one line per connection.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from practice_search.config import Settings

__all__ = ["LOG_INTERVAL", "Tally", "protocol_class", "server_config"]

LOG_INTERVAL = 10.0  # seconds between two log lines about closed or refused connections
_RESERVED_FDS = 64  # file descriptors kept for the index, models and logs
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
    b"Content-Length: 0\r\n\r\n"
)
logger = logging.getLogger("uvicorn.error")


class Tally:
    """Counts events by kind and logs them in one line at most once per ``interval``."""

    def __init__(self, interval: float = LOG_INTERVAL, log: logging.Logger = logger) -> None:
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self.total: Counter[str] = Counter()  # since the start, for tests and inspection
        self._log = log
        self._pending: asyncio.TimerHandle | None = None

    def add(self, kind: str, loop: asyncio.AbstractEventLoop) -> None:
        self.counts[kind] += 1
        self.total[kind] += 1
        if self._pending is None:
            self._pending = loop.call_later(self.interval, self.flush)

    def flush(self) -> None:
        self._pending = None
        if self.counts:
            parts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))
            self._log.warning("connections closed in the last %.0f s: %s", self.interval, parts)
            self.counts.clear()


class _AcceptErrors(logging.Filter):
    """asyncio logs every failed ``accept()`` (out of file descriptors) with a traceback;
    this counts them in the tally instead."""

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("socket.accept() out of system resource"):
            return True
        try:
            self.tally.add("accept() failed: out of file descriptors", asyncio.get_running_loop())
        except RuntimeError:
            return True  # not on a loop: let it through
        return False


def protocol_class(
    header_timeout: float,
    body_timeout: float,
    max_connections: int,
    tally: Tally | None = None,
) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the header and body timeouts and the connection cap."""
    counts = tally or Tally()

    class GuardedH11Protocol(H11Protocol):
        tally = counts
        _timer: asyncio.TimerHandle | None = None
        _phase: str | None = None  # "slow headers" or "slow body": what the timer waits for

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                self.tally.add("over the connection cap", self.loop)
                transport.write(_REFUSED)
                transport.close()
                return
            self._arm("slow headers", header_timeout)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _watch(self) -> None:
            """Arm the timer for what the connection still owes, or disarm it."""
            state = self.conn.their_state
            if self.transport.is_closing():
                self._disarm()
            elif state is h11.IDLE and self.conn.trailing_data[0]:
                self._arm("slow headers", header_timeout)  # part of a request's head is in
            elif state is h11.SEND_BODY:
                self._arm("slow body", body_timeout)
            elif state is not h11.IDLE or self._phase != "slow headers":
                self._disarm()  # nothing owed, or kept alive (uvicorn's own timer)

        def _arm(self, phase: str, seconds: float) -> None:
            if self._phase == phase:
                return  # the deadline runs from the phase's start, not the last byte
            self._disarm()
            self._phase = phase
            self._timer = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._phase = None

        def _expire(self) -> None:
            phase, self._timer, self._phase = self._phase, None, None
            if self.transport.is_closing() or phase is None:
                return
            self.tally.add(phase, self.loop)
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                # the app, if it waits for the body, hears a disconnect; nothing it
                # sends afterwards is written
                cycle.disconnected = True
                cycle.message_event.set()
            if cycle is None or cycle.response_complete or not cycle.response_started:
                self.transport.write(_TIMEOUT)
            self.transport.close()

    return GuardedH11Protocol


def connection_cap(wanted: int) -> int:
    """``wanted``, kept under the process's file descriptor limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _RESERVED_FDS))


def server_config(
    app: FastAPI, settings: Settings, tally: Tally | None = None, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration ``practice-search serve`` runs ``app`` with: the
    settings' address, keep-alive timeout and the guarded protocol, whose closed and
    refused connections ``tally`` counts (``options`` go to :class:`uvicorn.Config`)."""
    tally = tally or Tally()
    asyncio_logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _AcceptErrors) for f in asyncio_logger.filters):
        asyncio_logger.addFilter(_AcceptErrors(tally))
    protocol = protocol_class(
        settings.header_timeout,
        settings.body_timeout,
        connection_cap(settings.max_connections),
        tally,
    )
    options.setdefault("host", settings.host)
    options.setdefault("port", settings.port)
    return uvicorn.Config(
        app,
        http=protocol,
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]
        **options,
    )
