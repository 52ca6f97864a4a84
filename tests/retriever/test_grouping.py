"""Results grouped by practice (group="practice"): the ranking is kept across groups,
every passage is in exactly one group, and without the option nothing changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from practice_search.errors import QueryError
from retriever import PassageGroup, PassageResult, Retriever, SearchResult
from retriever.grouping import group_key, group_passages
from retriever.views import DocRef, PracticeRef

NEEDS = [
    n
    for n in (Path(__file__).resolve().parents[2] / "bench/needs.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if n.strip() and not n.startswith("#")
][:25]


def _doc(doc_id: str) -> DocRef:
    return DocRef(id=doc_id, title=f"Document {doc_id}", file=f"{doc_id}.md")


def _practice(practice_id: str) -> PracticeRef:
    return PracticeRef(id=practice_id, title=f"Practice {practice_id}", organisation="", place="")


def _passage(
    pid: str, doc: str, practice: str | None = None, section: list[str] | None = None
) -> PassageResult:
    return PassageResult(
        id=pid,
        text=pid,
        score=0.0,
        doc=_doc(doc),
        sources=[_doc(doc)],
        practice=_practice(practice) if practice else None,
        section=section or [],
        lang="en",
        kind="section",
        dimension=None,
        question=None,
        highlight={"snippet": pid, "spans": []},
        match={},
    )


def check_groups(passages: list[PassageResult], groups: list[PassageGroup]) -> None:
    """The grouping's contract, on any ranked page."""
    positions = [i for g in groups for i in g["passages"]]
    # every passage of the page in exactly one group
    assert sorted(positions) == list(range(len(passages)))
    # within a group: rank order; across groups: the order of each group's best passage
    assert all(g["passages"] == sorted(g["passages"]) for g in groups)
    firsts = [g["passages"][0] for g in groups]
    assert firsts == sorted(firsts)
    # one group per key, and each passage in the group of its key
    assert len({g["key"] for g in groups}) == len(groups)
    for g in groups:
        best = passages[g["passages"][0]]
        assert g["practice"] == best.practice and g["doc"] == best.doc
        assert all(group_key(passages[i]) == g["key"] for i in g["passages"])


def test_groups_follow_the_ranking_and_keep_every_passage_once() -> None:
    page = [
        _passage("p0", "asap", practice="a"),
        _passage("p1", "oss", section=["Steps", "Funding"]),
        _passage("p2", "asap", practice="b"),
        _passage("p3", "asap", practice="a"),
        _passage("p4", "oss", section=["Steps", "Funding"]),
        _passage("p5", "asap", practice="b"),
        _passage("p6", "asap", practice="a"),
    ]
    groups = group_passages(page)
    check_groups(page, groups)
    assert [(g["key"], g["passages"]) for g in groups] == [
        ("a", [0, 3, 6]),
        ("oss#Steps › Funding", [1, 4]),
        ("b", [2, 5]),
    ]
    assert [g["title"] for g in groups] == ["Practice a", "Funding", "Practice b"]


def test_one_practice_from_two_documents_is_one_group() -> None:
    page = [
        _passage("p0", "spring-a", practice="sirius-school"),
        _passage("p1", "asap", practice="other"),
        _passage("p2", "spring-b", practice="sirius-school"),
    ]
    groups = group_passages(page)
    check_groups(page, groups)
    assert [g["passages"] for g in groups] == [[0, 2], [1]]
    assert groups[0]["doc"]["id"] == "spring-a"  # the best passage's document


def test_passages_outside_practices_group_by_document_and_section() -> None:
    page = [
        _passage("p0", "asap", section=["Lessons", "Housing"]),
        _passage("p1", "asap", section=["Lessons", "Work"]),
        _passage("p2", "oss", section=["Lessons", "Housing"]),  # another document
        _passage("p3", "asap", section=["Lessons", "Housing"]),
        _passage("p4", "regin", section=[]),
    ]
    groups = group_passages(page)
    check_groups(page, groups)
    assert [(g["key"], g["passages"]) for g in groups] == [
        ("asap#Lessons › Housing", [0, 3]),
        ("asap#Lessons › Work", [1]),
        ("oss#Lessons › Housing", [2]),
        ("regin#", [4]),
    ]
    assert [g["title"] for g in groups] == ["Housing", "Work", "Housing", "Document regin"]
    assert all(g["practice"] is None for g in groups)


@pytest.mark.parametrize("need", NEEDS)
def test_grouping_only_arranges_the_ranked_page(fake_retriever: Retriever, need: str) -> None:
    plain = fake_retriever.search(need, k=30)
    grouped = fake_retriever.search(need, k=30, group="practice")
    assert grouped.groups is not None
    check_groups(grouped.passages, grouped.groups)
    # the page is the same ranked page; only `groups` is added
    assert {**grouped.to_dict(), "groups": None} == {**plain.to_dict(), "groups": None}
    assert list(grouped.to_dict())[-1] == "groups"


def test_group_none_is_the_result_without_the_option(fake_retriever: Retriever) -> None:
    for need in NEEDS:
        for kwargs in ({}, {"k": 7, "offset": 3}, {"type": "passage", "k": 20}):
            before = fake_retriever.search(need, **kwargs)  # type: ignore[arg-type]
            after = fake_retriever.search(need, group="none", **kwargs)  # type: ignore[arg-type]
            assert after.groups is None and "groups" not in after.to_dict()
            assert json.dumps(after.to_dict()) == json.dumps(before.to_dict())


def test_groups_hold_the_practices_found_in_both_spring_files(
    fake_retriever: Retriever,
) -> None:
    """Sirius school is in both SPRING files; its passages, whichever file they cite
    first, share one group."""
    res = fake_retriever.search("Sirius school", k=60, type="passage", group="practice")
    assert res.groups is not None
    check_groups(res.passages, res.groups)
    sirius = [g for g in res.groups if g["key"] == "sirius-school"]
    assert len(sirius) == 1 and len(sirius[0]["passages"]) > 1
    sources = {s["id"] for i in sirius[0]["passages"] for s in res.passages[i].sources}
    assert {"spring-a", "spring-b"} <= sources


def test_group_edges(fake_retriever: Retriever) -> None:
    assert fake_retriever.search("lavoro", type="checklist", group="practice").groups == []
    blank: SearchResult = fake_retriever.search("\x00\x01", group="practice")
    assert blank.groups == [] and blank.passages == []
    with pytest.raises(QueryError, match="unknown group 'doc'; choose one of: none, practice"):
        fake_retriever.search("housing", group="doc")
