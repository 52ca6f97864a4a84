"""A Milvus build publishes atomically: a killed or failed build leaves the alias on
the previous version, and the next good build switches it and drops the half-written
ones."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from corpus import Corpus
from index import build_index, create_encoder
from index.milvus.export import export_to_milvus
from index.milvus.write import published
from practice_search.config import Settings
from practice_search.errors import BuildError
from retriever import Retriever
from tests.conftest import fake_env, fake_settings
from tests.scale.conftest import LiteServer, client_of, fake_milvus

ROOT = Path(__file__).resolve().parents[2]
NEED = "housing for refugees"
PASSAGE_BATCHES = 13  # 410 passages in batches of 32: the next batch is a checklist one

# a build whose encoder kills its own process (SIGKILL: nothing runs after it) when
# it reaches the checklist, after the passages collection of the new version is written
KILLED_BUILD = textwrap.dedent(
    """
    import os, signal
    from index import build_index, create_encoder
    from practice_search.config import get_settings

    def factory(name, **kw):
        enc = create_encoder(name, **kw)
        inner, calls = enc.encode_passages, [0]
        def encode(texts, titles=None):
            calls[0] += 1
            if calls[0] > {batches}:
                os.kill(os.getpid(), signal.SIGKILL)
            return inner(texts, titles)
        enc.encode_passages = encode
        return enc

    build_index(get_settings(), progress=False, encoder_factory=factory)
    """
)


def _failing_factory(after: int) -> Any:
    def factory(name: str, **kw: Any) -> Any:
        enc = create_encoder(name, **kw)
        inner, calls = enc.encode_passages, [0]

        def encode(texts: list[str], titles: list[str] | None = None) -> Any:
            calls[0] += 1
            if calls[0] > after:
                raise RuntimeError("disk full")
            return inner(texts, titles)

        enc.encode_passages = encode  # type: ignore[method-assign]
        return enc

    return factory


def _state(settings: Settings) -> tuple[str | None, list[str]]:
    client = client_of(settings)
    try:
        return published(client, settings.milvus_collection), sorted(client.list_collections())
    finally:
        client.close()


def _top(settings: Settings) -> list[str]:
    return [p.id for p in Retriever.load(settings).search(NEED, k=10).passages]


def test_killed_and_failed_builds_leave_the_alias_then_a_build_switches_it(
    tmp_path: Path, fake_index_dir: Path, corpus: Corpus, lite_server: LiteServer
) -> None:
    # the server: Milvus Lite in-process is one process's (the killed build is another)
    settings = fake_milvus(tmp_path, lite_server.uri, milvus_collection="lifecycle")
    export_to_milvus(fake_settings(fake_index_dir), settings)  # version 1, no embedding
    first, names = _state(settings)
    assert first is not None and len([n for n in names if n.startswith("lifecycle_")]) == 3
    expected = _top(settings)

    env = fake_env(
        tmp_path,
        PRACTICE_SEARCH_BACKEND="milvus",
        PRACTICE_SEARCH_MILVUS_URI=settings.milvus_uri,
        PRACTICE_SEARCH_MILVUS_COLLECTION=settings.milvus_collection,
    )
    script = KILLED_BUILD.replace("{batches}", str(PASSAGE_BATCHES))
    killed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=300
    )
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    alias, names = _state(settings)
    assert alias == first  # still serving version 1
    half = [n for n in names if n.startswith("lifecycle_") and not n.startswith(first[:-4])]
    assert half and all(n.endswith(("_passages", "_checklist", "_meta")) for n in half)
    assert _top(settings) == expected

    with pytest.raises(BuildError, match=r"previous index kept.*disk full"):
        build_index(
            settings,
            progress=False,
            corpus=corpus,
            encoder_factory=_failing_factory(PASSAGE_BATCHES),
        )
    assert _state(settings)[0] == first
    assert _top(settings) == expected

    build_index(settings, progress=False, corpus=corpus)
    second, names = _state(settings)
    assert second is not None and second != first
    # the published version and the one it replaced (services may still read it);
    # the killed and the failed builds' collections are gone
    ours = [n for n in names if n.startswith("lifecycle_")]
    parts = ("checklist", "meta", "passages")
    assert ours == sorted(m[: -len("meta")] + p for m in (first, second) for p in parts)
    assert _top(settings) == expected  # the same corpus and encoder: the same answers
