"""Parser for the ASAP report "Nothing about us without us" (a PDF extraction).

Structure used: the table of contents names the sections (its page numbers are
dropped); a practice is a section whose heading is followed by an
``organisation | place`` line; a short line ending in ``:`` is a sub-heading
(recommendation titles). Credits and funding lines at the end are boilerplate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.blocks import Block, BlockBuilder
from corpus.text import clean_inline, join_broken_lines
from practice_search.errors import CorpusError

__all__ = ["AsapPractice", "parse_asap"]

_TOC_LINE = re.compile(r"^(.*\S)\s*\t\s*\d+\s*$")
_COUNTRY_SUFFIX = re.compile(r"\s+-\s+[A-Z]{3,}$")
_END = "Credits"


@dataclass
class AsapPractice:
    slug: str
    title: str
    organisation: str
    place: str


def _is_subheading(para: str, nxt: str) -> bool:
    """A short untitled line that introduces a list or a long paragraph."""
    shaped = (
        len(para) <= 100
        and para[:1].isupper()
        and not para.endswith((".", ",", ";", ":"))
        and "(" not in para
    )
    introduces_list = nxt.startswith("- ") or bool(re.match(r"\d+\. ", nxt))
    return shaped and (introduces_list or (len(para) <= 60 and len(nxt) > 200))


def _words(text: str, n: int) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()[:n]


def parse_asap(
    text: str, practices: dict[str, dict[str, str]]
) -> tuple[list[Block], list[AsapPractice]]:
    """Blocks of the ASAP report and the practices it describes.

    Args:
        text: the raw file.
        practices: curated entries by ``match`` prefix (slug, title, country).
    """
    lines = text.splitlines()
    toc = [_COUNTRY_SUFFIX.sub("", m.group(1)) for m in map(_TOC_LINE.match, lines) if m]
    if not toc:
        raise CorpusError("asap: no table of contents found")
    body_lines = [ln for ln in lines if not _TOC_LINE.match(ln)]
    start = next((i for i, ln in enumerate(body_lines) if ln.strip() == toc[0]), None)
    if start is None:
        raise CorpusError(f"asap: first section {toc[0]!r} not found after the contents")
    paragraphs = [clean_inline(p) for p in join_broken_lines(body_lines[start:])]
    toc_keys = [_words(t, 3) for t in toc]
    next_toc = 0  # contents entries appear in the body in order: match each once

    def toc_index(para: str) -> int | None:
        if para.startswith(("- ", "(")) or para.endswith((".", ":")) or len(para) > 200:
            return None
        words = _words(para, 3)
        return next((j for j in range(next_toc, len(toc)) if toc_keys[j] == words), None)

    builder = BlockBuilder()
    found: list[AsapPractice] = []
    heading: list[str] = []
    practice: str | None = None
    for i, para in enumerate(paragraphs):
        if para == _END:
            break
        nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
        entry = next((e for m, e in practices.items() if para.startswith(m)), None)
        if entry is not None and ("|" in para or "|" in nxt):
            title_line, org_line = (para, nxt) if "|" not in para else (entry["match"], para)
            org_line = org_line.removeprefix(entry["match"]).strip()
            organisation, _, place = (s.strip() for s in org_line.partition("|"))
            practice = entry["slug"]
            heading = [heading[0] if heading else "", title_line]
            found.append(AsapPractice(practice, entry["title"], organisation, place))
            builder.start(heading, practice, kind="practice")
            j = toc_index(title_line)
            next_toc = next_toc if j is None else j + 1
            continue
        if "|" in para and len(para) < 120 and practice:
            continue  # the organisation line of the practice just started
        j = toc_index(para)
        if j is not None:
            next_toc = j + 1
            heading, practice = [para], None
            builder.start(heading)
            continue
        if para.endswith(":") and len(para) <= 80 and not para.startswith("- "):
            builder.start([*heading[:2], para.rstrip(":")], practice)
            continue
        if _is_subheading(para, nxt):
            builder.start([heading[0] if heading else "", para], practice)
            continue
        builder.add(para)
    if len(found) != len(practices):
        missing = sorted(set(e["slug"] for e in practices.values()) - {p.slug for p in found})
        raise CorpusError(f"asap: practices not found in the text: {missing}")
    return builder.result(), found
