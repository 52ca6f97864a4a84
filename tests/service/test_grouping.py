"""``group`` over HTTP: GET and POST give the library's groups, and a request without
it (or with ``group=none``) gets the bytes it got before the option existed."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from retriever import Retriever, SearchResult
from retriever.request import query_model

NEEDS = ["language barrier in healthcare", "come finanziare un progetto", "housing", "Sirius"]


def _old_bytes(result: SearchResult) -> bytes:
    """A result as the route wrote it before the option existed: the dataclass, every
    field but ``groups``, through the same adapter (the result must hold no groups)."""
    assert result.groups is None
    return TypeAdapter(SearchResult).dump_json(result, exclude={"groups"})


def test_get_and_post_give_the_librarys_groups(
    client: TestClient, fake_retriever: Retriever
) -> None:
    for need in NEEDS:
        library = fake_retriever.search(need, k=15, offset=2, group="practice").to_dict()
        got = client.get("/search", params={"q": need, "k": 15, "offset": 2, "group": "practice"})
        posted = client.post("/search", json={"q": need, "k": 15, "offset": 2, "group": "practice"})
        assert got.status_code == posted.status_code == 200
        assert got.content == posted.content
        assert got.json() == json.loads(json.dumps(library))
        assert got.json()["groups"] and list(got.json())[-1] == "groups"


def test_without_group_the_bytes_are_unchanged(
    client: TestClient, fake_retriever: Retriever
) -> None:
    for need in NEEDS:
        for fields in ({}, {"k": 3, "type": "passage"}, {"k": 4, "doc": "oss", "offset": 1}):
            request = query_model(fake_retriever.limits).model_validate({"q": need, **fields})
            old = _old_bytes(fake_retriever.run(request))
            for extra in ({}, {"group": "none"}):
                got = client.get("/search", params={"q": need, **fields, **extra})
                posted = client.post("/search", json={"q": need, **fields, **extra})
                assert got.content == posted.content == old
                assert b'"groups"' not in got.content


def test_a_bad_group_is_a_422(client: TestClient) -> None:
    for resp in (
        client.get("/search", params={"q": "housing", "group": "doc"}),
        client.post("/search", json={"q": "housing", "group": "doc"}),
        client.post("/search", json={"q": "housing", "group": None}),
    ):
        assert resp.status_code == 422
        assert "group" in resp.json()["error"]["message"]


def test_openapi_documents_group_and_groups(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert params["group"]["schema"]["enum"] == ["none", "practice"]
    assert "k` still counts passages" in params["group"]["description"]
    body = spec["components"]["schemas"]["SearchRequest"]["properties"]["group"]
    assert body["enum"] == ["none", "practice"] and body["default"] == "none"
    assert "PassageGroup" in spec["components"]["schemas"]
    assert "groups" in spec["components"]["schemas"]["SearchResult"]["properties"]
