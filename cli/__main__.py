"""``python -m cli``: the same as the ``practice-search`` command."""

import sys

from cli.main import main

sys.exit(main())
