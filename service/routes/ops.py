"""Health, readiness and metrics.

Every route here is ``async`` and quick: it runs on the event loop, never waiting for
a thread, so it answers while every search thread is busy."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from typing_extensions import TypedDict

from service.reload import index_version

router = APIRouter(tags=["operations"])


class Health(TypedDict):
    status: Literal["ok"]
    index_version: str | None  # the index version served (None while loading)


class Ready(TypedDict):
    status: Literal["ready"]
    counts: dict[str, int]  # records by kind (documents, practices, passages, checklist)
    index_version: str  # the build being served (a new one is picked up without a restart)


class NotReady(TypedDict):
    status: Literal["not ready"]
    reason: str  # "loading", or why loading failed


@router.get("/healthz")
async def healthz(request: Request) -> Health:
    """The process is up (and which index version it serves, once loaded)."""
    retriever = request.app.state.retriever
    return {"status": "ok", "index_version": index_version(retriever) if retriever else None}


@router.get(
    "/readyz",
    response_model=Ready,
    responses={503: {"model": NotReady, "description": "Still loading, or loading failed"}},
)
async def readyz(request: Request) -> Ready | JSONResponse:
    """The index and models are loaded (503 until then, or if loading failed)."""
    state = request.app.state
    if state.retriever is None:
        message = state.load_error or "loading"
        return JSONResponse(status_code=503, content={"status": "not ready", "reason": message})
    retriever = state.retriever  # one reference: counts and version of the same index
    return {
        "status": "ready",
        "counts": retriever.index.manifest.counts,
        "index_version": index_version(retriever),
    }


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: request counts and latency by route, index size."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
