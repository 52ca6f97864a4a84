"""Typed records the parsers produce and the index stores."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Literal, cast

# pydantic (the service's response models) reads TypedDicts from typing_extensions on 3.11
from typing_extensions import TypedDict

__all__ = [
    "ChecklistItem",
    "ChecklistRecord",
    "Dimension",
    "Document",
    "DocumentRecord",
    "Mark",
    "MarkValue",
    "Passage",
    "PassageRecord",
    "Practice",
    "PracticeRecord",
    "stable_id",
]


class Dimension(StrEnum):
    """The five dimensions of the SPRING Good Practice Criteria."""

    INCLUSIVITY = "Inclusivity & Participation"
    RELEVANCE = "Relevance & Complementarity"
    EFFECTIVENESS = "Effectiveness"
    SUSTAINABILITY = "Sustainability"
    PARTNERSHIP = "Partnership & Collaboration"


class Mark(StrEnum):
    """How a practice's checklist marks an item."""

    MET = "met"
    NOT_MET = "not_met"
    UNMARKED = "unmarked"


MarkValue = Literal["met", "not_met", "unmarked"]  # a Mark as stored and served


# The records as the index stores them (``to_dict``) and serves them back after loading:
# plain dicts, one key per field, in field order.


class DocumentRecord(TypedDict):
    id: str
    title: str
    file: str
    lang: str
    publisher: str


class PracticeRecord(TypedDict):
    id: str
    title: str
    organisation: str
    city: str
    country: str
    doc_ids: list[str]
    summary: str
    topics: list[str]
    place: str  # "city, country", either part left out when empty


class PassageRecord(TypedDict):
    id: str
    text: str
    context: str
    doc_ids: list[str]
    section: list[str]
    kind: str
    practice_id: str | None
    dimension: str | None
    question: str | None
    lang: str


class ChecklistRecord(TypedDict):
    id: str
    text: str
    dimension: str
    question: str
    marks: dict[str, MarkValue]  # practice id -> mark, sorted by practice id
    lang: str


def stable_id(prefix: str, *parts: str) -> str:
    """A content-derived id: the same content gives the same id in every build."""
    norm = "\x1f".join(re.sub(r"\s+", " ", p).strip().lower() for p in parts)
    return f"{prefix}-{hashlib.sha1(norm.encode('utf-8')).hexdigest()[:12]}"


@dataclass
class Document:
    """One source file of the corpus."""

    id: str
    title: str
    file: str
    lang: str
    publisher: str

    def to_dict(self) -> DocumentRecord:
        return cast(DocumentRecord, asdict(self))


@dataclass
class Practice:
    """A named practice: a SPRING practice, an ASAP practice or a city example."""

    id: str
    title: str
    organisation: str
    city: str
    country: str
    doc_ids: list[str]
    summary: str = ""
    topics: list[str] = field(default_factory=list)

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.country) if p)

    def to_dict(self) -> PracticeRecord:
        return cast(PracticeRecord, {**asdict(self), "place": self.place})


@dataclass
class Passage:
    """A readable unit that answers something, with what it needs to be found.

    ``text`` is what a reader sees; ``context`` (title, heading path, question)
    is prepended only when embedding and indexing.
    """

    id: str
    text: str
    context: str
    doc_ids: list[str]
    section: list[str]
    kind: str
    practice_id: str | None = None
    dimension: str | None = None
    question: str | None = None
    lang: str = "en"

    def title(self) -> str:
        """What the passage is about (practice, heading path, question), or ""."""
        return self.context

    def embed_text(self, with_context: bool = True) -> str:
        return f"{self.context}\n{self.text}" if with_context and self.context else self.text

    def to_dict(self) -> PassageRecord:
        return cast(PassageRecord, asdict(self))


@dataclass
class ChecklistItem:
    """One recommendation of the SPRING checklist catalogue."""

    id: str
    text: str
    dimension: str
    question: str
    marks: dict[str, Mark] = field(default_factory=dict)  # practice id -> mark
    lang: str = "en"

    def by_mark(self, mark: Mark) -> list[str]:
        return sorted(pid for pid, m in self.marks.items() if m is mark)

    def title(self) -> str:
        """What the recommendation answers: its dimension and criterion question."""
        return f"{self.dimension}. {self.question}"

    def embed_text(self, with_context: bool = True) -> str:
        return f"{self.title()}\n{self.text}" if with_context else self.text

    def to_dict(self) -> ChecklistRecord:
        return {
            "id": self.id,
            "text": self.text,
            "dimension": self.dimension,
            "question": self.question,
            "marks": {k: v.value for k, v in sorted(self.marks.items())},
            "lang": self.lang,
        }
