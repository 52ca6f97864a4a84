"""``/search`` (GET and POST) and ``/similar/{passage_id}``."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import TypeAdapter

from practice_search.config import Settings
from retriever import Retriever, SearchResult
from retriever.request import Limits, SearchRequest, body_model, query_model
from retriever.views import SimilarPassage
from service.admission import Admission
from service.deps import RetrieverDep
from service.responses import json_body
from service.schemas import ErrorBody

__all__ = ["search_router"]

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad query, k, offset, filter or group value"},
    503: {
        "model": ErrorBody,
        "description": "Index or models not loaded, or too many searches at once (Retry-After)",
    },
}


# The result is a plain dataclass tree; serialising it straight to JSON bytes with one
# pydantic adapter skips FastAPI's validate-then-encode round trip (about 2 ms of a
# 25 ms search). ``response_model`` still documents the shape in the OpenAPI schema.
_RESULT_JSON = TypeAdapter(SearchResult)


def _answer(retriever: Retriever, req: SearchRequest) -> bytes:
    # ``groups`` is written only when asked for (group=practice): the field leaves
    # itself out when None, so a client that does not ask gets the bytes it always got
    return _RESULT_JSON.dump_json(retriever.run(req))


def search_router(settings: Settings, admission: Admission | None = None) -> APIRouter:
    """The search routes, their request bounds taken from ``settings`` (one model, the
    library's: :mod:`retriever.request`), so ``/openapi.json`` shows the configured ones.

    Searches run through ``admission`` (its own bounded pool and wait, 503 beyond
    them), never in the threadpool the other routes share."""
    gate = admission or Admission.of(settings)

    async def _search(retriever: Retriever, req: SearchRequest) -> Response:
        body = await gate.run(lambda: _answer(retriever, req), cached=retriever.embedded(req.q))
        return Response(body, media_type="application/json")

    limits = Limits.of(settings)
    query_form = query_model(limits)
    body_form = body_model(limits)
    router = APIRouter(tags=["search"])

    @router.get("/search", response_model=SearchResult, responses=ERRORS)
    async def search_get(
        retriever: RetrieverDep,
        req: Annotated[query_form, Query()],  # type: ignore[valid-type]
    ) -> Response:
        """Passages and checklist recommendations for a need (the result contract)."""
        return await _search(retriever, req)

    @router.post("/search", response_model=SearchResult, responses=ERRORS)
    async def search_post(
        retriever: RetrieverDep,
        req: Annotated[body_form, Body()],  # type: ignore[valid-type]
    ) -> Response:
        """The same as ``GET /search``, with the fields in a JSON body."""
        return await _search(retriever, req)

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
