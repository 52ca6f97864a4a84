"""A short bounded load run against a real uvicorn on loopback: zero errors.

Latency is printed for the record, never asserted (the machine is shared)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from bench.http_load import is_loopback, run_load
from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.service.conftest import LiveServer


def test_eight_clients_for_ten_seconds_without_errors(
    service_settings: Settings, fake_retriever: Retriever
) -> None:
    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as server:
        report = run_load(server.url, clients=8, seconds=10)
    print(report)
    assert report["requests"] > 50
    assert report["errors"] == 0, report["error_samples"]


def test_fresh_needs_are_fresh_in_every_run() -> None:
    """Two --fresh runs against one server never send the same need twice (a second run
    would otherwise measure the cache the first one filled)."""
    seen: list[list[str]] = []

    async def record(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen[-1] += parse_qs(scope["query_string"].decode())["q"]
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
        elif scope["type"] == "lifespan":
            message = await receive()
            await send({"type": f"{message['type']}.complete"})

    with LiveServer(record) as server:  # type: ignore[arg-type]
        for _ in range(2):
            seen.append([])
            report = run_load(server.url, clients=2, seconds=0.5, fresh=True)
            assert report["errors"] == 0 and report["requests"] == len(seen[-1]) > 0
    first, second = seen
    assert len(set(first)) == len(first) and not set(first) & set(second)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8000/", True),
        ("http://127.8.9.10/", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000/", True),
        ("http://localhost.example.com/", False),
        ("http://127.0.0.1.example.com/", False),
        ("http://10.0.0.1/", False),
        ("https://127.0.0.1/", False),
        ("127.0.0.1:8000", False),
    ],
)
def test_load_runs_only_against_loopback(url: str, ok: bool) -> None:
    assert is_loopback(url) is ok
