"""The query-embedding cache: repeated needs skip the encoders."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

__all__ = ["EmbeddingCache"]


class EmbeddingCache:
    """A small thread-safe LRU cache for query embeddings."""

    def __init__(self, size: int) -> None:
        self._data: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: np.ndarray) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
