"""PDF files made with fpdf2: paragraphs rebuilt, furniture and hyphenation gone."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from corpus.ingest import Extracted, document_passages, extract
from corpus.records import Document
from tests.documents_factory import (
    EN,
    IT,
    Sample,
    pdf_bytes,
    report_pdf_bytes,
    report_text,
    two_column_pdf_bytes,
    two_column_text,
)


@pytest.fixture(scope="module")
def report() -> bytes:
    return report_pdf_bytes()


@pytest.fixture(scope="module")
def extracted(report: bytes) -> Extracted:
    return extract(report, name="night-school-report.pdf")


def test_the_report_really_has_furniture_and_hyphenated_line_ends(report: bytes) -> None:
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report)).pages)
    assert raw.count("City of Tampere - Night school report 2024") == 10
    assert re.findall(r"Page \d+ of 10", raw) == [f"Page {n} of 10" for n in range(1, 11)]
    assert len(re.findall(r"[a-z]-\n[a-z]", raw)) >= 5


def test_ten_pages_one_heading_per_chapter(extracted: Extracted) -> None:
    assert (extracted.kind, extracted.pages, extracted.lang) == ("pdf", 10, "en")
    assert extracted.title == EN.title  # no metadata title: the first heading
    assert [b.section for b in extracted.blocks] == [[EN.title, h] for h, _ in report_text()]


def test_paragraphs_are_rebuilt_exactly_without_furniture_or_hyphens(
    extracted: Extracted,
) -> None:
    assert [b.paragraphs for b in extracted.blocks] == [ps for _, ps in report_text()]
    text = " ".join(p for b in extracted.blocks for p in b.paragraphs)
    assert "Night school report 2024" not in text
    assert not re.search(r"Page \d", text)
    assert not re.search(r"[a-z]- [a-z]", text)
    assert text.count("municipality") == 10


def test_passages_of_the_report_carry_the_chapter(extracted: Extracted) -> None:
    doc = Document("u-report", extracted.title, "night-school-report.pdf", extracted.lang, "")
    passages = document_passages(doc, extracted, max_words=150)
    assert len({p.id for p in passages}) == len(passages) >= 10
    assert passages[0].context == f"{EN.title}. Recruiting the first drivers"
    assert {p.lang for p in passages} == {"en"}


@pytest.mark.parametrize(
    "layout",
    [
        {"footer": "Pagina {n} di {nb}"},
        {"footer": "{n}"},
        {"footer": "- {n} -", "flowing": True},
        {"bold_headings": True},
    ],
    ids=["pagina-n-di-nb", "bare-number", "flowing-text", "bold-headings"],
)
def test_other_layouts_give_the_same_text(layout: dict[str, object]) -> None:
    got = extract(report_pdf_bytes(**layout), name="report.pdf")  # type: ignore[arg-type]
    assert [b.section for b in got.blocks] == [[EN.title, h] for h, _ in report_text()]
    assert [b.paragraphs for b in got.blocks] == [ps for _, ps in report_text()]


def test_flowing_text_really_breaks_paragraphs_over_pages() -> None:
    pages = PdfReader(io.BytesIO(report_pdf_bytes(flowing=True))).pages
    last_body_lines = [page.extract_text().split("\n")[-2] for page in pages[:-1]]
    assert len(pages) == 4
    assert any(not line.endswith(".") for line in last_body_lines)


def test_two_columns_are_read_one_after_the_other() -> None:
    data = two_column_pdf_bytes()
    raw = PdfReader(io.BytesIO(data)).pages[0].extract_text(extraction_mode="layout")
    assert re.search(r"\w {5,}\w", raw)  # the two columns do sit side by side
    got = extract(data, name="newsletter.pdf")
    assert got.title == "Night school newsletter: two columns"
    assert [p for b in got.blocks for p in b.paragraphs] == two_column_text()


@pytest.mark.parametrize("sample", [EN, IT], ids=["en", "it"])
def test_a_short_pdf_with_bullets(sample: Sample) -> None:
    got = extract(pdf_bytes(sample), name="short.pdf")
    assert (got.title, got.lang, got.pages) == (sample.title, sample.lang, 1)
    assert [(b.section, b.paragraphs) for b in got.blocks] == [
        ([sample.title, h], ps + ([f"- {i}" for i in sample.items] if n == 1 else []))
        for n, (h, ps) in enumerate(sample.sections)
    ]


@pytest.mark.parametrize(
    ("metadata", "title"),
    [
        ("Night school: the final report", "Night school: the final report"),
        ("Microsoft Word - report_final_v3.docx", EN.title),
        ("untitled", EN.title),
    ],
)
def test_the_metadata_title_unless_it_is_a_file_name(metadata: str, title: str) -> None:
    got = extract(pdf_bytes(EN, metadata_title=metadata), name="x.pdf")
    assert got.title == title
