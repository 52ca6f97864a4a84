"""The search page's views beyond a results list, in a real headless Chromium on the
fake-encoder index: the groups the API makes, compare, the catalogue picture, the
practice checklist by dimension, the exports, errors in Italian, the keyboard path to
compare and axe-core on the new views.

Every expectation is read from the API's own JSON on the same server; screenshots go
to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.service.conftest import ARTIFACTS, LiveServer
from tests.service.test_page import NEED, SHARED, _axe, _english_left, _results

pytestmark = pytest.mark.browser

ITALIAN = "mediazione linguistica e culturale nei servizi sanitari"
STATUS_WORDS = {
    "met": "✓ met",
    "not_met": "– not met",
    "unmarked": "not marked",
    None: "not marked",
}


@pytest.fixture(scope="module")
def server(service_settings: Settings, fake_retriever: Retriever) -> Iterator[LiveServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as live:
        yield live


def _page(browser: Any, locale: str = "en-GB") -> Any:
    context = browser.new_context(
        viewport={"width": 1100, "height": 1300}, locale=locale, accept_downloads=True
    )
    errors: list[str] = []
    p = context.new_page()
    p.on("pageerror", lambda err: errors.append(str(err)))
    p.errors = errors
    return p


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own storage) speaking English."""
    p = _page(browser)
    yield p
    p.context.close()
    assert p.errors == [], p.errors


def _api(server: LiveServer, path: str, **params: str) -> Any:
    response = httpx.get(server.url + path.lstrip("/"), params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _cell_words(cells: list[str]) -> list[str]:
    return [" ".join(c.split()) for c in cells]


def test_done_when_a_shared_url_opens_grouped_results_a_practice_and_back(browser, server) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser)  # a new browser context: nothing stored, nothing typed
    page.goto(server.url + SHARED)
    headings = _results(page)
    groups = page.locator("#view .group")
    assert groups.count() >= 2 and page.get_by_label("What do you need?").input_value() == NEED
    results_url = page.url
    first = groups.first.locator("h3 a")
    title = first.inner_text()
    first.click()
    page.wait_for_url("**practice=**")
    assert page.get_by_role("heading", level=1).inner_text() == title
    page.go_back()
    page.wait_for_url(results_url)
    assert _results(page) == headings
    page.context.close()
    assert page.errors == []


def test_the_results_are_the_groups_the_api_makes(page, server) -> None:  # type: ignore[no-untyped-def]
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/search?" in r.url else None)
    page.goto(server.url + SHARED)
    _results(page)
    assert len(searches) == 1 and _query(searches[0])["group"] == ["practice"]
    data = _api(server, "search", q=NEED, k="10", group="practice")
    cards = page.locator("#view .group")
    assert cards.count() == len(data["groups"])
    for i, group in enumerate(data["groups"]):
        card = cards.nth(i)
        assert card.locator("h3").inner_text() == group["title"]
        best = data["passages"][group["passages"][0]]
        # the best passage is shown first, the rest behind "N more"
        assert " ".join(best["highlight"]["snippet"].split())[:60] in " ".join(
            card.locator(".passage").first.inner_text().split()
        )
        assert card.locator(".passage").count() == len(group["passages"])
        more = card.locator("button.more")
        assert more.count() == (1 if len(group["passages"]) > 1 else 0)
        # a practice's group can be picked for comparison, a section's cannot
        assert card.locator(".compare-box").count() == (1 if group["practice"] else 0)


def _compare_table(page) -> Any:  # type: ignore[no-untyped-def]
    table = page.locator("table.compare-grid")
    table.wait_for()
    return table


def test_compare_picks_practices_from_results_and_shows_their_grids(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    boxes = page.locator("#view .group .compare-box")
    picked = [boxes.nth(i).get_attribute("data-practice") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    tray = page.get_by_role("region", name="Comparison")
    assert "2 of up to 4" in tray.inner_text()
    tray.get_by_role("link", name="Compare the 2 picked").click()
    page.wait_for_url("**compare=**")
    assert _query(page.url)["compare"] == [",".join(picked)]
    table = _compare_table(page)
    assert page.evaluate("document.activeElement.id") == "view-heading"
    details = [_api(server, f"practices/{pid}") for pid in picked]
    assert table.locator("thead th.pcol a").all_inner_texts() == [d["title"] for d in details]
    # rows are recommendations grouped by dimension, the cells say the status in words
    dims = table.locator("tbody tr.dim-row th").all_inner_texts()
    assert dims and len(dims) == len(set(dims))
    status = [{c["id"]: c["status"] for c in d["checklist"]} for d in details]
    rows = table.locator("tbody tr:not(.dim-row)")
    ids = [
        h.split("item=")[1].split("&")[0]
        for h in rows.locator("th a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    ]
    assert set(ids) == set(status[0]) | set(status[1])
    for r in (0, len(ids) // 2, len(ids) - 1):
        cells = _cell_words(rows.nth(r).locator("td").all_inner_texts())
        assert cells == [STATUS_WORDS[s.get(ids[r])] for s in status]
    met = [sum(1 for v in s.values() if v == "met") for s in status]
    assert table.locator("tfoot td").all_inner_texts() == [f"{n} of {len(ids)} met" for n in met]
    page.screenshot(path=str(ARTIFACTS / "page-compare.png"), full_page=True)

    # the picker adds a third; back and forward walk the selections
    third = page.get_by_label("Add a practice (up to 4)")
    third.select_option("brno-intercultural-workers")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(lambda u: _query(u)["compare"][0].count(",") == 2)
    assert _compare_table(page).locator("thead th.pcol").count() == 3
    page.go_back()
    page.wait_for_url(lambda u: _query(u)["compare"] == [",".join(picked)])
    assert _compare_table(page).locator("thead th.pcol").count() == 2
    page.go_forward()
    page.wait_for_url(lambda u: _query(u)["compare"][0].count(",") == 2)
    table = _compare_table(page)
    assert table.locator("thead th.pcol").count() == 3
    table.get_by_role("button", name=f"Remove {details[0]['title']}", exact=True).click()
    page.wait_for_url(lambda u: not _query(u)["compare"][0].startswith(picked[0]))
    assert _compare_table(page).locator("thead th.pcol").count() == 2
    # the way back to the results is there, as many steps as it took
    page.get_by_role("link", name="Back to the results").click()
    page.wait_for_url("**q=language**")
    assert page.locator("#view .group").count() > 0


def _fits_a_phone(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """At a phone's width the page itself never scrolls sideways: a wide table scrolls
    in its own box."""
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    page.screenshot(path=str(ARTIFACTS / name))


def test_compare_from_a_practice_view_holds_at_most_four(page, server) -> None:  # type: ignore[no-untyped-def]
    ids = ["new-paths", "homelands", "magdas-hotel", "sirius-school"]
    for pid in ids:
        page.goto(server.url + f"?practice={pid}")
        page.get_by_role("table").wait_for()
        page.locator(".actions .compare-box").check()
    page.goto(server.url + "?practice=brno-intercultural-workers")
    page.get_by_role("table").wait_for()
    box = page.locator(".actions .compare-box")
    box.click()  # a fifth is refused
    assert not box.is_checked()
    assert "up to 4" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Compare the 4 picked").click()
    page.wait_for_url("**compare=**")
    assert _query(page.url)["compare"] == [",".join(ids)]
    assert _compare_table(page).locator("thead th.pcol").count() == 4
    assert page.get_by_label("Add a practice (up to 4)").is_disabled()
    page.screenshot(path=str(ARTIFACTS / "page-compare-4.png"), full_page=True)
    _fits_a_phone(page, "page-compare-phone.png")


def test_compare_says_what_is_missing_in_italian(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "?compare=nope,new-paths&ui=it")
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text() == "Pratiche a confronto"
    assert (
        "nessuna pratica con questo identificativo: nope" in page.locator(".warning").inner_text()
    )
    assert page.locator(".empty").inner_text().startswith("Scegli da due a quattro pratiche")
    assert _compare_table(page).locator("thead th.pcol").count() == 1  # the one that exists
    assert _english_left(page) == []
    page.goto(server.url + "?compare=new-paths,homelands&ui=it")
    table = _compare_table(page)
    words = set(_cell_words(table.locator("td.st").all_inner_texts()))
    assert (
        words <= {"✓ soddisfatta", "– non soddisfatta", "non segnata"} and "✓ soddisfatta" in words
    )
    assert _english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / "page-compare-it.png"), full_page=True)
    # two practices the documents give no checklist: said so, in Italian, and no table
    page.goto(
        server.url + "?compare=oss-stockholm-ragsved,asap-zagreb-health-language-assistance&ui=it"
    )
    empty = page.locator(".empty")
    empty.wait_for()
    assert empty.inner_text() == "I documenti non riportano una checklist per queste pratiche."
    assert page.locator("table").count() == 0
    assert _english_left(page) == []


def test_the_catalogue_shows_every_practice_against_every_recommendation(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.get_by_role("link", name="Catalogue").click()
    page.wait_for_url("**catalogue=1**")
    table = page.locator("table.catalogue-grid")
    table.wait_for()
    assert page.evaluate("document.activeElement.id") == "view-heading"
    items = {c["id"]: c for c in _api(server, "checklist")}
    marking = {
        p["id"]
        for c in items.values()
        for k in ("met_by", "not_met_by", "unmarked_by")
        for p in c[k]
    }
    rows = table.locator("tbody tr")
    assert rows.count() == len(items)
    cols = table.locator("thead th.vcol a")
    col_ids = [
        h.split("practice=")[1].split("&")[0]
        for h in cols.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    ]
    assert set(col_ids) == marking and len(col_ids) == len(marking)
    met_per = {
        pid: sum(1 for c in items.values() if pid in {p["id"] for p in c["met_by"]})
        for pid in col_ids
    }
    assert [met_per[p] for p in col_ids] == sorted(met_per.values(), reverse=True)  # most met first
    assert table.locator("tfoot td").all_inner_texts() == [str(met_per[p]) for p in col_ids]
    counts = []
    for r in range(rows.count()):
        row = rows.nth(r)
        cid = row.locator("th a").get_attribute("href").split("item=")[1].split("&")[0]
        met, not_met = (int(x) for x in row.locator("td.num").all_inner_texts())
        assert (met, not_met) == (len(items[cid]["met_by"]), len(items[cid]["not_met_by"]))
        counts.append(met)
        if r in (0, rows.count() - 1):  # every cell names its status, for a screen reader too
            status = {p["id"]: "met" for p in items[cid]["met_by"]}
            status |= {p["id"]: "not met" for p in items[cid]["not_met_by"]}
            words = _cell_words(row.locator("td.st").all_text_contents())
            assert words == [
                ("✓" if status.get(p) == "met" else "–" if status.get(p) else "")
                + (status.get(p) or "not marked")
                for p in col_ids
            ]
    assert counts == sorted(counts)  # the recommendations few practices meet come first
    without = len(_api(server, "practices")) - len(marking)
    assert page.get_by_role(
        "heading", name=f"Practices without a checklist in the documents ({without})"
    ).is_visible()
    page.screenshot(path=str(ARTIFACTS / "page-catalogue.png"), full_page=True)
    _fits_a_phone(page, "page-catalogue-phone.png")
    page.set_viewport_size({"width": 1100, "height": 1300})
    page.get_by_role("button", name="Italiano").click()
    page.get_by_role("heading", name="Quali raccomandazioni soddisfano le pratiche?").wait_for()
    assert _english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / "page-catalogue-it.png"), full_page=True)


def test_the_practice_checklist_is_grouped_by_dimension(page, server) -> None:  # type: ignore[no-untyped-def]
    pid = "cosmopolis-grandhotel"
    page.goto(server.url + f"?practice={pid}")
    table = page.get_by_role("table")
    table.wait_for()
    checklist = _api(server, f"practices/{pid}")["checklist"]
    dims: list[str] = []
    for c in checklist:
        if c["dimension"] not in dims:
            dims.append(c["dimension"])
    bodies = table.locator("tbody")
    assert bodies.count() == len(dims) > 1
    for i, d in enumerate(dims):
        body = bodies.nth(i)
        mine = [c for c in checklist if c["dimension"] == d]
        met = sum(1 for c in mine if c["status"] == "met")
        assert body.locator("tr.dim-row th").inner_text() == f"{d} — {met} of {len(mine)} met"
        assert body.locator("tr:not(.dim-row) td:nth-child(2)").all_inner_texts() == [
            c["text"] for c in mine
        ]
        assert _cell_words(body.locator(".status-cell").all_inner_texts()) == [
            STATUS_WORDS[c["status"]] for c in mine
        ]
    page.screenshot(path=str(ARTIFACTS / "page-practice-by-dimension.png"), full_page=True)


def test_a_keyboard_picks_two_practices_and_opens_the_comparison(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    page.get_by_label("What do you need?").focus()
    picked = []
    for _ in range(40):  # Tab to each Compare box in turn and tick it with Space
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        if focused == "compare-box":
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
            page.keyboard.press("Space")
            picked.append(page.evaluate("document.activeElement.dataset.practice"))
            if len(picked) == 2:
                break
    assert len(picked) == 2
    for _ in range(40):  # back up to the bar at the top
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.className") == "tray-open":
            break
    assert page.evaluate("document.activeElement.textContent") == "Compare the 2 picked"
    page.keyboard.press("Enter")
    page.wait_for_url("**compare=**")
    assert _query(page.url)["compare"] == [",".join(picked)]
    _compare_table(page)
    assert page.evaluate("document.activeElement.id") == "view-heading"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "← Back to the results"
    page.keyboard.press("Enter")
    page.wait_for_url("**q=language**")
    page.locator("#view .group").first.wait_for()


def test_axe_finds_no_serious_violation_on_the_new_views(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    _results(page)
    page.locator("#view .group .compare-box").first.check()
    _axe(page, "results with a practice picked")
    page.goto(
        server.url + "?compare=new-paths,cosmopolis-grandhotel,konstanz-refugee-psychotherapy"
    )
    _compare_table(page)
    _axe(page, "compare")
    page.goto(server.url + "?catalogue=1")
    page.locator("table.catalogue-grid").wait_for()
    _axe(page, "catalogue")
