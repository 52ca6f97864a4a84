"""The corpus: raw documents and the parsers that turn them into typed records."""

from corpus.assemble import DOCUMENTS, Corpus, corpus_hash, load_corpus
from corpus.chunking import CHUNKING_VERSION
from corpus.records import ChecklistItem, Dimension, Document, Mark, Passage, Practice

__all__ = [
    "CHUNKING_VERSION",
    "DOCUMENTS",
    "ChecklistItem",
    "Corpus",
    "Dimension",
    "Document",
    "Mark",
    "Passage",
    "Practice",
    "corpus_hash",
    "load_corpus",
]
