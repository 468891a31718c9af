"""PyInstaller's entry script for the frozen `parley` executable: the same as the console script."""

import sys

from app.cli import main

if __name__ == "__main__":
    if sys.argv[1:] == ["--math-worker"]:
        # The window's formula typesetter runs in a child process; in the frozen app that
        # child is this executable (there is no `python -m app.core.math_tex` to run).
        from app.core.math_tex import serve

        serve()
        sys.exit(0)
    sys.exit(main())
