"""Serve a newly published index version without a restart and without a mixed answer.

Every request takes one retriever reference at its start (:func:`service.deps.get_retriever`)
and answers from it alone. A watcher thread looks at the ``current`` symlink every
``reload_interval`` seconds (one ``readlink``); when it points at another build, the
watcher loads that version beside the one being served (reusing the loaded encoders),
then swaps the app's reference in one assignment. Requests already running finish on
the old version, which is dropped when the last of them lets it go. A version that
fails to load is logged and the served one kept. Responses say which version answered
them in the ``X-Index-Version`` header; ``/healthz`` and ``/readyz`` say which one is
served.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.build import current_dir
from index.load import load_index
from practice_search.config import Settings
from retriever import Retriever

__all__ = ["IndexWatcher", "VersionHeader", "index_version"]

log = logging.getLogger("practice_search.service")
HEADER = b"x-index-version"


def index_version(retriever: Retriever) -> str:
    """The served index's version: its build folder's name."""
    return retriever.index.manifest.version or retriever.index.manifest.created


def _target(settings: Settings) -> str | None:
    try:
        return os.readlink(current_dir(settings.data_dir))
    except OSError:
        return None


class IndexWatcher:
    """Loads each newly published index version and swaps it in (see the module)."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._lock = threading.Lock()  # one load at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._failed: str | None = None  # a target that did not load: not retried
        self._collect_at: float | None = None
        self._seen: str | None = None  # the last target loaded
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def notify(self) -> None:
        """Look now (after a change this process made)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.settings.reload_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.check()
            except Exception:  # never let the watcher die; the served version stays
                log.exception("checking for a new index version failed")
            if self._collect_at is not None and time.monotonic() > self._collect_at:
                # the replaced version's objects: collected once its requests are done,
                # then the served one is frozen again (see Retriever.load)
                self._collect_at = None
                gc.unfreeze()
                gc.collect()
                gc.freeze()

    def check(self) -> bool:
        """Load and serve the published version if it is not the one served; True if
        it swapped."""
        retriever: Retriever | None = self.app.state.retriever
        if retriever is None:
            return self._first()
        target = _target(self.settings)
        if target is None or target in (self._failed, self._seen):
            return False
        if os.path.basename(target) == index_version(retriever):
            return False
        with self._lock:
            retriever = self.app.state.retriever
            if retriever is None or os.path.basename(target) == index_version(retriever):
                return False
            started = time.perf_counter()
            try:
                index = load_index(self.settings, retriever.index.encoders, check=False)
                fresh = Retriever(index, self.settings)
            except Exception as exc:
                self._failed = target
                log.warning(
                    "index version %s not loaded, still serving the previous one: %s",
                    os.path.basename(target),
                    exc,
                )
                return False
            self._seen = target
            self.app.state.retriever = fresh  # one assignment: a request sees one or the other
            self.app.state.metrics.observe_index(fresh)
            self._collect_at = time.monotonic() + 10.0
            log.info(
                "serving index version %s (loaded in %.2f s)",
                index_version(fresh),
                time.perf_counter() - started,
            )
            return True

    def _first(self) -> bool:
        """Not ready because loading failed: try again once another version is published
        (e.g. the first index, built by `practice-search add` or `build`)."""
        target = _target(self.settings)
        if self.app.state.load_error is None or target is None or target == self._failed:
            return False
        with self._lock:
            if self.app.state.retriever is not None:
                return False
            try:
                fresh = Retriever.load(self.settings)
            except Exception as exc:
                self._failed = target
                log.warning("index version %s not loaded: %s", os.path.basename(target), exc)
                return False
            self._seen = target
            self.app.state.retriever = fresh
            self.app.state.load_error = None
            self.app.state.metrics.observe_index(fresh)
            log.info("serving index version %s", index_version(fresh))
            return True


class VersionHeader:
    """Adds ``X-Index-Version``: the version the request's retriever was taken from."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                version = scope.get("state", {}).get("index_version")
                if version:
                    headers = [*message.get("headers", []), (HEADER, version.encode())]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)
