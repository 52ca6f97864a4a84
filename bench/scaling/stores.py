"""The scaling workers for BM25, the record store and the whole retriever over the
synthetic corpus (each worker runs in a fresh process)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.common import needs, peak_rss_mb, rss_mb
from bench.scaling.measure import Json, K, pct_ms, say, size_mb
from bench.scaling.synth import SEED, assign, seeds, synthetic_records, texts

__all__ = [
    "RETRIEVER_NEEDS",
    "argsort_top",
    "served_index",
    "w_lexical",
    "w_lexical_query",
    "w_publish",
    "w_records",
    "w_records_read",
    "w_retriever",
]

RETRIEVER_NEEDS = 20


def w_lexical(job: Json) -> Json:
    from index.lexical import LexicalIndex, LexicalLang

    work, n = Path(job["work"]), job["n"]
    _, records = seeds(Path(job["data_dir"]))
    seed, partner, _ = assign(n, records)
    t0 = time.perf_counter()
    docs = [
        t for _, t in tqdm(texts(records, seed, partner), total=n, desc="texts", file=sys.stderr)
    ]
    gen_s = time.perf_counter() - t0
    rss_texts = rss_mb()
    lex = LexicalIndex(LexicalLang.EN)
    say(f"bm25 build over {n} texts (no progress bar inside bm25s)")
    t0 = time.perf_counter()
    lex.build(docs)
    build_s = time.perf_counter() - t0
    lex.save(work / "lexical-en")
    return {
        "texts_s": round(gen_s, 2),
        "mean_words": round(float(np.mean([len(t.split()) for t in docs[:10_000]])), 1),
        "rss_texts_mb": rss_texts,
        "build_s": round(build_s, 2),
        "build_peak_rss_mb": peak_rss_mb(),
        "disk_mb": size_mb(work / "lexical-en"),
    }


def argsort_top(scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The top-k that :func:`index.lexical.top_rows` (what the engine ranks BM25 with)
    is defined to equal, the way it was computed before: a stable argsort of every
    matching row. Timed beside ``top_rows`` and checked to give the same list."""
    top = np.flatnonzero(scores > 0)
    top = top[np.argsort(-scores[top], kind="stable")][:n]
    return [(int(r), float(scores[r])) for r in top]


def w_lexical_query(job: Json) -> Json:
    from index.lexical import LexicalIndex, LexicalLang, top_rows

    work = Path(job["work"])
    base = rss_mb()
    t0 = time.perf_counter()
    lex = LexicalIndex.load(work / "lexical-en", LexicalLang.EN)
    out: Json = {
        "load_s": round(time.perf_counter() - t0, 2),
        "rss_index_mb": round(rss_mb() - base, 1),
    }
    scoring, argsort, partition, hits = [], [], [], []
    same = True
    sample = needs()
    for need in sample[:5]:
        lex.scores(need)
    for need in tqdm(sample, desc="bm25 queries", file=sys.stderr, leave=False):
        t = time.perf_counter()
        scores = lex.scores(need)
        scoring.append(time.perf_counter() - t)
        t = time.perf_counter()
        old = argsort_top(scores, K)
        argsort.append(time.perf_counter() - t)
        t = time.perf_counter()
        new = top_rows(scores, K)
        partition.append(time.perf_counter() - t)
        same &= old == new
        hits.append(int(np.count_nonzero(scores > 0)))
    out |= {
        "scores": pct_ms(scoring),
        "topk_argsort": pct_ms(argsort),
        "topk_partition": pct_ms(partition),
        "total_argsort": pct_ms([a + b for a, b in zip(scoring, argsort, strict=True)]),
        "total_partition": pct_ms([a + b for a, b in zip(scoring, partition, strict=True)]),
        "same_results": same,
        "matching_docs_median": int(np.median(hits)),
    }
    return out


def w_records(job: Json) -> Json:
    from index.build import current_dir
    from index.store import read_records, write_records

    work, n = Path(job["work"]), job["n"]
    real = read_records(current_dir(Path(job["data_dir"])) / "records.sqlite")
    passages = list(
        tqdm(synthetic_records(n, real["passages"]), total=n, desc="records", file=sys.stderr)
    )
    t0 = time.perf_counter()
    write_records(work / "records.sqlite", {**real, "passages": passages})
    return {
        "write_s": round(time.perf_counter() - t0, 2),
        "disk_mb": size_mb(work / "records.sqlite"),
        "build_peak_rss_mb": peak_rss_mb(),
    }


def w_records_read(job: Json) -> Json:
    """What index/load.py does with the record store (all rows into dicts), then the
    per-row facets the retriever computes, then a lookup of 10 rows straight from SQLite."""
    from index.load import LoadedIndex
    from index.manifest import Manifest
    from index.store import read_records

    path = Path(job["work"]) / "records.sqlite"
    base = rss_mb()
    t0 = time.perf_counter()
    records = read_records(path)
    out: Json = {
        "read_s": round(time.perf_counter() - t0, 2),
        "rss_read_mb": round(rss_mb() - base, 1),
    }
    t0 = time.perf_counter()
    kinds = {"passages": records["passages"], "checklist": records["checklist"]}
    manifest = Manifest("", "", 150, True, [], [], {}, 0.0, "")
    loaded = LoadedIndex(
        manifest=manifest,
        documents={d["id"]: d for d in records["documents"]},
        practices={p["id"]: p for p in records["practices"]},
        records=kinds,
        vectors={},
        lexical={},
    )
    out["row_of_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    for kind in kinds:
        for name in ("doc", "dimension", "lang"):
            loaded.facet(kind, name)
    out["facets_s"] = round(time.perf_counter() - t0, 2)
    out["rss_loaded_mb"] = round(rss_mb() - base, 1)
    out["peak_rss_mb"] = peak_rss_mb()
    del loaded, records, kinds
    n = job["n"]
    rng = np.random.default_rng(SEED + 3)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        by_row, by_id = [], []
        marks = ",".join("?" * 10)
        for _ in range(1000):
            rows = [int(r) for r in rng.integers(1, n + 1, 10)]
            t = time.perf_counter()
            got = [
                json.loads(d)
                for (d,) in con.execute(f"SELECT data FROM passages WHERE rowid IN ({marks})", rows)
            ]
            by_row.append(time.perf_counter() - t)
            ids = [g["id"] for g in got]
            t = time.perf_counter()
            con.execute(
                f"SELECT data FROM passages WHERE id IN ({','.join('?' * len(ids))})", ids
            ).fetchall()
            by_id.append(time.perf_counter() - t)
    finally:
        con.close()
    out["lookup10_by_rowid"] = pct_ms(by_row)
    out["lookup10_by_id"] = pct_ms(by_id)
    return out


def served_index(n: int) -> str:
    """The vector index (as the build stage names it) production would choose for n rows."""
    from index.vectors import choose_spec

    spec = choose_spec(n)
    return f"hnsw{spec.hnsw_m}" if spec.type == "hnsw" else spec.type


def w_publish(job: Json) -> Json:
    """The synthetic corpus as one e5 + English BM25 index in ``<work>/data``, written by
    the build's own writer (index.build.write_index_files): the passages' records, vector
    index and BM25 index the other stages made, the real checklist's, and the real
    manifest with the synthetic counts."""
    from index.build import current_dir, encoder_file, lexical_dir, write_index_files
    from index.integrity import checksum_files
    from index.lexical import LexicalIndex, LexicalLang
    from index.load import read_manifest
    from index.store import read_records
    from index.vectors import FaissVectorIndex, choose_spec
    from practice_search.config import Settings

    work, n = Path(job["work"]), job["n"]
    real_dir = Path(job["data_dir"])
    real = current_dir(real_dir)
    shutil.rmtree(work / "data", ignore_errors=True)
    root = current_dir(work / "data")
    t0 = time.perf_counter()
    en = LexicalLang.EN
    write_index_files(
        root,
        read_records(work / "records.sqlite"),
        {
            "e5": {
                "passages": FaissVectorIndex.load(work / f"{served_index(n)}.faiss"),
                "checklist": FaissVectorIndex.load(encoder_file(real, "e5", "checklist")),
            }
        },
        {
            en.value: {
                "passages": LexicalIndex.load(work / "lexical-en", en),
                "checklist": LexicalIndex.load(lexical_dir(real, en.value, "checklist"), en),
            }
        },
    )
    manifest = read_manifest(Settings(data_dir=real_dir))
    manifest.encoders = [e for e in manifest.encoders if e.name == "e5"]
    manifest.lexical_langs = [en.value]
    manifest.counts = {**manifest.counts, "passages": n}
    manifest.vector_index = {"passages": choose_spec(n).to_dict(), "checklist": {"type": "flat"}}
    manifest.files = checksum_files(root)
    manifest.save(root / "manifest.json")
    return {"publish_s": round(time.perf_counter() - t0, 2)}


def w_retriever(job: Json) -> Json:
    """The whole current loader and retriever over the synthetic corpus (e5 + bm25-en),
    published by :func:`w_publish`."""
    from index.load import load_index
    from practice_search.config import Settings
    from retriever import Retriever

    work, n = Path(job["work"]), job["n"]
    settings = Settings(data_dir=work / "data", encoders=["e5"])
    base = rss_mb()
    t0 = time.perf_counter()
    index = load_index(settings)
    out: Json = {"index_type": served_index(n), "load_index_s": round(time.perf_counter() - t0, 2)}
    out["rss_load_index_mb"] = round(rss_mb() - base, 1)
    t0 = time.perf_counter()
    retriever = Retriever(index, settings)
    out["retriever_init_s"] = round(time.perf_counter() - t0, 2)
    out["rss_total_mb"] = rss_mb()
    out["peak_rss_mb"] = peak_rss_mb()
    retriever.search("warm-up need about housing", k=10)
    times = []
    for need in tqdm(needs()[:RETRIEVER_NEEDS], desc="retriever", file=sys.stderr, leave=False):
        t = time.perf_counter()
        retriever.search(need, k=10)
        times.append(time.perf_counter() - t)
    out["search"] = pct_ms(times)
    out["needs"] = RETRIEVER_NEEDS
    return out
