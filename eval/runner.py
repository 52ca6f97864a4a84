"""Run configurations over the labelled set and score them with ranx."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ranx import Qrels, Run, evaluate

from corpus import load_corpus
from eval.configs import CONFIGS, DEFAULT, Config
from eval.dataset import SLICES, Dataset, project_qrels
from index import build_index, check_fresh, read_manifest
from practice_search.config import Settings
from practice_search.errors import IndexMissing, IndexStale
from retriever import Retriever

__all__ = ["METRICS", "evaluate_run", "read_run_file", "run_config", "run_retriever"]

METRICS = ["ndcg@10", "recall@10", "recall@50", "mrr@10"]
DEPTH = 50


def run_retriever(retriever: Retriever, dataset: Dataset) -> dict[str, dict[str, float]]:
    """One ranking per query: passages and checklist items together, by fused score."""
    run: dict[str, dict[str, float]] = {}
    for qid, q in dataset.queries.items():
        res = retriever.search(q.text, k=DEPTH)
        scored = [(p.id, p.score) for p in res.passages] + [(c.id, c.score) for c in res.checklist]
        scored.sort(key=lambda x: -x[1])
        n = len(scored)
        # ranx ranks by score: use rank-derived scores so ties cannot reorder
        run[qid] = {rid: float(n - i) for i, (rid, _) in enumerate(scored[:DEPTH])}
    return run


def _ensure(settings: Settings, progress: bool) -> None:
    try:
        check_fresh(read_manifest(settings), settings)
    except (IndexMissing, IndexStale):
        print(f"building index variant in {settings.data_dir}", file=sys.stderr)
        build_index(settings, progress=progress)


def run_config(
    config: Config, base: Settings, dataset: Dataset, progress: bool = True
) -> tuple[dict[str, dict[str, float]], Dataset]:
    """The run of one configuration, and the judgments to score it with (projected onto
    its passages when its chunking differs from the one the set was judged on)."""
    settings = config.settings(base)
    _ensure(settings, progress)
    retriever = Retriever.load(settings)
    judged_on = Settings.model_fields["max_words"].default  # the chunking the set was judged on
    if settings.max_words != judged_on:
        judged = {p.id: p.text for p in load_corpus(max_words=judged_on).passages}
        new = {r["id"]: r["text"] for r in retriever.index.records["passages"]}
        dataset = project_qrels(dataset, judged, new)
    dataset.check_ids(set(retriever.index.row_of))
    return run_retriever(retriever, dataset), dataset


def evaluate_run(run: dict[str, dict[str, float]], dataset: Dataset) -> dict[str, dict[str, float]]:
    """{slice: {metric: value}} through ranx; queries the run lacks score 0."""
    out: dict[str, dict[str, float]] = {}
    for name in SLICES:
        ids = dataset.slice_ids(name)
        if not ids:
            continue
        qrels = Qrels({qid: dataset.qrels[qid] for qid in ids})
        sliced = Run({qid: run.get(qid) or {"__none__": 0.0} for qid in ids})
        scores = evaluate(qrels, sliced, METRICS, make_comparable=True)
        out[name] = {m: round(float(scores[m]), 4) for m in METRICS} | {"queries": len(ids)}
    return out


def per_query_ndcg(run: dict[str, dict[str, float]], dataset: Dataset) -> dict[str, float]:
    """nDCG@10 of each query (ranx), for paired significance tests between runs."""
    ids = list(dataset.queries)
    qrels = Qrels({qid: dataset.qrels[qid] for qid in ids})
    values = evaluate(
        qrels,
        Run({qid: run.get(qid) or {"__none__": 0.0} for qid in ids}),
        "ndcg@10",
        return_mean=False,
        make_comparable=True,
    )
    return {qid: float(v) for qid, v in zip(ids, values, strict=True)}


def paired_p(a: dict[str, float], b: dict[str, float]) -> float:
    """Two-sided paired t-test (scipy) over the queries both runs answered."""
    from scipy.stats import ttest_rel

    common = sorted(set(a) & set(b))
    if all(a[q] == b[q] for q in common):
        return 1.0
    return float(ttest_rel([a[q] for q in common], [b[q] for q in common]).pvalue)


def read_run_file(path: Path) -> dict[str, dict[str, float]]:
    """A TREC run file (qid Q0 docid rank score tag) or our JSONL (one result per line,
    with an ``id`` field naming the query, as ``practice-search query --jsonl`` writes)."""
    text = path.read_text(encoding="utf-8")
    run: dict[str, dict[str, float]] = {}
    if text.lstrip().startswith("{"):
        for line in text.splitlines():
            if not line.strip():
                continue
            res: dict[str, Any] = json.loads(line)
            items = res.get("passages", []) + res.get("checklist", [])
            items.sort(key=lambda x: -x["score"])
            run[str(res["id"])] = {x["id"]: float(len(items) - i) for i, x in enumerate(items)}
        return run
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 5:
            run.setdefault(parts[0], {})[parts[2]] = float(parts[4])
    return run


def compare(
    names: list[str], base: Settings, dataset: Dataset, progress: bool = True
) -> dict[str, dict[str, dict[str, float]]]:
    """Scores by slice for each configuration, plus the paired t-test of its per-query
    nDCG@10 against the shipped default (when the default is among them)."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    per_query: dict[str, dict[str, float]] = {}
    for name in names:
        run, judged = run_config(CONFIGS[name], base, dataset, progress)
        results[name] = evaluate_run(run, judged)
        per_query[name] = per_query_ndcg(run, judged)
    if DEFAULT in per_query:
        for name in names:
            results[name]["vs_default"] = {
                "ndcg@10_delta": round(
                    results[name]["all"]["ndcg@10"] - results[DEFAULT]["all"]["ndcg@10"], 4
                ),
                "p_value": round(paired_p(per_query[name], per_query[DEFAULT]), 4),
            }
    return results
