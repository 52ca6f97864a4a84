"""The result contract shared by every face (CLI, library, HTTP)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from retriever.highlight import Highlight
from retriever.views import DocRef, PracticeRef

__all__ = ["ChecklistResult", "PassageResult", "SearchResult"]


@dataclass
class PassageResult:
    id: str
    text: str
    score: float
    doc: DocRef
    sources: list[DocRef]
    practice: PracticeRef | None
    section: list[str]
    lang: str
    kind: str
    dimension: str | None
    question: str | None
    highlight: Highlight
    match: dict[str, dict[str, float]]


@dataclass
class ChecklistResult:
    id: str
    text: str
    score: float
    dimension: str
    question: str
    met_by: list[PracticeRef]
    not_met_by: list[PracticeRef]
    unmarked_by: list[PracticeRef]
    match: dict[str, dict[str, float]]


@dataclass
class SearchResult:
    query: str
    lang: str
    lang_confident: bool
    low_confidence: bool
    k: int
    offset: int
    passages: list[PassageResult] = field(default_factory=list)
    checklist: list[ChecklistResult] = field(default_factory=list)
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
