"""The shapes the retriever hands out besides a search result: references inside
results, and the catalogue's views of documents, practices, checklist items and
similar passages.

They are TypedDicts, so the values stay plain dicts (the JSON every face prints);
the service names them as response models, so the OpenAPI schema documents them.
Key order is the order the views are built in, and the order they are served in.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from corpus.records import DocumentRecord, MarkValue
from retriever.highlight import Highlight

__all__ = [
    "AnswerGroup",
    "AnswerPassage",
    "ChecklistItemView",
    "ChecklistStatus",
    "DocRef",
    "DocumentView",
    "Highlight",
    "PracticeDetail",
    "PracticePassage",
    "PracticeRef",
    "PracticeSummary",
    "SimilarPassage",
]


class DocRef(TypedDict):
    """A source document, as results cite it."""

    id: str
    title: str
    file: str


class PracticeRef(TypedDict):
    """A practice, as results cite it."""

    id: str
    title: str
    organisation: str
    place: str


class DocumentView(DocumentRecord):
    """A document of ``/documents``: its record and how many passages it holds."""

    passages: int


class PracticeSummary(PracticeRef):
    """A practice of ``/practices``."""

    country: str
    city: str
    sources: list[DocRef]
    topics: list[str]


class AnswerPassage(TypedDict):
    id: str
    kind: str
    text: str


class AnswerGroup(TypedDict):
    """A practice's passages answering one criterion question."""

    dimension: str | None
    question: str
    passages: list[AnswerPassage]


class PracticePassage(TypedDict):
    """One of a practice's passages, in document order."""

    id: str
    section: list[str]
    kind: str
    dimension: str | None
    question: str | None
    text: str


class ChecklistStatus(TypedDict):
    """How a practice's checklist marks one recommendation."""

    id: str
    text: str
    dimension: str
    question: str
    status: MarkValue


class PracticeDetail(PracticeRef):
    """One practice (``/practices/{id}``): answers, passages and checklist statuses."""

    answers: list[AnswerGroup]
    city: str
    country: str
    summary: str
    topics: list[str]
    sources: list[DocRef]
    passages: list[PracticePassage]
    checklist: list[ChecklistStatus]


class ChecklistItemView(TypedDict):
    """A checklist recommendation with the practices that meet it, do not, or leave it
    unmarked (``/checklist``; a search result adds its score and match)."""

    id: str
    text: str
    dimension: str
    question: str
    met_by: list[PracticeRef]
    not_met_by: list[PracticeRef]
    unmarked_by: list[PracticeRef]


class SimilarPassage(TypedDict):
    """A passage like another one (``/similar/{id}``)."""

    id: str
    text: str
    score: float
    doc: DocRef
    practice: PracticeRef | None
    section: list[str]
    lang: str
