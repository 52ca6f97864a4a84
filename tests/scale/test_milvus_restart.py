"""A Milvus server that restarts under a running service: searches answer 503 while
it is down and answer again once it is back (its collections come back released)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from index.milvus.export import export_to_milvus
from retriever import Retriever
from service.app import create_app
from tests.conftest import fake_settings
from tests.scale.conftest import LiteServer, fake_milvus


class _SamePort(LiteServer):
    """A Lite server on a port and data dir another one used before."""

    def __init__(self, data_dir: Path, port: int) -> None:
        import tests.scale.conftest as conftest

        chosen = conftest.free_port
        conftest.free_port = lambda: port
        try:
            super().__init__(data_dir)
        finally:
            conftest.free_port = chosen


def test_searches_answer_again_after_the_server_restarts(
    tmp_path: Path, fake_index_dir: Path
) -> None:
    server = LiteServer(tmp_path / "server")
    again: LiteServer | None = None
    try:
        settings = fake_milvus(tmp_path, server.uri)
        export_to_milvus(fake_settings(fake_index_dir), settings)
        retriever = Retriever.load(settings)
        with TestClient(create_app(settings, retriever=retriever)) as client:
            first = client.get("/search", params={"q": "housing"})
            assert first.status_code == 200
            server.stop()
            assert client.get("/search", params={"q": "housing"}).status_code == 503
            again = _SamePort(tmp_path / "server", server.port)
            deadline = time.monotonic() + 60
            while True:  # gRPC reconnects with a backoff: wait for the channel, no more
                back = client.get("/search", params={"q": "housing"})
                if "Fail connecting" not in back.text or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            similar = client.get(f"/similar/{first.json()['passages'][0]['id']}")
    finally:
        for s in (server, again):
            if s is not None and s.proc.poll() is None:
                s.stop()
    assert back.status_code == 200, back.text
    assert back.json()["passages"] == first.json()["passages"]
    assert similar.status_code == 200, similar.text
