"""What every format parser returns, and the heading stack they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.blocks import Block, BlockBuilder

__all__ = ["Outline", "Parsed", "squeeze"]

_SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """One line: runs of white space (no-break spaces too) become one space."""
    return _SPACES.sub(" ", text).strip()


@dataclass
class Parsed:
    """A parser's result: blocks, and the title and page count when the file has them."""

    blocks: list[Block]
    title: str | None = None
    pages: int | None = None
    first_heading: str | None = None


@dataclass
class Outline:
    """Paragraphs under the current heading path, kept as blocks.

    ``heading(level, text)`` closes the headings at ``level`` or deeper and opens
    a new one, so ``h1 h2 h2 h1`` gives ``[a] [a, b] [a, c] [d]``; skipped levels
    (``h1`` then ``h3``) nest all the same.
    """

    _stack: list[tuple[int, str]] = field(default_factory=list)
    _builder: BlockBuilder = field(default_factory=BlockBuilder)
    first_heading: str | None = None

    def heading(self, level: int, text: str) -> None:
        text = squeeze(text)
        if not text:
            return
        if self.first_heading is None:
            self.first_heading = text
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        self._builder.start([t for _, t in self._stack])

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            if not self._builder.blocks:
                self._builder.start([])
            self._builder.add(text)

    def parsed(self, title: str | None = None, pages: int | None = None) -> Parsed:
        return Parsed(self._builder.result(), title, pages, self.first_heading)
