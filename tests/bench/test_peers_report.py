"""The peers comparison's table and report files, and the bm25s peer on toy records.

Nothing here asserts a time: the latency numbers in the rows are only rendered.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench.peers.report import table, write_report
from bench.peers.systems import Bm25sPeer, Record, rank_run
from eval.dataset import SLICES

# -- bench.peers.report -----------------------------------------------------------------------


def _scores(ndcg: dict[str, float], queries: dict[str, int]) -> dict[str, dict[str, float]]:
    return {s: {"ndcg@10": v, "recall@50": 0.5, "queries": queries[s]} for s, v in ndcg.items()}


QUERIES = {"all": 100, "en": 50, "it": 30, "cross-lingual": 12, "checklist": 8}


def _rows() -> list[dict[str, Any]]:
    """Rows shaped as bench.peers.run.main builds them (trimmed)."""
    return [
        {
            "name": "ours default (gemma, score fusion)",
            "scores": _scores(
                {"all": 0.6512, "en": 0.7, "it": 0.61, "cross-lingual": 0.55, "checklist": 0.4},
                QUERIES,
            ),
            "latency_ms": {"p50": 31.26, "p95": 40.04, "mean": 33.0, "n": 40},
        },
        {
            "name": "bm25s",
            # no checklist query scored for this system
            "scores": _scores(
                {"all": 0.6636, "en": 0.71, "it": 0.2, "cross-lingual": 0.0}, QUERIES
            ),
            "vs_default": {"ndcg@10_delta": 0.0123, "p_value": 0.0312},
            "latency_ms": {"p50": 0.44, "p95": 1.06, "mean": 0.5, "n": 40},
        },
        {
            "name": "txtai hybrid",
            "scores": _scores(
                {"all": 0.5512, "en": 0.6, "it": 0.3, "cross-lingual": 0.1, "checklist": 0.25},
                QUERIES,
            ),
            "vs_default": {"ndcg@10_delta": -0.1, "p_value": 0.5},
            "latency_ms": {"p50": 12.0, "p95": 123.46, "mean": 20.0, "n": 40},
        },
    ]


HEAD = [
    "system",
    "all (100)",
    "en (50)",
    "it (30)",
    "cross-lingual (12)",
    "checklist (8)",
    "Δ all vs ours (p)",
    "p50 ms",
    "p95 ms",
]
BODY = [
    [
        "ours default (gemma, score fusion)",
        "0.651",
        "0.700",
        "0.610",
        "0.550",
        "0.400",
        "–",
        "31.3",
        "40.0",
    ],
    ["bm25s", "0.664", "0.710", "0.200", "0.000", "–", "+0.012 (p 0.03)", "0.4", "1.1"],
    [
        "txtai hybrid",
        "0.551",
        "0.600",
        "0.300",
        "0.100",
        "0.250",
        "-0.100 (p 0.50)",
        "12.0",
        "123.5",
    ],
]


def test_markdown_table_has_one_row_per_system_with_every_slice() -> None:
    assert tuple(s.split(" (")[0] for s in HEAD[1:6]) == SLICES  # the fixture follows SLICES
    lines = table(_rows(), markdown=True).splitlines()
    assert lines[0] == "| " + " | ".join(HEAD) + " |"
    assert lines[1] == "|" + "---|" * len(HEAD)
    assert lines[2:] == ["| " + " | ".join(row) + " |" for row in BODY]


def test_plain_table_is_aligned_in_columns() -> None:
    lines = table(_rows()).splitlines()
    assert len(lines) == 2 + len(BODY)
    assert len({len(line) for line in lines}) == 1  # every line as wide as the others
    assert set(lines[1]) == {"-", " "}
    assert [re.split(r"\s{2,}", line.strip()) for line in (lines[0], *lines[2:])] == [
        HEAD,
        *BODY,
    ]
    widths = [len(cell) for cell in lines[1].split("  ")]
    assert widths[0] == len("ours default (gemma, score fusion)")
    for line in lines[2:]:
        assert not line.startswith(" ")  # names to the left
        assert not line.endswith(" ")  # numbers to the right
    assert lines[3].startswith("bm25s ")  # a short name is padded, not the numbers


def test_header_counts_queries_from_the_first_row() -> None:
    rows = _rows()
    del rows[0]["scores"]["checklist"]
    rows[0]["scores"]["it"]["queries"] = 29.0  # ranx-style floats print as integers
    head = table(rows, markdown=True).splitlines()[0]
    assert "| it (29) |" in head
    assert "| checklist |" in head  # no count to show, just the slice


def test_write_report_writes_the_json_and_the_markdown_page(tmp_path: Path) -> None:
    report: dict[str, Any] = {
        "command": "python -m bench.peers --rounds 2",
        "created": "2025-01-01T00:00:00+00:00",
        "queries": 100,
        "records": 450,
        "cpus": 2,
        "latency": {"needs": 20, "k": 10, "rounds": 2, "load_avg_1min": [0.5, 1.25]},
        "rows": _rows(),
        "notes": ["First note.", "Second note, with `code`."],
    }
    out = tmp_path / "new" / "peers"
    paths = write_report(report, out)
    assert paths == [out / "peers.json", out / "peers.md"]
    assert json.loads(paths[0].read_text(encoding="utf-8")) == report
    md = paths[1].read_text(encoding="utf-8")
    assert md.startswith("# Peers side by side\n\n`python -m bench.peers --rounds 2`\n")
    assert "(100 needs)" in md
    assert "over 20 needs (k=10, 2 rounds;" in md
    assert "[0.5, 1.25] on 2 CPUs" in md
    assert table(report["rows"], markdown=True) in md
    assert md.endswith("\n\n- First note.\n- Second note, with `code`.\n")


# -- bench.peers.systems.Bm25sPeer -----------------------------------------------------------

RECORDS = [
    Record("p-housing", "Affordable housing and rental support for refugee families."),
    Record("p-language", "Free language courses teach Italian to newly arrived migrants."),
    Record("p-health", "Cultural mediators accompany migrants to hospital appointments."),
    Record("p-jobs", "Job placement, vocational training and recognition of qualifications."),
    Record("c-school", "Enrol children in school and support their parents."),
]


@pytest.fixture(scope="module", params=["default", "ours-en"])
def peer(request: pytest.FixtureRequest) -> Bm25sPeer:
    return Bm25sPeer(RECORDS, request.param)


def test_bm25s_peer_ranks_the_obvious_record_first(peer: Bm25sPeer) -> None:
    assert peer.ranked("rental housing for refugees", 5) == ["p-housing"]  # only it matches
    assert peer.ranked("vocational training and a job", 5)[0] == "p-jobs"
    top = peer.ranked("language courses for migrants", 5)
    assert top[0] == "p-language" and set(top) == {"p-language", "p-health"}


def test_bm25s_peer_respects_k_and_returns_only_matching_records(peer: Bm25sPeer) -> None:
    query = "support for migrants learning a language"  # matches four of the five records
    full = peer.ranked(query, 10)
    assert len(full) == 4 and len(set(full)) == 4 and "p-jobs" not in full
    for k in (1, 2, 3):
        assert peer.ranked(query, k) == full[:k]
    assert peer.query(query, 2) == full[:2]
    assert peer.ranked("the and of to", 5) == []  # stop words only


def test_bm25s_analyses_differ_by_stemming() -> None:
    # "houses" is not a word of any record; its stem is that of "housing"
    assert Bm25sPeer(RECORDS, "default").ranked("houses", 5) == []
    assert Bm25sPeer(RECORDS, "ours-en").ranked("houses", 5) == ["p-housing"]


def test_bm25s_peer_names_and_rejects_unknown_analysis() -> None:
    assert Bm25sPeer(RECORDS).name == "bm25s"
    assert Bm25sPeer(RECORDS, "ours-en").name == "bm25s, our English stemming"
    with pytest.raises(ValueError, match="unknown analysis"):
        Bm25sPeer(RECORDS, "ours-it")


def test_bm25s_peer_run_scores_by_rank(peer: Bm25sPeer) -> None:
    queries = {
        "q1": SimpleNamespace(text="support for migrants learning a language"),
        "q2": SimpleNamespace(text="zzzz"),
    }
    run = peer.run(SimpleNamespace(queries=queries))  # type: ignore[arg-type]
    assert set(run) == {"q1", "q2"} and run["q2"] == {}
    ranked = peer.ranked(queries["q1"].text, 50)
    assert run["q1"] == rank_run(ranked)
    assert list(run["q1"]) == ranked
    values = list(run["q1"].values())
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
