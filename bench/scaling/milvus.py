"""Milvus Lite beside FAISS on the synthetic corpus (``python -m bench.scaling.milvus``):
build time, query p50/p95 and recall@10 against exact search, for the same vectors.

The vectors are :mod:`bench.scaling.synth`'s, made from the served index's passage
vectors (its first encoder); the queries are the sample needs embedded by that
encoder. Milvus Lite is the test-grade, in-process Milvus: its speed here says what
the tests and small corpora get, not what a Milvus cluster does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import needs
from bench.scaling.measure import mean, pct_ms, say
from bench.scaling.synth import assign, vectors

__all__ = ["main"]

K = 10


def _seeds(data_dir: Path) -> tuple[str, np.ndarray, list[dict[str, Any]]]:
    from index.build import current_dir
    from index.load import read_manifest
    from index.store import read_records
    from index.vectors import FaissVectorIndex
    from practice_search.config import Settings

    settings = Settings(data_dir=data_dir)
    name = read_manifest(settings).encoders[0].name
    root = current_dir(data_dir)
    index = FaissVectorIndex.load(root / "vectors" / f"{name}.passages.faiss")
    records = read_records(root / "records.sqlite")["passages"]
    return name, index.rows(0, index.size), records


def _synthetic(n: int, real: np.ndarray, records: list[dict[str, Any]]) -> np.ndarray:
    seed, partner, share = assign(n, records)
    return np.concatenate(list(vectors(real, seed, partner, share)))


def _recall(found: list[list[int]], truth: np.ndarray) -> float:
    return mean([len(set(f) & set(t)) / K for f, t in zip(found, truth.tolist(), strict=True)])


def _faiss(vecs: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    from index.vectors import FaissVectorIndex, choose_spec

    spec = choose_spec(len(vecs), "auto", 32)
    t0 = time.perf_counter()
    index = FaissVectorIndex.create(vecs.shape[1], spec)
    index.add(vecs)
    build = time.perf_counter() - t0
    times, found = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, rows = index.search(q[None, :], K)
        times.append(time.perf_counter() - t0)
        found.append([int(r) for r in rows[0]])
    return {"index": spec.describe(), "build_s": round(build, 2), **pct_ms(times),
            "recall@10": _recall(found, truth)}  # fmt: skip


def _milvus(vecs: np.ndarray, queries: np.ndarray, truth: np.ndarray, exact: bool) -> Any:
    from pymilvus import DataType, MilvusClient

    from index.vectors import DEFAULT_NPROBE, ivf_nlist

    folder = Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    client = MilvusClient(str(folder / "m.db"))
    try:
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=vecs.shape[1])
        params = client.prepare_index_params()
        nlist = ivf_nlist(len(vecs))
        kind, extra = ("FLAT", {}) if exact else ("IVF_FLAT", {"nlist": nlist})
        params.add_index("vec", index_type=kind, metric_type="IP", params=extra)
        t0 = time.perf_counter()
        client.create_collection("bench", schema=schema, consistency_level="Strong")
        for start in range(0, len(vecs), 2000):
            chunk = vecs[start : start + 2000]
            client.insert(
                "bench", [{"row": start + i, "vec": v.tolist()} for i, v in enumerate(chunk)]
            )
        client.flush("bench")
        client.create_index("bench", params)
        client.load_collection("bench")
        build = time.perf_counter() - t0
        search = {"metric_type": "IP", "params": {} if exact else {"nprobe": DEFAULT_NPROBE}}
        times, found = [], []
        for q in queries:
            t0 = time.perf_counter()
            hits = client.search("bench", data=[q.tolist()], anns_field="vec", limit=K,
                                 output_fields=["row"], search_params=search)  # fmt: skip
            times.append(time.perf_counter() - t0)
            found.append([int(h["entity"]["row"]) for h in hits[0]])
        label = "flat" if exact else f"ivf_flat (nlist={nlist}, nprobe={DEFAULT_NPROBE})"
        return {"index": label, "build_s": round(build, 2), **pct_ms(times),
                "recall@10": _recall(found, truth)}  # fmt: skip
    finally:
        client.close()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scaling.milvus", description=__doc__)
    p.add_argument("--n", type=int, default=100_000, help="synthetic passages")
    p.add_argument("--data-dir", type=Path, default=Path(".data"), help="the served index")
    args = p.parse_args(argv)
    from index.encoders import create_encoder, encoder_args
    from practice_search.config import Settings

    name, real, records = _seeds(args.data_dir)
    say(f"{args.n} synthetic vectors from {len(real)} {name} passage vectors")
    vecs = _synthetic(args.n, real, records)
    encoder = create_encoder(name, **encoder_args(Settings(data_dir=args.data_dir)))
    queries = np.asarray(encoder.encode_queries(needs()), dtype=np.float32)
    truth = np.argsort(-(queries @ vecs.T), axis=1, kind="stable")[:, :K]
    out = {"n": args.n, "dim": int(vecs.shape[1]), "queries": len(queries), "cores": os.cpu_count(),
           "faiss": _faiss(vecs, queries, truth)}  # fmt: skip
    say(f"faiss: {out['faiss']}")
    for exact in (True, False):
        key = "milvus_lite_flat" if exact else "milvus_lite_ivf"
        out[key] = _milvus(vecs, queries, truth, exact)
        say(f"{key}: {out[key]}")
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
