"""HTML pages and Word documents, made with real markup and python-docx."""

from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument

from corpus.ingest import extract
from tests.documents_factory import EN, IT, Sample, docx_bytes, html_bytes


def _expected_blocks(sample: Sample) -> list[tuple[list[str], list[str]]]:
    blocks = [([sample.title, h], ps) for h, ps in sample.sections]
    rows = [f"{a} | {b}" for a, b in sample.table]
    blocks.append(([sample.title, "Topics"], [f"- {i}" for i in sample.items] + rows))
    return blocks


@pytest.mark.parametrize("sample", [EN, IT], ids=["en", "it"])
def test_html_content_under_its_headings(sample: Sample) -> None:
    got = extract(html_bytes(sample), name="page.html")
    assert (got.kind, got.lang) == ("html", sample.lang)
    assert got.title == sample.title  # the <title> less the site name: the <h1>
    assert [(b.section, b.paragraphs) for b in got.blocks] == _expected_blocks(sample)


def test_html_boilerplate_scripts_and_markup_never_reach_the_text() -> None:
    got = extract(html_bytes(EN), name="page.htm")
    text = "\n".join(p for b in got.blocks for p in [*b.section, *b.paragraphs])
    for gone in ["SCRIPT-TEXT", "Site banner", "Home", "Related", "Search the site", "Copyright"]:
        assert gone not in text
    assert "<" not in text and "onload" not in text and "font-family" not in text


def test_html_title_element_when_it_is_not_the_heading_and_a_page_without_main() -> None:
    page = (
        b"<html><head><title>Annual report 2024</title></head><body>"
        b"<header><h1>Site name</h1></header><nav>Menu</nav>"
        b"<h1>Welcome desk</h1><p>Opened in <a href='/x'>March</a>.<br>Free of charge.</p>"
        b"<div>Loose text <b>in</b> a div<p>and a paragraph</p></div>"
        b"<ol><li>First<ul><li>nested</li></ul></li></ol>"
        b"<footer><p>Contacts</p></footer></body></html>"
    )
    got = extract(page, name="index.html")
    assert got.title == "Annual report 2024"
    assert [(b.section, b.paragraphs) for b in got.blocks] == [
        (
            ["Welcome desk"],
            [
                "Opened in March. Free of charge.",
                "Loose text in a div",
                "and a paragraph",
                "- First",
                "- nested",
            ],
        )
    ]


def test_an_html_fragment_with_a_script_is_read_as_html() -> None:
    got = extract(
        b"Notes from the meeting.\n<script>steal()</script>\nNext meeting in May.", name="x.txt"
    )
    assert got.kind == "html"
    assert got.blocks[0].paragraphs == ["Notes from the meeting. Next meeting in May."]


@pytest.mark.parametrize("sample", [EN, IT], ids=["en", "it"])
def test_docx_heading_styles_lists_and_tables(sample: Sample) -> None:
    got = extract(docx_bytes(sample), name="report.docx")
    assert (got.kind, got.title, got.lang, got.pages) == ("docx", sample.title, sample.lang, None)
    assert [(b.section, b.paragraphs) for b in got.blocks] == _expected_blocks(sample)


def test_docx_core_title_wins_and_the_name_does_not_matter() -> None:
    got = extract(docx_bytes(EN, core_title="Night school, final report"), name="upload")
    assert got.title == "Night school, final report"
    assert got.kind == "docx"


def test_docx_without_headings_is_named_after_the_file_and_merged_cells_show_once() -> None:
    doc = WordDocument()
    doc.add_paragraph("The desk opens at nine.")
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Opening hours"
    for cell, text in zip(table.rows[1].cells, ["Mon", "Tue", "Wed"], strict=True):
        cell.text = text
    out = io.BytesIO()
    doc.save(out)
    got = extract(out.getvalue(), name="desk_hours.docx")
    assert got.title == "Desk hours"
    assert got.blocks[0].section == []
    assert got.blocks[0].paragraphs == [
        "The desk opens at nine.",
        "Opening hours",
        "Mon | Tue | Wed",
    ]
