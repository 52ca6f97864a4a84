"""The admin API on a real uvicorn (loopback) over a copy of the fake-encoder index:
off without a token, bearer token, rate limit, audit lines; real files added, found by
a need in English and in Italian, replaced and removed; the hostile-file table answered
with a 4xx and its reason, nothing changed, a 2 GB upload cut off early."""

from __future__ import annotations

import logging
import re
import select
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from corpus.ingest import IngestLimits
from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests import documents_factory as f
from tests.conftest import fake_settings
from tests.documents.table import HOSTILE, TWO_GB, Hostile, leftovers, snapshot
from tests.documents.test_cli_documents import NEED_EN, NEED_IT, NEW_EN
from tests.hostile_files import HOSTILE as LIBRARY_TABLE
from tests.hostile_files import HOSTILE_MESSAGES
from tests.hostile_files import Hostile as LibraryCase
from tests.service.conftest import LiveServer

TOKEN = "s3cret-admin-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def admin_settings(data_dir: Path, **update: object) -> Settings:
    return fake_settings(data_dir).model_copy(
        update={"admin_token": SecretStr(TOKEN), "reload_interval": 0.1, **update}
    )


def _copy(fake_index_dir: Path, target: Path) -> Path:
    shutil.copytree(fake_index_dir, target, symlinks=True)
    return target


@pytest.fixture
def data_dir(fake_index_dir: Path, tmp_path: Path) -> Path:
    return _copy(fake_index_dir, tmp_path / "data")


def app_client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, retriever=Retriever.load(settings)))


def test_the_admin_api_is_off_without_a_token(
    fake_index_dir: Path, fake_retriever: Retriever
) -> None:
    with TestClient(create_app(fake_settings(fake_index_dir), fake_retriever)) as client:
        for method, url in (("post", "/admin/documents"), ("get", "/admin/documents")):
            assert client.request(method, url, headers=AUTH).status_code == 404
        paths = client.get("/openapi.json").json()["paths"]
        assert "/search" in paths and not any(p.startswith("/admin") for p in paths)


def test_token_rate_limit_and_audit(data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="practice_search.audit")
    with app_client(admin_settings(data_dir, admin_requests_per_minute=4)) as c:
        assert "/admin/documents" in c.get("/openapi.json").json()["paths"]
        r = c.get("/admin/documents")
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Bearer" in r.json()["error"]["message"]
        r = c.get("/admin/documents", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 403
        r = c.get("/admin/documents", headers=AUTH)
        assert r.status_code == 200
        assert {d["id"] for d in r.json()} == {"spring-a", "spring-b", "asap", "oss", "regin"}
        r = c.delete("/admin/documents/asap", headers=AUTH)  # the 4th in this minute
        assert r.status_code == 404 and "bundled document" in r.json()["error"]["message"]
        r = c.get("/admin/documents", headers=AUTH)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "practice_search.audit"]
    assert len(lines) == 5
    assert all("who=testclient" in line and "when=20" in line for line in lines)
    assert [line.split("status=")[1][:3] for line in lines] == ["401", "403", "200", "404", "429"]
    assert "what='GET /admin/documents'" in lines[0]
    assert not any(TOKEN in rec.getMessage() for rec in caplog.records)


def _upload(c: TestClient, name: str, data: bytes, **fields: str) -> httpx.Response:
    return c.post("/admin/documents", headers=AUTH, files={"file": (name, data)}, data=fields)


def _docs(c: TestClient, need: str, k: int = 5) -> list[str]:
    r = c.get("/search", params={"q": need, "k": k, "type": "passage"})
    assert r.status_code == 200, r.text
    return [p["doc"]["id"] for p in r.json()["passages"]]


def test_add_find_replace_remove_over_http(data_dir: Path) -> None:
    with app_client(admin_settings(data_dir)) as c:
        first = c.get("/readyz").json()["index_version"]
        pdf = f.pdf_bytes(f.IT)  # once: a PDF writer stamps the time it was made
        r = _upload(c, "Night school.docx", f.docx_bytes(f.EN))
        assert r.status_code == 201, r.text
        added = r.json()
        assert added["id"] == "night-school" and added["status"] == "added"
        assert added["index_version"] != first  # served as soon as the answer comes
        assert c.get("/readyz").json()["index_version"] == added["index_version"]
        r = _upload(c, "ciclofficina.pdf", pdf, language="it", title="Ciclofficina")
        assert r.status_code == 201, r.text
        assert _docs(c, NEED_EN)[0] == "night-school"
        assert _docs(c, NEED_IT)[0] == "ciclofficina"
        search = c.get("/search", params={"q": NEED_IT, "doc": "ciclofficina"})
        assert search.headers["X-Index-Version"] == r.json()["index_version"]
        listed = {d["id"]: d for d in c.get("/documents").json()}
        assert (
            listed["ciclofficina"]["title"] == "Ciclofficina"
            and listed["ciclofficina"]["passages"] > 0
        )
        admin_list = {d["id"]: d for d in c.get("/admin/documents", headers=AUTH).json()}
        assert admin_list["night-school"]["source"] == "Night school.docx"

        again = _upload(c, "ciclofficina.pdf", pdf, language="it", title="Ciclofficina")
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        assert again.json()["index_version"] == r.json()["index_version"]

        r = _upload(c, "v2.md", f.markdown_bytes(NEW_EN), id="night-school")
        assert r.status_code == 201 and r.json()["status"] == "replaced", r.text
        texts = c.get("/search", params={"q": "newcomers", "doc": "night-school", "k": 50})
        joined = " ".join(p["text"] for p in texts.json()["passages"])
        assert "lighthouse keepers" in joined and "taxi" not in joined
        old = c.get("/search", params={"q": NEED_EN, "k": 20, "type": "passage"}).json()
        assert not any("taxi" in p["text"] for p in old["passages"])  # the old text is gone

        r = c.delete("/admin/documents/night-school", headers=AUTH)
        assert r.status_code == 200 and r.json()["status"] == "removed", r.text
        assert "night-school" not in _docs(c, "lighthouse keepers mentor newcomers", 10)
        assert "night-school" not in _docs(c, NEED_EN, 10)
        gone = c.get("/search", params={"q": "x", "doc": "night-school"})
        assert gone.status_code == 422 and "unknown doc" in gone.json()["error"]["message"]
        assert c.delete("/admin/documents/night-school", headers=AUTH).status_code == 404
    assert leftovers(data_dir) == []


def test_html_scripts_are_never_shown(data_dir: Path) -> None:
    with app_client(admin_settings(data_dir)) as c:
        assert _upload(c, "pagina.html", f.html_bytes(f.IT)).status_code == 201
        r = c.get("/search", params={"q": NEED_IT, "doc": "pagina", "k": 50})
        body = r.text
        assert r.json()["passages"] and "SCRIPT-TEXT" not in body and "<script" not in body


@pytest.fixture(scope="module")
def live(fake_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the hostile table: none of it may change anything."""
    data_dir = _copy(fake_index_dir, tmp_path_factory.mktemp("hostile") / "data")
    settings = admin_settings(data_dir, admin_requests_per_minute=1000)
    with LiveServer(create_app(settings, Retriever.load(settings)), settings) as server:
        yield server


def _stream_two_gb(port: int) -> tuple[bytes, int]:
    """POST a 2 GB multipart upload in chunks, stopping when an answer arrives; the
    answer's first bytes and how many bytes were sent."""
    head = (
        "POST /admin/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {TOKEN}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n\r\n'
    chunk = bytes(1024 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head + f"{len(part):x}\r\n".encode() + part + b"\r\n")
        while sent < TWO_GB:
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        deadline = time.monotonic() + 10
        answer = b""
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    return answer, sent


API_CASES = [*HOSTILE, Hostile("path-in-the-name", "../../etc/passwd", lambda: b"x", "bad_name")]
STATUS = {"too_large": 413, "not_pdf": 415, "unknown_format": 415}


@pytest.mark.parametrize("case", API_CASES, ids=[c.case for c in API_CASES])
def test_a_hostile_upload_changes_nothing(case: Hostile, live: LiveServer) -> None:
    data_dir = live.app.state.settings.data_dir
    before = snapshot(data_dir)
    if case.data is None:
        answer, sent = _stream_two_gb(live.port)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 64 * 1024 * 1024  # cut off early: after about 20 MB, not 2 GB
        assert b"request body over" in answer or b"Content-Length" in answer
    else:
        r = httpx.post(
            f"{live.url}admin/documents",
            headers=AUTH,
            files={"file": (case.name, case.data())},
            timeout=60,
        )
        assert r.status_code == STATUS.get(case.code, 422), r.text
        error = r.json()["error"]
        assert error["type"] == f"DocumentRejected:{case.code}"
        assert "\n" not in error["message"] and error["message"]
    assert snapshot(data_dir) == before
    assert leftovers(data_dir) == []


def test_a_declared_oversized_upload_is_refused_before_its_body(live: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(
            b"POST /admin/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN.encode()
            + b"\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {TWO_GB}\r\n\r\n".encode()
        )
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413")


LIBRARY = [c for c in LIBRARY_TABLE if c.limits == IngestLimits()]


@pytest.mark.parametrize(
    "case", LIBRARY, ids=[c.name.encode("unicode_escape").decode() for c in LIBRARY]
)
def test_every_refusal_of_the_library_reaches_the_client(
    case: LibraryCase, live: LiveServer
) -> None:
    data_dir = live.app.state.settings.data_dir
    before = snapshot(data_dir)
    r = httpx.post(
        f"{live.url}admin/documents",
        headers=AUTH,
        files={"file": (case.name, case.data())},
        timeout=60,
    )
    assert 400 <= r.status_code < 500, r.text
    error = r.json()["error"]
    assert error["type"] == f"DocumentRejected:{case.code}"
    message = case.message or HOSTILE_MESSAGES[case.name]
    if message.startswith("re:"):
        assert re.search(message[3:], error["message"]), error["message"]
    else:
        assert message in error["message"]
    assert snapshot(data_dir) == before and leftovers(data_dir) == []
