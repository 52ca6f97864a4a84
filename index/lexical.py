"""BM25 (bm25s) with English and Italian stemming (PyStemmer): one index per language."""

from __future__ import annotations

import contextlib
import io
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_ITALIAN

from practice_search.errors import IndexCorrupt

__all__ = ["LexicalIndex", "LexicalLang", "top_rows"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = {"en": STOPWORDS_EN, "it": STOPWORDS_ITALIAN}


class LexicalLang(StrEnum):
    EN = "en"
    IT = "it"

    @property
    def stemmer_name(self) -> str:
        return {"en": "english", "it": "italian"}[self.value]


def top_rows(scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """Rows with the ``n`` highest positive scores, best first, ties by lower row.

    Equal to ``rows[np.argsort(-scores[rows], kind="stable")][:n]`` over the positive
    rows, but sorts only the rows that can make the cut (an ``np.partition`` finds it):
    at 1M documents a common term matches most of them.
    """
    rows = np.flatnonzero(scores > 0)
    if n <= 0:
        return []
    if rows.size > n:
        values = scores[rows]
        cut = np.partition(values, rows.size - n)[rows.size - n]  # the n-th highest score
        rows = rows[values >= cut]  # keeps every tie at the cut, in row order
    rows = rows[np.argsort(-scores[rows], kind="stable")][:n]
    return [(int(r), float(scores[r])) for r in rows]


class LexicalIndex:
    """A BM25 index whose analyser (stop words + stemmer) is one language's."""

    def __init__(self, lang: LexicalLang, model: bm25s.BM25 | None = None) -> None:
        self.lang = lang
        self._stemmer = Stemmer.Stemmer(lang.stemmer_name)
        self._stopwords = frozenset(_STOPWORDS[lang.value])
        self._model = model

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        """bm25s's default analysis (lower case, ``\\w\\w+`` tokens, stop words,
        stemming), done here once per text without bm25s's per-call overhead."""
        out = []
        for text in texts:
            words = [w for w in _TOKEN.findall(text.lower()) if w not in self._stopwords]
            out.append(list(self._stemmer.stemWords(words)))
        return out

    def build(self, texts: list[str]) -> None:
        self._model = bm25s.BM25()
        with contextlib.redirect_stderr(io.StringIO()):
            self._model.index(self._tokens(texts), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros if no term matches)."""
        return self.term_scores(self.query_terms(query))

    def term_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for terms already analysed (:meth:`query_terms`)."""
        assert self._model is not None, "build() or load() first"
        if not terms:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._model.get_scores(terms), dtype=np.float32)

    def top(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``n`` best rows with a positive score (only ``allowed`` rows if given),
        best first, ties by row: the same list as a stable argsort of :meth:`scores`."""
        return self.top_terms(self.query_terms(query), n, allowed)

    def top_terms(
        self, terms: list[str], n: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """:meth:`top` for terms already analysed."""
        scores = self.term_scores(terms)
        if allowed is not None:
            masked = np.zeros_like(scores)
            masked[allowed] = scores[allowed]
            scores = masked
        return top_rows(scores, n)

    def query_terms(self, query: str) -> list[str]:
        return self._tokens([query])[0]

    def stem(self, words: list[str]) -> list[str]:
        return list(self._stemmer.stemWords([w.lower() for w in words]))

    def postings(self) -> tuple[dict[str, Any], int]:
        """The BM25 score matrix as bm25s holds it (``data``, ``indices``, ``indptr``,
        ``num_docs``) and the highest id a query term can map to (-1: no terms)."""
        assert self._model is not None
        ids = [i for term, i in self._model.vocab_dict.items() if term]
        if not all(isinstance(i, int) for i in ids):
            raise ValueError("term ids that are not integers")
        return dict(self._model.scores), max(ids, default=-1)

    def save(self, path: Path) -> None:
        assert self._model is not None
        self._model.save(str(path))

    @classmethod
    def load(cls, path: Path, lang: LexicalLang) -> LexicalIndex:
        try:
            model = bm25s.BM25.load(str(path), mmap=False)
        except Exception as exc:
            raise IndexCorrupt(f"cannot read lexical index {path.name}: {exc}") from exc
        return cls(lang, model)
