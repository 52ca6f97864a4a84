"""The Milvus layout of one index version: what each collection holds and how it is
named.

One version is three collections behind one alias (``settings.milvus_collection``):

- ``<alias>_<version>_passages`` and ``<alias>_<version>_checklist``: a row per record
  (``row``, its position in the engine, is the primary key), its record as JSON, the
  scalar fields filters use (``lang``, ``dimension``, with inverted indexes), one dense
  vector field per encoder, and per lexical language the record's stemmed terms
  (``terms_<lang>``: the PyStemmer analysis of :mod:`index.lexical`, joined by spaces)
  with a BM25 function into a sparse field (``bm25_<lang>``);
- ``<alias>_<version>_meta``: the manifest, the documents and the practices, one JSON
  row each (the alias points here; the manifest names the version).

Milvus Lite's analyzers ignore stemmer filters and have no Italian, so the terms are
stemmed here and Milvus only splits them on spaces (its ``standard`` tokenizer with no
filters; Lite has no ``whitespace`` tokenizer): Lite and a cluster tokenize alike.
"""

from __future__ import annotations

import re
from typing import Any

from index.vectors import VectorIndexSpec

__all__ = [
    "BM25_K1",
    "MAX_TEXT",
    "META_KEY",
    "PREVIOUS_KEY",
    "bm25_field",
    "collection_names",
    "index_params",
    "kind_schema",
    "meta_index_params",
    "meta_schema",
    "search_params",
    "terms_field",
    "vector_field",
]

META_KEY = "manifest"
PREVIOUS_KEY = "previous"  # the meta collection a version replaced
MAX_TEXT = 65_535  # Milvus's largest VARCHAR
BM25_K1 = 1.5  # bm25s's k1 (Milvus defaults to 1.2); b is 0.75 in both
_BM25_B = 0.75
_HNSW_EF_CONSTRUCTION = 100  # as index.vectors


def vector_field(encoder: str) -> str:
    return "vec_" + re.sub(r"\W+", "_", encoder)


def terms_field(lang: str) -> str:
    return f"terms_{lang}"


def bm25_field(lang: str) -> str:
    return f"bm25_{lang}"


def collection_names(alias: str, version: str) -> dict[str, str]:
    """Each collection of one index version: ``meta`` and one per result kind."""
    return {part: f"{alias}_{version}_{part}" for part in ("meta", "passages", "checklist")}


def kind_schema(dims: dict[str, int], langs: list[str]) -> Any:
    """A result kind's collection: ``dims`` is each encoder's width."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("lang", DataType.VARCHAR, max_length=16)
    schema.add_field("dimension", DataType.VARCHAR, max_length=128)
    schema.add_field("record", DataType.VARCHAR, max_length=MAX_TEXT)
    for encoder, dim in dims.items():
        schema.add_field(vector_field(encoder), DataType.FLOAT_VECTOR, dim=dim)
    for lang in langs:
        schema.add_field(
            terms_field(lang),
            DataType.VARCHAR,
            max_length=MAX_TEXT,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "standard"},
        )
        schema.add_field(bm25_field(lang), DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name=f"bm25_{lang}_fn",
                function_type=FunctionType.BM25,
                input_field_names=[terms_field(lang)],
                output_field_names=[bm25_field(lang)],
            )
        )
    return schema


def meta_schema() -> Any:
    """The manifest, documents and practices (Milvus needs a vector field: a dummy)."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("part", DataType.VARCHAR, max_length=32)
    schema.add_field("data", DataType.VARCHAR, max_length=MAX_TEXT)
    schema.add_field("_unused", DataType.FLOAT_VECTOR, dim=2)
    return schema


def _vector_index(spec: VectorIndexSpec) -> tuple[str, dict[str, Any]]:
    """The Milvus index of a FAISS spec: flat stays exact, hnsw and ivf keep their knobs."""
    if spec.type == "hnsw":
        return "HNSW", {"M": spec.hnsw_m, "efConstruction": _HNSW_EF_CONSTRUCTION}
    if spec.type == "ivf":
        return "IVF_FLAT", {"nlist": spec.ivf_nlist}
    return "FLAT", {}


def index_params(client: Any, encoders: list[str], langs: list[str], spec: VectorIndexSpec) -> Any:
    params = client.prepare_index_params()
    kind, extra = _vector_index(spec)
    for encoder in encoders:
        params.add_index(vector_field(encoder), index_type=kind, metric_type="IP", params=extra)
    for lang in langs:
        params.add_index(
            bm25_field(lang),
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": BM25_K1, "bm25_b": _BM25_B},
        )
    for scalar in ("lang", "dimension"):
        params.add_index(scalar, index_type="INVERTED")
    return params


def meta_index_params(client: Any) -> Any:
    params = client.prepare_index_params()
    params.add_index("_unused", index_type="FLAT", metric_type="L2")
    return params


def search_params(spec: VectorIndexSpec, ef_search: int, nprobe: int) -> dict[str, Any]:
    if spec.type == "hnsw":
        return {"metric_type": "IP", "params": {"ef": ef_search}}
    if spec.type == "ivf":
        return {"metric_type": "IP", "params": {"nprobe": nprobe}}
    return {"metric_type": "IP", "params": {}}
