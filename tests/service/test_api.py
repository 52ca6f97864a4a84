"""Each route through TestClient, and the table of bad requests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service import create_app


def test_search_get_returns_the_contract(client: TestClient) -> None:
    r = client.get("/search", params={"q": "language barrier in healthcare", "k": 3})
    assert r.status_code == 200
    data = r.json()
    assert data["query"] == "language barrier in healthcare"
    assert len(data["passages"]) == 3 and data["checklist"]
    assert {"id", "text", "score", "doc", "practice", "section", "lang"} <= set(data["passages"][0])


def test_search_post_equals_get(client: TestClient) -> None:
    params = {"q": "housing", "k": 4, "type": "passage", "doc": "asap"}
    got = client.get("/search", params=params).json()
    posted = client.post("/search", json=params).json()
    assert [p["id"] for p in got["passages"]] == [p["id"] for p in posted["passages"]]
    assert all(p["doc"]["id"] == "asap" for p in got["passages"])


def test_pages_never_repeat(client: TestClient) -> None:
    first = client.get("/search", params={"q": "monitoring", "k": 5}).json()
    second = client.get("/search", params={"q": "monitoring", "k": 5, "offset": 5}).json()
    for kind in ("passages", "checklist"):
        ids1 = {x["id"] for x in first[kind]}
        assert ids1 and not ids1 & {x["id"] for x in second[kind]}


def test_documents_practices_checklist(client: TestClient) -> None:
    docs = client.get("/documents").json()
    assert {d["id"] for d in docs} == {"spring-a", "spring-b", "asap", "oss", "regin"}
    practices = client.get("/practices").json()
    assert len(practices) == 32
    sirius = client.get("/practices/sirius-school").json()
    assert sirius["title"] == "Sirius School"
    assert len({(a["dimension"], a["question"]) for a in sirius["answers"]}) >= 10
    assert {s["id"] for s in sirius["sources"]} == {"spring-a", "spring-b"}
    assert sirius["passages"] and {c["status"] for c in sirius["checklist"]} <= {
        "met",
        "not_met",
        "unmarked",
    }
    items = client.get("/checklist").json()
    assert len(items) == 40
    one = client.get(f"/checklist/{items[0]['id']}").json()
    assert one["text"] == items[0]["text"] and "met_by" in one and "not_met_by" in one


def test_similar_excludes_the_same_practice(client: TestClient) -> None:
    sirius = client.get("/practices/sirius-school").json()
    similar = client.get(f"/similar/{sirius['passages'][0]['id']}", params={"k": 5}).json()
    assert len(similar) == 5
    assert all((s["practice"] or {}).get("id") != "sirius-school" for s in similar)


def test_health_ready_metrics(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["index_version"]
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["counts"]["checklist"] == 40
    client.get("/search", params={"q": "housing"})
    text = client.get("/metrics").text
    assert 'practice_search_requests_total{method="GET",route="/search",status="200"}' in text
    assert "practice_search_request_seconds_bucket" in text
    assert "practice_search_index_passages" in text


def test_openapi_and_page(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/search", "/practices/{practice_id}", "/similar/{passage_id}"} <= set(schema["paths"])
    page = client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")


BAD = [
    ("get", "/search", {"params": {"q": ""}}, 422, "at least 1 character"),
    ("get", "/search", {"params": {"q": "   "}}, 422, "query is empty"),
    ("post", "/search", {"json": {"q": "\u3000\ufeff\t"}}, 422, "query is empty"),
    ("get", "/search", {"params": {"q": "x" * 501}}, 422, "at most 500"),
    ("get", "/search", {"params": {}}, 422, "q: Field required"),
    ("get", "/search", {"params": {"q": "housing", "k": 0}}, 422, "k:"),
    ("get", "/search", {"params": {"q": "housing", "k": 1000}}, 422, "k:"),
    ("get", "/search", {"params": {"q": "housing", "k": "ten"}}, 422, "k:"),
    ("get", "/search", {"params": {"q": "housing", "offset": -1}}, 422, "offset:"),
    ("get", "/search", {"params": {"q": "housing", "doc": "nope"}}, 422, "unknown doc 'nope'"),
    (
        "get",
        "/search",
        {"params": {"q": "housing", "dimension": "Joy"}},
        422,
        "dimension: Input should be",
    ),
    ("get", "/search", {"params": {"q": "housing", "lang": "fr"}}, 422, "lang: Input should be"),
    ("get", "/search", {"params": {"q": "housing", "type": "x"}}, 422, "type:"),
    (
        "post",
        "/search",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
        "malformed JSON",
    ),
    ("post", "/search", {"json": {"q": "housing", "colour": "red"}}, 422, "colour"),
    ("post", "/search", {"json": ["housing"]}, 422, ""),
    ("post", "/search", {"json": {"q": "housing", "offset": False}}, 422, "offset:"),
    (
        "post",
        "/search",
        {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
        422,
        "malformed",
    ),
    (
        "post",
        "/search",
        {"content": b"x" * 20_000, "headers": {"content-type": "application/json"}},
        413,
        "over 16384 bytes",
    ),
    ("delete", "/search", {}, 405, "Method Not Allowed"),
    ("put", "/practices", {}, 405, "Method Not Allowed"),
    ("get", "/practices/no-such-practice", {}, 404, "no practice"),
    ("get", "/checklist/c-000000000000", {}, 404, "no checklist item"),
    ("get", "/similar/p-000000000000", {}, 404, "no passage"),
    ("get", "/similar/c-000000000000", {}, 404, "no passage"),
    ("get", "/no/such/route", {}, 404, "Not Found"),
]


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "message"),
    BAD,
    ids=[f"{m} {u} {s}" for m, u, _, s, _ in BAD],
)
def test_bad_requests_get_a_json_4xx(
    client: TestClient, method: str, url: str, kwargs: dict, status: int, message: str
) -> None:
    r = client.request(method.upper(), url, **kwargs)
    assert r.status_code == status
    body = r.json()["error"]
    assert body["status"] == status and message in body["message"]
    assert "Traceback" not in r.text


def test_not_ready_is_503_and_explains(service_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = service_settings.model_copy(update={"data_dir": tmp_path / "missing"})
    with TestClient(create_app(settings)) as c:
        for _ in range(100):
            if c.app.state.load_error:  # type: ignore[attr-defined]
                break
            import time

            time.sleep(0.05)
        ready = c.get("/readyz")
        assert ready.status_code == 503
        # the reason names what to do, not where things are on this machine
        assert ready.json()["reason"] == "no index in the data folder: run `practice-search build`"
        search = c.get("/search", params={"q": "housing"})
        assert search.status_code == 503 and search.headers["retry-after"] == "5"
        assert c.get("/healthz").status_code == 200


def test_cors_is_off_by_default_and_allowlisted(service_settings, fake_retriever) -> None:  # type: ignore[no-untyped-def]
    origin = "https://intranet.example"
    with TestClient(create_app(service_settings, retriever=fake_retriever)) as c:
        r = c.get("/search", params={"q": "housing"}, headers={"Origin": origin})
        assert "access-control-allow-origin" not in r.headers
    allowed = service_settings.model_copy(update={"cors_origins": [origin]})
    with TestClient(create_app(allowed, retriever=fake_retriever)) as c:
        r = c.get("/search", params={"q": "housing"}, headers={"Origin": origin})
        assert r.headers["access-control-allow-origin"] == origin
        other = c.get(
            "/search", params={"q": "housing"}, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_security_headers(client: TestClient) -> None:
    r = client.get("/search", params={"q": "housing"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_filter_values_in_the_schema_match_the_corpus() -> None:
    from typing import get_args

    from corpus import DOCUMENTS
    from corpus.lang import CORPUS_LANGS
    from retriever.request import DocId, Lang

    assert set(get_args(DocId)) == {d.id for d in DOCUMENTS}
    assert set(get_args(Lang)) == set(CORPUS_LANGS)


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    r = client.request("OPTIONS", "/search")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(
    ("k", "ok"), [(6, True), (6.0, True), (6.5, False), ("6", False), (True, False), (None, False)]
)
def test_post_k_is_a_json_integer(client: TestClient, k: object, ok: bool) -> None:
    r = client.post("/search", json={"q": "housing", "k": k})
    assert (r.status_code == 200) is ok


def test_oversized_chunked_body_is_refused(service_settings, fake_retriever) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from tests.service.conftest import LiveServer

    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as server:
        headers = {"content-type": "application/json"}
        small = httpx.post(
            f"{server.url}search", content=iter([b'{"q": "housing"}']), headers=headers
        )
        big = httpx.post(f"{server.url}search", content=iter([b"x" * 8000] * 4), headers=headers)
    assert small.status_code == 200
    assert big.status_code == 413 and "over 16384 bytes" in big.json()["error"]["message"]


def test_control_characters_only_is_an_empty_answer_not_an_error(client: TestClient) -> None:
    r = client.post("/search", json={"q": "\u001d\u0002"})
    assert r.status_code == 200
    body = r.json()
    assert (
        body["passages"] == []
        and body["low_confidence"]
        and "no searchable text" in body["message"]
    )
