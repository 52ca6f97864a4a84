"""Hostile or unlucky clients: concurrent first searches, odd methods, HEAD, bad query
strings, a Host header that must not steer a redirect, and a bug inside a search."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.conftest import fake_env
from tests.service.conftest import free_port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_concurrent_searches_the_moment_a_fresh_server_is_ready(fake_index_dir: Path) -> None:
    """A new process (nothing set up yet), 16 searches at once as soon as /readyz is 200:
    every one answers 200 (the language detector was set up before readiness)."""
    port = free_port()
    env = fake_env(fake_index_dir)
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(f"{base}/readyz") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server never became ready"
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.02)
        needs = [f"language barrier in healthcare {i}" for i in range(8)]
        needs += [f"lavoro per i rifugiati {i}" for i in range(8)]
        with ThreadPoolExecutor(16) as pool:
            codes = list(
                pool.map(lambda q: _get(f"{base}/search?q={q.replace(' ', '%20')}"), needs)
            )
        assert codes == [200] * 16
    finally:
        server.terminate()
        server.communicate(timeout=30)  # reaps it and closes its stderr pipe


def test_metrics_labels_come_from_a_closed_set(
    service_settings: Settings, fake_retriever: Retriever
) -> None:
    rng = random.Random(7)
    with TestClient(create_app(service_settings, retriever=fake_retriever)) as client:
        before = len(client.get("/metrics").content)
        for _ in range(1000):
            method = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 12)))
            client.request(method, "/healthz")
        text = client.get("/metrics").text
    assert 'method="other"' in text
    labelled = {
        part.split('method="')[1].split('"')[0] for part in text.splitlines() if 'method="' in part
    }
    assert labelled <= {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"}
    assert len(text) < before + 8_000  # a handful of new series, not a thousand


def test_head_works_wherever_get_does(client: TestClient) -> None:
    practice = client.get("/practices").json()[0]["id"]
    paths = [
        "/",
        "/widget.js",
        "/static/page.css",
        "/docs",
        "/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
        "/documents",
        "/practices",
        f"/practices/{practice}",
        "/checklist",
        "/search?q=housing&k=2",
        "/search?k=2",  # an error answers HEAD the same way
        "/practices/nope",
    ]
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers.get("x-content-type-options") == "nosniff", path


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", "GET, HEAD"),
        ("/static/page.css", "GET, HEAD"),
        ("/healthz", "GET, HEAD"),
        ("/search", "GET, HEAD, POST"),
    ],
)
def test_405_names_the_methods_on_every_path(client: TestClient, path: str, allowed: str) -> None:
    r = client.request("DELETE", path)
    assert r.status_code == 405
    assert r.headers["allow"] == allowed


def test_no_redirect_is_built_from_the_host_header(client: TestClient) -> None:
    r = client.get("/search/?q=x", headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 404
    assert "location" not in r.headers


@pytest.mark.parametrize("raw", ["q=%FF", "q=caf%E9", "q=ok&doc=%C3"])
def test_a_query_string_that_is_not_utf8_is_refused(client: TestClient, raw: str) -> None:
    r = client.get(f"/search?{raw}")
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "the query string is not valid UTF-8"
    assert client.get("/search?q=caf%C3%A9").status_code == 200  # UTF-8 is fine


class _Broken:
    """A retriever whose searches hit a bug."""

    def __init__(self, real: Retriever) -> None:
        self.index, self.catalog, self.settings = real.index, real.catalog, real.settings

    def embedded(self, query: str) -> bool:
        return False

    def run(self, request: Any) -> Any:
        raise RuntimeError("a bug")


def test_a_bug_is_a_500_with_the_usual_headers_counted_and_closing(
    service_settings: Settings, fake_retriever: Retriever
) -> None:
    settings = service_settings.model_copy(update={"cors_origins": ["https://intranet.example"]})
    app = create_app(settings, retriever=_Broken(fake_retriever))  # type: ignore[arg-type]
    with TestClient(app) as client:
        r = client.get("/search?q=housing", headers={"Origin": "https://intranet.example"})
        assert r.status_code == 500
        assert r.json()["error"] == {
            "status": 500,
            "type": "InternalError",
            "message": "internal error (RuntimeError)",
        }
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["access-control-allow-origin"] == "https://intranet.example"
        assert r.headers["connection"] == "close"
        metrics = client.get("/metrics").text
    assert 'route="/search",status="500"' in metrics


def test_a_reason_given_to_clients_names_no_path_on_this_machine(tmp_path: Path) -> None:
    from service.app import public_reason

    settings = Settings(data_dir=tmp_path / "data", models_dir=tmp_path / "models")
    data, models = (tmp_path / "data").resolve(), (tmp_path / "models").resolve()
    assert public_reason(f"no index in {data}: run it", settings) == (
        "no index in the data folder: run it"
    )
    assert public_reason(f"missing {models}/gemma/model.onnx; fetch it", settings) == (
        "missing the models folder/gemma/model.onnx; fetch it"
    )
    assert public_reason("faiss/impl/io.cpp:68 at /usr/src/faiss/impl/io.cpp, x", settings) == (
        "faiss/impl/io.cpp:68 at io.cpp, x"
    )
