"""practice-search: the settings and errors every package shares."""

from practice_search.config import Settings, get_settings
from practice_search.errors import (
    BuildError,
    ConfigError,
    CorpusError,
    DocumentRejected,
    IndexCorrupt,
    IndexError_,
    IndexMissing,
    IndexStale,
    ModelNotAvailable,
    NotFound,
    PracticeSearchError,
    QueryError,
)

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
    "Settings",
    "get_settings",
]
