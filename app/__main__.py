"""`python -m app`: same as the `parley` command (opens the window without arguments)."""

import sys

from app.cli import main

sys.exit(main())
