"""Parser for the REGIN text (Italian): one paragraph per line, minus boilerplate."""

from __future__ import annotations

from corpus.blocks import Block
from corpus.text import clean_inline

__all__ = ["parse_regin"]

_BOILERPLATE = ("The cookie settings on this website",)


def parse_regin(text: str) -> list[Block]:
    """One block; the chunker groups its paragraphs into passages."""
    paragraphs = [clean_inline(ln) for ln in text.splitlines()]
    kept = [p for p in paragraphs if p and not p.startswith(_BOILERPLATE)]
    return [Block(["REGIN"], kept, kind="paragraph")]
