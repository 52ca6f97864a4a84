"""The ``doc`` filter's values in ``/openapi.json``: the documents of the index served.

Documents can be added and removed while the service runs, so the request models take
any well-formed id and the retriever refuses one the index does not hold. The schema
says exactly which ids are accepted by listing those of the version being served: it
is made again when another version is served.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI

__all__ = ["install_doc_enum"]


def _with_enum(schema: dict[str, Any], ids: list[str]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["enum"] = ids
            option.pop("pattern", None)


def _walk(node: Any, ids: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("in") == "query" and node.get("name") == "doc" and "schema" in node:
            _with_enum(node["schema"], ids)
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get("doc"), dict):
            _with_enum(props["doc"], ids)
        for value in node.values():
            _walk(value, ids)
    elif isinstance(node, list):
        for value in node:
            _walk(value, ids)


def install_doc_enum(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the served index's document ids for ``doc``."""
    base = app.openapi
    cache: dict[tuple[str, ...], dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        retriever = app.state.retriever
        if retriever is None:
            return base()
        ids = tuple(retriever.doc_ids)
        if ids not in cache:
            schema = copy.deepcopy(base())
            _walk(schema.get("paths", {}), list(ids))
            _walk(schema.get("components", {}), list(ids))
            cache.clear()
            cache[ids] = schema
        return cache[ids]

    app.openapi = openapi  # type: ignore[method-assign]
