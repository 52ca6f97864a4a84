"""The Milvus backend answers as the embedded one, on Milvus Lite in-process and as a
server: the same fake-encoder index built both ways, searched with the same needs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corpus import Corpus
from index import build_index
from index.load import verify_index
from index.milvus.export import export_to_milvus
from practice_search.config import Settings
from retriever import Filters, Retriever
from tests.conftest import fake_settings
from tests.scale.conftest import MODES, LiteServer, fake_milvus

NEEDS = [
    "interpreti per i migranti",
    "housing for refugees",
    "language barrier in healthcare",
    "lavoro e formazione professionale",
    "children at school",
    "volunteers mentoring newcomers",
]


@pytest.fixture(scope="module", params=MODES)
def milvus_built(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus: Corpus,
    lite_server: LiteServer,
) -> Settings:
    """The fake index built straight into Milvus (Lite in-process, or the server)."""
    data_dir = tmp_path_factory.mktemp(f"milvus-{request.param}")
    uri = str(data_dir / "m.db") if request.param == "lite" else lite_server.uri
    collection = f"built_{request.param}"
    settings = fake_milvus(data_dir, uri, milvus_collection=collection)
    build_index(settings, progress=False, corpus=corpus)
    return settings


def _ids(r: Retriever, need: str, **kw: object) -> tuple[list[str], list[str]]:
    res = r.search(need, k=10, **kw)  # type: ignore[arg-type]
    return [p.id for p in res.passages], [c.id for c in res.checklist]


def test_hybrid_answers_match_the_embedded_backend(
    milvus_built: Settings, fake_retriever: Retriever
) -> None:
    """BM25 votes beside the dense channel here (weights {}): both halves conform."""
    milvus = Retriever.load(milvus_built)
    for need in NEEDS:
        assert _ids(milvus, need) == _ids(fake_retriever, need), need
        a, b = milvus.search(need, k=5), fake_retriever.search(need, k=5)
        for pa, pb in zip(a.passages, b.passages, strict=True):  # each channel's rank and score
            assert {c: h["rank"] for c, h in pa.match.items()} == {
                c: h["rank"] for c, h in pb.match.items()
            }
            for channel, hit in pa.match.items():
                assert hit["score"] == pytest.approx(pb.match[channel]["score"], abs=2e-3)
        assert [p.highlight for p in a.passages] == [p.highlight for p in b.passages]


def test_concurrent_searches_share_one_client(milvus_built: Settings) -> None:
    """The service searches from a pool of threads: one Milvus client serves them all."""
    milvus = Retriever.load(milvus_built)
    alone = [_ids(milvus, need) for need in NEEDS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda need: _ids(milvus, need), NEEDS * 3))
    assert together == alone * 3


def test_filters_reach_milvus_as_scalar_filters(
    milvus_built: Settings, fake_retriever: Retriever
) -> None:
    milvus = Retriever.load(milvus_built)
    doc = fake_retriever.doc_ids[0]
    for filters in (
        Filters(lang="it"),
        Filters(lang="en"),
        Filters(doc=doc),
        Filters(doc=doc, lang="en"),
        Filters(dimension="Effectiveness"),
    ):
        for need in NEEDS[:3]:
            got = _ids(milvus, need, filters=filters)
            assert got == _ids(fake_retriever, need, filters=filters), (need, filters)
    assert _ids(milvus, NEEDS[0], type="checklist") == _ids(
        fake_retriever, NEEDS[0], type="checklist"
    )
    paged = milvus.search(NEEDS[1], k=5, offset=5).passages
    assert [p.id for p in paged] == _ids(fake_retriever, NEEDS[1])[0][5:10]


def test_dense_only_top10_is_identical_with_exact_indexes(
    milvus_built: Settings, fake_index_dir: Path
) -> None:
    dense = {"weights": {"bm25": 0.0}}
    milvus = Retriever.load(milvus_built.model_copy(update=dense))
    embedded = Retriever.load(fake_settings(fake_index_dir).model_copy(update=dense))
    assert milvus.index.manifest.vector_spec("passages").type == "flat"
    for need in NEEDS:
        assert _ids(milvus, need) == _ids(embedded, need), need
        assert [p.match for p in milvus.search(need).passages] == [
            p.match for p in embedded.search(need).passages
        ]


def test_records_documents_and_manifest_come_from_milvus(
    milvus_built: Settings, fake_retriever: Retriever
) -> None:
    milvus = Retriever.load(milvus_built)
    assert milvus.index.records["passages"] == fake_retriever.index.records["passages"]
    assert milvus.index.records["checklist"] == fake_retriever.index.records["checklist"]
    assert list(milvus.index.documents) == list(fake_retriever.index.documents)
    assert list(milvus.index.practices) == list(fake_retriever.index.practices)
    assert milvus.index.manifest.counts == fake_retriever.index.manifest.counts
    assert milvus.index.manifest.versions["pymilvus"] != "not installed"
    assert not milvus.index.manifest.files  # no files: Milvus holds the data
    assert verify_index(milvus_built).created == milvus.index.manifest.created  # `status`


def test_export_to_milvus_copies_the_index_without_embedding(
    tmp_path: Path, fake_index_dir: Path, fake_retriever: Retriever
) -> None:
    source = fake_settings(fake_index_dir)
    target = fake_milvus(tmp_path, str(tmp_path / "m.db"))
    manifest = export_to_milvus(source, target)
    assert manifest.corpus_hash == fake_retriever.index.manifest.corpus_hash
    milvus = Retriever.load(target)
    for need in NEEDS:
        assert _ids(milvus, need) == _ids(fake_retriever, need), need


def test_every_document_and_practice_is_read_past_one_querys_limit(
    tmp_path: Path, fake_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Milvus caps a query's rows (16,384): with the cap and the page at 8 rows, the
    32 practices and the records still all come back, in their order."""
    import index.milvus.load as milvus_load
    from index.milvus.load import read_milvus_index

    settings = fake_milvus(tmp_path, str(tmp_path / "m.db"))
    export_to_milvus(fake_settings(fake_index_dir), settings)
    monkeypatch.setattr(milvus_load, "_MAX_ROWS", 8)
    monkeypatch.setattr(milvus_load, "_PAGE", 8)
    index = read_milvus_index(settings)
    embedded = Retriever.load(fake_settings(fake_index_dir)).index
    assert list(index.practices) == list(embedded.practices) and len(index.practices) == 32
    assert list(index.documents) == list(embedded.documents)
    assert [r["id"] for r in index.records["passages"]] == [
        r["id"] for r in embedded.records["passages"]
    ]
