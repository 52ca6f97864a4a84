"""Milvus Lite in both modes for the backend tests: in-process (a file path) and as a
server started here (``python -m milvus_lite server``), talked to over gRPC."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from practice_search.config import Settings
from tests.conftest import fake_settings

MODES = ("lite", "server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiteServer:
    """``python -m milvus_lite server`` on a free loopback port, in its own process."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = (data_dir / "server.log").open("wb")
        cmd = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir)]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"milvus_lite server exited with {self.proc.returncode}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("milvus_lite server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteServer]:
    server = LiteServer(tmp_path_factory.mktemp("milvus-server"))
    yield server
    server.stop()


def milvus_settings(base: Settings, uri: str, **update: Any) -> Settings:
    return base.model_copy(update={"backend": "milvus", "milvus_uri": uri, **update})


def fake_milvus(data_dir: Path, uri: str, **update: Any) -> Settings:
    """The fake-encoder settings of tests.conftest on the Milvus backend at ``uri``."""
    return milvus_settings(fake_settings(data_dir), uri, **update)


def client_of(settings: Settings) -> Any:
    from index.milvus.client import connect

    return connect(settings)
