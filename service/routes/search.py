"""``/search`` (GET and POST) and ``/similar/{passage_id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import TypeAdapter

from corpus.records import Dimension
from retriever import Filters, ResultType, SearchResult
from retriever.views import SimilarPassage
from service.deps import RetrieverDep
from service.responses import json_body
from service.schemas import (
    MAX_K,
    MAX_OFFSET,
    MAX_QUERY,
    QUERY_SCHEMA,
    DocId,
    ErrorBody,
    Lang,
    SearchRequest,
)

router = APIRouter(tags=["search"])
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad query, k, offset or filter value"},
    503: {"model": ErrorBody, "description": "Index or models not loaded"},
}


# The result is a plain dataclass tree; serialising it straight to JSON bytes with one
# pydantic adapter skips FastAPI's validate-then-encode round trip (about 2 ms of a
# 25 ms search). ``response_model`` still documents the shape in the OpenAPI schema.
_RESULT_JSON = TypeAdapter(SearchResult)


def _search(retriever: RetrieverDep, req: SearchRequest) -> Response:
    dimension = req.dimension.value if req.dimension else None
    filters = Filters(doc=req.doc, dimension=dimension, lang=req.lang)
    result = retriever.search(req.q, k=req.k, offset=req.offset, type=req.type, filters=filters)
    return Response(_RESULT_JSON.dump_json(result), media_type="application/json")


@router.get("/search", response_model=SearchResult, responses=ERRORS)
def search_get(
    retriever: RetrieverDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY,
            json_schema_extra=QUERY_SCHEMA,
            description="The need",
        ),
    ],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    type: ResultType = ResultType.ALL,
    doc: DocId | None = None,
    dimension: Dimension | None = None,
    lang: Lang | None = None,
) -> Response:
    """Passages and checklist recommendations for a need (the result contract)."""
    req = SearchRequest(q=q, k=k, offset=offset, type=type, doc=doc, dimension=dimension, lang=lang)
    return _search(retriever, req)


@router.post("/search", response_model=SearchResult, responses=ERRORS)
def search_post(retriever: RetrieverDep, req: Annotated[SearchRequest, Body()]) -> Response:
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
