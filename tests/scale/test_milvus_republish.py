"""A retriever that loaded a Milvus version keeps answering after the next build
publishes another, as an embedded one does after the folder switch: the version a
running service reads is not dropped under it."""

from __future__ import annotations

from pathlib import Path

from index.milvus.export import export_to_milvus
from index.milvus.write import published
from retriever import Retriever
from tests.conftest import fake_settings
from tests.scale.conftest import client_of, fake_milvus

NEED = "housing for refugees"


def _versions(settings: object, alias: str) -> set[str]:
    client = client_of(settings)  # type: ignore[arg-type]
    try:
        return {n.rsplit("_", 1)[0] for n in client.list_collections() if n.startswith(alias)}
    finally:
        client.close()


def test_a_loaded_version_still_answers_after_the_next_publish(
    tmp_path: Path, fake_index_dir: Path
) -> None:
    settings = fake_milvus(tmp_path, str(tmp_path / "m.db"))
    source = fake_settings(fake_index_dir)
    export_to_milvus(source, settings)
    served = Retriever.load(settings)
    before = [p.id for p in served.search(NEED).passages]
    assert before

    export_to_milvus(source, settings)  # a second version: the alias moves to it
    assert [p.id for p in served.search(NEED).passages] == before
    assert [p.id for p in Retriever.load(settings).search(NEED).passages] == before

    export_to_milvus(source, settings)  # a third: the first is no longer anyone's
    alias = settings.milvus_collection
    client = client_of(settings)
    try:
        current = published(client, alias)
    finally:
        client.close()
    assert current is not None
    assert len(_versions(settings, alias)) == 2  # the published one and the one before
