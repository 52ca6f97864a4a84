"""Browsing the index by id: documents, practices, checklist items, similar passages."""

from __future__ import annotations

import functools
from typing import overload

import numpy as np

from corpus.records import ChecklistRecord
from index import LoadedIndex
from practice_search.errors import NotFound
from retriever.views import (
    AnswerGroup,
    ChecklistItemView,
    ChecklistStatus,
    DocRef,
    DocumentView,
    PracticeDetail,
    PracticePassage,
    PracticeRef,
    PracticeSummary,
    SimilarPassage,
)

__all__ = ["Catalog"]


class Catalog:
    """Read-only views of the records, shaped like the search results."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self._by_practice: dict[str, list[int]] = {}
        for row, rec in enumerate(index.records["passages"]):
            pid = rec.get("practice_id")
            if pid:
                self._by_practice.setdefault(pid, []).append(row)

    @overload
    def practice_ref(self, pid: str) -> PracticeRef: ...
    @overload
    def practice_ref(self, pid: str | None) -> PracticeRef | None: ...
    def practice_ref(self, pid: str | None) -> PracticeRef | None:
        """The short form of a practice used inside results (None for no practice)."""
        if pid is None:
            return None
        p = self.index.practices[pid]
        return {
            "id": p["id"],
            "title": p["title"],
            "organisation": p["organisation"],
            "place": p["place"],
        }

    def doc_ref(self, doc_id: str) -> DocRef:
        d = self.index.documents[doc_id]
        return {"id": d["id"], "title": d["title"], "file": d["file"]}

    @functools.cached_property
    def _passage_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rec in self.index.records["passages"]:
            for d in rec["doc_ids"]:
                counts[d] = counts.get(d, 0) + 1
        return counts

    def documents(self) -> list[DocumentView]:
        counts = self._passage_counts  # counted once, not on every /documents request
        return [{**d, "passages": counts.get(d["id"], 0)} for d in self.index.documents.values()]

    def practices(self) -> list[PracticeSummary]:
        return [
            {
                **self.practice_ref(p["id"]),
                "country": p["country"],
                "city": p["city"],
                "sources": [self.doc_ref(d) for d in p["doc_ids"]],
                "topics": p.get("topics", []),
            }
            for p in self.index.practices.values()
        ]

    def practice(self, pid: str) -> PracticeDetail:
        """One practice with its passages in document order and its checklist marks.

        Raises:
            NotFound: no practice with this id.
        """
        p = self.index.practices.get(pid)
        if p is None:
            raise NotFound(f"no practice with id {pid!r}")
        sections: list[PracticePassage] = []
        for row in self._by_practice.get(pid, []):
            rec = self.index.records["passages"][row]
            sections.append(
                {
                    "id": rec["id"],
                    "section": rec["section"],
                    "kind": rec["kind"],
                    "dimension": rec.get("dimension"),
                    "question": rec.get("question"),
                    "text": rec["text"],
                }
            )
        answers: dict[tuple[str | None, str], AnswerGroup] = {}
        for s in sections:
            question = s["question"]
            if question:
                group = answers.setdefault(
                    (s["dimension"], question),
                    {"dimension": s["dimension"], "question": question, "passages": []},
                )
                group["passages"].append({"id": s["id"], "kind": s["kind"], "text": s["text"]})
        checklist: list[ChecklistStatus] = [
            {
                "id": c["id"],
                "text": c["text"],
                "dimension": c["dimension"],
                "question": c["question"],
                "status": c["marks"][pid],
            }
            for c in self.index.records["checklist"]
            if pid in c["marks"]
        ]
        return {
            **self.practice_ref(pid),
            "answers": list(answers.values()),
            "city": p["city"],
            "country": p["country"],
            "summary": p.get("summary", ""),
            "topics": p.get("topics", []),
            "sources": [self.doc_ref(d) for d in p["doc_ids"]],
            "passages": sections,
            "checklist": checklist,
        }

    def checklist(self) -> list[ChecklistItemView]:
        return [self.item(c) for c in self.index.records["checklist"]]

    def checklist_item(self, item_id: str) -> ChecklistItemView:
        """Raises NotFound if no checklist item has this id."""
        loc = self.index.row_of.get(item_id)
        if loc is None or loc[0] != "checklist":
            raise NotFound(f"no checklist item with id {item_id!r}")
        return self.item(self.index.records["checklist"][loc[1]])

    def item(self, c: ChecklistRecord) -> ChecklistItemView:
        """A checklist record with the practices that meet it, do not, or leave it unmarked."""
        by: dict[str, list[PracticeRef]] = {"met": [], "not_met": [], "unmarked": []}
        for pid, mark in sorted(c["marks"].items()):
            by[mark].append(self.practice_ref(pid))
        return {
            "id": c["id"],
            "text": c["text"],
            "dimension": c["dimension"],
            "question": c["question"],
            "met_by": by["met"],
            "not_met_by": by["not_met"],
            "unmarked_by": by["unmarked"],
        }

    def similar(self, passage_id: str, k: int = 5) -> list[SimilarPassage]:
        """Passages closest to this one (first dense encoder) from other practices/documents.

        Raises:
            NotFound: no passage with this id.
        """
        loc = self.index.row_of.get(passage_id)
        if loc is None or loc[0] != "passages":
            raise NotFound(f"no passage with id {passage_id!r}")
        rows = self.index.records["passages"]
        source = rows[loc[1]]
        encoder = self.index.manifest.encoders[0].name
        vectors = self.index.vectors[encoder]["passages"]
        query = vectors.reconstruct(loc[1])[None, :]
        scores, found = vectors.search(np.ascontiguousarray(query), min(vectors.size, 10 * k + 50))
        out: list[SimilarPassage] = []
        for score, row in zip(scores[0], found[0], strict=True):
            if row < 0:
                continue
            rec = rows[int(row)]
            same = (
                rec.get("practice_id") == source.get("practice_id")
                if source.get("practice_id")
                else set(rec["doc_ids"]) & set(source["doc_ids"])
                and rec["section"][:1] == source["section"][:1]
            )
            if same:
                continue
            out.append(
                {
                    "id": rec["id"],
                    "text": rec["text"],
                    "score": round(float(score), 4),
                    "doc": self.doc_ref(rec["doc_ids"][0]),
                    "practice": self.practice_ref(rec["practice_id"])
                    if rec.get("practice_id")
                    else None,
                    "section": rec["section"],
                    "lang": rec["lang"],
                }
            )
            if len(out) == k:
                break
        return out
