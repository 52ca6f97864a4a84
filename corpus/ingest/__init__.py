"""A user's own document files to passages: PDF, DOCX, HTML, Markdown, plain text.

``extract`` detects the format from the bytes and returns the title, language
and blocks (heading path and paragraphs); ``document_passages`` cuts them into
passages the index takes like the bundled documents'. Files that cannot be
taken in raise :class:`practice_search.errors.DocumentRejected` with a ``code``.
"""

from corpus.ingest.detect import FORMATS, Format, Kind
from corpus.ingest.extract import Extracted, check_lang, check_title, extract
from corpus.ingest.limits import IngestLimits
from corpus.ingest.names import check_file_name, iter_files
from corpus.ingest.passages import document_passages

__all__ = [
    "FORMATS",
    "Extracted",
    "Format",
    "IngestLimits",
    "Kind",
    "check_file_name",
    "check_lang",
    "check_title",
    "document_passages",
    "extract",
    "iter_files",
]
