import sys

from krtheory.cli import main

sys.exit(main())
