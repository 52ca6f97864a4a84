"""Request bodies and documented error shapes of the API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from corpus.records import Dimension
from retriever import ResultType

__all__ = ["MAX_K", "MAX_OFFSET", "MAX_QUERY", "DocId", "ErrorBody", "Lang", "SearchRequest"]

# the filter values, spelled out so the OpenAPI schema says exactly what is accepted
# (tests check them against corpus.DOCUMENTS and the corpus languages)
DocId = Literal["spring-a", "spring-b", "asap", "oss", "regin"]
Lang = Literal["en", "it"]

MAX_QUERY = 500
# "not blank": documented in the schema; checked by the retriever with ECMA-262's
# white space (pydantic's regex engine has another idea of \s, so it does not check it)
QUERY_SCHEMA: dict[str, Any] = {"pattern": r"\S"}
MAX_K = 100
MAX_OFFSET = 1000


class SearchRequest(BaseModel):
    """The body of ``POST /search``: the same fields as ``GET /search``."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY,
        json_schema_extra=QUERY_SCHEMA,
        description="The need, in English or Italian (not blank).",
    )
    k: int = Field(default=10, ge=1, le=MAX_K, description="Results per type.")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="Results to skip (paging).")
    type: ResultType = ResultType.ALL
    doc: DocId | None = Field(default=None, description="Only this document id.")
    dimension: Dimension | None = Field(default=None, description="Only this SPRING dimension.")
    lang: Lang | None = Field(default=None, description="Only passages in this language.")

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


class ErrorDetail(BaseModel):
    status: int
    type: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
