"""python -m genops: the genops command."""

import sys

from .cli import main

sys.exit(main())
