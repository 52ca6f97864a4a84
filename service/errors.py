"""Every error the API returns: one JSON shape, one status table."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from practice_search.errors import (
    ConfigError,
    DocumentRejected,
    IndexError_,
    NotFound,
    PracticeSearchError,
    QueryError,
)

__all__ = ["STATUS", "error_response", "install_error_handlers"]

# library exception -> HTTP status; the first matching class wins
STATUS: list[tuple[type[PracticeSearchError], int]] = [
    (QueryError, 422),
    (DocumentRejected, 422),  # some reasons have a status of their own (REJECTED)
    (NotFound, 404),
    (IndexError_, 503),
    (ConfigError, 503),
    (PracticeSearchError, 500),
]


# a rejected document's reason -> its status, where 422 is not the most precise one
REJECTED = {
    "too_large": 413,
    "unknown_format": 415,
    "not_pdf": 415,
    "not_docx": 415,
}


def error_response(status: int, message: str, kind: str | None = None) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    return JSONResponse(
        status_code=status,
        content={"error": {"status": status, "type": kind or phrase, "message": message}},
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            parts.append(f"malformed JSON body: {err.get('ctx', {}).get('error', 'invalid')}")
            continue
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes for the requested path (HEAD wherever GET is)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Mount):  # the static files: GET and HEAD
            if request.url.path.startswith(route.path.rstrip("/") + "/"):
                methods |= {"GET", "HEAD"}
            continue
        for method in _METHODS:
            if route.matches({**request.scope, "method": method})[0] == Match.FULL:
                methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PracticeSearchError)
    async def _library(_: Request, exc: PracticeSearchError) -> JSONResponse:
        status = next(code for cls, code in STATUS if isinstance(exc, cls))
        if isinstance(exc, DocumentRejected):
            status = REJECTED.get(exc.code, status)
            return error_response(status, str(exc), f"DocumentRejected:{exc.code}")
        return error_response(status, str(exc), type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_message(exc), "ValidationError")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:  # the limit of the route asked (the admin upload's is larger)
            limit = request.scope.get(
                "starlette.max_body_size", request.app.state.settings.max_body_bytes
            )
            return error_response(413, f"request body over {limit} bytes")
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8)
            return error_response(422, f"malformed request body: {exc.detail}", "ValidationError")
        response = error_response(exc.status_code, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        if exc.status_code == 405:  # every method the path takes, not just one route's
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, f"internal error ({type(exc).__name__})", "InternalError")
