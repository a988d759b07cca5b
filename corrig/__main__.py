"""`python -m corrig ...` runs the command line (the same as the `corrig` script)."""

import sys

from corrig.faces.cli import main

sys.exit(main())
