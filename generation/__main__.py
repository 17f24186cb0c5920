"""`python -m generation [MODEL_ID ...]`: join and verify models ahead of time, with a progress bar."""
import sys

from generation.provision import main

sys.exit(main())
