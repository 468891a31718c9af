"""Sync history through a folder the user already syncs (Syncthing, Dropbox, ...).

Each device writes only its own append-only segments of changes into the folder and
merges every other device's by stable id. See docs/sync.md for the layout and the rules.

The names below are imported on first use: the window imports this package at start and
needs none of it until the first round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.sync.service import (
        DeviceStatus,
        RoundReport,
        SyncStatus,
        run_round,
        sync_status,
    )

__all__ = ["DeviceStatus", "RoundReport", "SyncStatus", "run_round", "sync_status"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from app.core.sync import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
