"""Parser for the REGIN text (Italian): one paragraph per line, minus boilerplate."""

from __future__ import annotations

from corpus.blocks import Block
from corpus.text import clean_inline

__all__ = ["parse_regin"]

_BOILERPLATE = ("The cookie settings on this website",)


def parse_regin(text: str) -> list[Block]:
    """One passage per paragraph; a list lead-in ending in ':' or a one-liner joins the next."""
    paragraphs = [clean_inline(ln) for ln in text.splitlines()]
    kept = [p for p in paragraphs if p and not p.startswith(_BOILERPLATE)]
    blocks: list[Block] = []
    carry: list[str] = []
    for para in kept:
        carry.append(para)
        if para.endswith(":") or len(para.split()) < 20:
            continue
        blocks.append(Block(["REGIN"], carry, kind="paragraph"))
        carry = []
    if carry:
        blocks.append(Block(["REGIN"], carry, kind="paragraph"))
    return blocks
