"""Parser for the SPRING good-practice files.

Structure: practice (starts at ``Inclusivity & Participation``) → dimension
heading (absent for two dimensions in file a) → fixed criterion question →
answer paragraphs, optional ``Inspiring tools:``, ``Good practice checklist``
items marked ``✓`` (met), ``–``/``−`` (not met) or unmarked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.framework import dimension_of, match_question
from corpus.records import Dimension, Mark
from corpus.text import clean_inline
from practice_search.errors import CorpusError

__all__ = ["RawChecklistEntry", "RawPractice", "RawQuestion", "parse_spring"]

_PRACTICE_START = Dimension.INCLUSIVITY.value
_DIMENSIONS = {d.value for d in Dimension}
_MARKS = {"✓": Mark.MET, "–": Mark.NOT_MET, "−": Mark.NOT_MET}
_MARK_RE = re.compile(r"^\s*([✓–−])\s*(.*)$")
_FOOTER_START = ("Consortium", "Subscribe to our newsletter", "© SPRING")


@dataclass
class RawChecklistEntry:
    text: str
    mark: Mark


@dataclass
class RawQuestion:
    dimension: Dimension
    question: str
    answer: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    checklist: list[RawChecklistEntry] = field(default_factory=list)
    stated_dimension: Dimension | None = None  # the heading above it, if the file has one


@dataclass
class RawPractice:
    doc_id: str
    ordinal: int
    questions: list[RawQuestion] = field(default_factory=list)

    @property
    def first_answer(self) -> str:
        for q in self.questions:
            if q.answer:
                return q.answer[0]
        return ""

    def fingerprint(self) -> str:
        """Answer text only: the same practice in two files has the same answers."""
        return "\n".join(" ".join(q.answer) for q in self.questions)


def parse_spring(text: str, doc_id: str) -> list[RawPractice]:
    """Split one SPRING file into practices with their questions and checklists.

    Raises:
        CorpusError: if the file has no practice or text before a question.
    """
    practices: list[RawPractice] = []
    current: RawPractice | None = None
    question: RawQuestion | None = None
    heading: Dimension | None = None
    block = "answer"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line == "Good Practice Criteria":
            continue
        if line.startswith(_FOOTER_START):
            break
        if line in _DIMENSIONS:
            if line == _PRACTICE_START:
                current = RawPractice(doc_id=doc_id, ordinal=len(practices) + 1)
                practices.append(current)
            heading, question = Dimension(line), None
            continue
        canonical = match_question(line)
        if canonical is not None:
            if current is None:
                raise CorpusError(f"{doc_id}:{lineno}: question before the first practice")
            question = RawQuestion(dimension_of(canonical), canonical, stated_dimension=heading)
            current.questions.append(question)
            block = "answer"
            continue
        if question is None:
            if current is None:
                continue  # preamble
            raise CorpusError(f"{doc_id}:{lineno}: text outside any question: {line[:60]!r}")
        if line == "Good practice checklist":
            block = "checklist"
        elif line.startswith("Inspiring tools"):
            block = "tools"
            rest = line.partition(":")[2].strip()
            if rest:
                question.tools.append(clean_inline(rest))
        elif block == "checklist":
            m = _MARK_RE.match(line)
            entry = (
                RawChecklistEntry(clean_inline(m.group(2)), _MARKS[m.group(1)])
                if m
                else RawChecklistEntry(clean_inline(line), Mark.UNMARKED)
            )
            question.checklist.append(entry)
        elif block == "tools":
            question.tools.append(clean_inline(line))
        else:
            question.answer.append(clean_inline(line))
    if not practices:
        raise CorpusError(f"{doc_id}: no practice found (no '{_PRACTICE_START}' line)")
    return practices
