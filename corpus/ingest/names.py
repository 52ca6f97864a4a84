"""File names and folders: what may be taken in before a byte is read."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from practice_search.errors import DocumentRejected

__all__ = ["MAX_NAME_BYTES", "check_file_name", "iter_files", "tidy_stem"]

MAX_NAME_BYTES = 255  # what most file systems allow


def check_file_name(name: str) -> str:
    """The file name, if it is safe to keep and show.

    Raises:
        DocumentRejected: ``bad_name`` for an empty name, a path separator, a
            control character, a name over 255 bytes or one that is only dots.
    """
    if not name or not name.strip():
        raise DocumentRejected("bad_name", "the file name is empty")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise DocumentRejected(
            "bad_name",
            f"the file name {name!r} has control characters ({', '.join(map(repr, bad[:3]))})",
        )
    if "/" in name or "\\" in name:
        raise DocumentRejected(
            "bad_name", f"the file name {name!r} has a path separator; give the name only"
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise DocumentRejected(
            "bad_name", f"the file name is over {MAX_NAME_BYTES} bytes long: {name[:40]!r}…"
        )
    if set(name) == {"."}:
        raise DocumentRejected("bad_name", f"{name!r} is not a file name")
    return name


def tidy_stem(name: str) -> str:
    """A title made from a file name: ``annual_report-2024.pdf`` → ``Annual report 2024``."""
    stem = Path(name).stem if "." in name.strip(".") else name
    words = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else name


def iter_files(folder: Path) -> list[Path]:
    """The regular files under ``folder``, sorted, hidden files and folders skipped.

    Raises:
        DocumentRejected: ``outside_folder`` when a path resolves (through a symlink)
            to somewhere outside ``folder``.
    """
    root = folder.resolve()
    found: list[Path] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        real = path.resolve()
        if not real.is_relative_to(root):
            raise DocumentRejected(
                "outside_folder", f"{rel} points outside the folder {folder} (to {real})"
            )
        if real.is_file():
            found.append(path)
    return found
