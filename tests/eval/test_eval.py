"""The labelled set, the metrics plumbing, and the regression gate."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from corpus import Corpus
from eval.dataset import Dataset, Query, load_dataset
from eval.runner import evaluate_run, read_run_file, run_retriever
from practice_search.errors import ConfigError
from retriever import Retriever

BASELINE = Path(__file__).resolve().parents[2] / "eval" / "data" / "baseline.json"


def test_the_set_has_the_required_shape() -> None:
    ds = load_dataset()
    qs = list(ds.queries.values())
    assert len(qs) >= 80
    assert sum(q.lang == "it" for q in qs) >= 20
    assert sum(q.lang == "it" and q.answer_lang == "en" for q in qs) >= 10
    assert sum(q.lang == "en" and q.answer_lang == "it" for q in qs) >= 10
    assert sum(q.best == "checklist" for q in qs) >= 15
    assert len(set(ds.queries)) == len(qs)
    assert all(3 in grades.values() or 2 in grades.values() for grades in ds.qrels.values())
    assert len(Counter(q.topic for q in qs)) >= 12


def test_every_judged_id_exists_in_the_current_corpus(corpus: Corpus) -> None:
    ids = {p.id for p in corpus.passages} | {c.id for c in corpus.checklist}
    load_dataset().check_ids(ids)  # raises when chunking orphans a judgment


def test_orphaned_judgments_fail_loudly() -> None:
    with pytest.raises(ConfigError, match="judged ids are not in the index"):
        load_dataset().check_ids({"p-unrelated"})


def test_a_perfect_run_scores_one_and_an_empty_run_zero() -> None:
    ds = load_dataset()
    perfect = {
        qid: {doc: float(g) for doc, g in grades.items()} for qid, grades in ds.qrels.items()
    }
    scores = evaluate_run(perfect, ds)
    # ties among equal grades cannot lower the DCG: exactly 1
    assert scores["all"]["ndcg@10"] == 1.0
    assert scores["all"]["mrr@10"] == 1.0 and scores["all"]["recall@50"] == 1.0
    empty = evaluate_run({}, ds)
    assert empty["all"]["ndcg@10"] == 0.0 and empty["all"]["queries"] == len(ds.queries)


def _tiny() -> Dataset:
    """Two needs: q1 English with an English answer, q2 Italian whose best answer is an
    English checklist item."""
    return Dataset(
        {
            "q1": Query("q1", "housing", "en", "en", "passage", "housing"),
            "q2": Query("q2", "alloggio", "it", "en", "checklist", "housing"),
        },
        {"q1": {"p-a": 3, "p-b": 1}, "q2": {"c-c": 2}},
    )


def test_metrics_on_a_hand_computed_run() -> None:
    run = {
        # q1: a miss, then p-a (grade 3) second and p-b (grade 1) third
        "q1": {"p-x": 3.0, "p-a": 2.0, "p-b": 1.0},
        # q2: two misses, then c-c third
        "q2": {"p-y": 3.0, "p-z": 2.0, "c-c": 1.0},
    }
    # nDCG with linear gains: DCG = sum(grade / log2(rank + 1))
    q1 = (3 / math.log2(3) + 1 / math.log2(4)) / (3 / math.log2(2) + 1 / math.log2(3))
    q2 = (2 / math.log2(4)) / (2 / math.log2(2))
    assert (round(q1, 4), q2) == (0.659, 0.5)
    scores = evaluate_run(run, _tiny())
    assert scores["all"] == {
        "ndcg@10": round((q1 + q2) / 2, 4),  # 0.5795
        "recall@10": 1.0,
        "recall@50": 1.0,
        "mrr@10": round((1 / 2 + 1 / 3) / 2, 4),  # 0.4167
        "queries": 2,
    }
    assert scores["en"]["ndcg@10"] == round(q1, 4) and scores["en"]["mrr@10"] == 0.5
    for name in ("it", "cross-lingual", "checklist"):
        assert scores[name] == {
            "ndcg@10": 0.5,
            "recall@10": 1.0,
            "recall@50": 1.0,
            "mrr@10": 0.3333,
            "queries": 1,
        }, name
    # a judged record beyond the cut-off: recall@10 misses it, recall@50 does not
    deep = {"q1": {f"p-n{i}": 100.0 - i for i in range(10)} | {"p-a": 1.0}, "q2": {}}
    scores = evaluate_run(deep, _tiny())
    assert scores["en"]["recall@10"] == 0.0 and scores["en"]["recall@50"] == 0.5
    assert scores["it"]["ndcg@10"] == 0.0  # a query without a run scores 0


def test_run_files_trec_and_jsonl(tmp_path: Path) -> None:
    trec = tmp_path / "run.trec"
    trec.write_text("q1 Q0 p-a 1 9.5 sys\nq1 Q0 p-b 2 3.0 sys\n")
    assert read_run_file(trec) == {"q1": {"p-a": 9.5, "p-b": 3.0}}
    jsonl = tmp_path / "run.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "id": "q1",
                "passages": [{"id": "p-a", "score": 0.2}],
                "checklist": [{"id": "c-b", "score": 0.5}],
            }
        )
        + "\n"
    )
    assert read_run_file(jsonl) == {"q1": {"c-b": 2.0, "p-a": 1.0}}


@pytest.mark.model
def test_regression_gate(real_retriever: Retriever) -> None:
    """Overall nDCG@10 of the default configuration may not drop more than 0.02 below
    eval/data/baseline.json (change that value only in a commit that says why)."""
    ds = load_dataset()
    ds.check_ids(set(real_retriever.index.row_of))
    scores = evaluate_run(run_retriever(real_retriever, ds), ds)
    recorded = json.loads(BASELINE.read_text())["ndcg@10"]
    print(f"default configuration nDCG@10 = {scores['all']['ndcg@10']:.4f} (recorded {recorded})")
    assert scores["all"]["ndcg@10"] >= recorded - 0.02
