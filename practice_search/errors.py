"""The one exception tree of practice-search.

Every error a user can cause or meet derives from :class:`PracticeSearchError`;
the CLI prints its message on one line and the service maps each class to an
HTTP status in one place.

    PracticeSearchError
    ├── QueryError            bad query text, k, offset or filter value
    ├── NotFound              no practice, checklist item or passage with that id
    ├── ConfigError           a setting that cannot work (unknown encoder, bad weight)
    │   └── ModelNotAvailable a model is not on disk and could not be fetched or exported
    ├── CorpusError           a raw document cannot be parsed as expected
    ├── DocumentRejected      a user's document file cannot be taken in (its .code says why)
    └── IndexError_           base for index problems
        ├── IndexMissing      no index at the configured data directory
        ├── IndexCorrupt      files unreadable or inconsistent
        ├── IndexStale        built from another corpus, model or chunking version
        └── BuildError        a build failed; the previous index is untouched
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BuildError",
    "ConfigError",
    "CorpusError",
    "DocumentRejected",
    "IndexCorrupt",
    "IndexError_",
    "IndexMissing",
    "IndexStale",
    "ModelNotAvailable",
    "NotFound",
    "PracticeSearchError",
    "QueryError",
]


class PracticeSearchError(Exception):
    """Base class of every error practice-search raises on purpose."""


class QueryError(PracticeSearchError, ValueError):
    """The query, k, offset or a filter value is not acceptable."""


class NotFound(PracticeSearchError, LookupError):
    """No record with the requested id."""


class ConfigError(PracticeSearchError):
    """A setting cannot work as given."""


class ModelNotAvailable(ConfigError):
    """A model is not on disk and could not be fetched or exported.

    EmbeddingGemma is fetched once from the package index (see README, Models).
    """


class CorpusError(PracticeSearchError):
    """A raw document does not have the structure its parser expects."""


class DocumentRejected(PracticeSearchError, ValueError):
    """A user's document file cannot be taken in; nothing was changed.

    ``code`` is short and machine-readable (one of :attr:`CODES`), the message one
    line a person can act on. Faces map the code to a status: the CLI exits 2, the
    service answers 4xx.
    """

    CODES: ClassVar[dict[str, str]] = {
        "empty": "the file is empty",
        "too_large": "the file, its unpacked content or its page count is over a limit",
        "unknown_format": "the bytes are none of the supported formats",
        "not_pdf": "the name says PDF, the bytes are not a PDF",
        "not_docx": "the name says Word (.docx), the bytes are not a DOCX",
        "encrypted_pdf": "the PDF needs a password",
        "no_text": "no extractable text (a scanned PDF needs OCR, which is not supported)",
        "zip_bomb": "the DOCX archive unpacks to far more than it weighs",
        "corrupt": "the file has the right format but cannot be read",
        "bad_name": "the file name is empty, too long, has control characters or a path separator",
        "bad_title": "the title given is empty or too long",
        "bad_lang": "the language given is not a supported one",
        "outside_folder": "a path resolves (through a symlink) outside the folder given",
    }

    def __init__(self, code: str, message: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message


class IndexError_(PracticeSearchError):
    """Base class of index problems."""


class IndexMissing(IndexError_):
    """No index exists at the configured data directory."""


class IndexCorrupt(IndexError_):
    """The index files are unreadable or inconsistent with each other."""


class IndexStale(IndexError_):
    """The index was built from another corpus, model or chunking version."""


class BuildError(IndexError_):
    """An index build failed; the index being served was left untouched."""
