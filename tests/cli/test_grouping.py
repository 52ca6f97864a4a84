"""``practice-search query --group practice`` (and ``group`` in ``--jsonl`` lines): the
library's groups; without the option, the output the command always printed."""

from __future__ import annotations

import json
from pathlib import Path

from retriever import Filters, Retriever
from tests.cli.test_cli import run


def _library(retriever: Retriever, need: str, **kwargs: object) -> object:
    return json.loads(json.dumps(retriever.search(need, **kwargs).to_dict()))  # type: ignore[arg-type]


def test_query_json_groups_are_the_librarys(
    fake_index_dir: Path, fake_retriever: Retriever
) -> None:
    out = run(["query", "housing", "--json", "-k", "12", "--group", "practice"], fake_index_dir)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == _library(fake_retriever, "housing", k=12, group="practice")
    plain = run(["query", "housing", "--json", "-k", "12"], fake_index_dir)
    assert json.loads(plain.stdout) == _library(fake_retriever, "housing", k=12)
    assert '"groups"' not in plain.stdout


def test_jsonl_lines_take_group(fake_index_dir: Path, fake_retriever: Retriever) -> None:
    lines = [
        '{"id": 1, "query": "housing", "group": "practice"}',
        '{"id": 2, "query": "housing"}',
        '{"id": 3, "query": "housing", "group": "none", "doc": "oss"}',
        '{"id": 4, "query": "housing", "group": "nope"}',
        "housing",
    ]
    out = run(["query", "--jsonl", "-k", "5"], fake_index_dir, "\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    grouped = _library(fake_retriever, "housing", k=5, group="practice")
    plain = _library(fake_retriever, "housing", k=5)
    assert rows[0] == {"id": 1, **grouped}  # type: ignore[dict-item]
    assert rows[1] == {"id": 2, **plain}  # type: ignore[dict-item]
    assert rows[2] == {
        "id": 3,
        **_library(fake_retriever, "housing", k=5, filters=Filters(doc="oss")),
    }  # type: ignore[dict-item]
    assert rows[3] == {
        "id": 4,
        "query": "housing",
        "error": "unknown group 'nope'; choose one of: none, practice",
    }
    assert rows[4] == plain and out.returncode == 1
    # --group is the default for the lines that do not say
    out = run(["query", "--jsonl", "-k", "5", "--group", "practice"], fake_index_dir, "housing\n")
    assert json.loads(out.stdout) == grouped


def test_query_text_shows_one_heading_per_group(fake_index_dir: Path) -> None:
    out = run(
        ["query", "Sirius school", "-k", "10", "--type", "passage", "--group", "practice"],
        fake_index_dir,
    )
    assert out.returncode == 0, out.stderr
    assert "\n== " in out.stdout and "passages)" in out.stdout
    numbers = [
        int(line.split(".")[0]) for line in out.stdout.splitlines() if line[:2].strip().isdigit()
    ]
    assert sorted(numbers) == list(range(1, 11))  # every ranked passage, under its group
    assert "==" not in run(["query", "Sirius school", "-k", "10"], fake_index_dir).stdout
    bad = run(["query", "housing", "--group", "doc"], fake_index_dir)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
