"""Pure pieces of the retriever on hand-built data."""

from __future__ import annotations

import pytest

from retriever.fusion import rrf, score_fusion
from retriever.highlight import highlight
from retriever.language import QueryLanguage, channel_weight, detect_query_language


def test_rrf_sums_reciprocal_ranks_with_weights() -> None:
    fused = rrf({"a": [(1, 0.9), (2, 0.8)], "b": [(2, 5.0), (3, 4.0)]}, {"a": 1.0, "b": 2.0}, k=60)
    scores = {f.row: f.score for f in fused}
    assert scores[2] == pytest.approx(1 / 62 + 2 / 61)
    assert scores[1] == pytest.approx(1 / 61)
    assert [f.row for f in fused] == [2, 3, 1]
    assert fused[0].hits["b"].rank == 1 and fused[0].hits["a"].rank == 2


def test_rrf_ties_break_by_row_for_stable_pages() -> None:
    fused = rrf({"a": [(5, 1.0)], "b": [(4, 1.0)]}, {}, k=60)
    assert [f.row for f in fused] == [4, 5]


def test_rrf_normalises_by_the_channels_that_can_read_a_row() -> None:
    # row 0 is Italian: only the multilingual channel can read it
    rankings = {"multi": [(0, 0.9), (1, 0.8)], "english": [(0, 9.0), (1, 3.0)]}
    fused = rrf(
        rankings,
        {},
        k=60,
        row_langs=["it", "en"],
        channel_langs={"multi": ("*",), "english": ("en",)},
    )
    scores = {f.row: f.score for f in fused}
    assert scores[0] == pytest.approx(1 / 61)  # the English channel's hit on it is ignored
    assert scores[1] == pytest.approx((1 / 62 + 1 / 61) / 2)  # ranks re-counted without row 0
    assert "english" not in fused[[f.row for f in fused].index(0)].hits


def test_channel_weight_damps_one_language_channels_for_other_languages() -> None:
    italian = QueryLanguage("it", True, {"it": 1.0})
    assert channel_weight(("*",), italian, 1.0) == 1.0
    assert channel_weight(("en",), italian, 1.0) == pytest.approx(0.15)
    assert channel_weight(("it",), italian, 2.0) == 2.0


def test_an_unsure_language_guess_never_silences_a_channel() -> None:
    unsure = QueryLanguage("ro", False, {"it": 1.0})
    assert channel_weight(("en",), unsure, 1.0) == 0.5


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("language barrier in healthcare", "en"),
        ("barriere linguistiche nella sanità", "it"),
        ("come finanziare un progetto dopo la fine del bando", "it"),
        ("mediatori interculturali", "it"),
    ],
)
def test_query_language(query: str, lang: str) -> None:
    assert detect_query_language(query).lang == lang


def test_short_queries_are_not_confident() -> None:
    assert not detect_query_language("mediatori interculturali").confident


def test_highlight_marks_stemmed_matches() -> None:
    text = (
        "Interpreters support people. Hiring interpreters improved access to healthcare services."
    )
    out = highlight(text, {"interpret", "healthcar"}, [lambda ws: [w[:9] for w in ws]], width=12)
    snippet = out["snippet"]
    marked = [snippet[s:e] for s, e in out["spans"]]  # type: ignore[misc]
    assert "healthcare" in marked and "interpreters" in marked


def test_collapse_merges_near_identical_texts_only() -> None:
    from retriever.collapse import collapse

    texts = [
        "Interpreters support migrants when they access healthcare services in the city.",
        "Inspiring tools: the online qualification recognition portal.",
        "Interpreters support migrants when they access healthcare services in the city!",
        "Inspiring tools: a support portal for professionals.",
    ]
    kept = collapse(list(range(4)), lambda i: texts[i], limit=10)
    assert [(k, d) for k, d in kept] == [(0, [2]), (1, []), (3, [])]
    assert [k for k, _ in collapse(list(range(4)), lambda i: texts[i], limit=2)] == [0, 1]


@pytest.mark.parametrize(
    "text",
    [
        "best pizza recipe in Naples",
        "mediatori interculturali",
        "language barrier in healthcare",
        "come finanziare un progetto dopo la fine del bando",
        "diploma recognition for skilled migrants",
        "x",
    ],
)
def test_fast_language_table_gives_the_full_tables_answer(text: str) -> None:
    from corpus.lang import lang_probabilities

    assert lang_probabilities(text, fast=True) == lang_probabilities(text)


def test_highlight_window_is_the_first_with_most_hits() -> None:
    words = [f"w{i}" for i in range(40)]
    words[30] = words[35] = "interpreters"
    out = highlight(" ".join(words), {"interpreters"}, [lambda ws: ws], width=10)
    assert str(out["snippet"]).startswith("… w26 ")  # first window holding both hits
    assert len(out["spans"]) == 2  # type: ignore[arg-type]


def test_score_fusion_averages_calibrated_scores_over_readable_channels() -> None:
    rankings = {"dense": [(0, 0.60), (1, 0.50)], "bm25-en": [(1, 8.0), (2, 2.0)]}
    fused = score_fusion(
        rankings,
        {"dense": 1.0, "bm25-en": 0.5},
        row_langs=["it", "en", "en"],
        channel_langs={"dense": ("*",), "bm25-en": ("en",)},
        shifts={"dense": lambda row: 0.05 if row == 0 else 0.0},
        lexical=frozenset({"bm25-en"}),
    )
    scores = {f.row: f.score for f in fused}
    # Italian row 0: only the dense channel reads it, its cosine less the Italian offset
    assert scores[0] == pytest.approx(0.55)
    # row 1: dense 0.50 and BM25 8/8 = 1, weighted 1 : 0.5
    assert scores[1] == pytest.approx((0.50 + 0.5 * 1.0) / 1.5)
    # row 2: BM25 2/8, dense did not return it: the dense list's lowest score stands in
    assert scores[2] == pytest.approx((0.50 + 0.5 * 0.25) / 1.5)
    assert [f.row for f in fused] == [1, 0, 2]
    assert fused[0].hits["bm25-en"] == (1, 8.0)


def test_score_fusion_with_one_channel_is_its_cosine() -> None:
    fused = score_fusion(
        {"dense": [(3, 0.7), (1, 0.4)]},
        {},
        row_langs=["en"] * 4,
        channel_langs={"dense": ("*",)},
        shifts={},
        lexical=frozenset(),
    )
    assert [(f.row, f.score) for f in fused] == [(3, pytest.approx(0.7)), (1, pytest.approx(0.4))]
