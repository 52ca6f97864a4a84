"""A user's document, extracted, to passages like the bundled prose documents'."""

from __future__ import annotations

from corpus.ingest.extract import Extracted
from corpus.prose import passage_lang, prose_passages
from corpus.records import Document, Passage

__all__ = ["document_passages"]


def document_passages(doc: Document, extracted: Extracted, max_words: int) -> list[Passage]:
    """Passages of one added document: ids from the document id, heading path and
    text; context the title and heading path; no practice; the language detected
    per passage, departing from the document's only on real evidence.

    Passages with the same id (the same text under the same headings) are kept once.
    """
    out: dict[str, Passage] = {}
    for passage in prose_passages(doc, extracted.blocks, {}, max_words):
        passage.lang = passage_lang(passage.text, doc.lang)
        out.setdefault(passage.id, passage)
    return list(out.values())
