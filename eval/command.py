"""The evaluation's command line, shared by ``practice-search eval`` and
``python -m eval``: the same options, the same report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.extras import EVAL_MODULES, require
from practice_search.config import Settings
from practice_search.errors import QueryError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the evaluation: --configs, --run and --out."""
    parser.add_argument(
        "--configs",
        default="all",
        help="comma-separated configuration names, or 'all' (see eval/configs.py)",
    )
    parser.add_argument("--run", type=Path, help="score this run file (TREC or our JSONL) instead")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(".data/eval-report"),
        help="where report.md, report.json and report.png go",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Score the configurations (or the run file) on the labelled set; print the Markdown
    tables and write report.md, report.json and report.png to ``args.out``.

    Raises:
        MissingExtra: the 'eval' extra (ranx, scipy, matplotlib) is not installed.
        QueryError: an unknown configuration name.
    """
    require("eval", EVAL_MODULES, "the evaluation")
    from eval.configs import CONFIGS, DEFAULT
    from eval.dataset import load_dataset
    from eval.report import markdown, write_report
    from eval.runner import compare, evaluate_run, read_run_file

    dataset = load_dataset()
    if args.run:
        results = {args.run.name: evaluate_run(read_run_file(args.run), dataset)}
    else:
        names = (
            list(CONFIGS)
            if args.configs == "all"
            else [n for n in args.configs.split(",") if n.strip()]
        )
        unknown = [n for n in names if n not in CONFIGS]
        if unknown:
            raise QueryError(f"unknown configuration {unknown}; known: {', '.join(CONFIGS)}")
        results = compare(names or [DEFAULT], settings, dataset)
    paths = write_report(results, args.out)
    print(markdown(results))
    print("written: " + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 0
