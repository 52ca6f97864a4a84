"""The encoder interface every dense channel is built on, and what the manifest records."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["Encoder", "EncoderFactory", "EncoderInfo", "join_titles", "normalise", "threads"]


@dataclass(frozen=True)
class EncoderInfo:
    """What the manifest records about an encoder."""

    name: str
    model: str
    revision: str
    dim: int
    languages: tuple[str, ...]  # languages it was trained for; ("*",) = many
    # what runs it ("torch", "onnxruntime", "onnxruntime int8 avx2", ...); older manifests lack it
    backend: str = "unknown"


@runtime_checkable
class Encoder(Protocol):
    """Text to normalised vectors; queries and passages may be encoded differently.

    ``titles`` (one per passage, possibly empty) is what a passage is about: its
    practice, heading path and question. Encoders trained with a title field use it as
    such; the others read it as a first line before the text.
    """

    info: EncoderInfo

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray: ...


class EncoderFactory(Protocol):
    """Builds an encoder by name, as :func:`index.encoders.create_encoder` does; the
    index's build and load take one, so another can stand in for it."""

    def __call__(
        self,
        name: str,
        threads: int = ...,
        models: Path | None = ...,
        *,
        source: Path | None = ...,
        cache: bool = ...,
    ) -> Encoder: ...


def join_titles(texts: list[str], titles: list[str] | None) -> list[str]:
    """``title\\ntext`` for each passage that has a title (how untitled encoders read it)."""
    if titles is None:
        return list(texts)
    return [f"{h}\n{t}" if h else t for h, t in zip(titles, texts, strict=True)]


@contextlib.contextmanager
def threads(encoder: Encoder, n: int) -> Iterator[None]:
    """Let ``encoder`` use ``n`` CPU threads inside the block (if it can be told)."""
    setter = getattr(encoder, "set_threads", None)
    if setter is None:
        yield
        return
    previous = setter(n)
    try:
        yield
    finally:
        setter(previous)


def normalise(vectors: Any) -> np.ndarray:
    """Rows scaled to unit length, as contiguous float32 (inner product = cosine)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.ascontiguousarray(arr / np.maximum(norms, 1e-12))
