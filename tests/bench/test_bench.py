"""The benchmark runs end to end on the fake encoder and reports what it promises.

Nothing here asserts a time: the numbers are only checked to be measured (present
and positive); the percentiles themselves are checked on known values in test_common.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import CLIENTS, MARKER, prepare_out, run_bench, write_report
from practice_search.config import Settings

_FAKE = {
    "PRACTICE_SEARCH_ENCODERS": '["hash"]',
    "PRACTICE_SEARCH_CONFIDENCE_FLOOR": "{}",
    "PRACTICE_SEARCH_WEIGHTS": "{}",
}


def _measured(p: dict[str, float]) -> bool:
    return list(p) == ["p50", "p95", "p99"] and all(v > 0 for v in p.values())


def test_quick_json_prints_the_tracked_numbers(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            *[sys.executable, "-m", "cli", "bench", "--quick", "--json"],
            *["--out", str(tmp_path / "bench")],
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **_FAKE, "PRACTICE_SEARCH_DATA_DIR": str(tmp_path / "served")},
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for key in ("build_s", "query_p50_ms", "query_p95_ms", "encoder_floor_p50_ms", "peak_rss_mb"):
        assert isinstance(report[key], int | float) and report[key] > 0, key
    assert report["query_p99_ms"] > 0
    # of the unrounded medians; the fake encoder's floor is a fraction of a millisecond
    assert report["ratio_p50"] == pytest.approx(
        report["query_p50_ms"] / report["encoder_floor_p50_ms"], rel=0.1
    )
    assert 0 < report["cli_cold_start_s"] <= report["cli"]["wall_s"]
    assert list(report["build"]["stages_s"]) == [
        *["parse", "load_encoders", "embed:hash", "vectors", "lexical", "records"]
    ]
    assert report["build"]["passages"] < 200  # the quick corpus: every third passage
    assert report["query"]["queries"] == 40 and report["service"] is None
    assert report["cli"]["answered"]
    stages = report["query"]["stages_ms"]
    assert {"lang", "encode:hash", "faiss", "lexical", "fusion", "collapse", "hydration"} <= set(
        stages
    )
    assert {"validate", "encode_wait"} <= set(stages)
    assert not (tmp_path / "served").exists()  # the served index is never touched
    assert sorted(p.name for p in (tmp_path / "bench").iterdir()) == ["bench.json", "bench.md"]
    md = (tmp_path / "bench" / "bench.md").read_text(encoding="utf-8")
    assert "## Build from scratch" in md and "| hydration |" in md


def test_full_run_loads_the_service_at_every_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _FAKE.items():
        monkeypatch.setenv(key, value)
    settings = Settings(
        data_dir=tmp_path / "served", encoders=["hash"], confidence_floor={}, weights={}
    )
    report = run_bench(settings, tmp_path / "bench", seconds=1.0, log=lambda _: None)
    assert report["mode"] == "full" and report["build"]["passages"] > 400
    assert _measured(report["query"]["end_to_end_ms"])
    assert _measured(report["query"]["encoder_floor_ms"])
    service = report["service"]
    assert service["cold_start_s"] > 0 and service["peak_rss_mb"] > 0
    assert [r["clients"] for r in service["load"]] == list(CLIENTS)
    failed = [(r["clients"], r["error_samples"]) for r in service["load"] if r["errors"]]
    assert all(r["requests"] > 0 for r in service["load"]) and failed == []
    js, md = write_report(report, tmp_path / "bench")
    assert json.loads(js.read_text())["service"]["load"][2]["clients"] == 16
    assert "## HTTP /search" in md.read_text(encoding="utf-8")
    assert not (tmp_path / "bench" / "bench-index").exists()  # the run cleans its index


def _bench(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "bench", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **_FAKE, "PRACTICE_SEARCH_DATA_DIR": str(tmp_path / "served")},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("seconds", ["0", "-3", "nan", "inf", "5000", "soon"])
def test_bad_seconds_are_refused_before_any_work(tmp_path: Path, seconds: str) -> None:
    out = _bench(["--seconds", seconds, "--out", str(tmp_path / "b")], tmp_path)
    assert out.returncode == 2
    assert "argument --seconds" in out.stderr.splitlines()[-1]
    assert not (tmp_path / "b").exists()


def test_seconds_with_quick_is_an_error(tmp_path: Path) -> None:
    out = _bench(["--quick", "--seconds", "5", "--out", str(tmp_path / "b")], tmp_path)
    assert out.returncode == 2
    assert out.stderr == "error: --seconds sets the HTTP load levels, which --quick does not run\n"


def test_out_must_be_a_writable_folder(tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me")
    for out_dir, says in [
        (a_file, "is a file; give a folder for the report"),
        (a_file / "sub", "cannot write the report in"),
    ]:
        out = _bench(["--quick", "--out", str(out_dir)], tmp_path)
        assert out.returncode == 1, out.stderr
        assert len(out.stderr.splitlines()) == 1 and says in out.stderr
    assert a_file.read_text() == "keep me"


def test_a_folder_the_benchmark_did_not_make_is_never_deleted(tmp_path: Path) -> None:
    theirs = tmp_path / "b" / "bench-index"
    theirs.mkdir(parents=True)
    (theirs / "precious.txt").write_text("keep me")
    out = _bench(["--quick", "--out", str(tmp_path / "b")], tmp_path)
    assert out.returncode == 1
    assert "was not made by practice-search bench" in out.stderr
    assert (theirs / "precious.txt").read_text() == "keep me"


def test_unknown_encoder_fails_before_building(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cli", "bench", "--quick", "--out", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        env={**os.environ, "PRACTICE_SEARCH_ENCODERS": '["nope"]'},
        timeout=60,
        check=False,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: unknown encoder 'nope'")
    assert not (tmp_path / "b").exists()


def test_a_left_over_bench_index_is_replaced(tmp_path: Path) -> None:
    first = prepare_out(tmp_path / "b")  # as if a run had been killed midway
    (first / "builds").mkdir()
    again = prepare_out(tmp_path / "b")
    assert again == first and sorted(p.name for p in again.iterdir()) == [MARKER]
