"""Dense encoders behind one small interface, and the registry that names them.

Every encoder turns text into L2-normalised float32 rows, so inner product is
cosine similarity. Bundled models load from their package directory; EmbeddingGemma
is fetched once (:mod:`index.encoders.fetch`: hash-verified) and exported
(:mod:`index.encoders.export`); MiniLM and EmbeddingGemma run on onnxruntime from
exports made once into ``<data dir>/models`` (README "Models"). Any other configured
model must already be on disk.

Modules: ``base`` (the interface), ``registry`` (names and the factory), one per backend
(``onnx``, ``gemma``, ``minilm``, ``e5``, ``use``, ``st``), ``fake`` (the test encoder),
``export`` (ONNX export and int8 quantisation), ``fetch`` and ``wheels`` (model download).
"""

from index.encoders.base import Encoder, EncoderFactory, EncoderInfo, threads
from index.encoders.export import export_onnx, int8_preset
from index.encoders.fake import HashEncoder
from index.encoders.gemma import gemma_export_dir, prepare_embeddinggemma
from index.encoders.onnx import OnnxEncoder
from index.encoders.registry import (
    ENCODERS,
    check_encoder_name,
    create_encoder,
    describe_encoders,
    encoder_args,
    models_dir,
)

__all__ = [
    "ENCODERS",
    "Encoder",
    "EncoderFactory",
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
