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
    page.locator("#view:not([aria-busy=true]) :is(.group, .empty)").first.wait_for()
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


def test_a_practice_opens_at_its_own_url_and_back_returns_to_the_results(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    shown = _results(page)
    results_url = page.url
    title = "Psychotherapy with health mentors for refugees"
    page.locator("#view .group h3").get_by_role("link", name=title).click()
    page.wait_for_url("**practice=konstanz-refugee-psychotherapy**")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == title
    assert page.evaluate("document.activeElement.id") == "view-heading"
    assert "Konstanz, Germany" in page.locator(".facts").inner_text()
    assert "SPRING good practices (part B)" in page.locator(".facts").inner_text()
    # answers by dimension and question
    assert page.get_by_role("heading", name="Answers by dimension and question").is_visible()
    assert page.locator(".dimension h3").first.inner_text() == "Inclusivity & Participation"
    # the checklist as a table, marked with text as well as a symbol
    table = page.get_by_role("table")
    assert "met" in table.locator("caption").inner_text()
    cells = table.locator(".status-cell").all_inner_texts()
    assert cells and all(c in {"✓ met", "– not met", " not marked"} for c in cells), cells
    # similar practices: links to other practices
    similar = page.locator(".similar-list li a").first
    similar.wait_for()
    assert "practice=konstanz-refugee-psychotherapy" not in similar.get_attribute("href")
    page.screenshot(path=str(ARTIFACTS / "page-practice.png"), full_page=True)

    page.get_by_role("link", name="Back to the results").click()
    page.wait_for_url(results_url)
    assert _results(page) == shown
    assert page.get_by_label("What do you need?").input_value() == NEED
    # the link followed has the focus again
    assert page.evaluate("document.activeElement.textContent") == title

    page.go_forward()
    page.wait_for_url("**practice=**")
    page.go_back()
    page.wait_for_url(results_url)
    assert _results(page) == shown


def test_a_checklist_item_lists_who_meets_it(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    item = page.locator("#view .item h3 a").first
    text = item.inner_text()
    item.click()
    page.wait_for_url("**item=c-**")
    assert page.get_by_role("heading", level=1).inner_text() == text
    met = page.locator("section.marks").first
    assert met.locator("h2").inner_text().startswith("✓")
    assert met.get_by_role("link").count() > 0
    page.screenshot(path=str(ARTIFACTS / "page-item.png"), full_page=True)
    met.get_by_role("link").first.click()
    page.wait_for_url("**practice=**")
    page.get_by_role("link", name="Back to the results").click()  # two steps back
    page.wait_for_url("**q=**")
    assert page.locator("#view .group").count() > 0


def test_an_unknown_practice_says_so(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "?practice=nope")
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert "Nothing with this id" in heading.inner_text()
    assert page.get_by_role("link", name="New search").is_visible()


# what the page writes in its own words: labels, buttons, headings, captions, messages
LABELS = (
    "label, button, legend, option, h1, h2, caption, th, dt, .status, .marks-label, .source,"
    " .eyebrow, .crumb, .pager, .intro, .empty, footer, .skip"
)


def _english_left(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts of the page's own words that are still an English string of i18n.js."""
    return page.evaluate(
        r"""(selector) => {
          const en = window.PracticeSearchText.en, it = window.PracticeSearchText.it;
          const words = Object.keys(en).filter(k => en[k] !== it[k])
            .map(k => en[k].split('{')[0].trim()).filter(w => w.length >= 4);
          // the switch names each language in itself (lang="en" on "English")
          const texts = [...document.querySelectorAll(selector)]
            .filter(e => !e.hasAttribute('lang')).map(e => e.textContent.trim());
          texts.push(document.getElementById('q') ? document.getElementById('q').placeholder : '');
          const esc = w => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const res = words.map(w => new RegExp('(^|\\s)' + esc(w) + '($|[\\s:(.,…])'));
          return texts.filter(t => res.some(r => r.test(t)));
        }""",
        LABELS,
    )


def test_the_language_switch_changes_every_label_and_persists(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="Italiano").click()
    page.get_by_label("Di cosa hai bisogno?").wait_for()
    assert page.evaluate("document.documentElement.lang") == "it"
    assert _query(page.url)["ui"] == ["it"] and _query(page.url)["q"] == [NEED]
    assert page.get_by_role("button", name="Italiano").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("status").inner_text().startswith("10 passaggi da")
    assert page.get_by_role("heading", name="Raccomandazioni della checklist").is_visible()
    assert (
        page.locator("#view .group button.more").first.inner_text() == "Altri 2 da questa pratica"
    )
    assert _english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / "page-results-it.png"), full_page=True)

    page.reload()
    page.get_by_label("Di cosa hai bisogno?").wait_for()
    page.goto(server.url)  # no ui= in the URL: the stored choice
    page.get_by_label("Di cosa hai bisogno?").wait_for()
    assert _query(page.url)["ui"] == ["it"]
    page.goto(server.url + "?practice=brno-intercultural-workers")
    page.get_by_role("table").wait_for()
    assert page.evaluate("document.documentElement.lang") == "it"
    assert page.get_by_role("heading", name="Risposte per dimensione e domanda").is_visible()
    assert page.locator(".dimension h3").first.inner_text() == "Inclusività e partecipazione"
    assert _english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / "page-practice-it.png"), full_page=True)


def test_the_first_visit_speaks_the_browser_language(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    page.goto(server.url + SHARED)
    page.get_by_label("Di cosa hai bisogno?").wait_for()
    assert _query(page.url)["ui"] == ["it"]
    assert page.evaluate("document.documentElement.lang") == "it"
    page.goto(server.url + SHARED + "&ui=en")  # a URL's ui= wins
    page.get_by_label("What do you need?").wait_for()
    context.close()


def test_a_keyboard_reaches_a_practice_and_comes_back(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.get_by_label("What do you need?").wait_for()
    for _ in range(10):  # from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(NEED)
    page.keyboard.press("Enter")
    page.wait_for_url("**q=language**")
    page.locator("#view .group").first.wait_for()
    for _ in range(15):  # past the button and the filters to the first practice
        page.keyboard.press("Tab")
        if "practice=" in (page.evaluate("document.activeElement.getAttribute('href')") or ""):
            break
    focused = page.evaluate("document.activeElement.textContent")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**practice=**")
    assert page.get_by_role("heading", level=1).inner_text() == focused
    assert page.evaluate("document.activeElement.id") == "view-heading"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "← Back to the results"
    page.keyboard.press("Enter")
    page.wait_for_url("**q=language**")
    page.locator("#view .group").first.wait_for()
    assert page.evaluate("document.activeElement.textContent") == focused


def _axe(page, name: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == [], f"{name}: {bad}"


def test_axe_finds_no_serious_violation(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.get_by_label("What do you need?").wait_for()
    _axe(page, "search page")
    page.screenshot(path=str(ARTIFACTS / "page-search.png"), full_page=True)
    page.goto(server.url + SHARED)
    _results(page)
    page.locator("#view .group button.more").first.click()
    _axe(page, "results")
    page.goto(server.url + "?practice=brno-intercultural-workers")
    page.locator(".similar-list li").first.wait_for()
    _axe(page, "practice view")
    page.goto(server.url + "?item=" + "c-d8199ea0220a")
    page.locator("section.marks").first.wait_for()
    _axe(page, "checklist item")
