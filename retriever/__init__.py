"""Query → ranked passages and checklist items: the library API every face uses."""

from retriever.engine import Retriever
from retriever.query import Filters, ResultType
from retriever.request import SearchRequest
from retriever.results import ChecklistResult, PassageGroup, PassageResult, SearchResult

__all__ = [
    "ChecklistResult",
    "Filters",
    "PassageGroup",
    "PassageResult",
    "ResultType",
    "Retriever",
    "SearchRequest",
    "SearchResult",
]
