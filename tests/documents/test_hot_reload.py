"""A running service (real uvicorn on loopback) serves each new index version without a
restart: searches from several threads while documents are added and removed through
the admin API get no error, and every answer comes whole from one index version (its
X-Index-Version) holding only that version's documents."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from index.documents import Incoming, add_documents
from retriever import Retriever
from service import create_app
from tests import documents_factory as f
from tests.conftest import fake_settings
from tests.documents.test_cli_documents import NEED_EN, NEED_IT
from tests.service.conftest import LiveServer

TOKEN = "reload-test-token"
BUNDLED = {"spring-a", "spring-b", "asap", "oss", "regin"}
NEEDS = [NEED_EN, NEED_IT, "language barrier in healthcare", "taxi drivers night lessons"]


def test_searches_never_fail_or_mix_versions_while_documents_change(
    fake_index_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(fake_index_dir, data_dir, symlinks=True)
    settings = fake_settings(data_dir).model_copy(
        update={
            "admin_token": SecretStr(TOKEN),
            "reload_interval": 0.05,
            "admin_requests_per_minute": 1000,
            "max_concurrent_searches": 4,
            "max_queued_searches": 64,
        }
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    files = {
        "taxi-school": ("taxi-school.docx", f.docx_bytes(f.EN)),
        "ciclofficina": ("ciclofficina.md", f.markdown_bytes(f.IT)),
    }
    answers: list[tuple[str, set[str]]] = []
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    with LiveServer(create_app(settings, Retriever.load(settings)), settings) as server:
        first = httpx.get(f"{server.url}readyz").json()["index_version"]
        docs_of_version: dict[str, set[str]] = {first: set(BUNDLED)}

        def search(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                i = n
                while not stop.is_set():
                    need = NEEDS[i % len(NEEDS)]
                    i += 1
                    try:
                        r = http.get("/search", params={"q": need, "k": 20})
                    except httpx.HTTPError as exc:
                        with lock:
                            errors.append(f"{need}: {exc!r}")
                        continue
                    if r.status_code != 200:
                        with lock:
                            errors.append(f"{need}: {r.status_code} {r.text[:200]}")
                        continue
                    body = r.json()
                    docs = {s["id"] for p in body["passages"] for s in p["sources"]}
                    with lock:
                        answers.append((r.headers["X-Index-Version"], docs))

        threads = [threading.Thread(target=search, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        present = set(BUNDLED)
        with httpx.Client(base_url=server.url, timeout=60, headers=auth) as admin:
            for doc_id, action in [
                ("taxi-school", "add"),
                ("ciclofficina", "add"),
                ("taxi-school", "remove"),
                ("taxi-school", "add"),
                ("ciclofficina", "remove"),
            ]:
                time.sleep(0.3)
                if action == "add":
                    name, data = files[doc_id]
                    r = admin.post("/admin/documents", files={"file": (name, data)})
                    assert r.status_code == 201, r.text
                    present.add(doc_id)
                else:
                    r = admin.delete(f"/admin/documents/{doc_id}")
                    assert r.status_code == 200, r.text
                    present.discard(doc_id)
                docs_of_version[r.json()["index_version"]] = set(present)
            time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        final = httpx.get(f"{server.url}readyz").json()["index_version"]

    assert errors == []
    assert len(docs_of_version) == 6 and final == r.json()["index_version"]
    seen = {version for version, _ in answers}
    assert seen <= set(docs_of_version), seen - set(docs_of_version)
    assert len(seen) >= 4  # the searches ran across the changes
    for version, docs in answers:
        assert docs <= docs_of_version[version], (version, docs - docs_of_version[version])
    # the added documents were found while they were there
    assert any("taxi-school" in docs for _, docs in answers)
    assert any("ciclofficina" in docs for _, docs in answers)


def test_a_service_without_an_index_gets_ready_once_one_is_published(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path / "data").model_copy(update={"reload_interval": 0.05})
    with TestClient(create_app(settings)) as c:
        deadline = time.monotonic() + 10
        while "no index" not in c.get("/readyz").text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.get("/readyz").status_code == 503
        manifest = add_documents(settings, [Incoming("taxi.md", f.markdown_bytes(f.EN))])[1]
        assert manifest is not None
        deadline = time.monotonic() + 30
        while c.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = c.get("/readyz").json()
        assert ready["index_version"] == manifest.version
        assert c.get("/search", params={"q": NEED_EN, "doc": "taxi"}).status_code == 200
