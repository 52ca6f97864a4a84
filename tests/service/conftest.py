"""Service fixtures: the app on the fake-encoder index, a real uvicorn on loopback, and
a headless Chromium for the browser tests (skipped without it, except in CI)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from service.server import Tally, server_config
from tests.conftest import fake_settings

CHROMIUM = os.environ.get("PRACTICE_SEARCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def service_settings(fake_index_dir: Path) -> Settings:
    return fake_settings(fake_index_dir)


@pytest.fixture(scope="session")
def client(service_settings: Settings, fake_retriever: Retriever) -> Iterator[TestClient]:
    with TestClient(create_app(service_settings, retriever=fake_retriever)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn serving an app on 127.0.0.1, in a background thread."""

    def __init__(
        self, app: FastAPI, settings: Settings | None = None, tally: Tally | None = None
    ) -> None:
        """With ``settings``, the server runs as ``practice-search serve`` runs it (its
        timeouts and connection cap, see service.server), counting into ``tally``."""
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        if settings is None:
            config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        else:
            config = server_config(
                app, settings, tally, host="127.0.0.1", port=self.port, log_level="warning"
            )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = (
            "Chromium not found: install it with "
            "`apt-get install -y chromium chromium-driver` (or set PRACTICE_SEARCH_CHROMIUM)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
