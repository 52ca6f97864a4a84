"""The scale benchmark's report and its command line, on a hand-made results fixture:
nothing here builds an index or runs a size, and no time is asserted (the numbers in
the fixture are only rendered)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import bench.scaling.run
from bench.scaling.report import markdown, plot
from bench.scaling.run import main
from bench.scaling.synth import DOC_FILTER

Json = dict[str, Any]
PNG = b"\x89PNG\r\n\x1a\n"


# -- bench.scaling.report --------------------------------------------------------------------


def _size(n: int) -> Json:
    """One size as bench.scaling writes it (trimmed from a real scale.json)."""

    def config(p50: float, p95: float, engine: float, recalls: list[float]) -> Json:
        r10, r100, en, it, doc = recalls
        return {
            "p50_ms": p50,
            "p95_ms": p95,
            "engine": {"p50_ms": engine, "p95_ms": engine * 2},
            "doc": {"p50_ms": 0.24, "p95_ms": 0.3},
            "recall@100": r100,
            "recall@10": r10,
            "recall@10 lang:en": en,
            "recall@10 lang:it": it,
            f"recall@10 doc:{DOC_FILTER}": doc,
        }

    def index(build: float, disk: float, rss: float, configs: Json) -> Json:
        return {"build_s": build, "disk_mb": disk, "rss_index_mb": rss, "configs": configs}

    return {
        "n": n,
        "vectors": {
            "flat": index(0.01, 14.6, 15.2, {"flat": config(0.557, 0.64, 0.699, [1.0] * 5)}),
            "hnsw32": index(
                3.32,
                17.2,
                18.0,
                {"hnsw32 ef128": config(0.274, 0.563, 0.711, [0.914, 0.842, 0.904, 1.0, 0.838])},
            ),
            "ivf": index(
                0.76,
                14.9,
                15.6,
                {"ivf nprobe16": config(0.162, 0.214, 0.739, [0.854, 0.7648, 0.97, 0.5, 0.6])},
            ),
        },
        "selector": {"rows": 9776, "batch_ms": 0.433, "bitmap_ms": 0.014},
        "lexical": {
            "build_s": 1.09,
            "build_peak_rss_mb": 179.6,
            "disk_mb": 4.1,
            "rss_index_mb": 4.5,
            "scores": {"p50_ms": 0.031, "p95_ms": 0.074},
            "topk_argsort": {"p50_ms": 0.114, "p95_ms": 0.507},
            "topk_partition": {"p50_ms": 0.053, "p95_ms": 0.077},
            "total_argsort": {"p50_ms": 0.149, "p95_ms": 0.557},
            "total_partition": {"p50_ms": 0.084, "p95_ms": 0.152},
            "same_results": True,
        },
        "records": {
            "write_s": 0.26,
            "disk_mb": 11.6,
            "read_s": 0.14,
            "row_of_s": 0.01,
            "facets_s": 0.02,
            "rss_loaded_mb": 29.7,
            "lookup10_by_rowid": {"p50_ms": 0.067, "p95_ms": 0.114},
        },
        "retriever": {
            "index_type": "flat",
            "load_index_s": 0.2,
            "retriever_init_s": 1.35,
            "rss_total_mb": 223.0,
            "peak_rss_mb": 224.5,
            "search": {"p50_ms": 33.761, "p95_ms": 41.398},
        },
    }


def _results() -> Json:
    # keys in an order where text order and numeric order differ
    return {
        "sizes": {"100000": _size(100_000), "20000": _size(20_000)},
        "machine": {"cpu": "Test CPU", "cores": 2},
        "method": {"noise": 0.5, "mix": 0.5, "k": 100, "recall_at": 10},
        "embedding": {"e5": {"passages_per_s": 2.0}, "minilm": {"passages_per_s": 10.0}},
    }


def _tables(md: str) -> list[list[list[str]]]:
    """Markdown -> tables -> rows -> cells."""
    blocks = [b for b in md.strip().split("\n\n") if b]
    return [[line.strip("|").split("|") for line in b.splitlines()] for b in blocks]


def test_markdown_has_every_table_with_one_row_per_size_and_configuration() -> None:
    md = markdown(_results())
    assert md.endswith("|\n")
    tables = _tables(md)
    assert len(tables) == 6
    for table in tables:
        header, sep, *body = table
        assert all(c.strip() == "---" for c in sep) and len(sep) == len(header)
        assert all(len(row) == len(header) for row in body)
    lines = md.splitlines()
    for row in [
        # N, index, build, disk, RSS, config, p50, p95, engine, r@10, r@100, en, it, doc
        "| 20k | flat | 0.01 | 14.6 | 15.2 | flat | 0.56 | 0.64 | 0.70 "
        "| 1.000 | 1.000 | 1.000 | 1.000 | 1.000 |",
        "| 20k | hnsw32 | 3.32 | 17.2 | 18.0 | hnsw32 ef128 | 0.27 | 0.56 | 0.71 "
        "| 0.914 | 0.842 | 0.904 | 1.000 | 0.838 |",
        "| 100k | ivf | 0.76 | 14.9 | 15.6 | ivf nprobe16 | 0.16 | 0.21 | 0.74 "
        "| 0.854 | 0.765 | 0.970 | 0.500 | 0.600 |",
        "| 20k | 1.09 | 179.6 | 4.1 | 4.5 | 0.03 | 0.11 / 0.51 | 0.05 / 0.08 | True |",
        "| 20k | 0.26 | 11.6 | 0.14 | 0.01 | 0.02 | 29.7 | 0.07 / 0.11 |",
        "| 20k | 0.43 ms | 0.01 ms |",
        "| 20k | flat | 0.2 | 1.35 | 223.0 | 224.5 | 34 / 41 |",
        # hours to embed N passages: 20000 / 2.0 / 3600 and 20000 / 10.0 / 3600
        "| N | embed e5 h | embed minilm h | total h |",
        "| 20k | 2.8 | 0.6 | 3.3 |",
        "| 100k | 13.9 | 2.8 | 16.7 |",
    ]:
        assert row in lines, row
    vector_rows = tables[0][2:]
    assert len(vector_rows) == 2 * 3
    for table in tables:  # sizes in numeric order in every table: 20k before 100k
        ns = [row[0].strip() for row in table[2:]]
        assert set(ns) == {"20k", "100k"}
        assert max(i for i, n in enumerate(ns) if n == "20k") < ns.index("100k")


def test_markdown_without_embedding_rates_has_no_embedding_table() -> None:
    results = _results()
    del results["embedding"]
    md = markdown(results)
    assert len(_tables(md)) == 5 and "embed" not in md
    results["embedding"] = {}
    assert markdown(results) == md


def test_markdown_labels_a_million_passages_in_millions() -> None:
    results = {"sizes": {"1000000": _size(1_000_000)}}
    rows = [row[0].strip() for table in _tables(markdown(results)) for row in table[2:]]
    assert rows and set(rows) == {"1M"}


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG) and len(data) > 10_000


def test_plot_writes_a_png(tmp_path: Path) -> None:
    plot(_results(), tmp_path / "scale.png")
    assert _is_png(tmp_path / "scale.png")


def test_plot_draws_after_the_first_size_and_with_missing_measurements(tmp_path: Path) -> None:
    # bench.scaling redraws after every size; older files may lack a measurement
    one = _results()
    del one["sizes"]["100000"]
    plot(one, tmp_path / "one.png")
    assert _is_png(tmp_path / "one.png")
    partial = _results()
    del partial["sizes"]["20000"]["retriever"]
    del partial["sizes"]["100000"]["lexical"]["total_partition"]
    del partial["machine"]
    plot(partial, tmp_path / "partial.png")
    assert _is_png(tmp_path / "partial.png")


# -- bench.scaling.run.main ----------------------------------------------------------------------


@pytest.fixture
def no_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail at once (rather than run for hours) if main goes past its argument checks."""

    def started(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the benchmark started")

    for name in ("machine", "_queries", "_throughput", "run_size", "_run"):
        monkeypatch.setattr(bench.scaling.run, name, started)


@pytest.mark.usefixtures("no_benchmark")
@pytest.mark.parametrize("sizes", [["0"], ["-5"], ["10000", "0"]])
def test_sizes_must_be_positive(
    sizes: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["--sizes", *sizes, "--out", str(out), "--work", str(tmp_path / "work")])
    assert exc.value.code == 2
    assert "--sizes must be positive" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.usefixtures("no_benchmark")
def test_report_without_results_is_an_error_that_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--report", "--out", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"no {tmp_path / 'scale.json'} to report on" in err
    assert not any(tmp_path.iterdir())


@pytest.mark.usefixtures("no_benchmark")
def test_report_redraws_the_tables_and_the_plot_from_scale_json(tmp_path: Path) -> None:
    results = _results()
    text = json.dumps(results, indent=2)
    (tmp_path / "scale.json").write_text(text)
    assert main(["--report", "--out", str(tmp_path), "--sizes", "10"]) == 0
    assert (tmp_path / "scale.md").read_text(encoding="utf-8") == markdown(results)
    assert _is_png(tmp_path / "scale.png")
    assert (tmp_path / "scale.json").read_text() == text  # only read


def test_size_labels_are_exact() -> None:
    from bench.scaling.report import _label_n

    assert [_label_n(n) for n in (500, 1000, 1500, 10_000, 100_000, 1_000_000, 2_500_000)] == [
        *["500", "1k", "1.5k", "10k", "100k", "1M", "2.5M"]
    ]
    assert _label_n(12_345) == "12,345"  # no rounding that could merge two sizes
