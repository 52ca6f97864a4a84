"""Declared body size, security headers and Prometheus metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from retriever import Retriever
from service.errors import error_response

__all__ = ["METHODS", "Metrics", "RequestGuard", "install_middleware"]

log = logging.getLogger("practice_search.service")
# the metrics' method label: a closed set, whatever a client sends
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})

_HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI starts itself with an inline script; its assets are ours (no CDN)
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class Metrics:
    """Per-app registry, so every app (and every test) counts on its own."""

    def observe_index(self, retriever: Retriever) -> None:
        self.passages.set(len(retriever.index.records["passages"]))
        self.checklist.set(len(retriever.index.records["checklist"]))

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "practice_search_requests_total",
            "HTTP requests",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "practice_search_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.passages = Gauge(
            "practice_search_index_passages", "Passages in the loaded index", registry=self.registry
        )
        self.checklist = Gauge(
            "practice_search_index_checklist_items",
            "Checklist items in the loaded index",
            registry=self.registry,
        )


def install_middleware(
    app: FastAPI, max_body_bytes: int, metrics: Metrics, larger: Mapping[str, int] | None = None
) -> None:
    """``larger``: path prefix -> the body limit of the routes under it."""

    def limit_of(path: str) -> int:
        return next((n for p, n in (larger or {}).items() if path.startswith(p)), max_body_bytes)

    @app.middleware("http")
    async def _guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        limit = limit_of(request.url.path)
        if length is not None and (not length.isdigit() or int(length) > limit):
            response: Response = error_response(413, f"request body over {limit} bytes")
        else:
            try:
                response = await call_next(request)
            except Exception as exc:  # a bug: answered here, so it gets the headers below
                log.exception("internal error on %s %s", request.method, request.url.path)
                response = error_response(
                    500, f"internal error ({type(exc).__name__})", "InternalError"
                )
                response.headers["Connection"] = "close"
        route = request.scope.get("route")
        label = getattr(route, "path", "unmatched")
        method = request.method if request.method in METHODS else "other"
        metrics.requests.labels(label, method, str(response.status_code)).inc()
        metrics.latency.labels(label).observe(time.perf_counter() - started)
        html = response.headers.get("content-type", "").startswith("text/html")
        csp = _DOCS_CSP if request.url.path == "/docs" else _HTML_CSP if html else _API_CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
        return response


class RequestGuard:
    """What is settled before routing, in plain ASGI:

    - ``HEAD`` is answered wherever ``GET`` is: the request is routed as ``GET`` and
      the body dropped (the headers, ``Content-Length`` included, stay those of GET);
    - a query string that is not UTF-8 once percent-decoded is refused with 422, as
      the same bytes in a body are (they would otherwise become U+FFFD and search).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _utf8_query(scope.get("query_string", b"")):
            response = error_response(422, "the query string is not valid UTF-8", "ValidationError")
            await response(scope, receive, send)
            return
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        scope["method"] = "GET"  # in place: the outer middleware reads the route found
        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"


def _utf8_query(raw: bytes) -> bool:
    try:
        for part in raw.split(b"&"):
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
