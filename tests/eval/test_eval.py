"""The labelled set, the metrics plumbing, and the regression gate."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from corpus import Corpus
from eval.dataset import load_dataset
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


def test_metrics_come_from_ranx_on_hand_built_runs() -> None:
    ds = load_dataset()
    perfect = {
        qid: {doc: float(g) for doc, g in grades.items()} for qid, grades in ds.qrels.items()
    }
    scores = evaluate_run(perfect, ds)
    assert scores["all"]["ndcg@10"] == pytest.approx(1.0, abs=0.05)  # ties among equal grades
    assert scores["all"]["mrr@10"] == 1.0
    empty = evaluate_run({}, ds)
    assert empty["all"]["ndcg@10"] == 0.0 and empty["all"]["queries"] == len(ds.queries)


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
