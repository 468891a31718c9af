"""Which processes are writing replies right now: one OS-locked file per live writer.

A process that writes a streaming reply holds an exclusive lock (flock on POSIX, msvcrt
on Windows) on its own file in `<data folder>/writers/` for as long as its store is open;
the operating system drops the lock when the process dies, however it dies. So a lock
that can be taken, or a file that is gone, means that writer is gone, and the replies it
left 'streaming' were interrupted.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path

__all__ = ["WRITERS_DIR_NAME", "WriterLock", "sweep", "writer_alive"]

WRITERS_DIR_NAME = "writers"

_SUFFIX = ".lock"
# Ids come back from the database, which a person may edit: only this shape names a file.
_VALID_ID = re.compile(r"[0-9a-f]{1,16}-[0-9a-f]{12}")

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: another open file holds it
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


def writers_dir(data_dir: Path) -> Path:
    """The folder of writer lock files in a data folder."""
    return Path(data_dir) / WRITERS_DIR_NAME


class WriterLock:
    """This process's claim to be alive while it writes replies; release it when done."""

    def __init__(self, folder: Path, writer_id: str, fd: int) -> None:
        """Use `WriterLock.acquire()`."""
        self.folder = folder
        self.id = writer_id
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, folder: Path) -> WriterLock:
        """Create and lock a fresh lock file in `folder`; raises OSError when it cannot."""
        while True:
            folder.mkdir(parents=True, exist_ok=True)
            writer_id = f"{os.getpid():x}-{os.urandom(6).hex()}"
            path = folder / f"{writer_id}{_SUFFIX}"
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            except FileNotFoundError:
                continue  # the last writer before us just removed the empty folder
            if _try_lock(fd) and _same_file(fd, path):
                return cls(folder, writer_id, fd)
            # `sweep` in another process took the file away before it was locked.
            os.close(fd)

    @property
    def held(self) -> bool:
        """True until `release()`."""
        return self._fd is not None

    def release(self) -> None:
        """Drop the lock and remove the file; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        path = self.folder / f"{self.id}{_SUFFIX}"
        if sys.platform != "win32":
            # Removed while still locked, so no other process can mistake it for a dead one.
            with contextlib.suppress(OSError):
                path.unlink()
        _unlock(fd)
        os.close(fd)
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                path.unlink()
        # A clean exit leaves no trace in the data folder; fails while others write.
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def writer_alive(folder: Path, writer_id: str) -> bool:
    """True while the process that holds `writer_id`'s lock is alive."""
    if not _VALID_ID.fullmatch(writer_id):
        return False
    try:
        fd = os.open(folder / f"{writer_id}{_SUFFIX}", os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        # Unreadable (another user's file?): better to leave its replies alone.
        return True
    try:
        if _try_lock(fd):
            _unlock(fd)
            return False
        return True
    finally:
        os.close(fd)


def sweep(folder: Path) -> int:
    """Remove the lock files of writers that are gone; returns how many."""
    try:
        names = [p for p in folder.iterdir() if p.name.endswith(_SUFFIX)]
    except OSError:
        return 0
    removed = 0
    for path in names:
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                continue  # alive
            if sys.platform != "win32":
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
            _unlock(fd)
        finally:
            os.close(fd)
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty: no writer is left
    return removed
