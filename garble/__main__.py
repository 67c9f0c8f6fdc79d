"""``python -m garble``: the same command line as the ``garble`` script."""

import sys

from garble.cli import main

sys.exit(main())
