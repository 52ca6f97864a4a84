"""The result contract shared by every face (CLI, library, HTTP)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from pydantic import ConfigDict, Field
from typing_extensions import TypedDict

from retriever.highlight import Highlight
from retriever.views import DocRef, PracticeRef

__all__ = ["ChecklistResult", "PassageGroup", "PassageResult", "SearchResult"]


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


class PassageGroup(TypedDict):
    """Passages of one practice, or of one document section when they have none
    (``group="practice"``; see :mod:`retriever.grouping`).

    ``key`` is the practice id, or ``<document id>#<section path joined by " › ">``;
    ``title`` the practice's title, or the section's heading (the document's title
    when the passage has no section); ``practice`` and ``doc`` are the best passage's;
    ``passages`` are positions in the result's ``passages``, best first."""

    key: str
    title: str
    practice: PracticeRef | None
    doc: DocRef
    passages: list[int]


@dataclass
class SearchResult:
    # the documented schema says what a body always holds: every field but `groups`
    __pydantic_config__ = ConfigDict(json_schema_serialization_defaults_required=True)

    query: str
    lang: str
    lang_confident: bool
    low_confidence: bool
    k: int
    offset: int
    passages: list[PassageResult] = field(default_factory=list)
    checklist: list[ChecklistResult] = field(default_factory=list)
    message: str | None = None
    # only with group="practice": absent (not null) otherwise, in to_dict and in what a
    # pydantic adapter writes, so a client that does not ask gets the result it always got
    groups: Annotated[list[PassageGroup] | None, Field(exclude_if=lambda v: v is None)] = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.groups is None:
            del data["groups"]
        return data
