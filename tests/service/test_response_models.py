"""Every route documents its response body, and every body is exactly what it documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from retriever import Retriever, SearchResult
from retriever.views import (
    ChecklistItemView,
    DocumentView,
    PracticeDetail,
    PracticeSummary,
    SimilarPassage,
)

PRACTICE_REF = {"id", "title", "organisation", "place"}
CHECKLIST_ITEM = {"id", "text", "dimension", "question", "met_by", "not_met_by", "unmarked_by"}
# route -> (is a list, property names of the body, or of each item of a list)
DOCUMENTED: dict[str, tuple[bool, set[str]]] = {
    "/documents": (True, {"id", "title", "file", "lang", "publisher", "passages"}),
    "/practices": (True, PRACTICE_REF | {"country", "city", "sources", "topics"}),
    "/practices/{practice_id}": (
        False,
        PRACTICE_REF
        | {"answers", "city", "country", "summary", "topics", "sources", "passages", "checklist"},
    ),
    "/checklist": (True, CHECKLIST_ITEM),
    "/checklist/{item_id}": (False, CHECKLIST_ITEM),
    "/similar/{passage_id}": (
        True,
        {"id", "text", "score", "doc", "practice", "section", "lang"},
    ),
    "/healthz": (False, {"status", "index_version"}),
    "/readyz": (False, {"status", "counts", "index_version"}),
}


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    return schema


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _body_schema(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    ok = openapi["paths"][path]["get"]["responses"]["200"]
    return _resolve(openapi, ok["content"]["application/json"]["schema"])


def test_every_json_route_documents_its_body(openapi: dict[str, Any]) -> None:
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert _resolve(openapi, schema).get("type") in ("object", "array"), (method, path)


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_route_documents_the_properties_it_returns(openapi: dict[str, Any], path: str) -> None:
    is_list, names = DOCUMENTED[path]
    schema = _body_schema(openapi, path)
    assert schema["type"] == ("array" if is_list else "object")
    if is_list:
        schema = _resolve(openapi, schema["items"])
    assert set(schema["properties"]) == names
    assert set(schema["required"]) == names


def _check(openapi: dict[str, Any], schema: dict[str, Any], value: object, at: str) -> None:
    """``value`` against a documented schema, strictly: an object has the documented
    properties (a key the schema does not name fails, as a missing required one does;
    only a property the schema leaves optional may be absent)."""
    schema = _resolve(openapi, schema)
    if "anyOf" in schema:
        problems = []
        for option in schema["anyOf"]:
            try:
                _check(openapi, option, value, at)
                return
            except AssertionError as exc:
                problems.append(str(exc))
        raise AssertionError(f"{at}: matches no option: {problems}")
    if "const" in schema:
        assert value == schema["const"], at
    if "enum" in schema:
        assert value in schema["enum"], at
    kind = schema.get("type")
    if kind == "object":
        assert isinstance(value, dict), f"{at}: not an object"
        if "properties" in schema:
            keys = set(value)
            assert set(schema.get("required", [])) <= keys <= set(schema["properties"]), (
                f"{at}: keys {sorted(value)}"
            )
            for key, sub in schema["properties"].items():
                if key in value:
                    _check(openapi, sub, value[key], f"{at}.{key}")
        else:
            extra = schema.get("additionalProperties")
            assert isinstance(extra, dict), f"{at}: an object of undocumented shape"
            for key, item in value.items():
                _check(openapi, extra, item, f"{at}.{key}")
    elif kind == "array":
        assert isinstance(value, list), f"{at}: not an array"
        for i, item in enumerate(value):
            _check(openapi, schema["items"], item, f"{at}[{i}]")
    else:
        python = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
        if kind == "null":
            assert value is None, at
        elif kind in python:
            assert isinstance(value, python[kind]), f"{at}: {value!r} is not {kind}"
            assert kind == "boolean" or not isinstance(value, bool), f"{at}: {value!r}"
        else:
            raise AssertionError(f"{at}: the schema {schema} documents no type")


def _urls(client: TestClient, retriever: Retriever) -> list[tuple[str, str]]:
    """(documented path, url): every practice and checklist item, and passages
    within a practice and outside any."""
    practices = client.get("/practices").json()
    items = client.get("/checklist").json()
    rows = retriever.index.records["passages"]
    passages = [r["id"] for r in rows if r["practice_id"]][:5]
    passages += [r["id"] for r in rows if not r["practice_id"]][:5]
    return [
        ("/documents", "/documents"),
        ("/practices", "/practices"),
        ("/checklist", "/checklist"),
        ("/healthz", "/healthz"),
        ("/readyz", "/readyz"),
        *(("/practices/{practice_id}", f"/practices/{p['id']}") for p in practices),
        *(("/checklist/{item_id}", f"/checklist/{c['id']}") for c in items),
        *(("/similar/{passage_id}", f"/similar/{pid}?k=10") for pid in passages),
        ("/search", "/search?q=housing%20for%20refugees&k=10"),
        ("/search", "/search?q=lavoro&k=3&lang=it"),
        ("/search", "/search?q=housing%20for%20refugees&k=10&group=practice"),
    ]


def test_bodies_are_exactly_their_documented_schema(
    client: TestClient, openapi: dict[str, Any], fake_retriever: Retriever
) -> None:
    for path, url in _urls(client, fake_retriever):
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.json()
        assert body or path.startswith("/similar"), url
        _check(openapi, _body_schema(openapi, path), body, url)


TYPES: dict[str, object] = {
    "/documents": list[DocumentView],
    "/practices": list[PracticeSummary],
    "/practices/{practice_id}": PracticeDetail,
    "/checklist": list[ChecklistItemView],
    "/checklist/{item_id}": ChecklistItemView,
    "/similar/{passage_id}": list[SimilarPassage],
}


def test_bodies_are_their_python_types(client: TestClient, fake_retriever: Retriever) -> None:
    """The same bodies, read back strictly as the retriever's types (what the library gives)."""
    adapters = {path: TypeAdapter[Any](t) for path, t in TYPES.items()}
    for path, url in _urls(client, fake_retriever):
        if path in adapters:
            adapters[path].validate_json(client.get(url).content, strict=True)
    body = client.get("/search", params={"q": "housing", "k": 5}).content
    TypeAdapter(SearchResult).validate_json(body, strict=True)


@pytest.mark.parametrize("query", ["housing for refugees", "lavoro", "monitoring and evaluation"])
def test_search_bodies_keep_every_key_the_library_returns(
    fake_retriever: Retriever, query: str
) -> None:
    """``/search`` writes results with the typed SearchResult adapter, which leaves out a
    key its types do not declare: a key added to a reference or highlight but not to its
    type shows here (the library's own ``to_dict`` keeps it)."""
    result = fake_retriever.search(query, k=10)
    served = json.loads(TypeAdapter(SearchResult).dump_json(result))
    assert served == json.loads(json.dumps(result.to_dict()))
