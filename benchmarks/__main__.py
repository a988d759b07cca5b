"""`python -m benchmarks`: print the comparison table."""

import sys

from benchmarks.run import main

sys.exit(main())
