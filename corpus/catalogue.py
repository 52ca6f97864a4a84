"""The checklist catalogue: unique recommendations with each practice's mark."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from corpus.records import ChecklistItem, Mark, stable_id
from corpus.spring import RawPractice

__all__ = ["build_catalogue", "item_key"]


def item_key(text: str) -> str:
    """Normalise an item so copies differing in case, spacing or final stop match."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


def build_catalogue(
    practices: list[tuple[str, RawPractice]],
) -> tuple[list[ChecklistItem], list[str]]:
    """Unique checklist items across practices, and the entries rejected.

    An entry is in the catalogue when some practice marks it (✓ or –); an
    unmarked entry counts only if it is a catalogue item (else it is page
    furniture). An entry that repeats the practice's own answer text is an
    extraction artefact, not a recommendation.

    Args:
        practices: (practice id, parsed practice) pairs, one per unique practice.
    """
    marked = {
        item_key(e.text)
        for _, p in practices
        for q in p.questions
        for e in q.checklist
        if e.mark is not Mark.UNMARKED
    }
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    places: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    marks: dict[str, dict[str, Mark]] = defaultdict(dict)
    rejected: list[str] = []
    for pid, practice in practices:
        for q in practice.questions:
            answer_keys = {item_key(a) for a in q.answer}
            for entry in q.checklist:
                key = item_key(entry.text)
                if key in answer_keys or key not in marked:
                    rejected.append(entry.text)
                    continue
                texts[key][entry.text] += 1
                places[key][(q.dimension.value, q.question)] += 1
                marks[key][pid] = entry.mark
    items = []
    for key, variants in texts.items():
        dimension, question = places[key].most_common(1)[0][0]
        text = max(variants, key=lambda t: (variants[t], t.endswith("."), len(t)))
        items.append(
            ChecklistItem(stable_id("c", key), text, dimension, question, dict(marks[key]))
        )
    items.sort(key=lambda i: (i.dimension, i.question, i.text))
    return items, rejected
