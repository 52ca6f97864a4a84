"""The embeddable widget (and the API docs) in a real headless Chromium.

Screenshots are saved under test-artifacts/ for a human to look at. Without
Chromium these tests skip with the install command, except in CI, where a
missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.service.conftest import ARTIFACTS, LiveServer, free_port

pytestmark = pytest.mark.browser


class HostPage:
    """An intranet page on its own origin (another port) that embeds the widget."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.origin}/"

    def embed(self, api: str, mode: str = "", k: int = 3) -> None:
        (self.folder / "index.html").write_text(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Intranet</title>"
            "<link rel='icon' href='data:,'>"
            "<style>body{font-family:serif;background:#fafafa} h3{color:rgb(255, 0, 0)}</style>"
            "</head><body><h1>Our intranet</h1><h3 id='host-heading'>Host heading</h3>"
            f"<div id='search' data-practice-search data-endpoint='{api}' data-k='{k}'"
            f" data-mode='{mode}'></div>"
            f"<script src='{api}widget.js'></script></body></html>",
            encoding="utf-8",
        )

    def __enter__(self) -> HostPage:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _page(browser: object):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1100, "height": 1300})  # type: ignore[attr-defined]
    page.on("pageerror", lambda err: pytest.fail(f"JavaScript error: {err}"))
    return page


def _search(page, need: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_label("What do you need?")
    box.fill(need)
    box.press("Enter")  # keyboard only


def test_widget_in_page_mode(
    browser: object, service_settings: Settings, fake_retriever: Retriever, tmp_path: Path
) -> None:
    """The widget's page mode (filters) on a host page; the search page itself is
    app.js, tested in test_page.py."""
    ARTIFACTS.mkdir(exist_ok=True)
    with HostPage(tmp_path / "host") as host:
        settings = service_settings.model_copy(update={"cors_origins": [host.origin]})
        with LiveServer(create_app(settings, retriever=fake_retriever)) as api:
            host.embed(api.url, mode="page", k=10)
            page = _page(browser)
            page.goto(host.url)
            _search(page, "language barrier in healthcare")
            page.get_by_role("heading", name="Passages").wait_for()
            cards = page.locator(".ps-card")
            assert cards.count() == 20  # 10 passages + 10 checklist items
            assert page.locator("mark").count() > 0
            assert page.get_by_role("status").inner_text().startswith("10 passages")
            page.screenshot(path=str(ARTIFACTS / "widget-page-mode.png"), full_page=True)

            page.get_by_label("Document").select_option("regin")  # a filter re-runs the search
            page.wait_for_function(
                "() => document.querySelector('#search').shadowRoot"
                ".querySelectorAll('.ps-item').length === 0"
            )
            sources = page.locator(".ps-source").all_inner_texts()
            assert sources and all("REGIN" in s for s in sources)
            page.screenshot(path=str(ARTIFACTS / "widget-filter-regin.png"), full_page=True)
            page.close()


def test_widget_on_an_allowed_origin(
    browser: object, service_settings: Settings, fake_retriever: Retriever, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with HostPage(tmp_path / "host") as host:
        settings = service_settings.model_copy(update={"cors_origins": [host.origin]})
        with LiveServer(create_app(settings, retriever=fake_retriever)) as api:
            host.embed(api.url)
            page = _page(browser)
            page.goto(host.url)
            _search(page, "housing for refugees")
            page.get_by_role("heading", name="Passages").wait_for()
            assert page.locator(".ps-card").count() == 6
            # no style leaks: the host's red h3 rule does not reach the widget, and back
            card_color = page.locator(".ps-card h3").first.evaluate(
                "e => getComputedStyle(e).color"
            )
            assert card_color != "rgb(255, 0, 0)"
            host_color = page.locator("#host-heading").evaluate("e => getComputedStyle(e).color")
            assert host_color == "rgb(255, 0, 0)"
            page.screenshot(path=str(ARTIFACTS / "widget-allowed.png"), full_page=True)
            page.close()


def test_widget_on_a_refused_origin(
    browser: object, service_settings: Settings, fake_retriever: Retriever, tmp_path: Path
) -> None:
    settings = service_settings.model_copy(update={"cors_origins": ["https://intranet.example"]})
    with (
        LiveServer(create_app(settings, retriever=fake_retriever)) as api,
        HostPage(tmp_path / "host") as host,
    ):
        host.embed(api.url)
        page = _page(browser)
        page.goto(host.url)
        _search(page, "housing for refugees")
        status = page.get_by_role("status")
        status.filter(has_text="could not be reached").wait_for()
        assert page.locator(".ps-card").count() == 0
        page.screenshot(path=str(ARTIFACTS / "widget-refused.png"), full_page=True)
        page.close()


def test_api_docs_render_offline(
    browser: object, service_settings: Settings, fake_retriever: Retriever
) -> None:
    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as server:
        page = _page(browser)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server.url}docs")
        page.get_by_text("/search").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
        assert all(u.startswith((server.url, "data:")) for u in requests), requests
        page.close()
