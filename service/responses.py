"""JSON bodies for routes whose ``response_model`` documents the shape (the catalogue)."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

__all__ = ["json_body"]

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def json_body(value: object) -> Response:
    """``value``, plain dicts and lists as the catalogue builds them, as a JSON response.

    The route's ``response_model`` (a TypedDict of ``retriever.views``) documents the
    shape in the OpenAPI schema. Returning the value itself would make FastAPI validate
    it against that model first, rebuilding every dict (twice the time of ``/checklist``);
    the catalogue builds the values to those types and the tests check every route's body
    against its schema. Written untyped, a key the type does not declare shows in the body
    (and fails those tests) instead of being dropped.
    """
    return Response(_JSON.dump_json(value), media_type="application/json")
