"""The benchmark runs end to end on the fake encoder and reports what it promises.

Nothing here asserts a time: the numbers are only checked to be measured
(present, positive, ordered as percentiles must be).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.bench import CLIENTS, run_bench, write_report
from practice_search.config import Settings

_FAKE = {"PRACTICE_SEARCH_ENCODERS": '["hash"]', "PRACTICE_SEARCH_CONFIDENCE_FLOOR": "{}"}


def _percentiles_are_ordered(p: dict[str, float]) -> bool:
    return 0 < p["p50"] <= p["p95"] <= p["p99"]


def test_quick_json_prints_the_tracked_numbers(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            *[sys.executable, "-m", "practice_search", "bench", "--quick", "--json"],
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
    assert report["query_p50_ms"] <= report["query_p95_ms"]
    assert report["build"]["passages"] < 200  # the quick corpus: every third passage
    assert report["query"]["queries"] == 40 and report["service"] is None
    assert report["cli"]["answered"]
    stages = report["query"]["stages_ms"]
    assert {"lang", "encode:hash", "faiss", "lexical", "fusion", "hydration"} <= set(stages)
    assert not (tmp_path / "served").exists()  # the served index is never touched
    md = (tmp_path / "bench" / "bench.md").read_text(encoding="utf-8")
    assert "## Build from scratch" in md and "| hydration |" in md


def test_full_run_loads_the_service_at_every_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _FAKE.items():
        monkeypatch.setenv(key, value)
    settings = Settings(data_dir=tmp_path / "served", encoders=["hash"], confidence_floor={})
    report = run_bench(settings, tmp_path / "bench", seconds=1.0, log=lambda _: None)
    assert report["mode"] == "full" and report["build"]["passages"] > 400
    assert _percentiles_are_ordered(report["query"]["end_to_end_ms"])
    assert _percentiles_are_ordered(report["query"]["encoder_floor_ms"])
    service = report["service"]
    assert service["cold_start_s"] > 0 and service["peak_rss_mb"] > 0
    assert [r["clients"] for r in service["load"]] == list(CLIENTS)
    assert all(r["requests"] > 0 and r["errors"] == 0 for r in service["load"])
    js, md = write_report(report, tmp_path / "bench")
    assert json.loads(js.read_text())["service"]["load"][2]["clients"] == 16
    assert "## HTTP /search" in md.read_text(encoding="utf-8")
    assert not (tmp_path / "bench" / "data").exists()  # the full run cleans its index
