"""PyInstaller's entry script for the frozen `parley` executable: the same as the console script."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
