"""The FastAPI application factory.

Models and the index load in the lifespan, in a background thread, so the
process answers ``/healthz`` at once and ``/readyz`` turns 200 when loading is
done. The retriever is read-only after loading: FAISS and BM25 searches only
read, the query-embedding cache takes a lock, so searches run concurrently without
sharing mutable state, in their own bounded pool (:mod:`service.admission`); the
health, readiness, metrics and page routes run on the event loop.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from index.encoders import models_dir
from practice_search.config import Settings, get_settings
from practice_search.errors import PracticeSearchError
from retriever import Retriever
from service.admin import install_admin, upload_limit
from service.admission import Admission
from service.doc_enum import install_doc_enum
from service.errors import install_error_handlers
from service.middleware import Metrics, RequestGuard, install_middleware
from service.reload import IndexWatcher, VersionHeader
from service.routes import catalog, ops
from service.routes.search import search_router

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/[^\s:;,'\"`()]+")  # not a URL's //host


def public_reason(message: str, settings: Settings) -> str:
    """A loading error as clients may read it: folders on this machine named by role,
    any other absolute path by its last part (the full message goes to the log)."""
    for folder, name in (
        (models_dir(settings), "the models folder"),
        (settings.data_dir, "the data folder"),
    ):
        message = message.replace(str(Path(folder).resolve()), name)
    return _ABSOLUTE_PATH.sub(lambda m: Path(m.group()).name or "/", message)


def _load(app: FastAPI, settings: Settings) -> None:
    try:
        retriever = Retriever.load(settings)
    except PracticeSearchError as exc:
        logging.getLogger("practice_search").warning("not ready: %s", exc)
        app.state.load_error = public_reason(str(exc), settings)
        return
    except Exception as exc:  # keep serving /healthz and say why we are not ready
        # the details (paths, a library's source location) go to the log, not to clients
        logging.getLogger("practice_search").exception("loading the index failed")
        app.state.load_error = f"loading failed ({type(exc).__name__}); see the server log"
        return
    app.state.metrics.observe_index(retriever)
    app.state.retriever = retriever


def create_app(settings: Settings | None = None, retriever: Retriever | None = None) -> FastAPI:
    """A new app; pass ``retriever`` to reuse one already loaded (tests)."""
    settings = settings or get_settings()
    admission = Admission.of(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.retriever is None:
            thread = threading.Thread(target=_load, args=(app, settings), daemon=True)
            thread.start()
        app.state.watcher.start()  # a newly published index is served without a restart
        yield
        app.state.watcher.stop()

    app = FastAPI(
        docs_url=None,  # served below from local files: no CDN, works offline
        redoc_url=None,
        title="practice-search",
        summary="Search European good practices in migrant integration (English and Italian).",
        version="0.1.0",
        lifespan=lifespan,
        # no "/search/" -> "/search" redirect: it would be built from the Host header
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.retriever = retriever
    app.state.load_error = None
    app.state.admission = admission
    app.state.metrics = Metrics()
    app.state.watcher = IndexWatcher(app, settings)
    if retriever is not None:
        app.state.metrics.observe_index(retriever)
    install_error_handlers(app)
    app.add_middleware(RequestGuard)  # innermost: HEAD as GET, query strings must be UTF-8
    # Starlette's body limit stops chunked bodies mid-stream; the outer middleware
    # answers a declared Content-Length over the limit at once, in our JSON shape
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    install_middleware(
        app, settings.max_body_bytes, app.state.metrics, {"/admin/": upload_limit(settings)}
    )
    app.add_middleware(VersionHeader)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    for router in (search_router(settings, admission), catalog.router, ops.router):
        app.include_router(router)
    install_admin(app, settings)  # only with PRACTICE_SEARCH_ADMIN_TOKEN set
    install_doc_enum(app)  # the doc filter's values: the served index's documents

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(
        "/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets"
    )

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="practice-search API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    return app
