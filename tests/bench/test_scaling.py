"""The scale benchmark's synthetic corpus, its report and its command line, on tiny
hand-made inputs: nothing here builds a real index or runs a size.

Nothing here asserts a time: the numbers in the results fixture are only rendered.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import bench.scaling.run
from bench.scaling.measure import K
from bench.scaling.report import _STYLES, markdown, plot
from bench.scaling.run import _vector_configs, main
from bench.scaling.stores import argsort_top
from bench.scaling.synth import (
    DOC_FILTER,
    MIX,
    assign,
    filters,
    seeds,
    synthetic_records,
    texts,
    vectors,
)
from bench.scaling.vectors import exact_truth
from index.lexical import top_rows
from index.store import write_records
from index.vectors import FaissVectorIndex, VectorIndexSpec, choose_spec

Json = dict[str, Any]

N_SEEDS = 50
DIM = 32
N = 300  # synthetic rows
PNG = b"\x89PNG\r\n\x1a\n"


# -- a small fake of the real passages -----------------------------------------------------


def _words(row: int) -> list[str]:
    # every word names its record and position, so a synthetic text can be traced back;
    # some passages are a single word
    return [f"r{row}w{j}" for j in range(1 + row % 9)]


@pytest.fixture(scope="module")
def records() -> list[Json]:
    return [
        {
            "id": f"p-{i:03d}",
            "lang": "it" if i % 3 == 0 else "en",
            "text": " ".join(_words(i)),
            "doc_ids": [DOC_FILTER, "other"] if i % 4 == 0 else ["other"],
            "context": f"Context of {i}" if i % 2 else "",
            "dimension": "work",
        }
        for i in range(N_SEEDS)
    ]


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    x = np.random.default_rng(7).standard_normal((N_SEEDS, DIM)).astype(np.float32)
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def _all_vectors(real: np.ndarray, records: list[Json], n: int = N) -> np.ndarray:
    return np.vstack(list(vectors(real, *assign(n, records))))


# -- bench.scaling.synth ---------------------------------------------------------------------


def test_assign_is_deterministic_and_partners_share_the_seed_language(
    records: list[Json],
) -> None:
    seed, partner, share = assign(N, records)
    again = assign(N, records)
    for a, b in zip((seed, partner, share), again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert seed.shape == partner.shape == share.shape == (N,)
    assert seed.min() >= 0 and seed.max() < N_SEEDS
    assert partner.min() >= 0 and partner.max() < N_SEEDS
    langs = np.array([r["lang"] for r in records])
    np.testing.assert_array_equal(langs[partner], langs[seed])
    assert set(langs[seed]) == {"en", "it"}  # both groups are drawn, not just one
    assert share.dtype == np.float32 and share.min() >= 0 and share.max() < MIX
    assert len(set(seed.tolist())) > N_SEEDS // 2  # seeds spread over the passages


def test_vectors_are_unit_norm_deterministic_and_independent_of_the_chunk_size(
    real: np.ndarray, records: list[Json]
) -> None:
    x = _all_vectors(real, records)
    assert x.shape == (N, DIM) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(x, _all_vectors(real, records))
    chunks = list(vectors(real, *assign(N, records), chunk=7))
    assert len(chunks) == -(-N // 7) and all(len(c) <= 7 for c in chunks)
    np.testing.assert_allclose(np.vstack(chunks), x, atol=1e-6)


def test_vectors_stay_near_their_seed_then_their_partner(
    real: np.ndarray, records: list[Json]
) -> None:
    seed, partner, _ = assign(N, records)
    cos = _all_vectors(real, records) @ real.T
    rows = np.arange(N)
    to_seed, to_partner = cos[rows, seed], cos[rows, partner]
    assert (cos.argmax(axis=1) == seed).mean() > 0.9
    other = ~(np.eye(N_SEEDS, dtype=bool)[seed] | np.eye(N_SEEDS, dtype=bool)[partner])
    unrelated = cos[other].mean()
    assert to_seed.mean() > to_partner.mean() + 0.2
    assert to_partner.mean() > unrelated + 0.1


def _split_windows(tokens: list[str], a: list[str], b: list[str]) -> bool:
    """``tokens`` = a non-empty window of ``a`` followed by a non-empty window of ``b``."""

    def window(part: list[str], words: list[str]) -> bool:
        return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))

    return any(window(tokens[:cut], a) and window(tokens[cut:], b) for cut in range(1, len(tokens)))


def test_texts_are_a_seed_window_then_a_partner_window_after_the_context(
    records: list[Json],
) -> None:
    seed, partner, _ = assign(N, records)
    pairs = list(texts(records, seed, partner))
    assert pairs == list(texts(records, seed, partner))
    assert len(pairs) == N
    for i, (text, indexed) in enumerate(pairs):
        a, b = _words(int(seed[i])), _words(int(partner[i]))
        assert _split_windows(text.split(), a, b), (i, text)
        context = records[seed[i]]["context"]
        assert indexed == (f"{context}\n{text}" if context else text)
    assert len({t for t, _ in pairs}) > N // 2  # not one text repeated


def test_filters_select_rows_by_the_seed_language_and_document(records: list[Json]) -> None:
    seed, _, _ = assign(N, records)
    got = filters(records, seed)
    assert set(got) == {"lang:en", "lang:it", f"doc:{DOC_FILTER}"}
    for name, lang in (("lang:en", "en"), ("lang:it", "it")):
        want = [i for i in range(N) if records[seed[i]]["lang"] == lang]
        assert got[name].tolist() == want
    want_doc = [i for i in range(N) if DOC_FILTER in records[seed[i]]["doc_ids"]]
    assert got[f"doc:{DOC_FILTER}"].tolist() == want_doc
    assert 0 < len(want_doc) < N
    assert sorted(got["lang:en"].tolist() + got["lang:it"].tolist()) == list(range(N))


def test_synthetic_records_are_their_seed_with_a_new_id_and_text(records: list[Json]) -> None:
    before = copy.deepcopy(records)
    out = list(synthetic_records(N, records))
    assert records == before  # the real records are not touched
    assert out == list(synthetic_records(N, records))
    seed, partner, _ = assign(N, records)
    text = [t for t, _ in texts(records, seed, partner)]
    assert [r["id"] for r in out] == [f"p-syn{i:07d}" for i in range(N)]
    for i, rec in enumerate(out):
        assert rec["text"] == text[i]
        assert {k: v for k, v in rec.items() if k not in ("id", "text")} == {
            k: v for k, v in records[seed[i]].items() if k not in ("id", "text")
        }
    # the records stage and the vectors stage agree on every row's language and document
    allowed = filters(records, seed)
    assert [i for i, r in enumerate(out) if r["lang"] == "it"] == allowed["lang:it"].tolist()
    in_doc = [i for i, r in enumerate(out) if DOC_FILTER in r["doc_ids"]]
    assert in_doc == allowed[f"doc:{DOC_FILTER}"].tolist()


def _publish(root: Path, x: np.ndarray, passages: list[Json]) -> None:
    import faiss

    (root / "current" / "vectors").mkdir(parents=True)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    faiss.write_index(index, str(root / "current" / "vectors" / "e5.passages.faiss"))
    tables = {"documents": [], "practices": [], "checklist": [], "passages": passages}
    write_records(root / "current" / "records.sqlite", tables)


def test_seeds_reads_the_published_vectors_and_records_row_aligned(
    tmp_path: Path, real: np.ndarray, records: list[Json]
) -> None:
    _publish(tmp_path, real[:10], records[:10])
    x, recs = seeds(tmp_path)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, real[:10])
    assert recs == records[:10]


def test_seeds_refuses_an_index_that_disagrees_with_its_records(
    tmp_path: Path, real: np.ndarray, records: list[Json]
) -> None:
    _publish(tmp_path, real[:10], records[:9])
    with pytest.raises(SystemExit, match="inconsistent"):
        seeds(tmp_path)


# -- bench.scaling: the pieces that decide what is measured ---------------------------------


def test_exact_truth_is_the_filtered_top_k_across_chunks() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1200, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[[0, 500, 1199]] + 0.1 * rng.standard_normal((3, 8)).astype(np.float32)
    allowed = {
        "lang:en": np.arange(0, 1200, 2),  # more rows than K
        "lang:it": np.array([3, 77, 420, 901, 1199]),  # fewer than K: padded with -1
    }
    truth = exact_truth(x, q, allowed, chunk=300)  # four chunks to merge
    assert set(truth) == {"all", "lang:en", "lang:it"}
    scores = q @ x.T
    k = K
    for name, rows in {"all": np.arange(1200), **allowed}.items():
        assert truth[name].shape == (3, k)
        for i in range(3):
            best = rows[np.argsort(-scores[i, rows], kind="stable")][:k]
            want = np.full(k, -1)
            want[: best.size] = best
            np.testing.assert_array_equal(truth[name][i], want, err_msg=name)


def test_argsort_and_the_partition_top_k_agree_with_ties_and_zeros() -> None:
    # "same_results" in scale.json compares these two: they must agree on ties and zeros
    scores = np.array([0.0, 2.0, 1.0, 2.0, 0.0, 3.0, 1.0, 2.0, -1.0, 0.5], dtype=np.float32)
    assert argsort_top(scores, 4) == [(5, 3.0), (1, 2.0), (3, 2.0), (7, 2.0)]
    for n in (0, 1, 2, 3, 5, 7, 100):
        assert argsort_top(scores, n) == top_rows(scores, n), n


@pytest.mark.parametrize("n", [10_000, 100_000, 1_000_000])
def test_every_measured_configuration_is_a_real_knob_the_report_can_draw(n: int) -> None:
    configs = _vector_configs(n)
    names = [name for name, _, _ in configs]
    assert len(set(names)) == len(names)
    for _, spec, knobs in configs:
        index = FaissVectorIndex.create(8, VectorIndexSpec.from_dict(spec))
        for label, attr, _ in knobs:
            assert label[:3] in _STYLES  # scale_report.plot picks a line style by prefix
            assert attr is None or hasattr(index, attr), attr  # setattr would not fail
    # the retriever stage serves the index production would choose for n rows
    chosen = choose_spec(n)
    served = f"hnsw{chosen.hnsw_m}" if chosen.type == "hnsw" else chosen.type
    assert dict((name, spec) for name, spec, _ in configs)[served] == chosen.to_dict()


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
