"""Browsing by id: ``/documents``, ``/practices``, ``/checklist``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from retriever.views import ChecklistItemView, DocumentView, PracticeDetail, PracticeSummary
from service.deps import RetrieverDep
from service.responses import json_body
from service.schemas import ErrorBody

router = APIRouter(tags=["catalogue"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No record with this id"},
    503: {"model": ErrorBody, "description": "Index or models not loaded"},
}
Id = Annotated[str, Path(max_length=64)]


@router.get("/documents", response_model=list[DocumentView], responses=NOT_FOUND)
def documents(retriever: RetrieverDep) -> Response:
    """The source documents, with their passage counts."""
    return json_body(retriever.catalog.documents())


@router.get("/practices", response_model=list[PracticeSummary], responses=NOT_FOUND)
def practices(retriever: RetrieverDep) -> Response:
    """Every practice: title, organisation, place, sources."""
    return json_body(retriever.catalog.practices())


@router.get("/practices/{practice_id}", response_model=PracticeDetail, responses=NOT_FOUND)
def practice(retriever: RetrieverDep, practice_id: Id) -> Response:
    """One practice: its answers by dimension and question, and its checklist statuses."""
    return json_body(retriever.catalog.practice(practice_id))


@router.get("/checklist", response_model=list[ChecklistItemView], responses=NOT_FOUND)
def checklist(retriever: RetrieverDep) -> Response:
    """The catalogue of checklist recommendations."""
    return json_body(retriever.catalog.checklist())


@router.get("/checklist/{item_id}", response_model=ChecklistItemView, responses=NOT_FOUND)
def checklist_item(retriever: RetrieverDep, item_id: Id) -> Response:
    """One recommendation with its dimension, question, met_by and not_met_by."""
    return json_body(retriever.catalog.checklist_item(item_id))
