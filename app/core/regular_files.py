"""Reading a file the user points Parley at (an import, an attachment) without being fooled.

Only regular files are read: a symlink is followed to what it points at, and folders,
devices (`/dev/zero`), sockets and named pipes are refused before anything is read. The file
is opened without blocking, so a pipe cannot hang Parley, and read in bounded steps, so a file
that grows (or lies about its size) cannot exhaust memory. Callers turn `FileRefused` into their
own error with their own words.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_STEP = 1 << 20


class FileRefused(Exception):
    """Why a file was not read. `not_a_file` names what it is ("a named pipe"); `size` is set
    when it is larger than allowed; otherwise `reason` is the system's explanation."""

    def __init__(self, reason: str, *, not_a_file: str | None = None,
                 size: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_a_file = not_a_file
        self.size = size


def _what(mode: int) -> str | None:
    """None for a regular file, else what it is, for a sentence ("it is a folder")."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(mode: int, size: int, limit: int) -> None:
    what = _what(mode)
    if what is not None:
        raise FileRefused(f"it is {what}", not_a_file=what)
    if size > limit:
        raise FileRefused("it is too large", size=size)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; FileRefused otherwise."""
    try:
        before = os.stat(path)  # follows a symlink: what it points to must be a file
    except OSError as exc:
        raise FileRefused(str(exc.strerror or exc)) from exc
    _check(before.st_mode, before.st_size, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileRefused(str(exc.strerror or exc)) from exc
    try:
        # What was opened must still be a regular file (it could have been swapped).
        _check(os.fstat(fd).st_mode, 0, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_STEP, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileRefused("it is too large", size=total)
    except OSError as exc:
        raise FileRefused(str(exc.strerror or exc)) from exc
    finally:
        os.close(fd)
    return b"".join(chunks)


def write_file_atomically(dest: Path, data: bytes, *, replace: bool = True) -> bool:
    """Write `data` to a temporary name beside `dest`, then rename it into place.

    Nothing (a crash, a sync tool, a reader) ever sees half a file under the real name: the
    temporary name starts with "." and ends with ".partial". Without `replace`, an existing
    `dest` is kept and False is returned (for files written once: blobs, sync segments).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}-{os.urandom(4).hex()}.partial")
    try:
        with open(partial, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(partial, dest)
            return True
        try:
            os.link(partial, dest)
        except FileExistsError:
            return False
        except OSError:
            if dest.exists():
                return False
            os.replace(partial, dest)
        return True
    finally:
        partial.unlink(missing_ok=True)
