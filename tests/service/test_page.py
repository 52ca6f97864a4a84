"""The practitioner's search page (``GET /``: index.html + i18n.js + app.js) in a real
headless Chromium, on the fake-encoder index.

Screenshots go to test-artifacts/ for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.service.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser

NEED = "language barrier in healthcare"
SHARED = "?q=language%20barrier%20in%20healthcare"


@pytest.fixture(scope="module")
def server(service_settings: Settings, fake_retriever: Retriever) -> Iterator[LiveServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as live:
        yield live


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context (its own storage) speaking English."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1100, "height": 1300}, locale="en-GB"
    )
    errors: list[str] = []
    p = context.new_page()
    p.on("pageerror", lambda err: errors.append(str(err)))
    yield p
    context.close()
    assert errors == [], errors


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _results(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The group headings and checklist items shown, in order."""
    page.locator("#view .group, #view .empty").first.wait_for()
    return page.locator("#view .group h3, #view .item h3").all_inner_texts()


def test_a_shared_url_shows_grouped_results_without_typing(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    groups = page.locator("#view .group")
    groups.first.wait_for()
    assert page.get_by_label("What do you need?").input_value() == NEED
    assert page.get_by_role("status").inner_text().startswith("10 passages from")
    assert _query(page.url)["ui"] == ["en"]
    # the three Zagreb passages are one group, best first, the other two behind a button
    first = groups.first
    assert "language assistance model" in first.locator("h3").inner_text()
    assert "Zagreb" in first.locator(".meta").inner_text()
    more = first.locator("button.more")
    assert more.inner_text() == "2 more from this practice"
    assert more.get_attribute("aria-expanded") == "false"
    assert first.locator(".more-passages").is_hidden()
    more.click()
    assert more.get_attribute("aria-expanded") == "true" and more.inner_text() == "Show fewer"
    assert first.locator(".more-passages .passage").count() == 2
    assert groups.count() < 10  # 10 passages, fewer groups
    # checklist recommendations after the groups, practices marked with text, each a link
    item = page.locator("#view .item").first
    assert "✓" in item.locator(".met .marks-label").inner_text()
    assert "Met by" in item.inner_text() and "Not met by" in item.inner_text()
    assert item.locator(".met li a").first.get_attribute("href").startswith("/?practice=")
    page.screenshot(path=str(ARTIFACTS / "page-results.png"), full_page=True)


def test_filters_and_page_two_come_back_from_the_url(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    page.get_by_label("Document").select_option("asap")
    page.wait_for_url("**doc=asap**")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2**")
    shown = _results(page)
    url = page.url
    assert _query(url)["doc"] == ["asap"] and _query(url)["q"] == [NEED]
    assert page.get_by_role("status").inner_text().endswith("page 2")
    assert all(
        s == "Source: ASAP: Nothing about us without us"
        for s in page.locator("#view .source").all_inner_texts()
    )

    page.goto("about:blank")
    page.goto(url)  # the same URL, opened afresh
    assert _results(page) == shown
    assert page.get_by_label("Document").input_value() == "asap"

    page.get_by_role("link", name="Previous page").click()
    page.wait_for_url(lambda u: "page=2" not in u)
    first_page = _results(page)
    assert first_page != shown
    page.go_back()
    page.wait_for_url("**page=2**")
    assert _results(page) == shown
    page.go_forward()
    page.wait_for_url(lambda u: "page=2" not in u)
    assert _results(page) == first_page
