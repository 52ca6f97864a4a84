"""``practice-search bench``: build, query, HTTP and cold-start numbers in one run.

What it measures (a benchmark prints numbers; nothing here asserts a time):

1. the index build from scratch, in its own process: wall time, seconds by stage
   and peak RSS (``--quick`` builds every third passage and all checklist items);
2. the CLI's cold start: ``practice-search query`` from process start to printed
   answer, and its peak RSS;
3. warm in-process latency over the fixed needs of ``bench/needs.txt`` with the
   query-embedding cache cleared: p50/p95/p99 end to end and by stage, beside the
   physical floor — the query encoders' forward passes alone, side by side as the
   retriever runs them, on the same needs, interleaved with the searches;
4. (full run only) the service: process start to first ``/search`` answer, then
   ``/search`` latency and throughput at 1, 4 and 16 clients on a real uvicorn on
   loopback with unique needs (no cache hits), the error count, and peak RSS.

The index is built in ``<out>/bench-index`` (removed at the end) and never touches
the served index.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx

from bench.common import BenchmarkError, machine, needs, peak_rss_mb, percentiles
from bench.http_load import run_load
from index.encoders import models_dir
from practice_search.config import Settings

__all__ = ["run_bench", "write_report"]

QUICK_NEEDS = 40
INDEX_DIR = "bench-index"  # inside --out; holds the benchmark's own index while it runs
MARKER = ".practice-search-bench"
QUICK_EVERY = 3  # --quick builds every third passage
CLIENTS = (1, 4, 16)
_WARM_UP = [
    "warm-up need about housing",
    "supporto psicologico per rifugiati",
    "volunteers mentoring newcomers",
    "corsi di lingua per adulti",
    "employment of asylum seekers",
]

Log = Callable[[str], None]


def _env(data_dir: Path, models: Path) -> dict[str, str]:
    # the benchmark's own index, but the models already fetched and exported (shared);
    # passage vectors are never taken from the cache: the build is timed from scratch
    return os.environ | {
        "PRACTICE_SEARCH_DATA_DIR": str(data_dir),
        "PRACTICE_SEARCH_MODELS_DIR": str(models),
        "PRACTICE_SEARCH_EMBEDDING_CACHE": "false",
        "PYTHONUNBUFFERED": "1",
    }


def _child(cmd: list[str], env: dict[str, str], what: str) -> tuple[float, float, float, str]:
    """Run ``cmd``; return (seconds to its first output, wall seconds, peak RSS MB of that
    process alone, stdout). The child never outlives an interrupted benchmark."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err)
        try:
            assert proc.stdout is not None
            head = proc.stdout.read(1)
            first = time.perf_counter() - t0
            out = head + proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            raise BenchmarkError(
                f"{what} failed (exit code {proc.returncode}): "
                f"{lines[-1] if lines else '(no output)'}"
            )
        return first, wall, usage.ru_maxrss / 1024, out.decode()


def _build(data_dir: Path, env: dict[str, str], every: int, log: Log) -> dict[str, Any]:
    log(f"building the index from scratch{' (every third passage)' if every > 1 else ''}…")
    cmd = [sys.executable, "-m", "bench.build", "--data-dir", str(data_dir)]
    _, wall, peak, out = _child([*cmd, "--every", str(every)], env, "the index build")
    manifest = json.loads(out)
    return {
        "wall_s": round(wall, 2),
        "build_s": manifest["build_seconds"],
        "stages_s": manifest["stage_seconds"],
        "passages": manifest["counts"]["passages"],
        "checklist": manifest["counts"]["checklist"],
        "peak_rss_mb": round(peak, 1),
        "every": every,
    }


def _cli_cold(data_dir: Path, env: dict[str, str], log: Log) -> dict[str, Any]:
    log("CLI cold start: practice-search query …")
    cmd = [sys.executable, "-m", "cli", "query", "language barrier in healthcare"]
    first, wall, peak, out = _child([*cmd, "-k", "10", "--json"], env, "the CLI query")
    answered = bool(json.loads(out)["passages"])
    return {
        "first_answer_s": round(first, 2),  # the answer is printed at once, as one JSON object
        "wall_s": round(wall, 2),  # to the process's exit
        "peak_rss_mb": round(peak, 1),
        "answered": answered,
    }


def _in_process(settings: Settings, n_needs: int, log: Log) -> dict[str, Any]:
    from retriever import Retriever
    from retriever.timing import record_stages

    log("loading the retriever…")
    t0 = time.perf_counter()
    retriever = Retriever.load(settings)
    load_s = time.perf_counter() - t0
    encoders = [ch.name for ch in retriever.channels if ch.costly]
    for need in _WARM_UP:
        retriever.search(need)
    retriever.clear_cache()
    queries = needs()[:n_needs]
    log(f"{len(queries)} needs: search and encoder floor, interleaved…")
    e2e: list[float] = []
    floor: list[float] = []
    alone: dict[str, list[float]] = {e: [] for e in encoders}
    stages: dict[str, list[float]] = {}

    def timed(name: str, need: str) -> float:
        t = time.perf_counter()
        retriever.index.encoders[name].encode_queries([need])
        return (time.perf_counter() - t) * 1000

    for need in queries:
        # the floor: the query encoders' forward passes alone, side by side
        t = time.perf_counter()
        jobs: list[Future[float]] = [retriever._pool.submit(timed, e, need) for e in encoders]
        for e, job in zip(encoders, jobs, strict=True):
            alone[e].append(job.result())
        floor.append((time.perf_counter() - t) * 1000)
        with record_stages() as times:
            t = time.perf_counter()
            retriever.search(need)
            e2e.append((time.perf_counter() - t) * 1000)
        for name, ms in times.ms.items():
            stages.setdefault(name, []).append(ms)
    n = len(queries)
    stage_table = {
        name: {**percentiles(v + [0.0] * (n - len(v))), "mean": round(sum(v) / n, 2)}
        for name, v in stages.items()
    }
    accounted = sum(sum(v) for k, v in stages.items() if not k.startswith("encode:"))
    p50, floor_p50 = statistics.median(e2e), statistics.median(floor)
    return {
        "load_s": round(load_s, 2),
        "queries": n,
        "encoders": encoders,
        "end_to_end_ms": percentiles(e2e),
        "encoder_floor_ms": percentiles(floor),
        "encoder_alone_ms": {e: percentiles(v) for e, v in alone.items()},
        "ratio_p50": round(p50 / floor_p50, 2),
        "stages_ms": stage_table,
        "unaccounted_mean_ms": round((sum(e2e) - accounted) / n, 2),
        "peak_rss_mb": peak_rss_mb(),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _first_answer(url: str, proc: subprocess.Popen[bytes], t0: float) -> float | None:
    """Seconds from ``t0`` until ``/search`` first answers 200 (None if it never does)."""
    with httpx.Client(timeout=5) as http:
        while time.perf_counter() - t0 < 120 and proc.poll() is None:
            try:
                r = http.get(f"{url}/search", params={"q": "language barrier in healthcare"})
                if r.status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    return None


def _service(data_dir: Path, env: dict[str, str], seconds: float, log: Log) -> dict[str, Any]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    log(f"service cold start on {url}…")
    with tempfile.TemporaryFile() as errlog:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            first = _first_answer(url, proc, t0)
            if first is None:
                errlog.seek(0)
                err = errlog.read().decode(errors="replace").strip()
                raise BenchmarkError(f"the service never answered: {err[-300:]}")
            loads = []
            for clients in CLIENTS:
                log(f"/search with {clients} client(s) for {seconds:.0f} s…")
                loads.append(run_load(url, clients, seconds, fresh=True))
            return {
                "cold_start_s": round(first, 2),
                "load": loads,
                "peak_rss_mb": peak_rss_mb(proc.pid),
            }
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn stops on SIGTERM
                proc.kill()
                proc.wait()


def prepare_out(out_dir: Path) -> Path:
    """Check that ``out_dir`` can take the report and return the benchmark's own index
    folder inside it, emptied. Only a folder this benchmark made (it carries
    :data:`MARKER`) is ever deleted.

    Raises:
        BenchmarkError: ``out_dir`` is not a writable folder, or ``<out>/bench-index``
            exists and is not the benchmark's.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise BenchmarkError(f"--out {out_dir} is a file; give a folder for the report")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=out_dir).close()  # can we write there?
    except OSError as exc:
        raise BenchmarkError(f"cannot write the report in {out_dir}: {exc.strerror}") from exc
    data_dir = out_dir / INDEX_DIR
    if data_dir.exists() or data_dir.is_symlink():
        if not (data_dir / MARKER).is_file():
            raise BenchmarkError(
                f"{data_dir} exists and was not made by practice-search bench; "
                "move it away or choose another --out"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir()
    (data_dir / MARKER).write_text("made by practice-search bench; deleted by its next run\n")
    return data_dir


def run_bench(
    settings: Settings, out_dir: Path, *, quick: bool = False, seconds: float = 15.0, log: Log
) -> dict[str, Any]:
    """Run the benchmark; its index is built in ``<out_dir>/bench-index`` and removed at
    the end (see :func:`prepare_out`)."""
    if not (math.isfinite(seconds) and seconds > 0):
        raise BenchmarkError(f"seconds per load level must be a positive number, not {seconds}")
    from index.encoders import check_encoder_name

    for name in settings.encoders:  # before any work: the build would fail on it later
        check_encoder_name(name)
    started = time.perf_counter()
    data_dir = prepare_out(out_dir)
    try:
        models = models_dir(settings).resolve()
        env = _env(data_dir, models)
        build = _build(data_dir, env, QUICK_EVERY if quick else 1, log)
        cli = _cli_cold(data_dir, env, log)
        query = _in_process(
            settings.model_copy(update={"data_dir": data_dir, "models_dir": models}),
            QUICK_NEEDS if quick else len(needs()),
            log,
        )
        service = None if quick else _service(data_dir, env, seconds, log)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    report: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "build_s": build["build_s"],
        "query_p50_ms": query["end_to_end_ms"]["p50"],
        "query_p95_ms": query["end_to_end_ms"]["p95"],
        "query_p99_ms": query["end_to_end_ms"]["p99"],
        "encoder_floor_p50_ms": query["encoder_floor_ms"]["p50"],
        "ratio_p50": query["ratio_p50"],
        "peak_rss_mb": query["peak_rss_mb"],
        "cli_cold_start_s": cli["first_answer_s"],
        "build": build,
        "cli": cli,
        "query": query,
        "service": service,
        "machine": machine(),
        "settings": {"encoders": settings.encoders, "lexical": settings.lexical},
        "bench_s": round(time.perf_counter() - started, 1),
    }
    return report


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``bench.json`` and ``bench.md`` into ``out_dir``."""
    from bench.report import markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "bench.json", out_dir / "bench.md"
    js.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md.write_text(markdown(report), encoding="utf-8")
    return js, md
