"""Added documents on the Milvus backend: ``add`` publishes a Milvus version with the
document (the bundled corpus beside it), the index stays fresh, and ``remove`` takes
it out again — as on the embedded backend (tests/documents)."""

from __future__ import annotations

from pathlib import Path

from index import check_fresh, read_manifest
from index.documents import Incoming, add_documents, remove_document
from retriever import Retriever
from tests import documents_factory as f
from tests.scale.conftest import fake_milvus

NEED = "night school for taxi drivers learning the language between rides"


def _top_docs(settings_dir: Path, uri: str) -> list[str]:
    retriever = Retriever.load(fake_milvus(settings_dir, uri))
    result = retriever.search(NEED, k=5, type="passage")
    return [p.doc["id"] for p in result.passages]


def test_add_and_remove_a_document_on_milvus(tmp_path: Path) -> None:
    data_dir, uri = tmp_path / "data", str(tmp_path / "m.db")
    settings = fake_milvus(data_dir, uri)
    changes, manifest = add_documents(
        settings, [Incoming("night school.md", f.markdown_bytes(f.EN))]
    )
    assert [c.status for c in changes] == ["added"] and manifest is not None
    check_fresh(read_manifest(settings), settings)  # the added document is accounted for
    retriever = Retriever.load(settings)
    assert "night-school" in retriever.doc_ids and "spring-a" in retriever.doc_ids
    assert _top_docs(data_dir, uri)[0] == "night-school"

    remove_document(settings, "night-school")
    check_fresh(read_manifest(settings), settings)
    assert "night-school" not in Retriever.load(settings).doc_ids
    assert "night-school" not in _top_docs(data_dir, uri)
