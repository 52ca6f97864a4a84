"""``python -m bench.peers``: the peers comparison (see :mod:`bench.peers.run`)."""

import sys

from bench.peers.run import main

sys.exit(main())
