"""History file work done on a worker thread: import, export of everything, backup.

Each job opens a SQLite connection of its own (a connection stays on the thread that
made it; WAL lets it read and write beside the window's) and takes a `threading.Event`
that cancels it: before anything is written the job just stops, and while an import
writes, SQLite interrupts the running statement so the transaction rolls back. An
import is therefore all or nothing, and an export is written to a side file that
replaces the target only when complete.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import ParleyError

if TYPE_CHECKING:
    from app.core.history.importers import ImportReport
    from app.core.history.store import Store

#: SQLite virtual-machine steps between two looks at the Cancel flag
_CANCEL_CHECK_STEPS = 1_000


class JobCancelled(Exception):
    """The user cancelled a file job; nothing was changed."""


def worker_store(db_path: Path, cancel: threading.Event) -> Store:
    """A connection of the worker's own (sqlite3 connections stay on their thread)."""
    from app.core.history import Store
    from app.core.history.db import open_database
    from app.core.history.migrations import MIGRATIONS

    conn = open_database(db_path, MIGRATIONS)
    # Cancel interrupts the running statement; the transaction around it rolls back.
    conn.set_progress_handler(lambda: 1 if cancel.is_set() else 0, _CANCEL_CHECK_STEPS)
    return Store(db_path, conn)


def import_in_worker(db_path: Path, path: Path, cancel: threading.Event) -> ImportReport:
    """Read, check and import `path` (all or nothing); runs on a worker thread."""
    from app.core.history import importers

    data = importers.load_file(path)
    if cancel.is_set():
        raise JobCancelled
    store = worker_store(db_path, cancel)
    try:
        return importers.import_data(store, data)
    except ParleyError:
        if cancel.is_set():
            raise JobCancelled from None
        raise
    finally:
        _close_quietly(store)


def export_all_in_worker(db_path: Path, dest: Path, cancel: threading.Event) -> Path:
    """Write every conversation as lossless JSON to `dest`; runs on a worker thread."""
    from app.core.history.export import export_json

    store = worker_store(db_path, cancel)
    try:
        text = export_json(store)
    except ParleyError:
        if cancel.is_set():
            raise JobCancelled from None
        raise
    finally:
        _close_quietly(store)
    partial = dest.with_name(dest.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        if cancel.is_set():
            raise JobCancelled
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


def backup_in_worker(db_path: Path, cancel: threading.Event) -> Path:
    """A consistent copy of the database in the backups folder; runs on a worker thread."""
    from app.core.history.backups import backup_database

    store = worker_store(db_path, cancel)
    try:
        return backup_database(store)
    finally:
        _close_quietly(store)


def _close_quietly(store: Store) -> None:
    # The work is done (or failed with its own message); closing cannot lose anything.
    with contextlib.suppress(ParleyError):
        store.close()
