"""How the index scales: synthetic corpora of 10k, 100k and 1M passages.

Run: ``python -m bench.scaling [--sizes 10000 100000 1000000] [--out DIR] [--work DIR]``.
Writes ``scale.json``, ``scale.md`` and ``scale.png`` to ``--out`` (default
``.data/scale``); results for sizes already in ``scale.json`` are kept, so one size can
be (re)run alone; ``--report`` only redraws the tables and the plot.

Method (docs/scaling.md):

- **vectors**: each synthetic passage takes a random real passage embedding (e5,
  read from the published index), mixes in up to 50% of another real passage of the
  same language, adds Gaussian noise shaped like the real embeddings' covariance
  (scale 0.5) and is renormalised: mean pairwise and nearest-neighbour cosines of
  0.85 and 0.94 (real: 0.84 and 0.96), so neighbourhoods look like e5's.
- **queries**: the 100 needs of ``bench/needs.txt`` embedded with the e5 query encoder.
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
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import machine, needs
from bench.scaling import stores, vectors
from bench.scaling.measure import Json, K, say
from bench.scaling.report import AT, markdown, plot
from bench.scaling.synth import MIX, NOISE, SEED

__all__ = ["WORKERS", "main", "run_size"]

HNSW_M = (16, 32)
EF_SEARCH = {16: (256, 512), 32: (128, 256, 512, 1024)}
NPROBE = (16, 32, 64, 128)

WORKERS: dict[str, Callable[[Json], Json]] = {
    "vectors": vectors.w_vectors,
    "truth": vectors.w_truth,
    "build": vectors.w_build,
    "query": vectors.w_query,
    "lexical": stores.w_lexical,
    "lexical-query": stores.w_lexical_query,
    "records": stores.w_records,
    "records-read": stores.w_records_read,
    "publish": stores.w_publish,
    "retriever": stores.w_retriever,
}


def _run(stage: str, **job: Any) -> Json:
    started = time.perf_counter()
    say(f"n={job.get('n')} {stage} {job.get('name', '')}".rstrip())
    spec = json.dumps({"stage": stage, **job})
    proc = subprocess.run(
        [sys.executable, "-m", "bench.scaling", "--worker", spec],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker {stage} failed (exit {proc.returncode})")
    result: Json = json.loads(proc.stdout.strip().splitlines()[-1])
    say(f"  done in {time.perf_counter() - started:.1f}s: {json.dumps(result)[:300]}")
    return result


# -- the orchestration ----------------------------------------------------------------------


def _queries(work: Path) -> Path:
    """The needs embedded with the e5 query encoder (cached)."""
    path = work / "queries.e5.npy"
    if not path.exists():
        from index.encoders import create_encoder

        say("embedding the needs with e5")
        encoder = create_encoder("e5", os.cpu_count() or 1)
        np.save(path, encoder.encode_queries(needs()).astype(np.float32))
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
        say(f"embedding throughput {name}: {rate:.1f} passages/s")
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
    _run("publish", **job)  # the synthetic index as the loader reads it
    result["retriever"] = _run("retriever", **job)
    result["load_average_end"] = list(os.getloadavg())
    result["wall_s"] = round(time.perf_counter() - started, 1)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scaling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    results["machine"] = machine(detail=True)
    results["method"] = {
        "noise": NOISE,
        "mix": MIX,
        "k": K,
        "recall_at": AT,
        "seed": SEED,
        "queries": "bench/needs.txt via e5",
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
    say(f"wrote scale.json, scale.md and scale.png in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
