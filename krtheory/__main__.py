"""``python -m krtheory``: the ``krtheory`` command line."""

import sys

from krtheory.cli import main

sys.exit(main())
