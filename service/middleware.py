"""Declared body size, security headers and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from retriever import Retriever
from service.errors import error_response

__all__ = ["Metrics", "install_middleware"]

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


def install_middleware(app: FastAPI, max_body_bytes: int, metrics: Metrics) -> None:
    @app.middleware("http")
    async def _guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body_bytes):
            response: Response = error_response(413, f"request body over {max_body_bytes} bytes")
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        label = getattr(route, "path", "unmatched")
        metrics.requests.labels(label, request.method, str(response.status_code)).inc()
        metrics.latency.labels(label).observe(time.perf_counter() - started)
        html = response.headers.get("content-type", "").startswith("text/html")
        csp = _DOCS_CSP if request.url.path == "/docs" else _HTML_CSP if html else _API_CSP
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
        return response
