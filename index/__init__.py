"""The on-disk index: FAISS vectors, BM25 indexes, SQLite records, a manifest."""

from index.build import build_index
from index.encoders import (
    ENCODERS,
    Encoder,
    EncoderFactory,
    EncoderInfo,
    HashEncoder,
    create_encoder,
)
from index.load import LoadedIndex, check_fresh, load_index, read_manifest
from index.manifest import Manifest

__all__ = [
    "ENCODERS",
    "Encoder",
    "EncoderFactory",
    "EncoderInfo",
    "HashEncoder",
    "LoadedIndex",
    "Manifest",
    "build_index",
    "check_fresh",
    "create_encoder",
    "load_index",
    "read_manifest",
]
