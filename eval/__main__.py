"""``python -m eval``: the same as ``practice-search eval``."""

import sys

from practice_search.cli import main

sys.exit(main(["eval", *sys.argv[1:]]))
