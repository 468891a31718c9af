"""Sync history through a folder the user already syncs (Syncthing, Dropbox, ...).

Each device writes only its own append-only segments of changes into the folder and
merges every other device's by stable id. See docs/sync.md for the layout and the rules.
"""

from __future__ import annotations

from app.core.sync.service import DeviceStatus, RoundReport, SyncStatus, run_round, sync_status

__all__ = ["DeviceStatus", "RoundReport", "SyncStatus", "run_round", "sync_status"]
