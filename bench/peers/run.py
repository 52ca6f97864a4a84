"""Peers side by side: our engine, txtai and bm25s on the same records and labelled needs,
txtai with the same EmbeddingGemma model as our default (and the bundled MiniLM). One
table: nDCG@10 by slice and warm per-query latency.

Run: ``python -m bench.peers [--out DIR] [--data-dir DIR] [--k 10] [--rounds 2]
[--threads N]``. Needs the published default index (``practice-search build``), the
EmbeddingGemma folder (``practice-search models``) and txtai
(``make install-peers``: the ``peers`` extra). Writes ``peers.json`` and
``peers.md`` to ``--out`` (default ``<data dir>/peers``). Numbers are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.common import needs, percentiles
from bench.peers.report import table, write_report
from bench.peers.systems import (
    TXTAI_INSTALL,
    Bm25sPeer,
    Ours,
    Peer,
    System,
    TxtaiPeer,
    embeddinggemma_path,
    gemma_model,
    index_records,
    minilm_model,
    minilm_path,
    txtai_missing,
)
from eval.configs import CONFIGS, DEFAULT
from eval.dataset import Dataset, load_dataset
from eval.runner import evaluate_run, paired_p, per_query_ndcg
from index import LoadedIndex
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError, PracticeSearchError

__all__ = ["OURS", "OurRow", "main", "measure_latency", "select_ours"]


@dataclass(frozen=True)
class OurRow:
    """One of our rows: query-time settings over the published default index."""

    name: str
    weights: dict[str, float]  # fusion weight per channel; 0 = channel off
    needs: frozenset[str]  # channels the index must hold for the row to mean what it says
    overrides: dict[str, Any] = field(default_factory=dict)  # fusion, rrf_k, ...


_SHIPPED = CONFIGS[DEFAULT]
OURS = [
    OurRow(
        "ours default (gemma, score fusion)",
        _SHIPPED.weights,
        frozenset({"gemma"}),
        _SHIPPED.overrides,
    ),
    OurRow("ours bm25 only", {"bm25": 1.0, "gemma": 0.0}, frozenset({"bm25"}), _SHIPPED.overrides),
]

# rows of earlier tables whose channels the default index no longer holds
DROPPED_NOTE = (
    "Not run any more: 'ours bm25+minilm' and 'ours minilm only', and the e5 and MiniLM "
    "channels of the previous default (bm25+e5+minilm): the default index now holds "
    "EmbeddingGemma only (and BM25, built for highlights)."
)


def select_ours(rows: list[OurRow], channels: set[str]) -> tuple[list[OurRow], list[str]]:
    """The rows the index can serve, and one note per row it cannot (a missing channel).

    Raises:
        ConfigError: the first row (our default, the baseline of every comparison) cannot run.
    """
    kept: list[OurRow] = []
    notes: list[str] = []
    for row in rows:
        missing = sorted(row.needs - channels)
        if not missing:
            kept.append(row)
            continue
        if row is rows[0]:
            raise ConfigError(
                f"the published index has no {', '.join(missing)} channel, so it is not the "
                f"default index (it has {', '.join(sorted(channels)) or 'none'}): build it "
                "with the default settings (practice-search build)"
            )
        notes.append(f"Not run: '{row.name}', the index has no {', '.join(missing)} channel.")
    return kept, notes


def _channels(index: LoadedIndex) -> set[str]:
    """The channels a loaded index can rank with: its dense encoders, and bm25."""
    return set(index.vectors) | ({"bm25"} if index.lexical else set())


NOTES = [
    "Every system indexes the same 450 records (410 passages + 40 checklist items) with "
    "the text our index embeds (context + passage); runs are the top 50 of one ranking "
    "per need, scored by eval.runner (ranx).",
    "Ours: the published default index (EmbeddingGemma-300M int8 on onnxruntime, score "
    "fusion: the calibrated cosine is the score; BM25 built but weighted 0). 'ours bm25 "
    "only' is the same index with BM25 weight 1 and gemma 0.",
    "txtai (EmbeddingGemma): `Embeddings(path=<models dir>/embeddinggemma-300m, "
    'method="sentence-transformers", instructions={"query": "task: search result | '
    'query: ", "data": "title: none | text: "}, encodeargs={"prompt": ""}, hybrid=True, '
    "content=True)`: the same model in fp32 on torch, with its retrieval prompts; txtai's "
    "defaults otherwise: Flat faiss index, BM25 with its Unicode word tokenizer (lower "
    "case, no stop words, no stemming), scores normalised and fused by a convex "
    "combination, weights 0.5/0.5. Dense: the same without hybrid. The method is named "
    "because txtai's default for a model folder mean-pools the bare transformer and skips "
    "EmbeddingGemma's two Dense layers (vectors at cosine about 0 to the model's own); "
    '`prompt=""` keeps sentence-transformers from adding the prompts a second time.',
    "txtai (MiniLM): `Embeddings(path=<bundled all-MiniLM-L6-v2 dir>, hybrid=True, "
    "content=True)` as in earlier tables (English-only model, mean pooling). Keyword: "
    "`keyword=True` (no model).",
    "bm25s: `bm25s.tokenize` defaults (English stop words, no stemmer) with `bm25s.BM25()`; "
    "the second row uses our English analysis (stop words + Snowball stemmer) over all "
    "records. Ours splits BM25 by language (English and Italian stemming) and damps "
    "one-language channels for needs in the other language.",
    "Same model, two set-ups: ours embeds a record as `title: <context> | text: <text>` "
    "(context: practice > heading > question, or a recommendation's dimension and "
    "question) with the int8 export (cosine >= 0.98 to fp32); txtai embeds the record "
    "text (context line + text) after `title: none | text: ` with the fp32 weights.",
    "Ours ranks passages and checklist items in two lists, which eval.runner merges by "
    "fused score (for the default: the calibrated cosine; for bm25 only: BM25 divided by "
    "the list's best score). The peers rank all records in one list by raw score.",
    "Ours merges near-identical passages (one result, several sources); peers return "
    "duplicates as separate records.",
    "txtai dense (EmbeddingGemma) is indexed after txtai hybrid (EmbeddingGemma) in the "
    "same txtai indexing checkpoint folder, so it reads the document vectors the hybrid "
    "wrote instead of embedding the records again: its index_s leaves out embedding.",
    "Latency: warm, in-process, one need at a time, the systems interleaved need by need; "
    "ours returns k passages + k checklist items with highlights and provenance, peers "
    "return their top k records (txtai with stored text). Query-embedding caches are "
    "cleared before timing. The machine is shared with other work, so the milliseconds "
    "are noisy; compare orders of magnitude, not single digits.",
]


def measure_latency(
    systems: list[System],
    texts: list[str],
    k: int,
    rounds: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, dict[str, float]]:
    """p50/p95/mean ms per query of each system, interleaved need by need so that noise
    from other work on the machine falls on every system alike; ``clock`` reads seconds."""
    times: dict[str, list[float]] = {s.name: [] for s in systems}
    for system in systems:
        system.query("warm-up need about housing", k)
    for _ in range(rounds):
        for system in systems:
            system.before_timing()  # e.g. forget cached query embeddings of the last round
        for text in texts:
            for system in systems:
                t0 = clock()
                system.query(text, k)
                times[system.name].append((clock() - t0) * 1000)
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
    settings: Settings,
    dataset: Dataset,
    log: Callable[[str], None],
    gemma_path: str,
    *,
    rows: list[OurRow] | None = None,
    set_threads: Callable[[int], None] = _set_torch_threads,
) -> tuple[list[System], dict[str, Any]]:
    from index import load_index
    from retriever import Retriever

    index = load_index(settings)
    ours, skipped = select_ours(OURS if rows is None else rows, _channels(index))
    records = index_records(settings)
    ids = {r.id for r in records}
    if ids != set(index.row_of):
        raise ConfigError("the corpus and the published index disagree: practice-search build")
    dataset.check_ids(ids)
    systems: list[System] = [
        Ours(row.name, Retriever(index, settings.model_copy(update=_query_settings(row))))
        for row in ours
    ]
    info: dict[str, Any] = {
        "records": len(records),
        "index_s": {},
        "config": {},
        "skipped": skipped,
    }
    set_threads(os.cpu_count() or 1)  # indexing is a batch job: every core
    gemma, minilm = gemma_model(gemma_path), minilm_model()
    loaded: dict[str, Any] = {}  # txtai's model cache: one EmbeddingGemma for both rows
    with tempfile.TemporaryDirectory(prefix="peers-txtai-") as checkpoint:

        def gemma_peer(mode: str) -> Peer:
            return TxtaiPeer(records, mode, gemma, models=loaded, checkpoint=checkpoint)

        peers: list[tuple[str, Callable[[], Peer]]] = [
            ("txtai hybrid (EmbeddingGemma)", lambda: gemma_peer("hybrid")),
            ("txtai dense (EmbeddingGemma)", lambda: gemma_peer("dense")),
            ("txtai hybrid (MiniLM)", lambda: TxtaiPeer(records, "hybrid", minilm)),
            ("txtai dense (MiniLM)", lambda: TxtaiPeer(records, "dense", minilm)),
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


def _query_settings(row: OurRow) -> dict[str, Any]:
    return {**row.overrides, "weights": dict(row.weights)}


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
    names = [
        "txtai",
        "bm25s",
        "torch",
        "transformers",
        "sentence-transformers",
        "onnxruntime",
        "faiss-cpu",
    ]
    return {n: version(n) for n in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
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
        gemma_path = embeddinggemma_path(settings)  # before any slow work: one-line error
        dataset = load_dataset()
        log("loading our index and the peers")
        systems, info = _systems(settings, dataset, log, gemma_path)
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
        "command": " ".join(["python -m bench.peers", *(sys.argv[1:] if argv is None else argv)]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "queries": len(dataset.queries),
        "records": info["records"],
        "models": {"EmbeddingGemma": gemma_path, "MiniLM": minilm_path()},
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
        "notes": [*NOTES, DROPPED_NOTE, *info["skipped"]],
    }
    print(table(rows))
    out = args.out or settings.data_dir / "peers"
    for path in write_report(report, out):
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
