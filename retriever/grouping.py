"""Passages grouped by practice (or, without one, by document section), ranking kept.

Grouping only arranges a ranked page: it neither drops, adds nor reorders passages
in ``result.passages``. Each group lists the positions of its passages in that page,
best first, and the groups come in the order of their best passage's rank, so the
first group holds the best passage, and a group's first passage is better than the
first passage of every later group.
"""

from __future__ import annotations

from collections.abc import Sequence

from retriever.results import PassageGroup, PassageResult

__all__ = ["group_key", "group_passages"]

# joins a section path inside a group key; the CLI shows section paths the same way
SECTION_JOIN = " › "


def group_key(passage: PassageResult) -> str:
    """The practice id, or ``<document id>#<section path joined by " › ">`` for a
    passage outside every practice (practice ids never hold ``#``)."""
    if passage.practice is not None:
        return passage.practice["id"]
    return f"{passage.doc['id']}#{SECTION_JOIN.join(passage.section)}"


def _title(passage: PassageResult) -> str:
    if passage.practice is not None:
        return passage.practice["title"]
    return passage.section[-1] if passage.section else passage.doc["title"]


def group_passages(passages: Sequence[PassageResult]) -> list[PassageGroup]:
    """The ranked page's passages grouped by :func:`group_key`.

    A group takes its title, practice and document from its best passage; its
    ``passages`` are positions in ``passages``, in rank order."""
    groups: dict[str, PassageGroup] = {}
    for position, passage in enumerate(passages):
        key = group_key(passage)
        group = groups.get(key)
        if group is None:
            groups[key] = PassageGroup(
                key=key,
                title=_title(passage),
                practice=passage.practice,
                doc=passage.doc,
                passages=[position],
            )
        else:
            group["passages"].append(position)
    return list(groups.values())
