"""A short bounded load run against a real uvicorn on loopback: zero errors.

Latency is printed for the record, never asserted (the machine is shared)."""

from __future__ import annotations

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
