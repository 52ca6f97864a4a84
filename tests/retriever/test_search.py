"""Retriever behaviour on the fake-encoder index: contract, filters, pages, errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from practice_search.errors import QueryError
from retriever import Filters, Retriever
from tests.conftest import fake_settings


def test_result_contract(fake_retriever: Retriever) -> None:
    data = fake_retriever.search("language barrier in healthcare", k=3).to_dict()
    assert {"query", "lang", "passages", "checklist"} <= set(data)
    p = data["passages"][0]
    assert {
        "id",
        "text",
        "score",
        "doc",
        "practice",
        "section",
        "lang",
        "match",
        "highlight",
        "sources",
    } <= set(p)
    c = data["checklist"][0]
    assert {"id", "text", "score", "dimension", "question", "met_by", "not_met_by"} <= set(c)
    assert all("rank" in hit and "score" in hit for hit in p["match"].values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": ""}, "empty"),
        ({"query": "   \n\t "}, "empty"),
        ({"query": "\u3000\u2003\ufeff"}, "empty"),
        ({"query": "x" * 501}, "limit is 500"),
        ({"query": "housing", "k": 0}, "k must be between 1 and 100"),
        ({"query": "housing", "k": 101}, "k must be between 1 and 100"),
        ({"query": "housing", "offset": -1}, "offset"),
        ({"query": "housing", "type": "pictures"}, "unknown type"),
        ({"query": "housing", "filters": Filters(doc="nope")}, "unknown doc 'nope'"),
        ({"query": "housing", "filters": Filters(dimension="Happiness")}, "unknown dimension"),
        ({"query": "housing", "filters": Filters(lang="fr")}, "unknown lang 'fr'"),
    ],
)
def test_bad_input_raises_query_error(
    fake_retriever: Retriever, kwargs: dict, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        fake_retriever.search(**kwargs)


def test_doc_filter(fake_retriever: Retriever) -> None:
    res = fake_retriever.search("training of staff", k=10, filters=Filters(doc="regin"))
    assert res.passages and all(p.doc["id"] == "regin" for p in res.passages)
    assert res.checklist == []  # the catalogue comes from SPRING only


def test_dimension_filter(fake_retriever: Retriever) -> None:
    dim = "Sustainability"
    res = fake_retriever.search(
        "funding after the project ends", k=10, filters=Filters(dimension=dim)
    )
    assert res.passages and all(p.dimension == dim for p in res.passages)
    assert res.checklist and all(c.dimension == dim for c in res.checklist)


def test_lang_filter(fake_retriever: Retriever) -> None:
    res = fake_retriever.search("formazione", k=5, filters=Filters(lang="it"))
    assert res.passages and all(p.lang == "it" for p in res.passages)


def test_filters_combine(fake_retriever: Retriever) -> None:
    spring = fake_retriever.search(
        "funding after the project ends",
        k=10,
        filters=Filters(doc="spring-a", dimension="Sustainability", lang="en"),
    )
    assert spring.passages
    assert all(
        "spring-a" in {s["id"] for s in p.sources}
        and p.dimension == "Sustainability"
        and p.lang == "en"
        for p in spring.passages
    )
    # REGIN is Italian only: asking it for English passages leaves nothing
    none = fake_retriever.search("formazione", k=10, filters=Filters(doc="regin", lang="en"))
    assert none.passages == [] and none.checklist == []


def test_type_selects_result_kinds(fake_retriever: Retriever) -> None:
    only_items = fake_retriever.search("monitoring", type="checklist")
    assert only_items.passages == [] and only_items.checklist
    only_passages = fake_retriever.search("monitoring", type="passage")
    assert only_passages.checklist == [] and only_passages.passages


def test_pages_do_not_repeat(fake_retriever: Retriever) -> None:
    first = fake_retriever.search("intercultural mediators", k=5)
    second = fake_retriever.search("intercultural mediators", k=5, offset=5)
    both = fake_retriever.search("intercultural mediators", k=10)
    ids1, ids2 = [p.id for p in first.passages], [p.id for p in second.passages]
    assert not set(ids1) & set(ids2)
    assert ids1 + ids2 == [p.id for p in both.passages]


def test_shared_practice_lists_both_sources(fake_retriever: Retriever) -> None:
    res = fake_retriever.search("Sirius School inclusive personalised practice", k=5)
    sirius = [p for p in res.passages if p.practice and p.practice["id"] == "sirius-school"]
    assert sirius
    assert {s["id"] for s in sirius[0].sources} == {"spring-a", "spring-b"}


def test_checklist_items_say_who_meets_them(fake_retriever: Retriever) -> None:
    res = fake_retriever.search("regular monitoring compared to goals", type="checklist", k=3)
    item = res.checklist[0]
    assert item.met_by and all({"id", "title"} <= set(p) for p in item.met_by)


def test_concurrent_searches_agree(fake_retriever: Retriever) -> None:
    from concurrent.futures import ThreadPoolExecutor

    needs = ["housing", "women", "funding", "health", "training"] * 4
    expected = {n: [p.id for p in fake_retriever.search(n).passages] for n in set(needs)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(
            pool.map(lambda n: (n, [p.id for p in fake_retriever.search(n).passages]), needs)
        )
    assert all(ids == expected[n] for n, ids in got)


def test_unpaired_surrogate_is_a_query_error(fake_retriever: Retriever) -> None:
    with pytest.raises(QueryError, match="not valid text"):
        fake_retriever.search("housing \ud800")


def test_deep_pages_are_reachable(fake_retriever: Retriever) -> None:
    page = fake_retriever.search("migrants", k=50, offset=250, type="passage")
    assert len(page.passages) == 50


def test_stages_are_recorded_only_when_asked(fake_retriever: Retriever) -> None:
    from retriever.timing import current_stages, record_stages

    fake_retriever.clear_cache()
    t0 = time.perf_counter()
    with record_stages() as times:
        fake_retriever.search("intercultural mediators in hospitals", k=5)
    wall_ms = (time.perf_counter() - t0) * 1000
    stages = times.ms
    assert {"lang", "encode:hash", "faiss", "lexical", "fusion", "collapse", "hydration"} <= set(
        stages
    )
    # the stages are parts of this one search: each took time, and together no more
    # than the search itself (a stage counted twice, or a stale clock, breaks this)
    assert all(ms > 0 for ms in stages.values())
    assert sum(stages.values()) <= wall_ms
    assert current_stages() is None
    with record_stages() as cached:  # the embedding now comes from the cache
        fake_retriever.search("intercultural mediators in hospitals", k=5)
    assert "encode:hash" not in cached.ms and "faiss" in cached.ms


@pytest.mark.parametrize("option", [{"prf": 0.5}, {"hubness": 1.0}, {"fusion": "rrf"}])
def test_ranking_options_change_the_ranking_and_keep_the_contract(
    fake_index_dir: Path, fake_retriever: Retriever, option: dict[str, object]
) -> None:
    settings = fake_settings(fake_index_dir).model_copy(update=option)
    other = Retriever.load(settings)
    need = "barriere linguistiche nella sanità"
    base = fake_retriever.search(need, k=10)
    varied = other.search(need, k=10)
    assert len(varied.passages) == 10 and len(varied.checklist) == 10
    assert [p.id for p in varied.passages] != [p.id for p in base.passages]
    ids = [p.id for p in varied.passages]
    assert len(set(ids)) == len(ids)


def test_hubness_correction_subtracts_each_passages_own_generic_cosine(
    fake_index_dir: Path,
) -> None:
    from retriever.calibration import GENERIC_NEEDS
    from retriever.language import detect_query_language

    settings = fake_settings(fake_index_dir).model_copy(
        update={"weights": {"bm25": 0.0}, "fusion": "score", "hubness": 1.0}
    )
    retriever = Retriever.load(settings)
    need = "housing for refugees"
    probs = detect_query_language(need).probabilities
    total = sum(probs.get(q, 0.0) for q in GENERIC_NEEDS)
    encoder = retriever.index.encoders["hash"]
    vectors = retriever.index.vectors["hash"]["passages"]
    result = retriever.search(need, k=5, type="passage")
    assert result.passages
    for p in result.passages:
        row = retriever.index.row_of[p.id][1]
        v = vectors.reconstruct(row)
        hub = sum(
            probs.get(q, 0.0) / total * float((encoder.encode_queries(needs) @ v).mean())
            for q, needs in GENERIC_NEEDS.items()
        )
        assert p.score == pytest.approx(p.match["hash"]["score"] - hub, abs=1e-4)
