"""Build an index from scratch for the benchmark, in its own process.

Run by :mod:`bench.run` as ``python -m bench.build --data-dir DIR [--every N]``
so that the build's wall time and peak memory are its own; the parent hands it a
fresh folder. ``--every N`` keeps every N-th passage (all checklist items): the
reduced corpus of ``bench --quick``. Prints the manifest as one JSON object; a
failure is one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from corpus import load_corpus
from index import build_index
from practice_search.config import get_settings
from practice_search.errors import PracticeSearchError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--every", type=int, default=1, help="keep every N-th passage")
    args = parser.parse_args(argv)
    try:
        settings = get_settings().model_copy(update={"data_dir": args.data_dir})
        t0 = time.perf_counter()
        corpus = load_corpus(max_words=settings.max_words)
        parse_s = time.perf_counter() - t0
        if args.every > 1:
            corpus = dataclasses.replace(corpus, passages=corpus.passages[:: args.every])
        manifest = build_index(settings, corpus=corpus, progress=False)
    except PracticeSearchError as exc:
        print(exc, file=sys.stderr)
        return 1
    # the corpus was parsed here, before build_index started its clock
    manifest.stage_seconds["parse"] = round(parse_s, 2)
    manifest.build_seconds = round(manifest.build_seconds + parse_s, 2)
    print(json.dumps(dataclasses.asdict(manifest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
