"""Encoders on onnxruntime: any Transformer + mean pooling model, and EmbeddingGemma.

Both run a graph exported once (see :mod:`index.encoders.export`) from a model folder into
``<data dir>/models`` and reused; a search needs onnxruntime, tokenizers and numpy
only, never torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np

from index.encoders.base import EncoderInfo, join_titles, normalise
from index.encoders.export import (
    GEMMA_MAX_TOKENS,
    GEMMA_RECIPE,
    ONNX_RECIPE,
    check_mean_pooling,
    export_embeddinggemma,
    export_onnx,
    int8_preset,
    revision,
)
from practice_search.errors import ModelNotAvailable

__all__ = ["EmbeddingGemmaEncoder", "OnnxEncoder", "PassageCache"]


class _OnnxModel:
    """One onnxruntime session over ``<path>/model.onnx`` and its tokenizer."""

    path: Path

    def _require(self, name: str) -> None:
        """Fail before any export when onnxruntime itself is missing."""
        try:
            import onnxruntime
        except ImportError as exc:
            raise ModelNotAvailable(
                f"encoder {name!r} needs onnxruntime: pip install onnxruntime onnx"
            ) from exc
        self._ort = onnxruntime

    def _open(self, name: str, max_len: int, pad_token: str, threads: int) -> None:
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            self._tokenizer.enable_truncation(max_len)
            self._tokenizer.enable_padding(pad_id=0, pad_token=pad_token)  # masked: id irrelevant
            self._lock = threading.Lock()
            self._threads = threads
            self._session = self._new_session(threads)
            self._session_threads = threads
        except Exception as exc:
            raise ModelNotAvailable(
                f"encoder {name!r}: the exported model in {self.path} is unreadable "
                f"({exc.__class__.__name__}: {exc}); delete that folder to export it again"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}

    def _new_session(self, threads: int) -> Any:
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        return self._ort.InferenceSession(
            str(self.path / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def set_threads(self, n: int) -> int:
        """Threads of the onnxruntime session; returns the previous count. The session
        with ``n`` threads is made when the model next runs (a build whose passages are
        all cached never runs it, and makes none)."""
        with self._lock:
            previous = self._threads
            self._threads = n
            return previous

    query_tokens: int | None = None

    def set_query_tokens(self, n: int | None) -> None:
        """Cut each need to about its first ``n`` tokens before embedding it (None: only
        the model's own limit). What a need costs grows with its tokens, and scripts
        differ widely in tokens per character (500 emoji are about 850 tokens)."""
        self.query_tokens = n

    def _clip(self, text: str) -> str:
        """``text`` up to the end of the character holding its ``query_tokens``-th token;
        a need within the budget is returned unchanged."""
        budget = self.query_tokens
        if budget is None:
            return text
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        if len(encoding.ids) <= budget:
            return text
        return text[: encoding.offsets[budget - 1][1]]

    def _feed(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return {k: v for k, v in feed.items() if k in self._inputs}

    def _output(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        session = self._session  # a set_threads() meanwhile swaps it; this run keeps its own
        if self._session_threads != self._threads:
            with self._lock:
                if self._session_threads != self._threads:
                    self._session = self._new_session(self._threads)
                    self._session_threads = self._threads
                session = self._session
        return np.asarray(session.run(None, feed)[0])


class OnnxEncoder(_OnnxModel):
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
        self._require(name)
        model_dir = Path(model_dir)
        max_len = check_mean_pooling(model_dir)
        rev = revision(str(model_dir))
        variant = f"int8-{int8_preset()}" if int8 else "fp32"
        folder = f"{export_name or model_dir.name}-onnx-{variant}-{rev}-r{ONNX_RECIPE}"
        self.path = Path(cache_dir) / folder
        if not (self.path / "model.onnx").exists():
            export_onnx(model_dir, self.path, int8=int8)
        self._open(name, max_len, "[PAD]", threads)
        backend = f"onnxruntime int8 {int8_preset()}" if int8 else "onnxruntime"
        self.info = EncoderInfo(name, str(model_dir), rev, self._dim(), languages, backend)

    def _dim(self) -> int:
        return int(self._run(["dimension probe"]).shape[1])

    def _run(self, texts: list[str]) -> np.ndarray:
        feed = self._feed(texts)
        hidden = self._output(feed)
        mask = feed["attention_mask"][:, :, None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return normalise(pooled)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run([self._clip(t) for t in texts])

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return self._run(join_titles(texts, titles))


class EmbeddingGemmaEncoder(_OnnxModel):
    """EmbeddingGemma-300M on onnxruntime, with the prompts it was trained with.

    Queries are embedded as ``task: search result | query: {need}``, passages as
    ``title: {title} | text: {text}`` (``title: none`` when a passage has no title).
    ``dim`` below 768 keeps the first ``dim`` dimensions (the model was trained with
    Matryoshka representation learning for 512, 256 and 128) and normalises again.
    """

    QUERY_PROMPT = "task: search result | query: "
    MODEL = "google/embeddinggemma-300m"

    def __init__(
        self,
        name: str,
        export_dir: Path,
        *,
        dim: int = 768,
        threads: int = 1,
        source: Path | None = None,
        cache: bool = True,
    ) -> None:
        """Open the export in ``export_dir``; if it is missing, export it from the verified
        model folder ``source`` first (:func:`~index.encoders.export.export_embeddinggemma`).

        Raises:
            ModelNotAvailable: no export and no source folder, or the export failed.
        """
        self._require(name)
        self.path = Path(export_dir)
        if not (self.path / "model.onnx").exists():
            if source is None:
                raise ModelNotAvailable(
                    f"encoder {name!r}: no EmbeddingGemma export in {self.path} and no model "
                    "folder to export it from: run `practice-search models`"
                )
            export_embeddinggemma(Path(source), self.path, int8=True)
        self._open(name, GEMMA_MAX_TOKENS, "<pad>", threads)
        self.dim = dim
        # the key holds what the export was made from (model revision, recipe, int8
        # preset: export.json), so vectors of another model are never reused
        self._cache = (
            PassageCache(self.path / "passages.sqlite", _export_id(self.path)) if cache else None
        )
        self.embedded_texts = 0  # texts the model ran on (cached ones cost nothing)
        self.info = EncoderInfo(
            name,
            f"{self.MODEL} (dim {dim})",
            f"r{GEMMA_RECIPE}",
            dim,
            ("*",),
            f"onnxruntime int8 {int8_preset()}",
        )

    def _run(self, texts: list[str]) -> np.ndarray:
        return normalise(self._output(self._feed(texts))[:, : self.dim])

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run([self.QUERY_PROMPT + self._clip(t) for t in texts])

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        """Passages with their titles; full vectors are kept in ``passages.sqlite`` beside
        the export by exact prompt text, so a rebuild embeds only what is new."""
        heads = titles if titles is not None else ["none"] * len(texts)
        prompts = [f"title: {h or 'none'} | text: {t}" for h, t in zip(heads, texts, strict=True)]
        known = self._cache.get(prompts) if self._cache else {}
        todo = [p for p in dict.fromkeys(prompts) if p not in known]
        self.embedded_texts += len(todo)
        if todo:
            fresh = dict(zip(todo, self._output(self._feed(todo)).astype(np.float32), strict=True))
            known |= fresh
            if self._cache:
                self._cache.put(fresh)
        return normalise(np.stack([known[p] for p in prompts])[:, : self.dim])


def _export_id(path: Path) -> str:
    """What an export was made from: its ``export.json`` (source revision, recipe, int8
    preset, library versions) and the size of its model file."""
    try:
        meta = (path / "export.json").read_text(encoding="utf-8")
        size = (path / "model.onnx").stat().st_size
    except OSError:
        meta, size = "", 0
    return f"{EmbeddingGemmaEncoder.MODEL}|{size}|{meta}"


class PassageCache:
    """Full embeddings by the model they came from (``model_id``) and the exact prompt
    text, in SQLite. Best effort: a cache that cannot be read or written is skipped (the
    vectors are computed), never an error."""

    def __init__(self, path: Path, model_id: str = "") -> None:
        self.path = path
        self.model_id = model_id

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")
        return con

    def _key(self, prompt: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x1f{prompt}".encode()).hexdigest()

    def get(self, prompts: list[str]) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        keys = {self._key(p): p for p in prompts}
        try:
            with contextlib.closing(self._connect()) as con:
                rows = con.execute(
                    f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(keys))})",
                    list(keys),
                ).fetchall()
        except sqlite3.Error:
            return {}
        return {keys[k]: np.frombuffer(v, dtype=np.float32) for k, v in rows}

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        try:
            with contextlib.closing(self._connect()) as con, con:
                con.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [(self._key(p), v.astype(np.float32).tobytes()) for p, v in vectors.items()],
                )
        except sqlite3.Error:
            pass
