"""``/search`` (GET and POST) and ``/similar/{passage_id}``."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import TypeAdapter

from practice_search.config import Settings
from retriever import SearchResult
from retriever.request import Limits, SearchRequest, body_model, query_model
from retriever.views import SimilarPassage
from service.deps import RetrieverDep
from service.responses import json_body
from service.schemas import ErrorBody

__all__ = ["search_router"]

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad query, k, offset or filter value"},
    503: {"model": ErrorBody, "description": "Index or models not loaded"},
}


# The result is a plain dataclass tree; serialising it straight to JSON bytes with one
# pydantic adapter skips FastAPI's validate-then-encode round trip (about 2 ms of a
# 25 ms search). ``response_model`` still documents the shape in the OpenAPI schema.
_RESULT_JSON = TypeAdapter(SearchResult)


def _search(retriever: RetrieverDep, req: SearchRequest) -> Response:
    return Response(_RESULT_JSON.dump_json(retriever.run(req)), media_type="application/json")


def search_router(settings: Settings) -> APIRouter:
    """The search routes, their request bounds taken from ``settings`` (one model, the
    library's: :mod:`retriever.request`), so ``/openapi.json`` shows the configured ones."""
    limits = Limits.of(settings)
    query_form = query_model(limits)
    body_form = body_model(limits)
    router = APIRouter(tags=["search"])

    @router.get("/search", response_model=SearchResult, responses=ERRORS)
    def search_get(
        retriever: RetrieverDep,
        req: Annotated[query_form, Query()],  # type: ignore[valid-type]
    ) -> Response:
        """Passages and checklist recommendations for a need (the result contract)."""
        return _search(retriever, req)

    @router.post("/search", response_model=SearchResult, responses=ERRORS)
    def search_post(
        retriever: RetrieverDep,
        req: Annotated[body_form, Body()],  # type: ignore[valid-type]
    ) -> Response:
        """The same as ``GET /search``, with the fields in a JSON body."""
        return _search(retriever, req)

    @router.get(
        "/similar/{passage_id}",
        response_model=list[SimilarPassage],
        responses={**ERRORS, 404: {"model": ErrorBody}},
    )
    def similar(
        retriever: RetrieverDep,
        passage_id: Annotated[str, Path(max_length=64)],
        k: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> Response:
        """Passages like this one from other practices or documents ("more like this")."""
        return json_body(retriever.catalog.similar(passage_id, k))

    return router
