"""Sections of prose documents before they are cut into passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "BlockBuilder", "is_link_or_contact"]

_CONTACT = re.compile(
    r"(@[\w-]+\.\w+|\+\d[\d ]{6,}|^\s*\[[^\]]*\]\(#\)\s*$|^\s*[A-Z][\w' ]+ Street, )"
)


def is_link_or_contact(line: str) -> bool:
    """Lines that are only a link, an e-mail, a phone number or a street address."""
    return bool(_CONTACT.search(line))


@dataclass
class Block:
    """Consecutive paragraphs under one heading path (and maybe one practice)."""

    section: list[str]
    paragraphs: list[str] = field(default_factory=list)
    practice_slug: str | None = None
    kind: str = "section"


class BlockBuilder:
    """Collects paragraphs, starting a new block whenever the heading path changes."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def start(
        self, section: list[str], practice_slug: str | None = None, kind: str = "section"
    ) -> None:
        self.blocks.append(Block(list(section), practice_slug=practice_slug, kind=kind))

    def add(self, paragraph: str) -> None:
        if not self.blocks:
            self.start([])
        self.blocks[-1].paragraphs.append(paragraph)

    def result(self) -> list[Block]:
        return [b for b in self.blocks if b.paragraphs]
