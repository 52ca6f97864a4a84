"""A Milvus that is down is a one-line reason (503 from the service, exit 1 from the
CLI), and the scale extra missing is one line naming it: never a traceback. The
default backend never imports pymilvus, milvus-lite or Ray."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.milvus.export import export_to_milvus
from practice_search.errors import BackendUnavailable, IndexMissing
from retriever import Retriever
from service.app import create_app
from tests.conftest import fake_env, fake_settings
from tests.scale.conftest import LiteServer, fake_milvus, free_port

ROOT = Path(__file__).resolve().parents[2]

# the scale extra not installed: importing any of its packages fails, as it would
BLOCK = """
import sys
class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pymilvus", "milvus_lite", "ray"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NotInstalled())
"""


def _cli(args: list[str], env: dict[str, str], prelude: str = "") -> subprocess.CompletedProcess:
    code = prelude + "import sys\nfrom cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_server_that_is_down_is_a_one_line_503_and_cli_error(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    settings = fake_milvus(tmp_path, down)
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while True:  # the index loads in the background: wait for its verdict
            r = client.get("/search", params={"q": "housing"})
            if "still loading" not in r.text or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert r.status_code == 503
    message = r.json()["error"]["message"]
    assert message.startswith(f"Milvus at {down} failed to connect")
    assert "\n" not in message and "Traceback" not in message

    env = fake_env(tmp_path, PRACTICE_SEARCH_BACKEND="milvus", PRACTICE_SEARCH_MILVUS_URI=down)
    out = _cli(["query", "housing"], env)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(f"error: Milvus at {down}")


def test_a_server_that_goes_down_after_loading_is_a_503(
    tmp_path: Path, fake_index_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    server = LiteServer(tmp_path / "server")
    try:
        settings = fake_milvus(tmp_path, server.uri)
        export_to_milvus(fake_settings(fake_index_dir), settings)
        retriever = Retriever.load(settings)
        with TestClient(create_app(settings, retriever=retriever)) as client:
            assert client.get("/search", params={"q": "housing"}).status_code == 200
            server.stop()
            r = client.get("/search", params={"q": "housing"})
    finally:
        if server.proc.poll() is None:
            server.stop()
    assert r.status_code == 503
    assert r.json()["error"]["type"] == BackendUnavailable.__name__
    assert r.json()["error"]["message"].startswith(f"Milvus at {server.uri} failed a search")
    # the reason is the answer's: pymilvus logs no traceback per failed call besides
    assert "Traceback" not in capfd.readouterr().err


def test_without_the_scale_extra_one_line_names_it(tmp_path: Path, fake_index_dir: Path) -> None:
    env = fake_env(tmp_path / "data")
    out = _cli(["build", "--ray", "local"], env, BLOCK)
    assert out.returncode == 1, out.stderr
    assert out.stderr.count("\n") == 1 and "needs the 'scale' extra" in out.stderr
    assert "--ray" in out.stderr
    env = fake_env(tmp_path / "data", PRACTICE_SEARCH_BACKEND="milvus")
    out = _cli(["query", "housing"], env, BLOCK)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1
    assert "the Milvus backend needs the 'scale' extra" in out.stderr


def test_the_default_backend_never_imports_the_scale_extra(fake_index_dir: Path) -> None:
    code = BLOCK + (
        "from practice_search.config import Settings\n"
        "from retriever import Retriever\n"
        "from service.app import create_app\n"
        "from tests.conftest import fake_settings\n"
        f"r = Retriever.load(fake_settings(__import__('pathlib').Path({str(fake_index_dir)!r})))\n"
        "create_app(r.settings, retriever=r)\n"
        "assert r.search('housing for refugees').passages\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pymilvus', 'milvus_lite', 'ray')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_a_failed_load_closes_its_client(
    tmp_path: Path, fake_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pymilvus import MilvusClient

    from index.milvus.load import read_milvus_index

    settings = fake_milvus(tmp_path, str(tmp_path / "m.db"))
    export_to_milvus(fake_settings(fake_index_dir), settings)
    opened: list[int] = []
    real_init, real_close = MilvusClient.__init__, MilvusClient.close

    def init(self: MilvusClient, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)
        opened.append(id(self))

    def close(self: MilvusClient) -> None:
        opened.remove(id(self))
        real_close(self)

    monkeypatch.setattr(MilvusClient, "__init__", init)
    monkeypatch.setattr(MilvusClient, "close", close)
    wrong = settings.model_copy(update={"milvus_collection": "no_such_alias"})
    with pytest.raises(IndexMissing, match="no alias no_such_alias"):
        read_milvus_index(wrong)
    assert opened == []
