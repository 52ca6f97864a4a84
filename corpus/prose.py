"""Prose blocks to passages: shared by the bundled documents and a user's own."""

from __future__ import annotations

from corpus.blocks import Block
from corpus.chunking import chunk_paragraphs
from corpus.lang import lang_probabilities
from corpus.records import Document, Passage, Practice, stable_id

__all__ = ["passage_lang", "prose_passages"]


def prose_passages(
    doc: Document, blocks: list[Block], practices: dict[str, Practice], max_words: int
) -> list[Passage]:
    """Cut each block into passages; the context is the title and the heading path.

    Ids come from the document id, the heading path and the text, so the same
    text under the same headings keeps its id in every build.
    """
    out = []
    for block in blocks:
        practice = practices.get(block.practice_slug or "")
        head = [doc.title, *[s for s in block.section if s]]
        if practice is not None:
            head.insert(1, f"{practice.title} ({practice.organisation}, {practice.place})")
        context = ". ".join(dict.fromkeys(head))
        for text in chunk_paragraphs(block.paragraphs, max_words, context):
            out.append(
                Passage(
                    stable_id("p", doc.id, *block.section, text),
                    text,
                    context,
                    [doc.id],
                    [s for s in block.section if s],
                    block.kind,
                    practice.id if practice else None,
                )
            )
    return out


def passage_lang(text: str, doc_lang: str) -> str:
    """The passage's language; departing from its document's needs real evidence
    (a list of organisation names is not an Italian passage)."""
    probs = lang_probabilities(text)
    if not probs:
        return doc_lang
    best = max(probs, key=probs.__getitem__)
    if best != doc_lang and (probs[best] < 0.9 or len(text.split()) < 30):
        return doc_lang
    return best
