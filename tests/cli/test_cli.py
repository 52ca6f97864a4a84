"""The command line as a user runs it: a real subprocess against a fake-encoder index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# settings a developer's shell may hold that would point the tests elsewhere
_SHELL = ("PRACTICE_SEARCH_MODELS_DIR", "PRACTICE_SEARCH_EMBEDDINGGEMMA_DIR")


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _SHELL}


def run(
    args: list[str], data_dir: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **_environ(),
        "PRACTICE_SEARCH_DATA_DIR": str(data_dir),
        "PRACTICE_SEARCH_ENCODERS": '["hash"]',
        "PRACTICE_SEARCH_WEIGHTS": "{}",
        "PRACTICE_SEARCH_CONFIDENCE_FLOOR": "{}",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_query_prints_readable_results(fake_index_dir: Path) -> None:
    out = run(["query", "language barrier in healthcare", "-k", "2"], fake_index_dir)
    assert out.returncode == 0, out.stderr
    assert "PASSAGES" in out.stdout and "CHECKLIST RECOMMENDATIONS" in out.stdout
    assert "source:" in out.stdout and "matched by:" in out.stdout and "score" in out.stdout


def test_query_json_is_the_result_contract(fake_index_dir: Path) -> None:
    out = run(
        ["query", "housing", "--json", "-k", "3", "--type", "passage", "--doc", "asap"],
        fake_index_dir,
    )
    data = json.loads(out.stdout)
    assert data["query"] == "housing" and len(data["passages"]) == 3
    assert data["checklist"] == []
    assert all(p["doc"]["id"] == "asap" for p in data["passages"])


def test_jsonl_answers_each_line_in_order(fake_index_dir: Path) -> None:
    lines = [
        "housing",
        '{"id": "q2", "query": "formazione", "k": 1, "lang": "it"}',
        '{"query": ""}',
        "women",
    ]
    out = run(["query", "--jsonl", "-k", "2"], fake_index_dir, "\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r.get("query") for r in rows][::3] == ["housing", "women"]
    assert rows[1]["id"] == "q2" and rows[1]["passages"][0]["lang"] == "it"
    assert "empty" in rows[2]["error"]
    assert out.returncode == 1  # one line failed; the others were still answered


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["query", "   "], "query is empty", 2),
        (["query", "x" * 600], "limit is 500", 2),
        (["query", "housing", "-k", "0"], "k must be between 1 and 100", 2),
        (["query", "housing", "--doc", "nope"], "unknown doc 'nope'", 2),
        (["query", "housing", "--lang", "fr"], "unknown lang 'fr'", 2),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    fake_index_dir: Path, args: list[str], message: str, code: int
) -> None:
    out = run(args, fake_index_dir)
    assert out.returncode == code
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    out = run(["query", "housing"], tmp_path / "empty")
    assert out.returncode == 1
    assert "practice-search build" in out.stderr and "Traceback" not in out.stderr


def test_demo_builds_then_answers_the_demo_need(tmp_path: Path) -> None:
    out = run(["demo", "--once"], tmp_path / "fresh")
    assert out.returncode == 0, out.stderr
    assert "building it now" in out.stderr
    assert 'Need: "language barrier in healthcare"' in out.stdout
    assert (tmp_path / "fresh" / "current" / "manifest.json").exists()


def test_run_builds_the_index_then_serves(tmp_path: Path) -> None:
    """What `make run` does: build if missing, then serve until stopped."""
    import time
    import urllib.request

    from tests.service.conftest import free_port

    port = free_port()
    env = {
        **os.environ,
        "PRACTICE_SEARCH_DATA_DIR": str(tmp_path / "fresh"),
        "PRACTICE_SEARCH_ENCODERS": '["hash"]',
        "PRACTICE_SEARCH_WEIGHTS": "{}",
        "PRACTICE_SEARCH_PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "service not ready in 90 s"
            time.sleep(0.3)
        url = f"http://127.0.0.1:{port}/search?q=housing&k=2"
        with urllib.request.urlopen(url, timeout=10) as r:
            assert len(json.loads(r.read())["passages"]) == 2
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "building it now" in err and f"127.0.0.1:{port}" in err


def test_status_reports_a_stale_index(fake_index_dir: Path) -> None:
    env_dir = fake_index_dir
    out = run(["status"], env_dir)
    assert out.returncode == 0 and '"corpus_hash"' in out.stdout
    stale = subprocess.run(
        [sys.executable, "-m", "cli", "status"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PRACTICE_SEARCH_DATA_DIR": str(env_dir),
            "PRACTICE_SEARCH_ENCODERS": '["hash"]',
            "PRACTICE_SEARCH_WEIGHTS": "{}",
            "PRACTICE_SEARCH_MAX_WORDS": "90",
        },
        timeout=60,
        check=False,
    )
    assert stale.returncode == 1 and "max_words" in stale.stderr


def test_bad_environment_setting_is_one_line(fake_index_dir: Path) -> None:
    env = {
        **os.environ,
        "PRACTICE_SEARCH_DATA_DIR": str(fake_index_dir),
        "PRACTICE_SEARCH_PORT": "abc",
    }
    out = subprocess.run(
        [sys.executable, "-m", "cli", "query", "housing"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 1
    assert "PRACTICE_SEARCH_PORT" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_jsonl_keeps_going_past_absurd_numbers(fake_index_dir: Path) -> None:
    lines = ['{"id": 7, "query": "x", "k": 1e400}', "housing"]
    out = run(["query", "--jsonl", "-k", "1"], fake_index_dir, "\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows[0]["id"] == 7 and "error" in rows[0]
    assert len(rows[1]["passages"]) == 1 and out.returncode == 1


def test_models_readies_every_configured_encoder(tmp_path: Path) -> None:
    out = run(["models"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "hash: ready" in out.stderr and str(tmp_path.resolve() / "models") in out.stderr


def test_models_with_a_missing_local_folder_is_one_line_and_writes_no_model(
    tmp_path: Path,
) -> None:
    env = {
        **_environ(),
        "PRACTICE_SEARCH_DATA_DIR": str(tmp_path),
        "PRACTICE_SEARCH_ENCODERS": '["gemma"]',
        "PRACTICE_SEARCH_EMBEDDINGGEMMA_DIR": str(tmp_path / "nowhere"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "cli", "models"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "PRACTICE_SEARCH_EMBEDDINGGEMMA_DIR" in out.stderr
    models = tmp_path / "models"
    assert not [p for p in models.iterdir() if not p.name.endswith(".lock")]
