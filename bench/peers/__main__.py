"""``python -m bench.peers``: the peers comparison (see :mod:`bench.peers.run`)."""

import sys

from eval.extras import EVAL_MODULES, MissingExtra, require

try:  # the comparison scores with the evaluation: say which extra is missing, in one line
    require("peers", EVAL_MODULES, "the peers comparison")
except MissingExtra as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)

from bench.peers.run import main

sys.exit(main())
