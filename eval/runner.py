"""Run configurations over the labelled set and score them with ranx."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ranx import Qrels, Run, evaluate

from eval.configs import CONFIGS, Config
from eval.dataset import SLICES, Dataset
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
) -> dict[str, dict[str, float]]:
    settings = config.settings(base)
    _ensure(settings.model_copy(update={"weights": {}}), progress)
    retriever = Retriever.load(settings)
    dataset.check_ids(set(retriever.index.row_of))
    return run_retriever(retriever, dataset)


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
    return {
        name: evaluate_run(run_config(CONFIGS[name], base, dataset, progress), dataset)
        for name in names
    }
