"""Any sentence-transformers model already on disk, run on torch (``st:<name or path>``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from index.encoders.base import EncoderInfo, join_titles, normalise
from index.encoders.export import revision
from practice_search.errors import ModelNotAvailable

__all__ = ["ST_PREFIX", "SentenceTransformerEncoder"]

ST_PREFIX = "st:"


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
