"""Conversation history: the SQLite store, its migrations, search, import, export and backups.

The main names load on first use, so importing one submodule (prompts, export...) does not
pull in the store and SQLite with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.history.migrations import MIGRATIONS, Migration
    from app.core.history.store import INTERRUPTED_ERROR, Store

__all__ = ["INTERRUPTED_ERROR", "MIGRATIONS", "Migration", "Store"]

_HOME = {
    "INTERRUPTED_ERROR": "store",
    "MIGRATIONS": "migrations",
    "Migration": "migrations",
    "Store": "store",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines an exported name when it is first asked for."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
