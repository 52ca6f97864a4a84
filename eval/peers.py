"""Peers side by side: our engine, txtai and bm25s on the same records, labelled needs and
bundled MiniLM model. One table: nDCG@10 by slice and warm per-query latency.

Run: ``python -m eval.peers [--out DIR] [--data-dir DIR] [--k 10] [--rounds 2]
[--threads N]``. Needs the published index (``practice-search build``) and txtai
(``pip install -r eval/requirements-peers.txt``). Writes ``peers.json`` and
``peers.md`` to ``--out`` (default ``<data dir>/peers``). Numbers are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from eval.configs import CONFIGS, DEFAULT
from eval.dataset import Dataset, load_dataset
from eval.latency import needs
from eval.peers_report import table, write_report
from eval.peers_systems import (
    TXTAI_INSTALL,
    Bm25sPeer,
    Ours,
    Peer,
    System,
    TxtaiPeer,
    index_records,
    minilm_path,
    txtai_missing,
)
from eval.runner import evaluate_run, paired_p, per_query_ndcg
from eval.stats import percentiles
from practice_search.config import Settings, get_settings
from practice_search.errors import PracticeSearchError

__all__ = ["main", "measure_latency"]

# ours: (row name, fusion weights) over the published default index; weight 0 = channel off
OURS = [
    ("ours default (bm25+e5+minilm)", CONFIGS[DEFAULT].weights),
    ("ours bm25+minilm", {"e5": 0.0, "use": 0.0}),
    ("ours minilm only", CONFIGS["minilm"].weights),
    ("ours bm25 only", CONFIGS["bm25"].weights),
]

NOTES = [
    "Every system indexes the same 450 records (410 passages + 40 checklist items) with "
    "the text our index embeds (context + passage); runs are the top 50 of one ranking "
    "per need, scored by eval.runner (ranx).",
    "txtai: `Embeddings(path=<bundled all-MiniLM-L6-v2 dir>, hybrid=True, content=True)`, "
    "its defaults otherwise: Flat faiss index, mean pooling, BM25 with its Unicode word "
    "tokenizer (lower case, no stop words, no stemming), scores normalised and fused by a "
    "convex combination, weights 0.5/0.5. Dense: the same without hybrid. Keyword: "
    "`keyword=True` (no model).",
    "bm25s: `bm25s.tokenize` defaults (English stop words, no stemmer) with `bm25s.BM25()`; "
    "the second row uses our English analysis (stop words + Snowball stemmer) over all "
    "records. Ours splits BM25 by language (English and Italian stemming) and damps "
    "one-language channels for needs in the other language.",
    "Only our default reads Italian semantically (multilingual-e5); MiniLM is an English "
    "model, so the it and cross-lingual slices favour it by design.",
    "Ours ranks passages and checklist items in two lists, which eval.runner merges by "
    "fused score; with one channel that interleaves them by rank. The peers rank all "
    "records in one list by raw score. This alone separates 'ours minilm only' from "
    "'txtai dense', which equals plain MiniLM cosine over our stored vectors.",
    "Ours merges near-identical passages (one result, several sources); peers return "
    "duplicates as separate records.",
    "Latency: warm, in-process, one need at a time, the systems interleaved need by need; "
    "ours returns k passages + k checklist items with highlights and provenance, peers "
    "return their top k records (txtai with stored text). Query-embedding caches are "
    "cleared before timing. The machine is shared with other work, so the milliseconds "
    "are noisy; compare orders of magnitude, not single digits.",
]


def measure_latency(
    systems: list[System], texts: list[str], k: int, rounds: int = 1
) -> dict[str, dict[str, float]]:
    """p50/p95/mean ms per query of each system, interleaved need by need so that noise
    from other work on the machine falls on every system alike."""
    times: dict[str, list[float]] = {s.name: [] for s in systems}
    for system in systems:
        system.query("warm-up need about housing", k)
    for _ in range(rounds):
        for system in systems:
            system.before_timing()  # e.g. forget cached query embeddings of the last round
        for text in texts:
            for system in systems:
                t0 = time.perf_counter()
                system.query(text, k)
                times[system.name].append((time.perf_counter() - t0) * 1000)
    out = {}
    for name, values in times.items():
        pct = percentiles(values)
        out[name] = {
            "p50": pct["p50"],
            "p95": pct["p95"],
            "mean": round(statistics.fmean(values), 2),
            "n": len(values),
        }
    return out


def _set_torch_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def _systems(
    settings: Settings, dataset: Dataset, log: Callable[[str], None]
) -> tuple[list[System], dict[str, Any]]:
    from index import load_index
    from practice_search.errors import ConfigError
    from retriever import Retriever

    index = load_index(settings)
    records = index_records(settings)
    ids = {r.id for r in records}
    if ids != set(index.row_of):
        raise ConfigError("the corpus and the published index disagree: practice-search build")
    dataset.check_ids(ids)
    systems: list[System] = [
        Ours(name, Retriever(index, settings.model_copy(update={"weights": w}))) for name, w in OURS
    ]
    info: dict[str, Any] = {"records": len(records), "index_s": {}, "config": {}}
    _set_torch_threads(os.cpu_count() or 1)  # indexing is a batch job: every core
    peers: list[tuple[str, Callable[[], Peer]]] = [
        ("txtai hybrid", lambda: TxtaiPeer(records, "hybrid")),
        ("txtai dense", lambda: TxtaiPeer(records, "dense")),
        ("txtai keyword", lambda: TxtaiPeer(records, "keyword")),
        ("bm25s", lambda: Bm25sPeer(records, "default")),
        ("bm25s, our English stemming", lambda: Bm25sPeer(records, "ours-en")),
    ]
    for label, make in peers:
        log(f"indexing {len(records)} records: {label}")
        t0 = time.perf_counter()
        peer = make()
        info["index_s"][peer.name] = round(time.perf_counter() - t0, 2)
        if isinstance(peer, TxtaiPeer):
            info["config"][peer.name] = peer.config
        systems.append(peer)
    return systems, info


def _score(
    systems: list[System], dataset: Dataset, log: Callable[[str], None]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Scores by slice of each system, and the paired t-test of its per-query nDCG@10
    against the first one (our default)."""
    rows: list[dict[str, Any]] = []
    per_query: dict[str, dict[str, float]] = {}
    for system in systems:
        log(f"running {len(dataset.queries)} labelled needs: {system.name}")
        run = system.run(dataset)
        per_query[system.name] = per_query_ndcg(run, dataset)
        rows.append({"name": system.name, "scores": evaluate_run(run, dataset)})
    base = rows[0]
    for row in rows[1:]:
        delta = row["scores"]["all"]["ndcg@10"] - base["scores"]["all"]["ndcg@10"]
        row["vs_default"] = {
            "ndcg@10_delta": round(delta, 4),
            "p_value": round(paired_p(per_query[row["name"]], per_query[base["name"]]), 4),
        }
    return rows, per_query


def _versions() -> dict[str, str]:
    names = ["txtai", "bm25s", "torch", "transformers", "sentence-transformers", "faiss-cpu"]
    return {n: version(n) for n in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.peers", description=__doc__)
    parser.add_argument("--out", type=Path, help="report folder (default: <data dir>/peers)")
    parser.add_argument("--data-dir", type=Path, help="the published index (default: settings)")
    parser.add_argument("--k", type=int, default=10, help="results per query when timing")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the timed needs")
    parser.add_argument("--threads", type=int, help="CPU threads per encoder when timing")
    args = parser.parse_args(argv)
    if txtai_missing():
        print(f"error: txtai is not installed; install the peers: {TXTAI_INSTALL}", file=sys.stderr)
        return 1

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        settings = get_settings()
        update: dict[str, Any] = {}
        if args.data_dir:
            update["data_dir"] = args.data_dir
        if args.threads:
            update["threads"] = args.threads
        settings = settings.model_copy(update=update)
        dataset = load_dataset()
        log("loading our index and the peers")
        systems, info = _systems(settings, dataset, log)
    except PracticeSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows, per_query = _score(systems, dataset, log)
    texts = needs()
    log(f"timing {len(texts)} needs x {args.rounds} round(s), k={args.k}")
    _set_torch_threads(settings.threads)
    load_before = os.getloadavg()[0]
    gc.collect()
    gc.freeze()  # as Retriever.load does in production: the loaded indexes leave gc's scans
    latency = measure_latency(systems, texts, args.k, args.rounds)
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]  # other work on the machine
    for row in rows:
        row["ndcg@10_by_query"] = {q: round(v, 4) for q, v in per_query[row["name"]].items()}
        row["latency_ms"] = latency[row["name"]]
        row["index_s"] = info["index_s"].get(row["name"])
        row["config"] = info["config"].get(row["name"])
    report = {
        "command": " ".join(["python -m eval.peers", *(sys.argv[1:] if argv is None else argv)]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "queries": len(dataset.queries),
        "records": info["records"],
        "model": minilm_path(),
        "threads": settings.threads,
        "cpus": os.cpu_count(),
        "versions": _versions(),
        "latency": {
            "needs": len(texts),
            "k": args.k,
            "rounds": args.rounds,
            "load_avg_1min": load,
        },
        "rows": rows,
        "notes": NOTES,
    }
    print(table(rows))
    out = args.out or settings.data_dir / "peers"
    for path in write_report(report, out):
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
