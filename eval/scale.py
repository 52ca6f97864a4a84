"""How the index scales: synthetic corpora of 10k, 100k and 1M passages.

Run: ``python -m eval.scale [--sizes 10000 100000 1000000] [--out DIR] [--work DIR]``.
Writes ``scale.json``, ``scale.md`` and ``scale.png`` to ``--out`` (default
``.data/scale``); results for sizes already in ``scale.json`` are kept, so one size can
be (re)run alone; ``--report`` only redraws the tables and the plot.

Method (docs/scaling.md):

- **vectors**: each synthetic passage takes a random real passage embedding (e5,
  read from the published index), mixes in up to 50% of another real passage of the
  same language, adds Gaussian noise shaped like the real embeddings' covariance
  (scale 0.5) and is renormalised: mean pairwise and nearest-neighbour cosines of
  0.85 and 0.94 (real: 0.84 and 0.96), so neighbourhoods look like e5's.
- **queries**: the 100 needs of ``eval/needs.txt`` embedded with the e5 query encoder.
- **texts**: a window of the seed passage's words followed by a window of the
  partner's, after the seed's context line (as the build indexes them); the record
  is the seed's record with that text and a new id.
- every measurement runs in a fresh process (``--worker``), so RSS is its own.

Latency is one query at a time with k=100 (the engine's candidate depth); "engine"
latency is the two searches the engine makes per dense channel on a two-language
corpus (one per language group, through ``allowed``). Recall@10 is against exact
search with the same filter. The numbers are printed and saved, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from eval.scale_report import AT, markdown, plot
from eval.scale_synth import (
    CHUNK,
    DOC_FILTER,
    MIX,
    NOISE,
    SEED,
    assign,
    filters,
    seeds,
    synthetic_records,
    texts,
    vectors,
)

K = 100  # hits per search, as the engine asks (Settings.candidates)
HNSW_M = (16, 32)
EF_SEARCH = {16: (256, 512), 32: (128, 256, 512, 1024)}
NPROBE = (16, 32, 64, 128)
RETRIEVER_NEEDS = 20

Json = dict[str, Any]


# -- small helpers ------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def _pct(times_s: list[float]) -> dict[str, float]:
    ms = np.asarray(times_s) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
    }


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub: no **dict


def _say(text: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _needs() -> list[str]:
    text = (Path(__file__).parent / "needs.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _machine() -> Json:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    import bm25s
    import faiss

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(mem / 2**20, 1),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "bm25s": bm25s.__version__,
        "numpy": np.__version__,
        "load_average": list(os.getloadavg()),
    }


# -- workers (each in a fresh process) ----------------------------------------------------


def _w_vectors(job: Json) -> Json:
    n, work = job["n"], Path(job["work"])
    real, records = seeds(Path(job["data_dir"]))
    t0 = time.perf_counter()
    seed, partner, share = assign(n, records)
    out = np.lib.format.open_memmap(
        work / "vectors.npy", mode="w+", dtype=np.float32, shape=(n, real.shape[1])
    )
    row = 0
    with tqdm(total=n, desc=f"vectors {n}", unit="vec", file=sys.stderr) as bar:
        for chunk in vectors(real, seed, partner, share):
            out[row : row + len(chunk)] = chunk
            row += len(chunk)
            bar.update(len(chunk))
    out.flush()
    del out
    _save(work / "filters.npz", filters(records, seed))
    return {"synth_s": round(time.perf_counter() - t0, 2)}


def _w_truth(job: Json) -> Json:
    """Exact top-K for every query and filter (numpy, chunked)."""
    work = Path(job["work"])
    x = np.load(work / "vectors.npy", mmap_mode="r")
    q = np.load(Path(job["queries"]))
    filters = dict(np.load(work / "filters.npz"))
    masks = {"all": None} | {name: np.zeros(len(x), dtype=bool) for name in filters}
    for name, rows in filters.items():
        mask = masks[name]
        assert mask is not None
        mask[rows] = True
    best = {
        name: (np.full((len(q), K), -np.inf, np.float32), np.full((len(q), K), -1))
        for name in masks
    }
    t0 = time.perf_counter()
    for start in tqdm(range(0, len(x), CHUNK), desc="exact truth", file=sys.stderr):
        scores = q @ np.asarray(x[start : start + CHUNK]).T
        rows = np.arange(start, start + scores.shape[1])
        for name, mask in masks.items():
            s = scores if mask is None else np.where(mask[rows], scores, -np.inf)
            old_s, old_r = best[name]
            both_s = np.hstack([old_s, s])
            both_r = np.hstack([old_r, np.broadcast_to(rows, s.shape)])
            top = np.argsort(-both_s, axis=1, kind="stable")[:, :K]
            best[name] = (np.take_along_axis(both_s, top, 1), np.take_along_axis(both_r, top, 1))
    _save(work / "truth.npz", {name: r for name, (_, r) in best.items()})
    return {"truth_s": round(time.perf_counter() - t0, 2)}


def _w_build(job: Json) -> Json:
    from index.vectors import FaissVectorIndex, VectorIndexSpec

    work = Path(job["work"])
    x = np.load(work / "vectors.npy", mmap_mode="r")
    spec = VectorIndexSpec.from_dict(job["spec"])
    index = FaissVectorIndex.create(x.shape[1], spec)
    t0 = time.perf_counter()
    with tqdm(total=len(x), desc=f"build {job['name']}", unit="vec", file=sys.stderr) as bar:
        for start in range(0, len(x), CHUNK):  # the first chunk trains IVF (>= 64 per list)
            index.add(np.asarray(x[start : start + CHUNK]))
            bar.update(min(CHUNK, len(x) - start))
    build_s = time.perf_counter() - t0
    path = work / f"{job['name']}.faiss"
    index.save(path)
    return {
        "spec": spec.to_dict(),
        "build_s": round(build_s, 2),
        "disk_mb": _size_mb(path),
        "build_peak_rss_mb": _peak_mb(),
    }


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found[:AT].tolist()) & set(truth[:AT].tolist())) / AT


def _w_query(job: Json) -> Json:
    import index.vectors
    from index.vectors import EXACT_SCAN_ROWS, FaissVectorIndex

    work = Path(job["work"])
    q = np.load(Path(job["queries"]))
    allowed = dict(np.load(work / "filters.npz"))
    truth = dict(np.load(work / "truth.npz"))
    base = _rss_mb()
    t0 = time.perf_counter()
    vec = FaissVectorIndex.load(work / f"{job['name']}.faiss")
    out: Json = {
        "load_s": round(time.perf_counter() - t0, 2),
        "rss_base_mb": base,
        "rss_mb": _rss_mb(),
    }
    out["rss_index_mb"] = round(out["rss_mb"] - base, 1)
    doc = f"doc:{DOC_FILTER}"
    out["exact_scan"] = {k: bool(rows.size <= EXACT_SCAN_ROWS) for k, rows in allowed.items()}
    cases = {"all": None, **allowed}
    configs: Json = {}
    for label, attr, value in job["configs"]:
        if attr:
            setattr(vec, attr, value)
        for v in q[:5]:  # warm up
            vec.search(v[None], K)
        times: dict[str, list[float]] = {case: [] for case in cases}
        rec: dict[str, list[float]] = {case: [] for case in cases}
        deep: list[float] = []  # recall@K of the unfiltered search: the candidates fusion sees
        for i, v in enumerate(tqdm(q, desc=f"query {label}", file=sys.stderr, leave=False)):
            for case, rows in cases.items():
                t = time.perf_counter()
                _, found = vec.search(v[None], K, rows)
                times[case].append(time.perf_counter() - t)
                rec[case].append(_recall(found[0], truth[case][i]))
                if rows is None:
                    deep.append(len(set(found[0].tolist()) & set(truth[case][i].tolist())) / K)
        result: Json = {
            **_pct(times["all"]),
            # the engine's dense channel on a two-language corpus: one search per group
            "engine": _pct(
                [a + b for a, b in zip(times["lang:en"], times["lang:it"], strict=True)]
            ),
            "doc": _pct(times[doc]),
            f"recall@{K}": _mean(deep),
            **{f"recall@{AT}" + ("" if c == "all" else f" {c}"): _mean(r) for c, r in rec.items()},
        }
        if vec.index_type != "flat" and out["exact_scan"]["lang:it"]:
            # the same small group through the graph / lists, as without the exact scan
            index.vectors.EXACT_SCAN_ROWS = 0
            it_times, it_rec = [], []
            for i, v in enumerate(q):
                t = time.perf_counter()
                _, found = vec.search(v[None], K, allowed["lang:it"])
                it_times.append(time.perf_counter() - t)
                it_rec.append(_recall(found[0], truth["lang:it"][i]))
            index.vectors.EXACT_SCAN_ROWS = EXACT_SCAN_ROWS
            result["it_without_exact_scan"] = _pct(it_times) | {f"recall@{AT}": _mean(it_rec)}
        configs[label] = result
    out["configs"] = configs
    out["rss_after_queries_mb"] = _rss_mb()
    if job.get("selectors"):
        out["selector"] = _selector_cost(allowed["lang:en"], vec.size)
    return out


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4)


def _selector_cost(rows: np.ndarray, size: int) -> Json:
    """Building a faiss selector for ``rows`` (the engine's language group): hash set
    (IDSelectorBatch, what the index used before) against a bitmap (IDSelectorBitmap)."""
    from index.vectors import faiss, row_bitmap

    def best(make: Callable[[], object]) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            make()
            times.append(time.perf_counter() - t)
        return round(min(times) * 1000, 3)

    return {
        "rows": int(rows.size),
        "batch_ms": best(lambda: faiss.IDSelectorBatch(rows.astype(np.int64))),
        "bitmap_ms": best(lambda: faiss.IDSelectorBitmap(row_bitmap(rows, size))),
    }


def _w_lexical(job: Json) -> Json:
    from index.lexical import LexicalIndex, LexicalLang

    work, n = Path(job["work"]), job["n"]
    _, records = seeds(Path(job["data_dir"]))
    seed, partner, _ = assign(n, records)
    t0 = time.perf_counter()
    docs = [
        t for _, t in tqdm(texts(records, seed, partner), total=n, desc="texts", file=sys.stderr)
    ]
    gen_s = time.perf_counter() - t0
    rss_texts = _rss_mb()
    lex = LexicalIndex(LexicalLang.EN)
    _say(f"bm25 build over {n} texts (no progress bar inside bm25s)")
    t0 = time.perf_counter()
    lex.build(docs)
    build_s = time.perf_counter() - t0
    lex.save(work / "lexical-en")
    return {
        "texts_s": round(gen_s, 2),
        "mean_words": round(float(np.mean([len(t.split()) for t in docs[:10_000]])), 1),
        "rss_texts_mb": rss_texts,
        "build_s": round(build_s, 2),
        "build_peak_rss_mb": _peak_mb(),
        "disk_mb": _size_mb(work / "lexical-en"),
    }


def _engine_top(scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The engine's lexical top-k (retriever/engine.py ``_rank``): a full stable argsort."""
    top = np.flatnonzero(scores > 0)
    top = top[np.argsort(-scores[top], kind="stable")][:n]
    return [(int(r), float(scores[r])) for r in top]


def _w_lexical_query(job: Json) -> Json:
    from index.lexical import LexicalIndex, LexicalLang, top_rows

    work = Path(job["work"])
    base = _rss_mb()
    t0 = time.perf_counter()
    lex = LexicalIndex.load(work / "lexical-en", LexicalLang.EN)
    out: Json = {
        "load_s": round(time.perf_counter() - t0, 2),
        "rss_index_mb": round(_rss_mb() - base, 1),
    }
    scoring, argsort, partition, hits = [], [], [], []
    same = True
    needs = _needs()
    for need in needs[:5]:
        lex.scores(need)
    for need in tqdm(needs, desc="bm25 queries", file=sys.stderr, leave=False):
        t = time.perf_counter()
        scores = lex.scores(need)
        scoring.append(time.perf_counter() - t)
        t = time.perf_counter()
        old = _engine_top(scores, K)
        argsort.append(time.perf_counter() - t)
        t = time.perf_counter()
        new = top_rows(scores, K)
        partition.append(time.perf_counter() - t)
        same &= old == new
        hits.append(int(np.count_nonzero(scores > 0)))
    out |= {
        "scores": _pct(scoring),
        "topk_argsort": _pct(argsort),
        "topk_partition": _pct(partition),
        "total_argsort": _pct([a + b for a, b in zip(scoring, argsort, strict=True)]),
        "total_partition": _pct([a + b for a, b in zip(scoring, partition, strict=True)]),
        "same_results": same,
        "matching_docs_median": int(np.median(hits)),
    }
    return out


def _w_records(job: Json) -> Json:
    from index.store import read_records, write_records

    work, n = Path(job["work"]), job["n"]
    real = read_records(Path(job["data_dir"]) / "current" / "records.sqlite")
    passages = list(
        tqdm(synthetic_records(n, real["passages"]), total=n, desc="records", file=sys.stderr)
    )
    t0 = time.perf_counter()
    write_records(work / "records.sqlite", {**real, "passages": passages})
    return {
        "write_s": round(time.perf_counter() - t0, 2),
        "disk_mb": _size_mb(work / "records.sqlite"),
        "build_peak_rss_mb": _peak_mb(),
    }


def _w_records_read(job: Json) -> Json:
    """What index/load.py does with the record store (all rows into dicts), then the
    per-row facets the retriever computes, then a lookup of 10 rows straight from SQLite."""
    import sqlite3

    from index.load import LoadedIndex
    from index.manifest import Manifest
    from index.store import read_records

    path = Path(job["work"]) / "records.sqlite"
    base = _rss_mb()
    t0 = time.perf_counter()
    records = read_records(path)
    out: Json = {
        "read_s": round(time.perf_counter() - t0, 2),
        "rss_read_mb": round(_rss_mb() - base, 1),
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
    out["rss_loaded_mb"] = round(_rss_mb() - base, 1)
    out["peak_rss_mb"] = _peak_mb()
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
    out["lookup10_by_rowid"] = _pct(by_row)
    out["lookup10_by_id"] = _pct(by_id)
    return out


def _w_retriever(job: Json) -> Json:
    """The whole current loader and retriever over the synthetic corpus (e5 + bm25-en)."""
    from index.load import load_index
    from index.manifest import Manifest
    from index.vectors import choose_spec
    from practice_search.config import Settings
    from retriever import Retriever

    work, n = Path(job["work"]), job["n"]
    real = Path(job["data_dir"]) / "current"
    root = work / "data" / "builds" / "synthetic"
    shutil.rmtree(work / "data", ignore_errors=True)
    (root / "vectors").mkdir(parents=True)
    (root / "lexical").mkdir()
    spec = choose_spec(n)
    name = f"hnsw{spec.hnsw_m}" if spec.type == "hnsw" else spec.type  # as built above
    os.link(work / f"{name}.faiss", root / "vectors" / "e5.passages.faiss")
    shutil.copy(real / "vectors" / "e5.checklist.faiss", root / "vectors")
    os.link(work / "records.sqlite", root / "records.sqlite")
    shutil.copytree(work / "lexical-en", root / "lexical" / "en.passages")
    shutil.copytree(real / "lexical" / "en.checklist", root / "lexical" / "en.checklist")
    manifest = Manifest.load(real / "manifest.json")
    manifest.encoders = [e for e in manifest.encoders if e.name == "e5"]
    manifest.lexical_langs = ["en"]
    manifest.counts = {**manifest.counts, "passages": n}
    manifest.vector_index = {"passages": spec.to_dict(), "checklist": {"type": "flat"}}
    manifest.save(root / "manifest.json")
    os.symlink("builds/synthetic", work / "data" / "current")
    settings = Settings(data_dir=work / "data", encoders=["e5"])
    base = _rss_mb()
    t0 = time.perf_counter()
    index = load_index(settings)
    out: Json = {"index_type": name, "load_index_s": round(time.perf_counter() - t0, 2)}
    out["rss_load_index_mb"] = round(_rss_mb() - base, 1)
    t0 = time.perf_counter()
    retriever = Retriever(index, settings)
    out["retriever_init_s"] = round(time.perf_counter() - t0, 2)
    out["rss_total_mb"] = _rss_mb()
    out["peak_rss_mb"] = _peak_mb()
    retriever.search("warm-up need about housing", k=10)
    times = []
    for need in tqdm(_needs()[:RETRIEVER_NEEDS], desc="retriever", file=sys.stderr, leave=False):
        t = time.perf_counter()
        retriever.search(need, k=10)
        times.append(time.perf_counter() - t)
    out["search"] = _pct(times)
    out["needs"] = RETRIEVER_NEEDS
    return out


WORKERS: dict[str, Callable[[Json], Json]] = {
    "vectors": _w_vectors,
    "truth": _w_truth,
    "build": _w_build,
    "query": _w_query,
    "lexical": _w_lexical,
    "lexical-query": _w_lexical_query,
    "records": _w_records,
    "records-read": _w_records_read,
    "retriever": _w_retriever,
}


def _run(stage: str, **job: Any) -> Json:
    started = time.perf_counter()
    _say(f"n={job.get('n')} {stage} {job.get('name', '')}".rstrip())
    spec = json.dumps({"stage": stage, **job})
    proc = subprocess.run(
        [sys.executable, "-m", "eval.scale", "--worker", spec],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {stage} failed (exit {proc.returncode})")
    result: Json = json.loads(proc.stdout.strip().splitlines()[-1])
    _say(f"  done in {time.perf_counter() - started:.1f}s: {json.dumps(result)[:300]}")
    return result


# -- the orchestration ----------------------------------------------------------------------


def _queries(work: Path) -> Path:
    """The needs embedded with the e5 query encoder (cached)."""
    path = work / "queries.e5.npy"
    if not path.exists():
        from index.encoders import create_encoder

        _say("embedding the needs with e5")
        encoder = create_encoder("e5", os.cpu_count() or 1)
        np.save(path, encoder.encode_queries(_needs()).astype(np.float32))
    return path


def _throughput() -> Json:
    """Passages per second of each bundled encoder with every core (as a build runs them)."""
    from corpus import load_corpus
    from index.encoders import create_encoder, threads

    sample = [p.embed_text(True) for p in load_corpus().passages[:64]]
    out: Json = {}
    for name in ("e5", "minilm"):
        encoder = create_encoder(name, 1)
        with threads(encoder, os.cpu_count() or 1):
            encoder.encode_passages(sample[:8])
            t0 = time.perf_counter()
            for start in range(0, len(sample), 32):
                encoder.encode_passages(sample[start : start + 32])
            rate = len(sample) / (time.perf_counter() - t0)
        out[name] = {"passages_per_s": round(rate, 2)}
        _say(f"embedding throughput {name}: {rate:.1f} passages/s")
    return out


def _vector_configs(n: int) -> list[tuple[str, Json, list[tuple[str, str | None, int]]]]:
    from index.vectors import ivf_nlist

    out: list[tuple[str, Json, list[tuple[str, str | None, int]]]] = [
        ("flat", {"type": "flat"}, [("flat", None, 0), ("flat 2 threads", "search_threads", 2)])
    ]
    for m in HNSW_M:
        out.append(
            (
                f"hnsw{m}",
                {"type": "hnsw", "hnsw_m": m},
                [(f"hnsw{m} ef{ef}", "ef_search", ef) for ef in EF_SEARCH[m]],
            )
        )
    nlist = ivf_nlist(n)
    out.append(
        (
            "ivf",
            {"type": "ivf", "ivf_nlist": nlist},
            [(f"ivf nprobe{p}", "nprobe", p) for p in NPROBE],
        )
    )
    return out


def run_size(n: int, work_root: Path, data_dir: Path, queries: Path, keep: bool) -> Json:
    work = work_root / str(n)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    job = {"n": n, "work": str(work), "data_dir": str(data_dir), "queries": str(queries)}
    started = time.perf_counter()
    result: Json = {"n": n, "load_average_start": list(os.getloadavg())}
    result |= _run("vectors", **job)
    result |= _run("truth", **job)
    vectors: Json = {}
    for name, spec, configs in _vector_configs(n):
        built = _run("build", **job, name=name, spec=spec)
        served = _run("query", **job, name=name, configs=configs, selectors=name == "flat")
        vectors[name] = built | served
    result["vectors"] = vectors
    result["selector"] = vectors["flat"].pop("selector")
    result["lexical"] = _run("lexical", **job) | _run("lexical-query", **job)
    result["records"] = _run("records", **job) | _run("records-read", **job)
    result["retriever"] = _run("retriever", **job)
    result["load_average_end"] = list(os.getloadavg())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path(".data/scale"))
    parser.add_argument("--work", type=Path, help="scratch space (default: OUT/work)")
    parser.add_argument("--data-dir", type=Path, default=Path(".data"), help="the published index")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic indexes")
    parser.add_argument(
        "--report", action="store_true", help="only redraw scale.md and scale.png from scale.json"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.sizes):
        parser.error(f"--sizes must be positive numbers of passages, not {args.sizes}")
    if args.worker:
        job = json.loads(args.worker)
        print(json.dumps(WORKERS[job["stage"]](job)))
        return 0
    path = args.out / "scale.json"
    if args.report and not path.exists():
        parser.error(f"no {path} to report on: run the benchmark first")
    results: Json = json.loads(path.read_text()) if path.exists() else {"sizes": {}}
    if args.report:
        return _report(results, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    work = (args.work or args.out / "work").resolve()
    work.mkdir(parents=True, exist_ok=True)
    results["machine"] = _machine()
    results["method"] = {
        "noise": NOISE,
        "mix": MIX,
        "k": K,
        "recall_at": AT,
        "seed": SEED,
        "queries": "eval/needs.txt via e5",
    }
    queries = _queries(work)
    results["embedding"] = _throughput()
    for n in sorted(args.sizes):
        results["sizes"][str(n)] = run_size(n, work, args.data_dir.resolve(), queries, args.keep)
        path.write_text(json.dumps(results, indent=2))  # after every size: a later failure keeps it
        plot(results, args.out / "scale.png")
    return _report(results, args.out)


def _report(results: Json, out: Path) -> int:
    plot(results, out / "scale.png")
    (out / "scale.md").write_text(markdown(results), encoding="utf-8")
    _say(f"wrote scale.json, scale.md and scale.png in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
