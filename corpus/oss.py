"""Parser for the Eurocities "How to guide: setting up a One-Stop-Shop".

Structure used: steps and their sub-headings (numbered ``1 - …`` / ``5. …``
lines, generic "What this involves?"), CHALLENGE/EXAMPLE blocks (kept with the
paragraph they introduce), and city examples, each a fixed series of fields
(Lead Agency, Context & rationale, Description, …, TOP 3 RECOMMENDATIONS).
Page numbers, video links, contacts and the imprint are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.blocks import Block, BlockBuilder, is_link_or_contact
from corpus.text import clean_inline, join_broken_lines
from practice_search.errors import CorpusError

__all__ = ["OssPractice", "parse_oss"]

FIELDS = {
    "lead agency": "Lead Agency",
    "context & rationale": "Context & rationale",
    "description": "Description",
    "resources needed": "Resources Needed",
    "results": "Results",
    "success factors": "Success Factors",
    "risks & challenges": "Risks & Challenges",
    "transferability": "Transferability",
    "do's": "Do's",
    "do's & recommendations": "Do's",
    "top 3 recommendations": "Top 3 recommendations",
}
_LABELS = {"CHALLENGE", "CHALLENGES", "CHALLENGES:", "EXAMPLE", "Tips:"}
_DROP = re.compile(r"^(INTRO|GOOD PRACTICES?|\d{1,2}|WATCH VIDEO.*|[A-Z ,]+, [A-Z ]+)$")
_SUBHEADINGS = {"What this involves?", "Additional information"}
_NUMBERED = re.compile(r"^\d{1,2}\s*(?:-|\.)\s+(\S.*)$")
_END_EXAMPLES = "Further Resources"
_GLOSSARY = "Glossary"
_NUMBERED_OR_BULLET = re.compile(r"^(\d+\.|- )")
_END = "Imprint"


@dataclass
class OssPractice:
    slug: str
    title: str
    organisation: str
    city: str
    country: str


def _is_heading(para: str) -> bool:
    return (
        len(para) <= 90
        and para[0].isupper()
        and not para.endswith((".", ",", ";", ":"))
        and not para.startswith(("- ", "* ", "“", '"'))
    )


def parse_oss(
    text: str, examples: dict[str, dict[str, str]]
) -> tuple[list[Block], list[OssPractice]]:
    """Blocks of the guide and its city examples (curated entries by title line)."""
    lines = [ln for ln in text.splitlines() if not is_link_or_contact(ln)]
    paragraphs = [clean_inline(p) for p in join_broken_lines(lines)]
    paragraphs = [p for p in paragraphs if p and not _DROP.match(p)]

    builder = BlockBuilder()
    found: list[OssPractice] = []
    step: list[str] = []
    example: dict[str, str] | None = None
    field_name: str | None = None
    pending_label: str | None = None
    intro: list[str] = []  # an example's subtitle lines, before its first field
    section = "guide"  # or "resources" (a reference list) or "glossary"
    for i, para in enumerate(paragraphs):
        if para.startswith(_END):
            break
        entry = examples.get(para)
        if entry is not None:
            if "Lead Agency" not in paragraphs[i + 1 : i + 5]:
                continue  # a cross-reference to the example, not the example
            example, field_name, intro = entry, None, []
            found.append(
                OssPractice(entry["slug"], entry["title"], "", entry["city"], entry["country"])
            )
            continue
        if example is not None:
            if para.startswith(_END_EXAMPLES):
                example, section = None, "resources"
                step = [para]
                builder.start(step)
                continue
            key = para.lower().rstrip(":")
            if key in FIELDS:
                field_name = FIELDS[key]
                builder.start(
                    ["City examples", example["title"], field_name], example["slug"], kind="field"
                )
                for line in intro:
                    builder.add(line)
                intro = []
                continue
            if field_name is None:
                intro.append(para)
            elif field_name == FIELDS["top 3 recommendations"] and not _NUMBERED_OR_BULLET.match(
                para
            ):
                continue  # contacts and references after the three recommendations
            else:
                if field_name == "Lead Agency":
                    org = found[-1].organisation
                    found[-1].organisation = f"{org} {para}".strip() if org else para.rstrip(",")
                builder.add(para)
            continue
        if para == _GLOSSARY:
            section, step = "glossary", [para]
            continue
        if section == "glossary" and _is_heading(para):
            builder.start([_GLOSSARY, para])
            continue
        if section == "resources":
            builder.add(para)
            continue
        if para in _LABELS:
            pending_label = para.rstrip(":").capitalize()
            continue
        numbered = _NUMBERED.match(para)
        if numbered and len(para) <= 200:
            builder.start([*step[:1], numbered.group(1)])
            step = [*step[:1], numbered.group(1)]
            continue
        if para in _SUBHEADINGS:
            builder.start([*step[:1], para])
            continue
        if _is_heading(para):
            step = [para]
            builder.start(step)
            continue
        if pending_label:
            if para.startswith("- "):
                builder.add(f"{pending_label}:")
            else:
                para = f"{pending_label}: {para}"
            pending_label = None
        builder.add(para)
    if len(found) != len(examples):
        missing = sorted(set(examples) - {p.title for p in found})
        raise CorpusError(f"one-stop-shop guide: city examples not found: {missing}")
    return builder.result(), found
