"""Documented error shapes of the API (the request model is the library's:
:mod:`retriever.request`)."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["ErrorBody", "ErrorDetail"]


class ErrorDetail(BaseModel):
    status: int
    type: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
