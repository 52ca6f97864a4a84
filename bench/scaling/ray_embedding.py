"""What Ray costs and gives for embedding on this machine
(``python -m bench.scaling.ray_embedding``): the first ``--n`` passages embedded by the
configured first encoder in one process (every core), then on a local Ray cluster
(one worker per core, one thread each), with Ray's start-up timed apart, and how far
the two sets of vectors are from each other."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench.scaling.measure import say

__all__ = ["main"]


class _Bar:
    def update(self, n: int) -> None:
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scaling.ray_embedding", description=__doc__)
    p.add_argument("--n", type=int, default=128, help="passages to embed")
    p.add_argument("--data-dir", type=Path, default=Path(".data"))
    args = p.parse_args(argv)
    from corpus import load_corpus
    from index.distributed import local_embedder, ray_embedder, start_ray
    from index.encoders import create_encoder, encoder_args, threads
    from practice_search.config import Settings

    settings = Settings(data_dir=args.data_dir, embedding_cache=False)
    name = settings.encoders[0]
    passages = load_corpus(max_words=settings.max_words).passages[: args.n]
    texts, titles = [x.text for x in passages], [x.title() for x in passages]
    encoder = create_encoder(name, **encoder_args(settings))
    cores = os.cpu_count() or 1
    say(f"embedding {len(texts)} passages with {name} in one process ({cores} threads)")
    t0 = time.perf_counter()
    with threads(encoder, cores):
        alone = local_embedder(name, encoder, texts, titles, _Bar())
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    ray = start_ray("local")
    started = time.perf_counter() - t0
    embed = ray_embedder("local", settings, create_encoder)
    say(f"on Ray: {int(ray.cluster_resources()['CPU'])} workers")
    t0 = time.perf_counter()
    first = embed(name, encoder, texts, titles, _Bar())  # workers load the model here
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = embed(name, encoder, texts, titles, _Bar())
    warm = time.perf_counter() - t0
    ray.shutdown()
    out = {
        "encoder": name,
        "passages": len(texts),
        "cores": cores,
        "one_process_s": round(one, 2),
        "ray_start_s": round(started, 2),
        "ray_first_pass_s": round(cold, 2),
        "ray_warm_pass_s": round(warm, 2),
        "bit_identical": bool(np.array_equal(first, alone)),
        "max_abs_diff": float(np.abs(first - alone).max()),
        "min_cosine": float(np.min(np.sum(first * alone, axis=1))),
        "ray_runs_agree": bool(np.array_equal(first, again)),
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
