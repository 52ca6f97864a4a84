"""Embedding batches spread over a Ray cluster (``practice-search build --ray``).

The build embeds in batches of similar length (``index.build._embed``); here the same
batches, made the same way, go to Ray actors — one per CPU of the cluster, each
holding its own encoder, built by the same factory and settings — and the vectors
come back into corpus order. A batch is embedded from the same texts in the same
padding by the same model, so the vectors equal the single-process ones: bit for
bit for a deterministic encoder (the tests' hash encoder); for ONNX models up to
float rounding where a worker's thread count could change the order of a reduction
(EmbeddingGemma here came out bit-identical: docs/scaling.md). Workers do not read
or write the passage-vector cache: they embed.

``local`` starts a Ray instance on this machine; any other address joins a running
cluster, whose workers must have this package and the models installed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from index.encoders import Encoder, EncoderFactory, encoder_args, threads
from practice_search.config import Settings
from practice_search.errors import BuildError

__all__ = ["Embedder", "batches", "local_embedder", "ray_embedder", "start_ray"]

# (encoder name, encoder, texts, titles, progress bar) -> vectors in corpus order
Embedder = Callable[[str, Encoder, list[str], "list[str] | None", Any], np.ndarray]
BATCH = 32


def batches(texts: list[str], titles: list[str] | None, size: int = BATCH) -> list[list[int]]:
    """Rows in batches of similar length (less padding), shortest first."""
    length = [len(t) + (len(titles[i]) if titles else 0) for i, t in enumerate(texts)]
    order = sorted(range(len(texts)), key=length.__getitem__)
    return [order[start : start + size] for start in range(0, len(order), size)]


def _assemble(
    n: int, dim: int, results: Any, bar: Any
) -> np.ndarray:  # results: (rows, vectors) in any order
    out: np.ndarray | None = None
    for rows, vecs in results:
        if out is None:
            out = np.empty((n, vecs.shape[1]), dtype=np.float32)
        out[rows] = vecs
        bar.update(len(rows))
    return out if out is not None else np.empty((0, dim), dtype=np.float32)


def local_embedder(
    name: str, encoder: Encoder, texts: list[str], titles: list[str] | None, bar: Any
) -> np.ndarray:
    """Every batch in this process (the default)."""

    def run() -> Any:
        for rows in batches(texts, titles):
            sub = [titles[i] for i in rows] if titles is not None else None
            yield rows, encoder.encode_passages([texts[i] for i in rows], sub)

    return _assemble(len(texts), encoder.info.dim, run(), bar)


def start_ray(address: str, num_cpus: int | None = None) -> Any:
    """Ray, joined to the cluster at ``address`` or (``local``) started here with
    ``num_cpus`` CPUs (default: all); already running: as it is."""
    from index.milvus.client import require_scale

    require_scale("distributed embedding (--ray)", ("ray",))
    import ray

    if ray.is_initialized():
        return ray
    root = str(Path(__file__).resolve().parents[1])
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}}
    try:
        if address == "local":
            ray.init(
                num_cpus=num_cpus or os.cpu_count() or 1,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env=env,
            )
        else:
            ray.init(address=address, log_to_driver=False)
    except Exception as exc:  # Ray's own errors: a ConnectionError, a RuntimeError...
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise BuildError(f"cannot start or join the Ray cluster at {address}: {reason}") from exc
    return ray


def ray_embedder(address: str, settings: Settings, factory: EncoderFactory) -> Embedder:
    """An embedder that spreads the batches over the Ray cluster at ``address``."""
    ray = start_ray(address)
    args = {**encoder_args(settings), "cache": False, "threads": 1}

    @ray.remote(num_cpus=1)
    class _Worker:
        def __init__(self, name: str) -> None:
            self.encoder = factory(name, **args)

        def embed(self, rows: list[int], texts: list[str], titles: list[str] | None) -> Any:
            with threads(self.encoder, 1):
                return rows, self.encoder.encode_passages(texts, titles)

    workers: dict[str, list[Any]] = {}

    def embed(
        name: str, encoder: Encoder, texts: list[str], titles: list[str] | None, bar: Any
    ) -> np.ndarray:
        if name not in workers:
            count = max(1, int(ray.cluster_resources().get("CPU", 1)))
            workers[name] = [_Worker.remote(name) for _ in range(count)]  # type: ignore[attr-defined]
        pool = workers[name]
        pending = [
            pool[i % len(pool)].embed.remote(
                rows,
                [texts[r] for r in rows],
                [titles[r] for r in rows] if titles is not None else None,
            )
            for i, rows in enumerate(batches(texts, titles))
        ]

        def done() -> Any:
            left = list(pending)
            while left:
                ready, left = ray.wait(left, num_returns=1)
                yield ray.get(ready[0])

        try:
            return _assemble(len(texts), encoder.info.dim, done(), bar)
        except Exception as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise BuildError(f"a Ray embedding worker failed: {reason}") from exc

    return embed
