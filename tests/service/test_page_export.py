"""The search page's exports (Markdown and CSV of the current results, checked row by
row against the API) and its API errors told in the interface language, in a real
headless Chromium on the fake-encoder index (the fixtures of test_page_views)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.service.conftest import ARTIFACTS, LiveServer
from tests.service.test_page import NEED, SHARED, _english_left
from tests.service.test_page_views import ITALIAN, _api, page, server

pytestmark = pytest.mark.browser

__all__ = ["page", "server"]  # fixtures shared with test_page_views


def _download(page, name: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    download = info.value
    path = ARTIFACTS / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes().decode("utf-8")


def _cell(value: str) -> str:
    """How the CSV writes a value: a leading = + - @ (a formula to a spreadsheet) after an
    apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _check_rows(text: str, data: Any, server: LiveServer, ui: str) -> tuple[list[str], int]:
    """The CSV's header, and how many of its rows are passages of a practice, after
    checking every row against the API's answer, in the page's order."""
    assert text.startswith("\ufeff") and "\r\n" in text
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    order = [i for g in data["groups"] for i in g["passages"]]
    assert len(table) == 1 + len(data["passages"]) == 1 + len(order)
    of_practice = 0
    for row, i in zip(table[1:], order, strict=True):
        p = data["passages"][i]
        assert row[0] == str(i + 1) and row[9] == _cell(p["text"])
        assert row[5] == _cell("; ".join(s["title"] for s in p["sources"]))
        assert row[6] == _cell(" › ".join(p["section"]))
        if p["practice"]:
            of_practice += 1
            assert row[2:5] == [_cell(p["practice"][k]) for k in ("title", "organisation", "place")]
            assert row[10] == f"{server.url}?practice={p['practice']['id']}&ui={ui}"
        else:
            assert row[2] == "" and row[10].startswith(server.url + "?q=")
    return table[0], of_practice


def test_the_results_export_as_csv_and_markdown(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + SHARED)
    page.locator("#view .group").first.wait_for()
    data = _api(server, "search", q=NEED, k="10", group="practice")
    name, text = _download(page, "CSV")
    assert name == "practice-search-language-barrier-in-healthcare.csv"
    header, of_practice = _check_rows(text, data, server, "en")
    assert header[0] == "Rank" and header[-1] == "Link"
    assert 0 < of_practice < len(data["passages"])  # both kinds of row were checked
    assert any(p["text"].startswith("-") for p in data["passages"])  # and a guarded one
    assert (
        page.get_by_role("status").inner_text() == f"Downloaded {len(data['passages'])} passages."
    )
    name, md = _download(page, "Markdown")
    assert name == "practice-search-language-barrier-in-healthcare.md"
    assert md.startswith(f"# Good practices for: {NEED}\n")
    assert md.count("\n## ") == len(data["groups"]) + 1  # each group, and the checklist
    for g in data["groups"]:
        if g["practice"]:
            assert f"Practice: <{server.url}?practice={g['practice']['id']}&ui=en>" in md
    for c in data["checklist"]:
        assert f"<{server.url}?item={c['id']}&ui=en>" in md
    assert md.count("\n> — Source: ") == len(data["passages"])

    # in Italian: the column names, and the accents of Italian passages, survive
    page.goto(server.url + "?q=" + ITALIAN.replace(" ", "%20") + "&lang=it&ui=it")
    page.locator("#view .group").first.wait_for()
    data = _api(server, "search", q=ITALIAN, lang="it", k="10", group="practice")
    name, text = _download(page, "CSV")
    assert name == "practice-search-mediazione-linguistica-e-culturale-nei-servizi-sanitari.csv"
    header, _ = _check_rows(text, data, server, "it")
    assert header == [
        "Posizione",
        "Gruppo",
        "Pratica",
        "Organizzazione",
        "Luogo",
        "Fonti",
        "Sezione",
        "Dimensione",
        "Domanda",
        "Passaggio",
        "Link",
    ]
    assert any(ch in text for ch in "àèéìòù’")
    name, md = _download(page, "Markdown")
    assert md.startswith("# Buone pratiche per: " + ITALIAN)
    assert md.count("\n> — Fonte: ") == len(data["passages"])

    # a cell a spreadsheet would run as a formula is written as text
    cells = {"rank": 1, "text": '=HYPERLINK("x")', "group": "+1", "practice": "-2"}
    cells |= {"place": "@a", "link": "è"}
    guarded = page.evaluate(
        """(row) => window.PracticeSearchExport.csv([row],
             Object.fromEntries(window.PracticeSearchExport.columns.map(c => [c, c])))""",
        cells,
    )
    row = next(csv.reader(io.StringIO(guarded.lstrip("\ufeff").split("\r\n")[1])))
    assert (
        row[1:4] == ["'+1", "'-2", ""]
        and row[4] == "'@a"
        and row[9] == '\'=HYPERLINK("x")'
        and row[10] == "è"
    )


def _answer(status: int, headers: dict[str, str]) -> Any:
    """A route handler answering /search with this status, as the API shapes errors."""
    body = json.dumps({"error": {"status": status, "type": "x", "message": "in English"}})

    def fulfil(route: Any) -> None:
        route.fulfill(status=status, headers=headers, content_type="application/json", body=body)

    return fulfil


def test_api_errors_are_told_in_the_interface_language(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "?q=" + "a" * 600 + "&ui=it")  # the API answers 422
    problem = page.locator("#view .problem")
    problem.wait_for()
    assert page.get_by_role("alert").inner_text().startswith("Impossibile eseguire la ricerca")
    assert _english_left(page) == []
    page.screenshot(path=str(ARTIFACTS / "page-error-it.png"), full_page=True)
    page.goto(server.url + "?practice=nope&ui=it")
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text().startswith("Nessun elemento con questo identificativo")
    for status, headers, words in (
        (503, {"Retry-After": "1"}, "Il servizio di ricerca è occupato"),
        (503, {}, "Il servizio di ricerca si sta ancora caricando"),
        (500, {}, "Il servizio di ricerca ha avuto un problema (stato 500)"),
    ):
        page.route("**/search?**", _answer(status, headers))
        page.goto(server.url + f"?q=salute{status}{len(headers)}&ui=it")
        page.locator("#view .problem").wait_for()
        assert page.locator("#view .problem").inner_text().startswith(words)
        page.unroute("**/search?**")
