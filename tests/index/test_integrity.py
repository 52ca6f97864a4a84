"""The reasons a damaged index is refused with: one line, no path, no source location."""

from __future__ import annotations

import numpy as np
import pytest

from index.integrity import check_lexical, clean_reason
from practice_search.errors import IndexCorrupt


def test_clean_reason_drops_paths_and_source_locations() -> None:
    faiss_text = (
        "Error in faiss::FileIOReader::FileIOReader(const char*) at "
        "/project/faiss/faiss/impl/io.cpp:68: Error: 'f' failed: could not open "
        "/srv/data/current/vectors/gemma.passages.faiss for reading: No such file\nmore"
    )
    reason = clean_reason(RuntimeError(faiss_text))
    assert "/srv" not in reason and "io.cpp" not in reason and "\n" not in reason
    assert reason.startswith("RuntimeError: ") and "<path>" in reason
    assert clean_reason(PermissionError(13, "Permission denied", "/srv/x")) == (
        "PermissionError: Permission denied"
    )
    assert clean_reason(ValueError("shape (0/1)")) == "ValueError: shape (0/1)"


def _postings(indptr: list[int], indices: list[int], docs: int = 3) -> dict[str, object]:
    return {
        "data": np.ones(len(indices), dtype=np.float32),
        "indices": np.array(indices, dtype=np.int32),
        "indptr": np.array(indptr, dtype=np.int64),
        "num_docs": docs,
    }


def test_check_lexical() -> None:
    check_lexical("lexical/en.passages/", _postings([0, 2, 3], [0, 2, 1]), 1, 3)
    for scores, top, docs, problem in [
        (_postings([0, 2, 3], [0, 2, 1]), 1, 4, "holds 3 documents"),
        (_postings([0, 2, 3], [0, 2, 1]), 2, 3, "posting offsets for term ids up to 2"),
        (_postings([0, 3, 2], [0, 2, 1]), 1, 3, "do not match"),
        (_postings([0, 2, 3], [0, 5, 1]), 1, 3, "documents it does not hold"),
    ]:
        with pytest.raises(IndexCorrupt, match=problem):
            check_lexical("lexical/en.passages/", scores, top, docs)
