"""What every `parley` command shares: exit codes, error output, the store, settings.

Imports nothing heavy at module level: each helper imports what it needs when called.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.history import Store

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _err(message: str, hint: str = "") -> None:
    import logging  # already loaded by `main`; the file opens only now, on a first record

    logging.getLogger("app.cli").warning("%s", message)
    sys.stderr.write(f"parley: {message}\n")
    if hint:
        sys.stderr.write(f"  {hint}\n")


def _open_store() -> Store:
    from app.core.config import database_path
    from app.core.history import Store

    return Store.open(database_path())


def _load_settings() -> Settings:
    """The saved settings; an unusable file is reported in one line and the defaults used."""
    from app.core.settings_service import SettingsService

    service = SettingsService.load()
    if service.problem:
        _err("warning: " + " ".join(service.problem.split()))
    return service.current
