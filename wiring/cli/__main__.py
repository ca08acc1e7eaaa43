"""`python -m wiring.cli`, as `wiring`."""

import sys

from . import main

sys.exit(main())
