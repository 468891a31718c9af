"""Qt widgets and the controllers that connect them to app.core."""

# Before any widget module: PySide must not read the source of every module imported from
# here on (see pyside_setup).
from app.ui import pyside_setup as _pyside_setup  # noqa: F401
