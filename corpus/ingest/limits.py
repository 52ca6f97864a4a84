"""The bounds a document file must stay within, and the checks that enforce them."""

from __future__ import annotations

from dataclasses import dataclass

from practice_search.errors import DocumentRejected

__all__ = ["IngestLimits", "check_size", "mib"]


@dataclass(frozen=True)
class IngestLimits:
    """How much one document may weigh, unpack to and span.

    ``max_unpacked_bytes`` bounds a DOCX archive's members (each and in total);
    ``max_ratio`` bounds how much more a member unpacks to than it weighs.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    max_ratio: int = 200
    max_members: int = 2000


def mib(n: int) -> str:
    """A size for a message: ``20 MB``, ``1.5 MB`` or ``300 bytes``."""
    if n < 1024 * 1024:
        return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def check_size(data: bytes, limits: IngestLimits) -> None:
    """Refuse an empty file or one over ``limits.max_bytes``."""
    if not data.strip():
        what = "empty" if not data else "blank (only white space)"
        raise DocumentRejected("empty", f"the file is {what}: there is nothing to index")
    if len(data) > limits.max_bytes:
        raise DocumentRejected(
            "too_large",
            f"the file is {mib(len(data))}, over the limit of {mib(limits.max_bytes)}",
        )
