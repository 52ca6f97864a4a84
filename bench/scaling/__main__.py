"""``python -m bench.scaling``: the scaling benchmark (see :mod:`bench.scaling.run`)."""

import sys

from bench.scaling.run import main

sys.exit(main())
