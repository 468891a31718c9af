"""PySide6 settings Parley applies once, before its first widget module is imported.

PySide6 wraps `import` to support its opt-in `from __feature__ import snake_case`. After
every import of a module name it has not seen yet, it reads that module's whole source
file (`inspect.getsource`) to see whether the module mentions PySide. At Parley's start-up
that is ~130 modules and ~18 ms of reading files before the window can be shown, and it
comes back at the first import of every dialog later.

Parley uses no `__feature__`. Its answer for every module is therefore the one PySide
would give Parley's own widget modules: "uses PySide, selects no feature" (select id 0).
A module that really opts in to a feature still does so through `from __feature__ import`,
which PySide handles on its own path. On a PySide without this check nothing is changed.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 (loads shibokensupport, whose check is replaced below)


def _uses_pyside_without_features(module: ModuleType) -> bool:
    return True


def skip_source_scan() -> bool:
    """Stop PySide reading each imported module's source; False where it has no such step."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_pyside_without_features  # type: ignore[attr-defined]
    return True


SCAN_SKIPPED = skip_source_scan()
