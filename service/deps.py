"""Dependencies the routes declare: the loaded retriever, or 503 while it loads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from retriever import Retriever
from service.reload import index_version

__all__ = ["RetrieverDep", "get_retriever"]


async def get_retriever(request: Request) -> Retriever:  # async: no threadpool hop
    retriever: Retriever | None = request.app.state.retriever
    if retriever is None:
        reason = request.app.state.load_error or "the index and models are still loading"
        raise HTTPException(status_code=503, detail=reason, headers={"Retry-After": "5"})
    # the version this request answers from, for its X-Index-Version header
    request.state.index_version = index_version(retriever)
    return retriever


RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
