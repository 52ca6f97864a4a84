import sys

from practice_search.cli import main

sys.exit(main())
