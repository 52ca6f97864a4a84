"""Request bodies and documented error shapes of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from retriever import ResultType

__all__ = ["MAX_K", "MAX_OFFSET", "MAX_QUERY", "ErrorBody", "SearchRequest"]

MAX_QUERY = 500
MAX_K = 100
MAX_OFFSET = 1000


class SearchRequest(BaseModel):
    """The body of ``POST /search``: the same fields as ``GET /search``."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1, max_length=MAX_QUERY, description="The need, in English or Italian."
    )
    k: int = Field(default=10, ge=1, le=MAX_K, description="Results per type.")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET, description="Results to skip (paging).")
    type: ResultType = ResultType.ALL
    doc: str | None = Field(default=None, description="Only this document id.")
    dimension: str | None = Field(default=None, description="Only this SPRING dimension.")
    lang: str | None = Field(default=None, description="Only passages in this language.")


class ErrorDetail(BaseModel):
    status: int
    type: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
