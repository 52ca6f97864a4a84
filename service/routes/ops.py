"""Health, readiness and metrics.

Every route here is ``async`` and quick: it runs on the event loop, never waiting for
a thread, so it answers while every search thread is busy."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from typing_extensions import TypedDict

router = APIRouter(tags=["operations"])


class Health(TypedDict):
    status: Literal["ok"]


class Ready(TypedDict):
    status: Literal["ready"]
    counts: dict[str, int]  # records by kind (documents, practices, passages, checklist)


class NotReady(TypedDict):
    status: Literal["not ready"]
    reason: str  # "loading", or why loading failed


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return {"status": "ok"}


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
    return {"status": "ready", "counts": state.retriever.index.manifest.counts}


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: request counts and latency by route, index size."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
