"""``python -m eval``: the same as ``practice-search eval``."""

import sys

from cli.main import main

sys.exit(main(["eval", *sys.argv[1:]]))
