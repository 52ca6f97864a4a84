"""The records the index stores are exactly their TypedDicts."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from corpus import Corpus
from corpus.records import ChecklistRecord, DocumentRecord, PassageRecord, PracticeRecord


def test_to_dict_gives_exactly_the_record_types(corpus: Corpus) -> None:
    for kind, records in (
        (DocumentRecord, corpus.documents),
        (PracticeRecord, corpus.practices),
        (PassageRecord, corpus.passages),
        (ChecklistRecord, corpus.checklist),
    ):
        adapter = TypeAdapter[Any](kind)
        keys = list(kind.__annotations__)
        for record in records:
            row = record.to_dict()
            assert list(row) == keys, (kind.__name__, record.id)  # the order build writes
            adapter.validate_python(row, strict=True)
