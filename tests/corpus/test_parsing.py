"""Parsing facts checked against the raw text."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from corpus import Corpus, Dimension, Mark, load_corpus
from corpus.catalogue import item_key
from corpus.framework import QUESTIONS
from corpus.spring import parse_spring

RAW = Path(__file__).resolve().parents[2] / "corpus" / "raw"
META = tomllib.loads((RAW.parent / "practices.toml").read_text(encoding="utf-8"))


def spring_practices(corpus: Corpus) -> list:
    return [p for p in corpus.practices if set(p.doc_ids) <= {"spring-a", "spring-b"}]


def test_sixteen_spring_practices_after_merging_the_four_shared(corpus: Corpus) -> None:
    practices = spring_practices(corpus)
    assert len(practices) == 16
    shared = {p.id for p in practices if p.doc_ids == ["spring-a", "spring-b"]}
    assert shared == {
        "brno-intercultural-workers",
        "centre-for-foreigners-usti",
        "sirius-school",
        "neighbourhood-mothers",
    }


def test_every_raw_file_has_ten_practices() -> None:
    for name in ("spring-practices-a.txt", "spring-practices-b.txt"):
        assert len(parse_spring((RAW / name).read_text(encoding="utf-8"), name)) == 10


def test_every_spring_practice_has_curated_title_and_country(corpus: Corpus) -> None:
    practices = spring_practices(corpus)
    assert all(p.title for p in practices)
    # one practice's text names no place at all; practices.toml leaves it empty
    assert [p.id for p in practices if not p.country] == ["refugee-reception-volunteer-services"]
    titles = {p.title for p in corpus.practices}
    assert {
        "Sirius School",
        "Magda's Hotel",
        "PartecipAzione",
        "INTERSOS COVID-19 vaccination",
        "Brno intercultural workers",
    } <= titles


def test_file_a_dimensions_are_inferred_from_the_question() -> None:
    practices = parse_spring((RAW / "spring-practices-a.txt").read_text(encoding="utf-8"), "a")
    inferred = [
        q
        for p in practices
        for q in p.questions
        if q.dimension in (Dimension.EFFECTIVENESS, Dimension.SUSTAINABILITY)
    ]
    assert inferred, "file a has Effectiveness/Sustainability questions"
    # file a has no heading for them: the one above says Relevance & Complementarity
    assert all(q.stated_dimension is Dimension.RELEVANCE for q in inferred)


def test_file_b_headings_agree_with_the_framework() -> None:
    practices = parse_spring((RAW / "spring-practices-b.txt").read_text(encoding="utf-8"), "b")
    questions = [q for p in practices for q in p.questions]
    assert len({q.question for q in questions}) == len(QUESTIONS)
    assert all(q.stated_dimension is q.dimension for q in questions)


def _raw_marks() -> list[tuple[str, str, Mark]]:
    """(practice slug, item text, mark) for every marked line, read straight from the files."""
    by_match = {m["match"]: m["slug"] for m in META["practice"]}
    out = []
    for name in ("spring-practices-a.txt", "spring-practices-b.txt"):
        chunks = re.split(
            r"^Inclusivity & Participation\s*$",
            (RAW / name).read_text(encoding="utf-8"),
            flags=re.M,
        )[1:]
        for chunk in chunks:
            slug = next(s for m, s in by_match.items() if m in chunk)
            for line in chunk.splitlines():
                mark = re.match(r"^\s*([✓–−])\s*(.+)$", line)
                if mark:
                    status = Mark.MET if mark.group(1) == "✓" else Mark.NOT_MET
                    out.append((slug, mark.group(2).strip(), status))
    return out


def test_every_checklist_mark_matches_the_raw_text(corpus: Corpus) -> None:
    catalogue = {item_key(i.text): i for i in corpus.checklist}
    checked = 0
    for slug, text, mark in _raw_marks():
        item = catalogue.get(item_key(text))
        if item is None:
            assert text in corpus.rejected_checklist_lines  # the copied-answer artefact
            continue
        assert item.marks[slug] is mark, (slug, text)
        checked += 1
    assert checked > 700


def test_catalogue_has_forty_unique_items_with_dimension_and_question(corpus: Corpus) -> None:
    assert len(corpus.checklist) == 40
    for item in corpus.checklist:
        assert QUESTIONS[item.question].value == item.dimension
        assert item.by_mark(Mark.MET) or item.by_mark(Mark.NOT_MET)


def test_mark_glued_to_text_is_read() -> None:
    text = (RAW / "spring-practices-a.txt").read_text(encoding="utf-8")
    assert "✓Ensure that services contribute" in text
    practices = parse_spring(text, "a")
    glued = [
        e
        for p in practices
        for q in p.questions
        for e in q.checklist
        if e.text.startswith("Ensure that services contribute") and e.mark is Mark.MET
    ]
    assert glued


def test_unmarked_items_are_kept_as_unmarked(corpus: Corpus) -> None:
    assert sum(len(i.by_mark(Mark.UNMARKED)) for i in corpus.checklist) >= 4


BOILERPLATE = [
    re.compile(r"cookie", re.I),
    re.compile(r"\t\d+$", re.M),
    re.compile(r"Table of contents"),
    re.compile(r"WATCH VIDEO"),
    re.compile(r"[\w.]+@[\w-]+\.\w+"),
    re.compile(r"Subscribe to our newsletter|All rights reserved|Privacy Policy"),
    re.compile(r"\*\*|</?u>|\]\(#\)|\\\("),
    re.compile(r"^\d+$", re.M),
]


@pytest.mark.parametrize("pattern", BOILERPLATE, ids=lambda p: p.pattern[:30])
def test_no_boilerplate_or_markup_in_any_passage(corpus: Corpus, pattern: re.Pattern[str]) -> None:
    bad = [p.id for p in corpus.passages if pattern.search(p.text)]
    assert not bad


def test_pdf_hyphenation_is_repaired(corpus: Corpus) -> None:
    raw = (RAW / "asap-nothing-about-us-without-us.txt").read_text(encoding="utf-8")
    assert re.search(r"spe-\s*\n\s*\n+cific", raw)
    texts = " ".join(p.text for p in corpus.passages)
    assert "specific challenges" in texts
    breaks = re.findall(r"(\w+)-[ \t]*\n\s*\n\s*([a-z]\w*)", raw)
    assert breaks
    for head, tail in breaks:
        assert head + tail in texts and f"{head}- {tail}" not in texts


def test_languages(corpus: Corpus) -> None:
    langs = Counter((p.doc_ids[0], p.lang) for p in corpus.passages)
    assert {lang for (doc, lang) in langs if doc == "regin"} == {"it"}
    assert {lang for (doc, lang) in langs if doc != "regin"} == {"en"}


def test_passages_fit_the_word_budget(corpus: Corpus) -> None:
    assert max(len(p.text.split()) for p in corpus.passages) <= 150


def test_ids_are_stable_across_parses(corpus: Corpus) -> None:
    again = load_corpus()
    assert [p.id for p in again.passages] == [p.id for p in corpus.passages]
    assert [c.id for c in again.checklist] == [c.id for c in corpus.checklist]
    assert len({p.id for p in corpus.passages}) == len(corpus.passages)


def test_asap_pilots_and_city_examples_have_organisation_and_place(corpus: Corpus) -> None:
    others = [p for p in corpus.practices if p.id.startswith(("asap-", "oss-"))]
    assert len(others) == 16
    for p in others:
        assert p.organisation and p.country, p.id
    croatia = next(p for p in others if p.id == "asap-zagreb-health-language-assistance")
    assert croatia.city == "Zagreb" and "Peace Studies" in croatia.organisation


def _sections(corpus: Corpus, doc: str) -> list[list[str]]:
    return [p.section for p in corpus.passages if doc in p.doc_ids]


def test_asap_sections_follow_the_contents(corpus: Corpus) -> None:
    tops = {s[0] for s in _sections(corpus, "asap")}
    assert (
        "Lessons learned for the design and implementation of future European cooperation "
        "projects" in tops
    )
    assert not any(s.startswith("- ") for sec in _sections(corpus, "asap") for s in sec)
    # a resource list item that repeats a practice title is not a new section
    assert not any("(available" in s for sec in _sections(corpus, "asap") for s in sec)


def test_oss_cross_reference_is_not_a_city_example(corpus: Corpus) -> None:
    stockholm = [p for p in corpus.passages if p.practice_id == "oss-stockholm-ragsved"]
    assert all(
        p.section[:2] == ["City examples", "Stockholm Civic Office in Rågsved"] for p in stockholm
    )
    assert not any("Communication" in p.section[-1] for p in stockholm)


def test_oss_fields_and_glossary(corpus: Corpus) -> None:
    fields = {tuple(s[:3]) for s in _sections(corpus, "oss") if s[0] == "City examples"}
    assert ("City examples", "Barcelona SAIER", "Top 3 recommendations") in fields
    assert len({f[1] for f in fields}) == 5
    glossary = {s[1] for s in _sections(corpus, "oss") if s[0] == "Glossary"}
    assert {"Firewall", "Intercultural mediation"} <= glossary
    top3 = [p.text for p in corpus.passages if p.section[-1:] == ["Top 3 recommendations"]]
    assert not any("Couteiro" in t or "OSS Lisbon" in t for t in top3)  # contacts dropped


def test_inspiring_tools_are_not_labelled_twice(corpus: Corpus) -> None:
    assert not [p.id for p in corpus.passages if "Inspiring tools: Inspiring tools" in p.text]
