"""The service benchmark's command line (``practice-search bench``): its options and
what it runs, in one place."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.extras import require
from practice_search.config import Settings
from practice_search.errors import QueryError

__all__ = ["BENCH_MODULES", "add_arguments", "run"]

BENCH_MODULES = ("httpx",)  # the HTTP load on the service


def _load_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600, not {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the benchmark: --quick, --json, --seconds and --out."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced run: a third of the passages, 40 needs, no HTTP",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument(
        "--seconds",
        type=_load_seconds,
        default=None,
        help="seconds per HTTP load level, more than 0 and at most 3600 (default 15)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(".data/bench"),
        help="where bench.json and bench.md go (default .data/bench); the benchmark's own "
        "index is built in OUT/bench-index and removed at the end",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the benchmark, write bench.json and bench.md, print one of them.

    Raises:
        MissingExtra: the 'bench' extra is not installed.
        QueryError: --seconds with --quick.
        BenchmarkError: a step failed.
    """
    if args.quick and args.seconds is not None:
        raise QueryError("--seconds sets the HTTP load levels, which --quick does not run")
    require("bench", BENCH_MODULES, "the benchmark")
    from bench.run import run_bench, write_report

    def log(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr, flush=True)

    seconds = 15.0 if args.seconds is None else args.seconds
    report = run_bench(settings, args.out, quick=args.quick, seconds=seconds, log=log)
    js, md = write_report(report, args.out)
    if args.json:
        print(json.dumps(report))
    else:
        print(md.read_text(encoding="utf-8"))
    print(f"written: {js}, {md}", file=sys.stderr)
    return 0
