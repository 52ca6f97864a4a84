"""The bundled corpus together with the documents an organisation added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.assemble import Corpus
from corpus.records import Document, Passage
from corpus.userdocs import DocumentStore, StoredDocument
from practice_search.errors import CorpusError, PracticeSearchError

__all__ = ["AddedDocument", "added_passages", "read_added", "with_added"]


@dataclass(frozen=True)
class AddedDocument:
    """An added document's record and its original bytes."""

    meta: StoredDocument
    data: bytes

    @property
    def document(self) -> Document:
        return Document(self.meta.id, self.meta.title, self.meta.source, self.meta.lang, "")


def read_added(data_dir: Path) -> list[AddedDocument]:
    """Every document in ``data_dir``'s store, with its original."""
    store = DocumentStore(data_dir)
    return [AddedDocument(d, store.read(d)) for d in store.list()]


# (id, SHA-256, title, language, source, max_words) -> passages: a process that makes
# several changes (the service) reads each original once
_READ: dict[tuple[str, ...], list[Passage]] = {}


def added_passages(doc: AddedDocument, max_words: int) -> list[Passage]:
    """The passages of one added document, read from its original.

    Raises:
        DocumentRejected: the original cannot be read as a document.
    """
    from corpus.ingest import document_passages, extract

    m = doc.meta
    key = (m.id, m.sha256, m.title, m.lang, m.source, str(max_words))
    if key not in _READ:
        extracted = extract(doc.data, name=m.source, title=m.title, lang=m.lang)
        if len(_READ) >= 256:
            _READ.clear()
        _READ[key] = document_passages(doc.document, extracted, max_words)
    return [replace(p) for p in _READ[key]]


def with_added(corpus: Corpus, added: Sequence[AddedDocument], max_words: int) -> Corpus:
    """A new corpus: ``corpus`` and the passages of ``added`` (``corpus`` is unchanged).

    Raises:
        CorpusError: an added document can no longer be read (the message names it).
    """
    if not added:
        return corpus
    passages = list(corpus.passages)
    documents = list(corpus.documents)
    for doc in added:
        try:
            passages += added_passages(doc, max_words)
        except PracticeSearchError as exc:
            raise CorpusError(
                f"added document {doc.meta.id!r} can no longer be read ({exc}); "
                f"remove it with `practice-search remove {doc.meta.id}`"
            ) from exc
        documents.append(doc.document)
    return Corpus(
        documents, corpus.practices, passages, corpus.checklist, corpus.rejected_checklist_lines
    )
