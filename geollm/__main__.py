"""Entry point of `python -m geollm`."""
import sys

from geollm.cli import main

sys.exit(main())
