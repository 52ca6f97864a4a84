"""What a caller may ask: result types, filters, and their validation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from corpus.records import Dimension
from index import LoadedIndex
from index.build import KINDS
from practice_search.errors import QueryError

__all__ = [
    "ECMA_WHITESPACE",
    "Filters",
    "ResultType",
    "clean_query",
    "filter_masks",
    "is_blank",
]

# JSON Schema patterns are ECMA-262 regexes: this is what their \s matches, so the API
# schema's "q must match \S" and this module agree on which needs are blank
ECMA_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


class ResultType(StrEnum):
    ALL = "all"
    PASSAGE = "passage"
    CHECKLIST = "checklist"


@dataclass(frozen=True)
class Filters:
    """Restrict results; ``None`` means no restriction on that field."""

    doc: str | None = None
    dimension: str | None = None
    lang: str | None = None

    def validate(self, docs: list[str], langs: list[str]) -> Filters:
        """The filters with values checked against what the index holds.

        Raises:
            QueryError: naming the bad value and the allowed ones.
        """
        dims = [d.value for d in Dimension]
        for name, value, allowed in (
            ("doc", self.doc, docs),
            ("dimension", self.dimension, dims),
            ("lang", self.lang, langs),
        ):
            if value is not None and value not in allowed:
                raise QueryError(f"unknown {name} {value!r}; choose one of: {', '.join(allowed)}")
        return self


def is_blank(query: str) -> bool:
    """Only white space, as JSON Schema's ``\\S`` (ECMA-262) defines it."""
    return all(ch in ECMA_WHITESPACE for ch in query)


def clean_query(query: str) -> str:
    """The query with control characters dropped and spaces squeezed.

    The request model has already bounded its length; this judges the text itself.

    Raises:
        QueryError: blank query, or not valid text.
    """
    if is_blank(query):
        raise QueryError(
            "query is empty: type what you need, e.g. 'language barrier in healthcare'"
        )
    if any(unicodedata.category(ch) == "Cs" for ch in query):
        raise QueryError("query is not valid text (it holds an unpaired surrogate)")
    visible = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in query)
    return " ".join(visible.split())


def filter_masks(
    index: LoadedIndex,
) -> tuple[dict[str, dict[str, dict[str, np.ndarray]]], dict[str, list[str]]]:
    """Boolean row masks per (kind, field, value), and each row's language per kind.

    Made once at load, so a filtered search never compares Python objects row by row
    (a passage may come from several documents, hence a membership test for "doc").
    """
    facets = {
        kind: {f: index.facet(kind, f) for f in ("doc", "dimension", "lang")} for kind in KINDS
    }
    masks = {
        kind: {
            "doc": {
                doc: np.fromiter((doc in d for d in facets[kind]["doc"]), bool)
                for doc in index.documents
            },
            **{
                f: {str(v): facets[kind][f] == v for v in set(facets[kind][f])}
                for f in ("dimension", "lang")
            },
        }
        for kind in KINDS
    }
    return masks, {kind: [str(x) for x in facets[kind]["lang"]] for kind in KINDS}
