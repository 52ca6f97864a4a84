"""Exporting sentence-transformers models to ONNX, once, for onnxruntime.

Two recipes: a Transformer + mean pooling model (MiniLM) exports its transformer and
pools in numpy; EmbeddingGemma exports transformer, mean pooling and its two Dense
layers as one graph (the Dense layers have no activation between them, so they fold
into one 768x768 matrix). Both can be quantised to int8 dynamically. Each export is
written into a temporary folder beside its target and renamed into place, so a killed
export leaves nothing half-written, and of two racing exports one wins. torch and
transformers are needed here only: a search never imports this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from practice_search.errors import ConfigError, ModelNotAvailable

__all__ = [
    "GEMMA_MAX_TOKENS",
    "GEMMA_RECIPE",
    "ONNX_RECIPE",
    "check_embeddinggemma",
    "check_mean_pooling",
    "export_embeddinggemma",
    "export_onnx",
    "int8_preset",
    "revision",
]

ONNX_RECIPE = "1"  # bump when the MiniLM export steps change: models are then exported anew
GEMMA_RECIPE = "1"  # the same for EmbeddingGemma
GEMMA_MAX_TOKENS = 512  # the sliding window: up to it, every layer attends to every token
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


def int8_preset(machine: str | None = None, flags: set[str] | None = None) -> str:
    """The dynamic-quantisation preset for this CPU, named as sentence-transformers names
    them: ``avx512_vnni`` (x86 with VNNI), ``arm64``, else ``avx2`` (unsigned weights, which
    x86 without VNNI needs to avoid saturating its 8-bit multiply-adds).

    ``machine`` (as :func:`platform.machine` names it) and ``flags`` (the CPU flags of
    ``/proc/cpuinfo``) describe another CPU than this one.
    """
    if (platform.machine() if machine is None else machine).lower() in ("arm64", "aarch64"):
        return "arm64"
    flags = _cpu_flags() if flags is None else flags
    return "avx512_vnni" if {"avx512_vnni", "avx_vnni"} & flags else "avx2"


def revision(model: str) -> str:
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


def _st_modules(model_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        st_config = json.loads(
            (model_dir / "sentence_bert_config.json").read_text(encoding="utf-8")
        )
        return list(modules), dict(st_config)
    except (OSError, ValueError) as exc:
        raise ModelNotAvailable(
            f"{model_dir} is not a sentence-transformers model folder ({exc})"
        ) from exc


def check_mean_pooling(model_dir: Path) -> int:
    """The max sequence length of a Transformer → mean Pooling model (the ONNX encoder
    reproduces exactly that pipeline, and normalises); any other layout is refused."""
    modules, st_config = _st_modules(model_dir)
    try:
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
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


def _quantise(raw: Path, out: Path, preset: str) -> None:
    """Dynamic int8: per-channel symmetric weights, activations quantised on the fly."""
    with _quiet_root_logger():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(raw),
            str(out),
            op_types_to_quantize=_INT8_OPS,
            per_channel=True,
            reduce_range=False,
            weight_type=QuantType.QUInt8 if preset == "avx2" else QuantType.QInt8,
            extra_options={
                "WeightSymmetric": True,
                "ActivationSymmetric": False,
                # only MatMuls whose B input is a constant (a weight matrix): attention's
                # Q·Kᵀ stays float
                "MatMulConstBOnly": True,
            },
        )
    raw.unlink()


def _imports(what: str) -> Any:
    try:
        import onnx  # noqa: F401  (the quantiser needs it)
        import onnxruntime  # noqa: F401
        import torch
        from sentence_transformers import SentenceTransformer  # noqa: F401
    except ImportError as exc:
        raise ModelNotAvailable(
            f"exporting {what} to ONNX needs torch, sentence-transformers, onnx and "
            f"onnxruntime: pip install onnx onnxruntime ({exc})"
        ) from exc
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are on disk; never ask the hub
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import transformers

    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return torch


def _publish(model_dir: Path, target: Path, write: Callable[[Path], dict[str, Any]]) -> None:
    """Run ``write(tmp)`` in a fresh temporary folder beside ``target``, add the tokenizer
    and ``export.json`` (what ``write`` returns, plus the source), rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's and quantiser's chatter
            meta = write(tmp)
        shutil.copy2(model_dir / "tokenizer.json", tmp / "tokenizer.json")
        meta = {"source": str(model_dir), "source_revision": revision(str(model_dir)), **meta}
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


def export_onnx(model_dir: Path, target: Path, *, int8: bool) -> None:
    """Export the transformer of a sentence-transformers folder to ``target/model.onnx``
    (dynamically quantised to int8 if asked), with its tokenizer and an ``export.json``.

    Raises:
        ModelNotAvailable: torch, onnx or onnxruntime are missing, or the export failed.
        ConfigError: the folder is not a Transformer + mean pooling model.
    """
    torch = _imports(model_dir.name)

    def write(tmp: Path) -> dict[str, Any]:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        transformer: Any = model[0].auto_model
        transformer.eval()
        _eager(transformer)
        module: Any = torch.nn.Module

        class _Hidden(module):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__()
                self.inner = transformer

            def forward(self, *inputs: Any) -> Any:
                return self.inner(**dict(zip(_ONNX_INPUTS, inputs, strict=True)))[0]

        sample = model.tokenizer(["a query", "a longer passage to trace"], padding=True)
        args = tuple(torch.tensor(sample[k]) for k in _ONNX_INPUTS)
        axes = {k: {0: "batch", 1: "tokens"} for k in (*_ONNX_INPUTS, "last_hidden_state")}
        preset = int8_preset() if int8 else None
        raw = tmp / ("fp32.onnx" if preset else "model.onnx")
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
        if preset:
            _quantise(raw, tmp / "model.onnx", preset)
        return {
            "recipe": ONNX_RECIPE,
            "int8": preset,
            "torch": torch.__version__,
            "max_seq_length": check_mean_pooling(model_dir),
        }

    _publish(model_dir, target, write)


def _eager(transformer: Any) -> None:
    """Eager attention traces to plain MatMul/Softmax, which onnxruntime fuses at load."""
    if hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation("eager")
    else:  # pragma: no cover - older transformers
        transformer.config._attn_implementation = "eager"


def check_embeddinggemma(model_dir: Path) -> None:
    """Refuse a folder that is not Transformer → mean Pooling → Dense → Dense → Normalize
    with bias-free, activation-free Dense layers (what the folded export reproduces)."""
    modules, _ = _st_modules(model_dir)
    types = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if types != ["Transformer", "Pooling", "Dense", "Dense", "Normalize"]:
        raise ConfigError(f"{model_dir}: expected an EmbeddingGemma folder, found {types}")
    for m in modules[2:4]:
        path = model_dir / str(m.get("path", "")) / "config.json"
        try:
            cfg = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(f"{path} is unreadable ({exc})") from exc
        if cfg.get("bias") or not str(cfg.get("activation_function", "")).endswith("Identity"):
            raise ConfigError(f"{path.parent}: a Dense layer with bias or activation")


def _trace_embeddinggemma(torch: Any, model_dir: Path, raw: Path) -> None:
    """Trace the EmbeddingGemma graph to ``raw`` (fp32); the torch model is freed on return."""
    from sentence_transformers import SentenceTransformer

    model: Any = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model
    transformer.eval()
    _eager(transformer)
    module: Any = torch.nn.Module
    folded = (model[3].linear.weight @ model[2].linear.weight).detach().clone()

    class _Embed(module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer
            self.dense = torch.nn.Linear(folded.shape[1], folded.shape[0], bias=False)
            self.dense.weight.data = folded

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            keep = attention_mask[:, None, None, :].to(torch.float32)
            additive = (1.0 - keep) * torch.finfo(torch.float32).min
            masks = {"full_attention": additive, "sliding_attention": additive}
            hidden = self.inner(input_ids=input_ids, attention_mask=masks, use_cache=False)[0]
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return self.dense(pooled)

    sample = model.tokenizer(
        ["task: search result | query: a need", "title: none | text: a passage to trace"],
        padding=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        torch.onnx.export(
            _Embed().eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )


def export_embeddinggemma(model_dir: Path, target: Path, *, int8: bool = True) -> None:
    """Export EmbeddingGemma (a sentence-transformers folder) to one ONNX graph: token ids
    and attention mask in, the 768-d sentence embedding (before normalisation) out.

    The graph holds the transformer with bidirectional attention (the mask is built in the
    graph from the attention mask, the same for full and sliding-window layers, which is
    exact up to :data:`GEMMA_MAX_TOKENS`), mean pooling over every token (prompt
    included, as the model card's pooling says), and the two Dense layers folded into one
    matrix ``W3 @ W2``.

    Raises:
        ModelNotAvailable: torch, onnx or onnxruntime are missing, or the export failed.
        ConfigError: the folder is not an EmbeddingGemma-shaped model.
    """
    check_embeddinggemma(model_dir)
    torch = _imports(model_dir.name)

    def write(tmp: Path) -> dict[str, Any]:
        preset = int8_preset() if int8 else None
        raw = tmp / ("fp32.onnx" if preset else "model.onnx")
        _trace_embeddinggemma(torch, model_dir, raw)
        if preset:
            _quantise(raw, tmp / "model.onnx", preset)
        return {
            "recipe": GEMMA_RECIPE,
            "int8": preset,
            "torch": torch.__version__,
            "max_seq_length": GEMMA_MAX_TOKENS,
        }

    _publish(model_dir, target, write)
