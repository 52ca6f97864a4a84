"""The scaling workers for the vector indexes: synthetic vectors, exact truth, the
build of each FAISS type and its searches (each worker runs in a fresh process)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from bench.common import peak_rss_mb, rss_mb
from bench.scaling.measure import Json, K, mean, pct_ms, save, size_mb
from bench.scaling.report import AT
from bench.scaling.synth import CHUNK, DOC_FILTER, assign, filters, seeds, vectors

if TYPE_CHECKING:
    from index.vectors import FaissVectorIndex

__all__ = ["exact_truth", "w_build", "w_query", "w_truth", "w_vectors"]


def w_vectors(job: Json) -> Json:
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
    save(work / "filters.npz", filters(records, seed))
    return {"synth_s": round(time.perf_counter() - t0, 2)}


def exact_truth(
    x: np.ndarray, q: np.ndarray, allowed: dict[str, np.ndarray], chunk: int = CHUNK
) -> dict[str, np.ndarray]:
    """Exact top-K rows of ``x`` for every query in ``q``, unfiltered (``all``) and within
    each of the ``allowed`` row sets, read ``chunk`` rows at a time; -1 pads a set with
    fewer than K rows."""
    masks = {"all": None} | {name: np.zeros(len(x), dtype=bool) for name in allowed}
    for name, rows in allowed.items():
        mask = masks[name]
        assert mask is not None
        mask[rows] = True
    best = {
        name: (np.full((len(q), K), -np.inf, np.float32), np.full((len(q), K), -1))
        for name in masks
    }
    for start in tqdm(range(0, len(x), chunk), desc="exact truth", file=sys.stderr):
        scores = q @ np.asarray(x[start : start + chunk]).T
        rows = np.arange(start, start + scores.shape[1])
        for name, mask in masks.items():
            s = scores if mask is None else np.where(mask[rows], scores, -np.inf)
            old_s, old_r = best[name]
            both_s = np.hstack([old_s, s])
            both_r = np.hstack([old_r, np.broadcast_to(rows, s.shape)])
            top = np.argsort(-both_s, axis=1, kind="stable")[:, :K]
            best[name] = (np.take_along_axis(both_s, top, 1), np.take_along_axis(both_r, top, 1))
    return {name: r for name, (_, r) in best.items()}


def w_truth(job: Json) -> Json:
    """Exact top-K for every query and filter (numpy, chunked)."""
    work = Path(job["work"])
    x = np.load(work / "vectors.npy", mmap_mode="r")
    q = np.load(Path(job["queries"]))
    t0 = time.perf_counter()
    truth = exact_truth(x, q, dict(np.load(work / "filters.npz")))
    save(work / "truth.npz", truth)
    return {"truth_s": round(time.perf_counter() - t0, 2)}


def w_build(job: Json) -> Json:
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
        "disk_mb": size_mb(path),
        "build_peak_rss_mb": peak_rss_mb(),
    }


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found[:AT].tolist()) & set(truth[:AT].tolist())) / AT


def _without_exact_scan(
    vec: FaissVectorIndex, rows: np.ndarray, q: np.ndarray, truth: np.ndarray
) -> Json:
    """The Italian group through the graph or the lists, as it went before the exact scan
    of small filtered searches (index.vectors.EXACT_SCAN_ROWS, restored afterwards)."""
    import index.vectors

    times, rec = [], []
    kept = index.vectors.EXACT_SCAN_ROWS
    index.vectors.EXACT_SCAN_ROWS = 0
    try:
        for i, v in enumerate(q):
            t = time.perf_counter()
            _, found = vec.search(v[None], K, rows)
            times.append(time.perf_counter() - t)
            rec.append(_recall(found[0], truth[i]))
    finally:
        index.vectors.EXACT_SCAN_ROWS = kept
    return pct_ms(times) | {f"recall@{AT}": mean(rec)}


def w_query(job: Json) -> Json:
    from index.vectors import EXACT_SCAN_ROWS, FaissVectorIndex

    work = Path(job["work"])
    q = np.load(Path(job["queries"]))
    allowed = dict(np.load(work / "filters.npz"))
    truth = dict(np.load(work / "truth.npz"))
    base = rss_mb()
    t0 = time.perf_counter()
    vec = FaissVectorIndex.load(work / f"{job['name']}.faiss")
    out: Json = {
        "load_s": round(time.perf_counter() - t0, 2),
        "rss_base_mb": base,
        "rss_mb": rss_mb(),
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
            **pct_ms(times["all"]),
            # the engine's dense channel on a two-language corpus: one search per group
            "engine": pct_ms(
                [a + b for a, b in zip(times["lang:en"], times["lang:it"], strict=True)]
            ),
            "doc": pct_ms(times[doc]),
            f"recall@{K}": mean(deep),
            **{f"recall@{AT}" + ("" if c == "all" else f" {c}"): mean(r) for c, r in rec.items()},
        }
        if vec.index_type != "flat" and out["exact_scan"]["lang:it"]:
            # the same small group through the graph / lists, as without the exact scan
            result["it_without_exact_scan"] = _without_exact_scan(
                vec, allowed["lang:it"], q, truth["lang:it"]
            )
        configs[label] = result
    out["configs"] = configs
    out["rss_after_queries_mb"] = rss_mb()
    if job.get("selectors"):
        out["selector"] = _selector_cost(allowed["lang:en"], vec.size)
    return out


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
