"""Opening the history database: pragmas, refusing foreign files, backups and migrations.

Also the mapping of SQLite failures to `StorageError` / `DatabaseDamagedError`, shared by
every module that reads or writes the history.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from app.core.errors import DatabaseDamagedError, StorageError
from app.core.history.migrations import Migration, _check_migrations, _split_sql

BACKUP_DIR_NAME = "backups"

_BUSY_TIMEOUT_MS = 5000

# Primary SQLite result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
#: failures whose cause is usually the file system: full, read-only, no permission
_FILE_SYSTEM_CODES = (_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN)
#: below this much free space SQLite cannot create its -wal and -shm files
_MIN_FREE_BYTES = 256 * 1024
_PROBE_BYTES = 64 * 1024


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _damaged(path: Path, exc: sqlite3.Error) -> DatabaseDamagedError:
    backups = path.parent / BACKUP_DIR_NAME
    return DatabaseDamagedError(
        f"The history database {path} is damaged or is not a SQLite database ({exc}). "
        f"Parley has not changed it. Quit Parley, then either restore a copy from {backups} "
        f"or move the file somewhere else so that Parley can start a new one.",
        hint="Restore a backup or move the damaged file aside.",
    )


def _wrap(path: Path, what: str, exc: sqlite3.Error) -> StorageError:
    code = _primary_code(exc)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _damaged(path, exc)
    if code in _FILE_SYSTEM_CODES:
        # SQLite names the symptom (often of its -wal/-shm files): find the real cause.
        cause = _file_system_problem(path, what, exc)
        if cause is not None:
            return cause
    if code == _SQLITE_FULL:
        return _disk_full(path, what, exc)
    return StorageError(f"Could not {what} in {path}: {exc}.")


def _disk_full(path: Path, what: str, exc: sqlite3.Error) -> StorageError:
    return StorageError(
        f"The disk holding {path.parent} is full: free some space on it, then try again. "
        f"(Parley could not {what}: {exc}.) Nothing was deleted.",
        hint="Free some disk space and try again.",
    )


def _no_write_access(path: Path, target: Path, what: str, exc: sqlite3.Error) -> StorageError:
    return StorageError(
        f"Parley cannot write to {target}: check its permissions (your user must be able "
        f"to create and change files there), or set PARLEY_HOME to a folder you can write "
        f"to. (Parley could not {what} in {path}: {exc}.) Nothing was deleted.",
        hint="Check the permissions of the data folder.",
    )


def _file_system_problem(path: Path, what: str, exc: sqlite3.Error) -> StorageError | None:
    """A full disk or a folder Parley may not write to, when that is what is wrong."""
    folder = path.parent
    try:
        if shutil.disk_usage(folder).free < _MIN_FREE_BYTES:
            return _disk_full(path, what, exc)
    except OSError:
        pass
    # A probe file in the folder answers for read-only mounts, ACLs and quotas alike,
    # where os.access alone can be wrong (root, network file systems).
    probe = folder / f".parley-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * _PROBE_BYTES)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as probe_exc:
        if probe_exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _disk_full(path, what, exc)
        if probe_exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _no_write_access(path, folder, what, exc)
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    for target in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        if target.exists() and not os.access(target, os.R_OK | os.W_OK):
            return _no_write_access(path, target, what, exc)
    return None


def _partial_name(dest: Path) -> Path:
    """A temporary name next to `dest` that no other process or thread will pick."""
    return dest.with_name(f"{dest.name}.{os.getpid()}-{os.urandom(6).hex()}.partial")


def _publish(partial: Path, dest: Path, *, overwrite: bool) -> Path:
    """Move a finished `partial` to `dest` atomically; return where it landed.

    Without `overwrite`, an existing file is never replaced: the copy goes to the first
    free name `stem-2.ext`, `stem-3.ext`... (a hard link claims a name atomically, so two
    processes publishing at once cannot both get the same one).
    """
    if overwrite:
        os.replace(partial, dest)
        return dest
    candidate = dest
    counter = 1
    while True:
        try:
            os.link(partial, candidate)
        except FileExistsError:
            counter += 1
            candidate = dest.with_name(f"{dest.stem}-{counter}{dest.suffix}")
            continue
        except OSError:
            # No hard links on this file system: the rename is still atomic, and the
            # exists check only races with another copy being published in the same instant.
            if candidate.exists():
                counter += 1
                candidate = dest.with_name(f"{dest.stem}-{counter}{dest.suffix}")
                continue
            os.replace(partial, candidate)
            return candidate
        partial.unlink()
        return candidate


def _copy_database(
    source: sqlite3.Connection | Path, dest: Path, *, overwrite: bool = True
) -> Path:
    """Write a consistent, self-contained copy of `source` to `dest`; return the file written.

    `source` is an open connection, or the path of a database to read with a connection of
    its own (which sees the last committed state even while another connection writes).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial_name(dest)
    try:
        reader = sqlite3.connect(source) if isinstance(source, Path) else source
        try:
            if reader is not source:
                reader.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            target = sqlite3.connect(partial)
            try:
                reader.backup(target)
                # A copy must stand alone: no -wal file needed next to it.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            if reader is not source:
                reader.close()
        return _publish(partial, dest, overwrite=overwrite)
    finally:
        partial.unlink(missing_ok=True)


def open_database(path: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open (or create) the database at `path`, backing it up and migrating it if needed."""
    _check_migrations(migrations)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Could not create the folder for {path}: {exc}.") from exc
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise _wrap(path, "open the history database", exc) from exc
    try:
        _prepare(path, conn, migrations)
    except BaseException:
        conn.close()
        raise
    return conn


def _read_state(conn: sqlite3.Connection) -> tuple[int, int]:
    # One statement, so one snapshot: the version and the schema can never come from
    # either side of another process's migration.
    row = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version), "
        "(SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    return int(row[0]), int(row[1])


def _refuse_unknown(path: Path, version: int, objects: int, latest: int) -> None:
    if version > latest:
        raise StorageError(
            f"The history database {path} was written by a newer Parley "
            f"(schema version {version}; this Parley knows up to {latest}). "
            f"Parley has not changed it. Upgrade Parley to open it.",
            hint="Upgrade Parley.",
        )
    if version == 0 and objects:
        raise StorageError(
            f"{path} is a SQLite database, but not one made by Parley. "
            f"Parley has not changed it. Move it aside or point PARLEY_HOME elsewhere.",
        )


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    # Changing the journal mode needs the file to itself and SQLite does not wait for
    # that (no busy handler), so a Parley that opens the file while another one starts
    # retries here for as long as any other statement would wait.
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if _primary_code(exc) not in (_SQLITE_BUSY, _SQLITE_LOCKED):
                raise
            if time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _prepare(path: Path, conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
    latest = len(migrations)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Reading the header and the schema first: a damaged or foreign file is
        # refused before anything (such as switching to WAL) could write to it.
        version, objects = _read_state(conn)
    except sqlite3.Error as exc:
        raise _wrap(path, "read the history database", exc) from exc
    _refuse_unknown(path, version, objects, latest)
    try:
        _switch_to_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        raise _wrap(path, "set up the history database", exc) from exc
    if version == latest:
        return
    # Another Parley may be opening the same file right now. Holding the write lock,
    # read the state again: it is final until this transaction ends, so the decision
    # (refuse, back up, migrate) and the backup are made on what the file really holds.
    backup: Path | None = None
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version, objects = _read_state(conn)
            _refuse_unknown(path, version, objects, latest)
            if 0 < version < latest:
                backup = _backup_before_migration(path, latest)
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise _wrap(path, "read the history database", exc) from exc
    for migration in migrations[version:]:
        _apply(path, conn, migration, backup)


def _backup_before_migration(path: Path, target: int) -> Path:
    # Called with the write lock held: the copy, read through a connection of its own,
    # is exactly the version about to be migrated.
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.parent / BACKUP_DIR_NAME / f"{path.name}.before-v{target}-{stamp}.bak"
    try:
        written = _copy_database(path, dest, overwrite=False)
        from app.core.attachments import AttachmentFiles
        from app.core.history.backups import backup_attachments, copy_attachments

        copy_attachments(written, AttachmentFiles.in_data_dir(path.parent),
                         backup_attachments(written))
        return written
    except (sqlite3.Error, OSError, StorageError) as exc:
        raise StorageError(
            f"Could not back up {path} to {dest} before upgrading its schema: {exc}. "
            f"The database was not changed.",
            hint="Free some disk space, then start Parley again.",
        ) from exc


def _apply(
    path: Path, conn: sqlite3.Connection, migration: Migration, backup: Path | None
) -> None:
    # Foreign keys go off for the migration (SQLite's documented procedure for table
    # rebuilds: a DROP TABLE would otherwise cascade) and are checked before COMMIT.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= migration.version:
                conn.execute("ROLLBACK")  # another Parley got here first
                return
            for statement in _split_sql(migration.sql):
                conn.execute(statement)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
            conn.execute(
                "INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) "
                "VALUES (?, ?, ?)",
                (migration.version, migration.name, time.time()),
            )
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchmany(3)
            if broken:
                raise sqlite3.IntegrityError(f"foreign key check failed: {broken}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        if _primary_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            raise _damaged(path, exc) from exc
        where = (
            f"A copy taken before the upgrade is at {backup}."
            if backup is not None
            else "No backup was needed: the database was new."
        )
        raise StorageError(
            f"Upgrading {path} to schema version {migration.version} "
            f"({migration.name!r}) failed: {exc}. The change was rolled back and the "
            f"database is unchanged by it. {where}",
            hint="Report this problem; your data was not changed.",
        ) from exc
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
