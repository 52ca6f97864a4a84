"""What a caller may ask: result types, filters, and their validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from corpus.records import Dimension
from practice_search.errors import QueryError

__all__ = ["Filters", "ResultType", "validate_query"]

_WORD = re.compile(r"\w")  # a need has at least one letter or digit


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


def validate_query(query: str, k: int, offset: int, max_chars: int, max_k: int) -> str:
    """The query stripped of surrounding space, or QueryError saying what is wrong."""
    if not isinstance(query, str):
        raise QueryError("query must be text")
    text = " ".join(query.split())
    if not _WORD.search(text):
        raise QueryError(
            "query is empty (no letters or digits): type what you need, "
            "e.g. 'language barrier in healthcare'"
        )
    if len(text) > max_chars:
        raise QueryError(f"query is {len(text)} characters long; the limit is {max_chars}")
    if not 1 <= k <= max_k:
        raise QueryError(f"k must be between 1 and {max_k}, got {k}")
    if offset < 0 or offset > 10 * max_k:
        raise QueryError(f"offset must be between 0 and {10 * max_k}, got {offset}")
    return text
