"""One request model for a search, with its bounds taken from the settings.

Every face builds the same :class:`SearchRequest`: the HTTP service from query
parameters (``GET``) or a JSON body (``POST``), the CLI from its options and its
``--jsonl`` lines, the library from :meth:`retriever.Retriever.search`'s arguments.
The bounds (``k``, ``offset``, query length) and the default ``k`` come from
:class:`~practice_search.config.Settings`, so ``/openapi.json``, HTTP, the CLI and
the library cannot disagree. What only the loaded index can judge (which documents
and languages it holds, whether the text is blank once cleaned) is checked by the
retriever when it runs the request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpus.records import Dimension
from practice_search.config import Settings
from practice_search.errors import QueryError
from retriever.query import Filters, ResultType, is_blank

__all__ = [
    "QUERY_SCHEMA",
    "DocId",
    "Grouping",
    "Lang",
    "Limits",
    "SearchRequest",
    "body_model",
    "query_model",
    "search_request",
]

# the filter values, spelled out so the OpenAPI schema says exactly what is accepted
# (tests check them against corpus.DOCUMENTS and the corpus languages)
DocId = Literal["spring-a", "spring-b", "asap", "oss", "regin"]
# the doc filter takes a bundled id or an added document's (checked against the index)
DocFilter = Annotated[
    str, Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", examples=list(get_args(DocId)))
]
Lang = Literal["en", "it"]
# how the passages of a page are arranged (see retriever.grouping)
Grouping = Literal["none", "practice"]
_GROUP_DESCRIPTION = (
    '"none": the ranked passages only (the result as without this field). "practice": '
    "the same ranked page, plus `groups`: the passages of one practice (or, outside "
    "every practice, of one document section) under one heading, best passage first, "
    "groups in the order of their best passage. `k` still counts passages."
)
# "not blank": documented in the schema; checked by the retriever with ECMA-262's
# white space (pydantic's regex engine has another idea of \s, so it does not check it)
QUERY_SCHEMA: dict[str, Any] = {"pattern": r"\S"}


@dataclass(frozen=True)
class Limits:
    """The bounds of a request: ``k`` in 1..max_k, ``offset`` in 0..10·max_k."""

    max_k: int = 100
    max_query_chars: int = 500
    default_k: int = 10

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.max_k, settings.max_query_chars, min(settings.default_k, settings.max_k)
        )

    @property
    def max_offset(self) -> int:
        return 10 * self.max_k


class SearchRequest(BaseModel):
    """A need and how to page and filter its results (the fields of ``/search``)."""

    model_config = ConfigDict(frozen=True)
    limits: ClassVar[Limits]

    q: str = Field(description="The need, in English or Italian (not blank).")
    k: int = Field(default=10, description="Results per type.")
    offset: int = Field(default=0, description="Results to skip (paging).")
    type: ResultType = ResultType.ALL
    doc: DocFilter | None = Field(
        default=None,
        description="Only this document id: a bundled one or an added one (see /documents).",
    )
    dimension: Dimension | None = Field(default=None, description="Only this SPRING dimension.")
    lang: Lang | None = Field(default=None, description="Only passages in this language.")
    group: Grouping = Field(default="none", description=_GROUP_DESCRIPTION)

    @property
    def filters(self) -> Filters:
        dimension = self.dimension.value if self.dimension else None
        return Filters(doc=self.doc, dimension=dimension, lang=self.lang)


def _bounded(limits: Limits, base: type[SearchRequest], name: str, doc: str) -> type[SearchRequest]:
    """``base`` with the bounds of ``limits`` on q, k and offset."""

    class Bounded(base):  # type: ignore[valid-type,misc]
        __doc__ = doc
        q: str = Field(
            min_length=1,
            max_length=limits.max_query_chars,
            json_schema_extra=QUERY_SCHEMA,
            description="The need, in English or Italian (not blank).",
        )
        k: int = Field(
            default=limits.default_k, ge=1, le=limits.max_k, description="Results per type."
        )
        offset: int = Field(
            default=0, ge=0, le=limits.max_offset, description="Results to skip (paging)."
        )

    Bounded.limits = limits
    Bounded.__name__ = Bounded.__qualname__ = name
    Bounded.model_rebuild(force=True)
    return Bounded


class _Body(SearchRequest):
    """The JSON form: no unknown fields, and integers as JSON Schema counts them."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("k", "offset", mode="before")
    @classmethod
    def _json_integer(cls, value: object) -> object:
        """A JSON integer: 6 or 6.0, but not true, "6" or 6.5 (JSON Schema's rule)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be an integer")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("must be an integer")
            return int(value)
        return value


@functools.cache
def query_model(limits: Limits) -> type[SearchRequest]:
    """The request read from text fields (URL query parameters, CLI options, JSONL
    lines): numbers may come as text, fields it does not know are ignored."""
    return _bounded(limits, SearchRequest, "SearchQuery", "A search from text fields.")


@functools.cache
def body_model(limits: Limits) -> type[SearchRequest]:
    """The request as the body of ``POST /search``."""
    return _bounded(
        limits, _Body, "SearchRequest", "The body of ``POST /search``: the fields of ``GET``."
    )


def _message(err: Any, limits: Limits, docs: list[str], langs: list[str]) -> str:
    """One pydantic error in the words the library has always used."""
    field, value = str(err["loc"][0]) if err["loc"] else "", err.get("input")
    if field == "q":
        if not isinstance(value, str):
            return "query must be text"
        if is_blank(value):
            return "query is empty: type what you need, e.g. 'language barrier in healthcare'"
        if err["type"] == "string_too_long":
            return f"query is {len(value)} characters long; the limit is {limits.max_query_chars}"
        if err["type"] == "string_unicode":
            return "query is not valid text (it holds an unpaired surrogate)"
        return f"query: {err['msg']}"
    if field == "k":
        return f"k must be between 1 and {limits.max_k}, got {value}"
    if field == "offset":
        return f"offset must be between 0 and {limits.max_offset}, got {value}"
    allowed = {
        "type": [t.value for t in ResultType],
        "doc": docs,
        "dimension": [d.value for d in Dimension],
        "lang": langs,
        "group": list(get_args(Grouping)),
    }.get(field)
    if allowed is None:
        return f"{field}: {err['msg']}" if field else str(err["msg"])
    if field == "type":
        return f"unknown type {value!r}; choose one of: {', '.join(allowed)}"
    return f"unknown {field} {value!r}; choose one of: {', '.join(allowed)}"


def search_request(
    limits: Limits,
    query: object,
    k: object = None,
    offset: object = 0,
    type: object = ResultType.ALL,
    filters: Filters | None = None,
    *,
    group: object = "none",
    docs: list[str] | None = None,
    langs: list[str] | None = None,
) -> SearchRequest:
    """A validated request from a library call's arguments.

    Args:
        docs, langs: the values the index holds, named in the error message
            (default: every bundled document, English and Italian).

    Raises:
        QueryError: the first problem, in words (the query, then k, offset, type,
            filters, group).
    """
    fields: dict[str, object] = {"q": query, "offset": offset, "type": type, "group": group}
    if k is not None:
        fields["k"] = k
    if filters is not None:
        fields |= {"doc": filters.doc, "dimension": filters.dimension, "lang": filters.lang}
    try:
        return query_model(limits).model_validate(fields)
    except ValidationError as exc:
        order = ["q", "k", "offset", "type", "doc", "dimension", "lang", "group"]
        errors = sorted(
            exc.errors(),
            key=lambda e: order.index(e["loc"][0]) if e["loc"] and e["loc"][0] in order else 99,
        )
        docs = docs if docs is not None else sorted(get_args(DocId))
        langs = langs if langs is not None else list(get_args(Lang))
        raise QueryError(_message(errors[0], limits, docs, langs)) from None
