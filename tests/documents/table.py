"""The hostile files every face (command line and admin API) must refuse, and what a
refusal must leave behind: the same index version, the same documents, no temporary
file. Shared by the command-line and the API tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests import documents_factory as f

__all__ = ["HOSTILE", "Hostile", "leftovers", "snapshot"]


@dataclass(frozen=True)
class Hostile:
    """A file to refuse: its name, its bytes (None: made by the face, e.g. 2 GB) and
    the reason code the refusal must give."""

    case: str
    name: str
    data: Callable[[], bytes] | None
    code: str


HOSTILE = [
    Hostile("empty", "empty.txt", lambda: b"", "empty"),
    Hostile("fake-pdf", "report.pdf", lambda: f.text_bytes(f.EN), "not_pdf"),
    Hostile("encrypted-pdf", "locked.pdf", f.encrypted_pdf_bytes, "encrypted_pdf"),
    Hostile("pdf-without-text", "scan.pdf", f.no_text_pdf_bytes, "no_text"),
    Hostile("docx-zip-bomb", "bomb.docx", f.zip_bomb_bytes, "zip_bomb"),
    Hostile("2-gb", "huge.txt", None, "too_large"),
    Hostile("control-characters", "bad\x1bname.txt", lambda: b"text", "bad_name"),
    Hostile("unknown-format", "data.bin", lambda: bytes(range(256)) * 8, "unknown_format"),
]
TWO_GB = 2 * 1024**3


def leftovers(data_dir: Path) -> list[str]:
    """Temporary files or folders a change left in the data dir."""
    return sorted(
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.name.startswith((".tmp-", ".old-", ".current-"))
    )


def snapshot(data_dir: Path) -> tuple[str, list[str]]:
    """The served index version and every file of the document store."""
    store = data_dir / "documents"
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.exists() else []
    return os.readlink(data_dir / "current"), files
