"""One request model: the bounds come from the settings, and every face (library,
HTTP GET and POST, the CLI's options and its JSONL lines) and /openapi.json agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from practice_search.config import Settings
from practice_search.errors import QueryError
from retriever import Retriever
from service import create_app
from tests.conftest import fake_env


def _cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[int, str, str]:
    p = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize(("max_k", "k", "accepted"), [(50, 80, False), (200, 150, True)])
def test_every_face_takes_k_bounds_from_the_settings(
    fake_index_dir: Path,
    fake_retriever: Retriever,
    monkeypatch: pytest.MonkeyPatch,
    max_k: int,
    k: int,
    accepted: bool,
) -> None:
    env = fake_env(fake_index_dir, PRACTICE_SEARCH_MAX_K=str(max_k))
    for key, value in env.items():
        if key.startswith("PRACTICE_SEARCH_"):
            monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.max_k == max_k
    library = Retriever(fake_retriever.index, settings)

    # the library
    if accepted:
        assert library.search("housing", k=k).k == k
    else:
        with pytest.raises(QueryError, match=f"k must be between 1 and {max_k}, got {k}"):
            library.search("housing", k=k)

    # HTTP: the schema advertises the bound; GET and POST enforce it
    with TestClient(create_app(settings, retriever=library)) as client:
        schema = client.get("/openapi.json").json()
        params = {p["name"]: p["schema"] for p in schema["paths"]["/search"]["get"]["parameters"]}
        body = schema["components"]["schemas"]["SearchRequest"]["properties"]
        assert params["k"]["maximum"] == body["k"]["maximum"] == max_k
        assert params["offset"]["maximum"] == body["offset"]["maximum"] == 10 * max_k
        get = client.get("/search", params={"q": "housing", "k": k})
        post = client.post("/search", json={"q": "housing", "k": k})
        for r in (get, post):
            assert r.status_code == (200 if accepted else 422), r.text
            if accepted:
                assert r.json()["k"] == k
            else:
                assert "k" in r.json()["error"]["message"]

    # the CLI: options and JSONL lines
    rc, out, err = _cli(["query", "--json", "-k", str(k), "housing"], env)
    assert rc == (0 if accepted else 2), err
    if accepted:
        assert json.loads(out)["k"] == k
    else:
        assert f"k must be between 1 and {max_k}, got {k}" in err
    rc, out, err = _cli(["query", "--jsonl"], env, stdin=json.dumps({"query": "x", "k": k}))
    line = json.loads(out)
    assert rc == (0 if accepted else 1)
    assert line.get("k") == k if accepted else line["error"].startswith("k must be between")
