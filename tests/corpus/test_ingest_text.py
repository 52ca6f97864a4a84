"""Markdown and plain text files to titles, heading paths, paragraphs and passages."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from corpus.ingest import FORMATS, IngestLimits, Kind, document_passages, extract, iter_files
from corpus.ingest.extract import PARSERS
from corpus.records import Document
from practice_search.errors import DocumentRejected
from tests.documents_factory import EN, IT, Sample, markdown_bytes, text_bytes, write_samples


@pytest.mark.parametrize("sample", [EN, IT], ids=["en", "it"])
def test_markdown_headings_become_the_section_path(sample: Sample) -> None:
    got = extract(markdown_bytes(sample), name="guide.md")
    assert (got.kind, got.title, got.lang, got.pages) == (
        "markdown",
        sample.title,
        sample.lang,
        None,
    )
    sections = [b.section for b in got.blocks]
    assert sections == [[sample.title, h] for h, _ in sample.sections] + [[sample.title, "Topics"]]
    assert got.blocks[0].paragraphs == sample.sections[0][1]


def test_markdown_markup_is_stripped_and_lists_and_tables_stay_readable() -> None:
    got = extract(markdown_bytes(EN), name="guide.md")
    last = got.blocks[-1].paragraphs
    assert last == [
        "- Vocabulary of streets and landmarks",
        "- Reading receipts aloud",
        "- Radio etiquette",
        "Month | Drivers enrolled",
        "January | 12",
        "June | 31",
    ]
    text = "\n".join(p for b in got.blocks for p in b.paragraphs)
    for markup in ("**", "](", "|---", "#"):
        assert markup not in text


def test_markdown_front_matter_title_code_blocks_quotes_and_setext_headings() -> None:
    md = (
        b'---\ntitle: "Welcome desk"\nauthor: x\n---\n'
        b"Opening hours\n=============\n\n"
        b"> The desk is open *every* morning.\n\n"
        b"Forms\n-----\n\n"
        b"```\nform A-12: residence\n```\n\n"
        b"See <https://example.org/forms> and ![the map](map.png).\n"
    )
    got = extract(md, name="desk.markdown")
    assert got.title == "Welcome desk"
    assert [(b.section, b.paragraphs) for b in got.blocks] == [
        (["Opening hours"], ["The desk is open every morning."]),
        (
            ["Opening hours", "Forms"],
            ["form A-12: residence", "See https://example.org/forms and the map."],
        ),
    ]


@pytest.mark.parametrize("sample", [EN, IT], ids=["en", "it"])
def test_plain_text_paragraphs_at_blank_lines_and_the_first_line_as_title(sample: Sample) -> None:
    got = extract(text_bytes(sample), name="notes.txt")
    assert (got.kind, got.title, got.lang) == ("text", sample.title, sample.lang)
    assert len(got.blocks) == 1
    paragraphs = got.blocks[0].paragraphs
    assert paragraphs[:4] == [p for _, ps in sample.sections for p in ps]
    assert paragraphs[4:] == [f"- {item}" for item in sample.items]


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),  # with its BOM
        lambda s: s.encode("cp1252"),
    ],
    ids=["utf-8-bom", "utf-16", "windows-1252"],
)
def test_text_encodings(encode) -> None:  # type: ignore[no-untyped-def]
    text = "Città e società\n\nIl laboratorio è aperto il sabato: perché no? Più attività."
    got = extract(encode(text), name="nota.txt")
    assert got.title == "Città e società"
    assert got.blocks[0].paragraphs == [
        "Il laboratorio è aperto il sabato: perché no? Più attività."
    ]


def test_numbered_and_bulleted_items_one_per_line() -> None:
    text = (
        "Steps to register:\n1. Book an appointment\n2) Bring a *passport*,\n   "
        "and a photo\n\n• Free of charge\n* Open on Saturday"
    )
    for name in ("steps.txt", "steps.md"):
        got = extract(text.encode(), name=name)
        passport = "passport" if name.endswith(".md") else "*passport*"
        assert got.blocks[0].paragraphs == [
            "Steps to register:",
            "1. Book an appointment",
            f"2) Bring a {passport}, and a photo",
            "- Free of charge",
            "- Open on Saturday",
        ], name


def test_a_text_without_a_title_line_is_named_after_the_file() -> None:
    got = extract(b"Just one paragraph that ends with a full stop.", name="annual_report-2024.txt")
    assert got.title == "Annual report 2024"
    assert got.blocks[0].section == []


def test_overrides_win_and_a_bad_language_is_refused() -> None:
    got = extract(markdown_bytes(IT), name="x.md", title="  Bike  workshop ", lang="EN")
    assert (got.title, got.lang) == ("Bike workshop", "en")
    with pytest.raises(DocumentRejected) as err:
        extract(markdown_bytes(IT), name="x.md", lang="de")
    assert err.value.code == "bad_lang"
    assert str(err.value) == "language 'de' is not supported; use one of en, it"
    for title, reason in [(" \n ", "empty"), ("x" * 301, "over 300 characters")]:
        with pytest.raises(DocumentRejected) as err:
            extract(markdown_bytes(IT), name="x.md", title=title)
        assert (err.value.code, str(err.value)) == ("bad_title", f"the title given is {reason}")


def test_passages_like_the_bundled_documents() -> None:
    extracted = extract(markdown_bytes(EN), name="guide.md")
    doc = Document("u-night-school", extracted.title, "guide.md", extracted.lang, "")
    passages = document_passages(doc, extracted, max_words=150)
    assert [p.section for p in passages] == [b.section for b in extracted.blocks]
    first = passages[0]
    assert first.context == "Night school for taxi drivers. Why a night school"
    assert first.text == "\n".join(EN.sections[0][1])
    assert (first.doc_ids, first.practice_id, first.kind) == (["u-night-school"], None, "section")
    again = document_passages(doc, extract(markdown_bytes(EN), name="other.md"), 150)
    assert [p.id for p in again] == [p.id for p in passages]  # ids from content, not file
    other_doc = Document("u-other", doc.title, "guide.md", "en", "")
    assert document_passages(other_doc, extracted, 150)[0].id != first.id
    small = document_passages(doc, extracted, max_words=40)
    assert len(small) > len(passages)
    assert all(len(p.text.split()) <= 40 for p in small)


def test_passage_language_departs_from_the_document_only_on_evidence() -> None:
    english = " ".join(EN.sections[0][1])
    md = f"# {IT.title}\n\n{' '.join(IT.sections[0][1])}\n\n## English summary\n\n{english}\n\n"
    md += "## Partner\n\nAssociazione Ciclofficina Bologna Onlus\n"
    extracted = extract(md.encode(), name="mixed.md")
    doc = Document("u-mixed", extracted.title, "mixed.md", extracted.lang, "")
    langs = [p.lang for p in document_passages(doc, extracted, 150)]
    assert extracted.lang == "it"
    assert langs == ["it", "en", "it"]


def test_a_limit_smaller_than_the_file_refuses_it() -> None:
    data = markdown_bytes(EN)
    with pytest.raises(DocumentRejected) as err:
        extract(data, name="guide.md", limits=IngestLimits(max_bytes=len(data) - 1))
    assert err.value.code == "too_large"
    assert (
        str(err.value) == f"the file is {len(data)} bytes, over the limit of {len(data) - 1} bytes"
    )
    assert extract(data, name="guide.md", limits=IngestLimits(max_bytes=len(data))).blocks


def test_every_sample_file_reads_back_with_its_kind_title_and_language(tmp_path: Path) -> None:
    for sample in (EN, IT):
        for kind, path in write_samples(tmp_path, sample).items():
            got = extract(path.read_bytes(), name=path.name)
            assert (got.kind, got.title, got.lang) == (kind, sample.title, sample.lang), path
    assert len(iter_files(tmp_path)) == 10


def test_every_format_has_a_parser_and_a_description() -> None:
    assert set(PARSERS) == set(Kind) == {Kind(k) for k in FORMATS}
