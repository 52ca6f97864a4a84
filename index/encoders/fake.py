"""The fake encoder: deterministic, instant, no model. For tests and dry runs."""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np

from index.encoders.base import EncoderInfo, join_titles, normalise

__all__ = ["HashEncoder"]


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
        return normalise(np.stack([self._one(t) for t in texts]))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return self.encode_queries(join_titles(texts, titles))
