"""``python -m bench.scaling``: the scaling benchmark (see :mod:`bench.scaling.run`)."""

import sys

from eval.extras import MissingExtra, require

try:  # say which extra is missing, in one line
    require("bench", ("matplotlib",), "the scaling benchmark")
except MissingExtra as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)

from bench.scaling.run import main

sys.exit(main())
