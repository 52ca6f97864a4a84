"""The synthetic corpus of :mod:`bench.scaling`: e5-like vectors, texts and records made
from the real passages (the method is in docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CHUNK",
    "DOC_FILTER",
    "MIX",
    "NOISE",
    "SEED",
    "assign",
    "filters",
    "seeds",
    "synthetic_records",
    "texts",
    "vectors",
]

SEED = 20_260_601
NOISE = 0.5  # scale of the covariance-shaped noise
MIX = 0.5  # largest share of the partner passage in a synthetic vector
CHUNK = 100_000
DOC_FILTER = "asap"  # a document filter: about 22% of the passages

Json = dict[str, Any]


def seeds(data_dir: Path) -> tuple[np.ndarray, list[Json]]:
    """The real e5 passage vectors and their records, row-aligned."""
    import faiss

    from index.build import current_dir, encoder_file
    from index.store import read_records

    root = current_dir(data_dir)
    index = faiss.read_index(str(encoder_file(root, "e5", "passages")))
    records = read_records(root / "records.sqlite")["passages"]
    if index.ntotal != len(records):
        raise SystemExit("the published index is inconsistent: run `practice-search build`")
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32), records


def assign(n: int, records: list[Json]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per synthetic row: seed passage, partner passage (same language), partner share."""
    rng = np.random.default_rng(SEED)
    seed = rng.integers(0, len(records), n)
    langs = np.array([r["lang"] for r in records])
    partner = np.empty(n, dtype=np.int64)
    for lang in sorted(set(langs)):
        rows = np.flatnonzero(langs == lang)
        mine = np.flatnonzero(langs[seed] == lang)
        partner[mine] = rows[rng.integers(0, rows.size, mine.size)]
    share = rng.uniform(0, MIX, n).astype(np.float32)
    return seed, partner, share


def vectors(
    real: np.ndarray,
    seed: np.ndarray,
    partner: np.ndarray,
    share: np.ndarray,
    chunk: int = CHUNK,
) -> Iterator[np.ndarray]:
    """The synthetic vectors, ``chunk`` rows at a time (the same rows for any chunk)."""
    rng = np.random.default_rng(SEED + 1)
    centred = real - real.mean(axis=0)
    for start in range(0, seed.size, chunk):
        s, p, w = (
            seed[start : start + chunk],
            partner[start : start + chunk],
            share[start : start + chunk, None],
        )
        g = rng.standard_normal((s.size, len(real)), dtype=np.float32) / np.sqrt(len(real))
        v = (1 - w) * real[s] + w * real[p] + NOISE * (g @ centred)
        yield (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def texts(records: list[Json], seed: np.ndarray, partner: np.ndarray) -> Iterator[tuple[str, str]]:
    """(record text, indexed text) per synthetic row, deterministic."""
    rng = np.random.default_rng(SEED + 2)
    words = [r["text"].split() for r in records]
    u = rng.random((seed.size, 3))
    for i in range(seed.size):
        a, b = words[seed[i]], words[partner[i]]
        keep = max(1, int(len(a) * (0.4 + 0.5 * u[i, 0])))
        start = int((len(a) - keep) * u[i, 1])
        take = min(len(b), max(1, len(a) - keep))
        other = int((len(b) - take) * u[i, 2])
        text = " ".join(a[start : start + keep] + b[other : other + take])
        context = records[seed[i]].get("context") or ""
        yield text, (f"{context}\n{text}" if context else text)


def filters(records: list[Json], seed: np.ndarray) -> dict[str, np.ndarray]:
    """Row numbers allowed by each measured filter."""
    langs = np.array([r["lang"] for r in records])[seed]
    in_doc = np.array([DOC_FILTER in r["doc_ids"] for r in records])[seed]
    return {
        "lang:en": np.flatnonzero(langs == "en"),
        "lang:it": np.flatnonzero(langs == "it"),
        f"doc:{DOC_FILTER}": np.flatnonzero(in_doc),
    }


def synthetic_records(n: int, records: list[Json]) -> Iterator[Json]:
    seed, partner, _ = assign(n, records)
    for i, (text, _) in enumerate(texts(records, seed, partner)):
        yield {**records[seed[i]], "id": f"p-syn{i:07d}", "text": text}
