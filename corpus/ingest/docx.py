"""Word documents (.docx): Heading styles to the section path, lists and tables as lines.

The archive is checked before python-docx opens it: a DOCX is a zip, and a zip
can unpack to far more than it weighs (a "zip bomb").
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from corpus.ingest.limits import IngestLimits, mib
from corpus.ingest.structure import Outline, Parsed, squeeze
from practice_search.errors import DocumentRejected

__all__ = ["check_zip", "parse_docx"]

_HEADING = re.compile(r"^heading (\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)
# a member this small may compress very well (an XML file of repeated tags) without harm
_RATIO_FLOOR = 1024 * 1024


def check_zip(data: bytes, limits: IngestLimits) -> None:
    """Refuse an archive with too many members, or members that unpack to too much.

    The sizes checked are the ones the archive declares; Python's zipfile never
    reads a member past its declared size, so a lying header cannot get round it.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentRejected("corrupt", f"the Word archive is broken: {exc}") from exc
    if len(members) > limits.max_members:
        raise DocumentRejected(
            "zip_bomb",
            f"the Word archive has {len(members)} members, over the limit of {limits.max_members}",
        )
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > limits.max_unpacked_bytes or total > limits.max_unpacked_bytes:
            raise DocumentRejected(
                "zip_bomb",
                f"the Word archive unpacks to more than {mib(limits.max_unpacked_bytes)} "
                f"({m.filename} alone is {mib(m.file_size)})",
            )
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise DocumentRejected(
                "zip_bomb",
                f"the Word archive member {m.filename} unpacks {ratio:.0f} times its size "
                f"({mib(m.compress_size)} to {mib(m.file_size)}), over the limit of "
                f"{limits.max_ratio}",
            )


def _heading_level(paragraph: Paragraph) -> int | None:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return 0
    match = _HEADING.match(name or "")
    return int(match.group(1)) if match else None


def _is_list_item(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    ppr = paragraph._p.pPr
    return bool(_LIST_STYLE.match(name)) or (ppr is not None and ppr.numPr is not None)


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats itself
                continue
            seen.add(id(cell._tc))
            cells.append(squeeze(" ".join(p.text for p in cell.paragraphs)))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def parse_docx(data: bytes, limits: IngestLimits) -> Parsed:
    """Blocks under the Heading path; the title from the core properties, else the
    paragraph in the Title style, else the first heading."""
    check_zip(data, limits)
    try:
        document = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentRejected("corrupt", f"the Word document cannot be read: {exc}") from exc
    outline = Outline()
    styled_title = None
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            for row in _table_rows(part):
                outline.paragraph(row)
            continue
        text = squeeze(part.text)
        if not text:
            continue
        level = _heading_level(part)
        if level == 0:
            styled_title = styled_title or text
            outline.heading(1, text)
        elif level is not None:
            outline.heading(level + 1, text)  # below a Title, if there is one
        elif _is_list_item(part):
            outline.paragraph(f"- {text}")
        else:
            outline.paragraph(text)
    meta_title = squeeze(document.core_properties.title or "")
    return outline.parsed(meta_title or styled_title)
