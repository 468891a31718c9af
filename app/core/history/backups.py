"""Backups of the history database, and restoring one (`parley backup` / `parley restore`).

A backup is a consistent, standalone SQLite file written with SQLite's online backup API
(safe while Parley runs), plus the attachment files it refers to, copied into the
`attachments/` folder beside it (content-addressed, so each file is kept once however many
backups share it). Restoring never deletes anything: the current database (and its
-wal/-shm files) is moved into `backups/` first, and the backup's attachment files that the
data folder lacks are copied back. Quit the Parley window before restoring.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.attachments import ATTACHMENTS_DIR_NAME, AttachmentFiles
from app.core.errors import AttachmentError, StorageError
from app.core.history.db import BACKUP_DIR_NAME, _partial_name

if TYPE_CHECKING:
    from app.core.history import Store

BACKUP_SUFFIXES = (".sqlite3", ".bak")
DATABASE_NAME = "history.sqlite3"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _unique(path: Path) -> Path:
    candidate = path
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
    return candidate


def backups_dir(data_dir: Path) -> Path:
    """The folder of manual and pre-migration backups in a data folder."""
    return Path(data_dir) / BACKUP_DIR_NAME


def default_backup_path(data_dir: Path) -> Path:
    """`backups/parley-YYYYmmdd-HHMMSS.sqlite3` in the data folder (never overwriting)."""
    return _unique(backups_dir(data_dir) / f"parley-{_stamp()}.sqlite3")


def backup_database(store: Store, dest: Path | None = None) -> Path:
    """Write a consistent copy of the open database to `dest` (default: backups/); return it."""
    path = Path(dest) if dest is not None else default_backup_path(store.path.parent)
    chosen = dest is None or path.is_dir()
    if path.is_dir():
        path = _unique(path / f"parley-{_stamp()}.sqlite3")
    # A name Parley picked must not replace a backup another process wrote in the same
    # second; a file the user named is replaced, as they asked.
    written = store.backup_to(path, overwrite=not chosen)
    copy_attachments(written, AttachmentFiles.in_data_dir(store.path.parent),
                     backup_attachments(written))
    return written


def backup_attachments(backup: Path) -> AttachmentFiles:
    """Where the attachment files of the backup `backup` are: `attachments/` beside it."""
    return AttachmentFiles(Path(backup).parent / ATTACHMENTS_DIR_NAME)


def copy_attachments(database: Path, source: AttachmentFiles, dest: AttachmentFiles) -> int:
    """Copy the attachment files `database` refers to from `source` to `dest` (those `dest`
    lacks; a hard link when both are on one disk); returns how many were copied.

    Files missing from `source` are skipped: the database still names them, and a later
    backup or an export may have them.
    """
    from app.core.history.store import referenced_hashes

    try:
        conn = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True)
        try:
            wanted = referenced_hashes(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"Could not read which attachments {database} uses: {exc}.") from exc
    copied = 0
    for digest in sorted(wanted):
        if dest.has(digest) or not source.has(digest):
            continue
        target = dest.path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                # Stored files are never changed in place, so sharing one is safe.
                os.link(source.path(digest), target)
            except FileExistsError:
                continue
            except OSError:
                dest.put(source.read(digest))
        except (OSError, AttachmentError) as exc:
            raise StorageError(
                f"Could not copy the attachments of {database} to {dest.root}: {exc}."
            ) from exc
        copied += 1
    return copied


def latest_backup(data_dir: Path) -> Path | None:
    """The newest backup in the data folder's backups/ (manual or pre-migration), or None."""
    folder = backups_dir(data_dir)
    try:
        candidates = [
            p for p in folder.iterdir()
            if p.is_file() and p.name.endswith(BACKUP_SUFFIXES)
        ]
    except OSError:
        return None
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name))


def check_backup(path: Path) -> int:
    """Check that `path` is an intact Parley database; return its schema version."""
    from app.core.history import MIGRATIONS

    path = Path(path)
    if not path.is_file():
        raise StorageError(f"There is no file {path} to restore.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"{path} cannot be opened as a database: {exc}.") from exc
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        check = [r[0] for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise StorageError(f"{path} is not a usable Parley database: {exc}.") from exc
    finally:
        conn.close()
    if version < 1 or not {"conversations", "messages"} <= tables:
        raise StorageError(f"{path} is not a Parley history database.")
    if version > len(MIGRATIONS):
        raise StorageError(
            f"{path} was written by a newer Parley (schema version {version}); "
            "upgrade Parley to restore it."
        )
    if check != ["ok"]:
        raise StorageError(f"{path} is damaged ({'; '.join(check[:3])}); pick another backup.")
    return version


def restore_database(source: Path, data_dir: Path) -> Path | None:
    """Replace the history database with the backup `source`.

    The backup is checked first; the current database is moved to
    `backups/history.sqlite3.before-restore-<stamp>` (returned; None if there was none).
    """
    source = Path(source)
    check_backup(source)
    db = Path(data_dir) / DATABASE_NAME
    if db.exists() and source.resolve() == db.resolve():
        raise StorageError(f"{source} is the current database; pick a backup to restore.")
    partial = _partial_name(db)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(partial)
            try:
                src.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"Could not copy {source}: {exc}. Nothing was changed.") from exc
    moved: Path | None = None
    try:
        if db.exists():
            folder = backups_dir(data_dir)
            folder.mkdir(parents=True, exist_ok=True)
            moved = _unique(folder / f"{db.name}.before-restore-{_stamp()}.bak")
            os.replace(db, moved)
            for side in ("-wal", "-shm"):
                extra = db.with_name(db.name + side)
                if extra.exists():
                    os.replace(extra, moved.with_name(moved.name + side))
        os.replace(partial, db)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        where = f" The previous database is at {moved}." if moved else ""
        raise StorageError(f"Could not restore {source}: {exc}.{where}") from exc
    copy_attachments(db, backup_attachments(source), AttachmentFiles.in_data_dir(data_dir))
    return moved
