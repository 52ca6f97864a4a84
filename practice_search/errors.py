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
    └── IndexError_           base for index problems
        ├── IndexMissing      no index at the configured data directory
        ├── IndexCorrupt      files unreadable or inconsistent
        ├── IndexStale        built from another corpus, model or chunking version
        ├── BuildError        a build failed; the previous index is untouched
        └── BackendUnavailable  the Milvus server is down or refused a request
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "BuildError",
    "ConfigError",
    "CorpusError",
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


class BackendUnavailable(IndexError_):
    """The search backend (a Milvus server) cannot be reached or refused a request."""
