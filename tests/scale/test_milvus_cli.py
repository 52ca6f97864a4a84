"""The command line on the Milvus backend: export a data dir, then query and check it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import fake_env
from tests.scale.test_milvus_errors import _cli


def test_export_to_milvus_then_query_and_status(tmp_path: Path, fake_index_dir: Path) -> None:
    uri = str(tmp_path / "m.db")
    out = _cli(["export-to-milvus", "--uri", uri], fake_env(fake_index_dir))
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("exported 410 passages and 40 checklist items")
    env = fake_env(tmp_path, PRACTICE_SEARCH_BACKEND="milvus", PRACTICE_SEARCH_MILVUS_URI=uri)
    embedded = _cli(["query", "housing for refugees", "--json"], fake_env(fake_index_dir))
    milvus = _cli(["query", "housing for refugees", "--json"], env)
    assert milvus.returncode == 0, milvus.stderr
    ids = [[p["id"] for p in json.loads(r.stdout)["passages"]] for r in (embedded, milvus)]
    assert ids[0] == ids[1] and ids[0]
    status = _cli(["status", "--verify"], env)
    assert status.returncode == 0, status.stderr
    assert "index is up to date and verified" in status.stderr
