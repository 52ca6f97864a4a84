"""Browsing by id: ``/documents``, ``/practices``, ``/checklist``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from service.deps import RetrieverDep
from service.schemas import ErrorBody

router = APIRouter(tags=["catalogue"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No record with this id"},
    503: {"model": ErrorBody, "description": "Index or models not loaded"},
}
Id = Annotated[str, Path(max_length=64)]


@router.get("/documents", responses=NOT_FOUND)
def documents(retriever: RetrieverDep) -> list[dict[str, Any]]:
    """The source documents, with their passage counts."""
    return retriever.catalog.documents()


@router.get("/practices", responses=NOT_FOUND)
def practices(retriever: RetrieverDep) -> list[dict[str, Any]]:
    """Every practice: title, organisation, place, sources."""
    return retriever.catalog.practices()


@router.get("/practices/{practice_id}", responses=NOT_FOUND)
def practice(retriever: RetrieverDep, practice_id: Id) -> dict[str, Any]:
    """One practice: its answers by dimension and question, and its checklist statuses."""
    return retriever.catalog.practice(practice_id)


@router.get("/checklist", responses=NOT_FOUND)
def checklist(retriever: RetrieverDep) -> list[dict[str, Any]]:
    """The catalogue of checklist recommendations."""
    return retriever.catalog.checklist()


@router.get("/checklist/{item_id}", responses=NOT_FOUND)
def checklist_item(retriever: RetrieverDep, item_id: Id) -> dict[str, Any]:
    """One recommendation with its dimension, question, met_by and not_met_by."""
    return retriever.catalog.checklist_item(item_id)
