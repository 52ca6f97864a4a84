"""The admin API: add, replace, list and remove an organisation's own documents.

Off unless ``PRACTICE_SEARCH_ADMIN_TOKEN`` is set: then :func:`admin_router` is not
included at all (its routes answer 404 and are absent from ``/openapi.json``). Every
request is first counted against its client address (``admin_requests_per_minute``,
429 with Retry-After beyond it), then must carry ``Authorization: Bearer <token>``
(401 without it, 403 with another token; compared in constant time). An upload is cut
off with 413 as soon as its body passes ``max_document_bytes`` (plus the multipart
envelope): it is never held whole. Every request leaves one audit line in the log
``practice_search.audit``: who (client address), what, when, and the result; never
the token.
"""

from __future__ import annotations

import hmac
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.documents import Change, Incoming, add_documents, list_documents, remove_document
from practice_search.config import Settings
from practice_search.errors import QueryError
from service.responses import json_body
from service.schemas import ErrorBody

__all__ = ["ENVELOPE", "AuditLog", "RateLimit", "admin_router", "install_admin", "upload_limit"]

audit = logging.getLogger("practice_search.audit")
PREFIX = "/admin/"
ENVELOPE = 64 * 1024  # multipart boundaries, part headers and the small fields


def upload_limit(settings: Settings) -> int:
    """The largest admin request body: one document and its multipart envelope."""
    return settings.max_document_bytes + ENVELOPE


class RateLimit:
    """At most ``per_minute`` requests per client address in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """0 if the client may go on (and count it), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - 60:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, math.ceil(times[0] + 60 - now))
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle clients
                for key in [k for k, v in self._seen.items() if not v]:
                    del self._seen[key]
            return 0


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class AuditLog:
    """One line per admin request, once answered: who, what, when, result."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        when = datetime.now(UTC).isoformat(timespec="seconds")
        status = [500]

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            detail = scope.get("state", {}).get("audit", "")
            audit.info(
                "admin who=%s what=%r when=%s status=%d%s",
                _client(scope),
                f"{scope['method']} {scope['path']}",
                when,
                status[0],
                f" result={detail}" if detail else "",
            )


def _guard(settings: Settings, limit: RateLimit) -> Callable[[Request], Awaitable[None]]:
    token = settings.admin_token.get_secret_value().encode() if settings.admin_token else b""

    async def guard(request: Request) -> None:
        wait = limit.wait(_client(request.scope))
        if wait:
            raise HTTPException(
                429, "too many admin requests from this address", {"Retry-After": str(wait)}
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HTTPException(
                401,
                "the admin API needs Authorization: Bearer <token>",
                {"WWW-Authenticate": 'Bearer realm="practice-search admin"'},
            )
        if not token or not hmac.compare_digest(given.strip().encode(), token):
            raise HTTPException(403, "the admin token is not the one configured")

    return guard


def _change(change: Change, version: str | None) -> dict[str, Any]:
    return {
        "id": change.doc_id,
        "status": change.status,
        "title": change.title,
        "passages": change.passages,
        "source": change.source,
        "index_version": version,
    }


def _text(form: Any, key: str) -> str | None:
    value = form.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise QueryError(f"{key}: a text field, not a file")
    return value


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "No bearer token"),
        (403, "Wrong token"),
        (413, "Upload over the size limit"),
        (415, "Not a supported format"),
        (422, "The file cannot be taken in (the message says why), or a bad field"),
        (429, "Too many admin requests from this address (Retry-After)"),
        (503, "Another change is running, or the index is not loaded"),
    )
}


def admin_router(settings: Settings) -> APIRouter:
    """The admin routes (only included when the admin token is set)."""
    limit = RateLimit(settings.admin_requests_per_minute)
    router = APIRouter(
        prefix="/admin",
        tags=["admin"],
        dependencies=[Depends(_guard(settings, limit))],
        # a document may come: a larger body limit than the other routes' (it nests in
        # the app's, and holds as the body streams in)
        max_body_size=upload_limit(settings),
    )

    def encoders(request: Request) -> Any:
        retriever = request.app.state.retriever  # the loaded encoders, not a second copy
        return retriever.index.encoders if retriever is not None else None

    def served(request: Request) -> str | None:
        """Serve the version just published before answering (the watcher's check)."""
        watcher = getattr(request.app.state, "watcher", None)
        if watcher is not None:
            watcher.check()
        retriever = request.app.state.retriever
        return retriever.index.manifest.version if retriever is not None else None

    @router.get("/documents", responses=ERRORS)
    def documents() -> Response:
        """Bundled and added documents: id, title, source file, language, added-at, passages."""
        return json_body(list_documents(settings))

    @router.post(
        "/documents",
        status_code=201,
        responses=ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "title": {"type": "string"},
                                "language": {"type": "string", "enum": ["en", "it"]},
                                "id": {"type": "string"},
                            },
                        }
                    }
                },
            }
        },
    )
    async def add(request: Request) -> Response:
        """Add a document (PDF, DOCX, HTML, Markdown or text), or replace the one with its
        id; the new index version is served when this answers (200 if unchanged)."""
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise QueryError("send the document as multipart/form-data with a 'file' part")
        form = await request.form(max_files=1, max_fields=8, max_part_size=4096)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise QueryError("no 'file' part in the upload")
            item = Incoming(
                upload.filename or "",
                await upload.read(),
                _text(form, "title"),
                _text(form, "language"),
                _text(form, "id"),
            )
        finally:
            await form.close()
        changes, _ = await run_in_threadpool(
            add_documents, settings, [item], encoders=encoders(request)
        )
        version = await run_in_threadpool(served, request)
        change = changes[0]
        request.state.audit = f"{change.status} {change.doc_id} ({change.passages} passages)"
        status = 200 if change.status == "unchanged" else 201
        response = json_body(_change(change, version))
        response.status_code = status
        return response

    @router.delete("/documents/{doc_id}", responses={**ERRORS, 404: {"model": ErrorBody}})
    async def remove(request: Request, doc_id: Annotated[str, Path(max_length=64)]) -> Response:
        """Remove an added document; the index version without it is served when this
        answers."""
        change, _ = await run_in_threadpool(
            remove_document, settings, doc_id, encoders=encoders(request)
        )
        version = await run_in_threadpool(served, request)
        request.state.audit = f"removed {doc_id}"
        return json_body(_change(change, version))

    return router


def install_admin(app: FastAPI, settings: Settings) -> None:
    """Include the admin routes with their body limit and audit lines, if the admin
    token is set; otherwise nothing (the routes do not exist)."""
    if settings.admin_token is None or not settings.admin_token.get_secret_value():
        return
    app.include_router(admin_router(settings))
    app.add_middleware(AuditLog)
    if not audit.handlers:  # the audit lines reach stderr whatever the logging setup
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        audit.addHandler(handler)
    audit.setLevel(logging.INFO)
