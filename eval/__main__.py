"""``python -m eval``: the labelled-set evaluation, with the options and the report of
``practice-search eval`` (settings from the environment, as the command reads them)."""

import argparse
import os
import sys

from eval.command import add_arguments, run
from practice_search.config import get_settings
from practice_search.errors import PracticeSearchError, QueryError


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description="Score configurations (or a run file) on the labelled set.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args, get_settings())
    except PracticeSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, QueryError) else 1


if __name__ == "__main__":
    sys.exit(main())
