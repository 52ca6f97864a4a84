"""Overload and slow clients, on a real uvicorn on loopback (see service.server and
service.admission). Times are bounds for the test to end, never measurements."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any, cast

import httpx
import pytest

from practice_search.config import Settings
from retriever import Retriever
from retriever.request import SearchRequest
from service import create_app
from service.server import Tally
from tests.service.conftest import LiveServer

KNOWN = "a need already embedded"


class SlowRetriever:
    """The fake retriever, but a search of a new need waits until the test lets it go;
    the need ``KNOWN`` counts as already embedded and is answered at once."""

    def __init__(self, inner: Retriever) -> None:
        self._inner = inner
        self.started = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def embedded(self, query: str) -> bool:
        return query == KNOWN

    def run(self, request: SearchRequest) -> Any:
        if request.q != KNOWN:
            self.started.set()
            self.release.wait(30)
        return self._inner.run(request)


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes ``sock`` (then closed here too);
    fails if the server keeps it open."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"connection still open after {seconds} s; got {received!r}")
    except ConnectionResetError:
        pass
    finally:
        sock.close()
    return received


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


@pytest.fixture
def guarded(service_settings: Settings, fake_retriever: Retriever) -> Settings:
    return service_settings.model_copy(
        update={"header_timeout": 1.0, "body_timeout": 1.0, "max_connections": 50}
    )


def test_a_search_over_the_limit_gets_503_while_healthz_answers(
    service_settings: Settings, fake_retriever: Retriever
) -> None:
    settings = service_settings.model_copy(
        update={"max_concurrent_searches": 1, "max_queued_searches": 0, "retry_after": 2}
    )
    slow = SlowRetriever(fake_retriever)
    app = create_app(settings, retriever=cast(Retriever, slow))
    with LiveServer(app, settings) as server, httpx.Client(timeout=30) as http:
        first: list[httpx.Response] = []
        worker = threading.Thread(
            target=lambda: first.append(http.get(f"{server.url}search", params={"q": "housing"}))
        )
        worker.start()
        try:
            assert slow.started.wait(20)
            second = http.get(f"{server.url}search", params={"q": "language courses"})
            assert second.status_code == 503
            assert second.headers["retry-after"] == "2"
            assert "too many searches" in second.json()["error"]["message"]
            posted = http.post(f"{server.url}search", json={"q": "language courses"})
            assert posted.status_code == 503
            # a need already embedded has its own lane: it does not wait behind new ones
            assert http.get(f"{server.url}search", params={"q": KNOWN}).status_code == 200
            for path in ("healthz", "readyz", "metrics", ""):
                assert http.get(f"{server.url}{path}", timeout=5).status_code == 200, path
        finally:
            slow.release.set()
            worker.join(30)
        assert first[0].status_code == 200
        # the slot is free again once the first search is done
        deadline = time.monotonic() + 10
        while app.state.admission.admitted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert http.get(f"{server.url}search", params={"q": "housing"}).status_code == 200


def test_searches_wait_in_the_queue_up_to_its_bound(
    service_settings: Settings, fake_retriever: Retriever
) -> None:
    settings = service_settings.model_copy(
        update={"max_concurrent_searches": 1, "max_queued_searches": 1}
    )
    slow = SlowRetriever(fake_retriever)
    app = create_app(settings, retriever=cast(Retriever, slow))
    with LiveServer(app, settings) as server, httpx.Client(timeout=30) as http:
        answers: list[int] = []

        def search() -> None:
            answers.append(http.get(f"{server.url}search", params={"q": "housing"}).status_code)

        running, waiting = threading.Thread(target=search), threading.Thread(target=search)
        running.start()
        assert slow.started.wait(20)
        waiting.start()
        deadline = time.monotonic() + 10
        while app.state.admission.admitted < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert http.get(f"{server.url}search", params={"q": "x"}).status_code == 503
        slow.release.set()
        running.join(30)
        waiting.join(30)
        assert answers == [200, 200]


def test_slow_headers_are_cut_off(guarded: Settings, fake_retriever: Retriever) -> None:
    with LiveServer(create_app(guarded, retriever=fake_retriever), guarded) as server:
        silent = _connect(server)  # opens, never sends
        trickle = _connect(server)
        trickle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        for _ in range(3):  # a header line now and then never completes the head
            time.sleep(0.3)
            trickle.sendall(b"X-Slow: 1\r\n")
        assert _closed_within(trickle, 10).startswith(b"HTTP/1.1 408")
        assert _closed_within(silent, 10).startswith(b"HTTP/1.1 408")
        # a prompt client is served as before, keep-alive included
        with httpx.Client() as http:
            for _ in range(3):
                assert http.get(f"{server.url}healthz").status_code == 200
                time.sleep(0.6)  # idle between requests, under the keep-alive timeout


def test_a_slow_body_is_cut_off(guarded: Settings, fake_retriever: Retriever) -> None:
    with LiveServer(create_app(guarded, retriever=fake_retriever), guarded) as server:
        sock = _connect(server)
        sock.sendall(
            b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 40\r\n\r\n{"q": '
        )
        _closed_within(sock, 10)
        with httpx.Client() as http:
            assert http.post(f"{server.url}search", json={"q": "housing"}).status_code == 200


def test_connections_over_the_cap_are_refused_and_logged_once(
    guarded: Settings, fake_retriever: Retriever
) -> None:
    settings = guarded.model_copy(update={"max_connections": 3, "header_timeout": 30.0})
    records: list[logging.LogRecord] = []
    log = logging.getLogger("tests.overload")
    log.propagate = False

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log.addHandler(Keep())
    tally = Tally(interval=0.5, log=log)
    with LiveServer(create_app(settings, retriever=fake_retriever), settings, tally) as server:
        held = [_connect(server) for _ in range(3)]
        time.sleep(0.2)
        extra = [_connect(server) for _ in range(20)]
        answers = [_closed_within(sock, 10) for sock in extra]
        assert all(a == b"" or a.startswith(b"HTTP/1.1 503") for a in answers)
        for sock in held + extra:
            sock.close()
        deadline = time.monotonic() + 10
        while not records and time.monotonic() < deadline:
            time.sleep(0.1)
    assert tally.total["over the connection cap"] == 20
    assert 1 <= len(records) <= 3  # one line per interval, not one per connection
    counted = sum(int(r.getMessage().split(": ")[1].split()[0]) for r in records)
    assert counted == 20, [r.getMessage() for r in records]
