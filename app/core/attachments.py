"""Attachments: files sent with a prompt and images a model returns, stored once by content.

`AttachmentFiles` is the content-addressed store in the data folder
(`attachments/<first two hex digits>/<sha256>`): writing the same bytes twice stores them
once, a file is written to a temporary name and renamed so a crash never leaves half of one,
and nothing is removed except by `collect_garbage` with the set of hashes still referred to.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.core.errors import AttachmentError

ATTACHMENTS_DIR_NAME = "attachments"

#: largest file Parley attaches (checked before anything is read in full or sent)
MAX_FILE_BYTES = 32 * 1024 * 1024
#: largest total of the files attached to one message
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def sha256_hex(data: bytes) -> str:
    """The content address of `data`."""
    return hashlib.sha256(data).hexdigest()


class AttachmentFiles:
    """The attachment bytes in the data folder, one file per distinct content."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> AttachmentFiles:
        """The store of a data folder (`$PARLEY_HOME/attachments`)."""
        return cls(Path(data_dir) / ATTACHMENTS_DIR_NAME)

    def path(self, sha256: str) -> Path:
        """Where the bytes with this hash are (or would be) kept."""
        if not _HEX64.match(sha256):
            raise AttachmentError(f"{sha256!r} is not the hash of a stored attachment.")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the bytes with this hash are stored."""
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its hash."""
        digest = sha256_hex(data)
        dest = self.path(digest)
        if dest.is_file() and dest.stat().st_size == len(data):
            return digest
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            partial = dest.with_name(f".{digest}.{os.getpid()}-{secrets.token_hex(4)}.partial")
            try:
                with open(partial, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(partial, dest)
            finally:
                partial.unlink(missing_ok=True)
        except OSError as exc:
            raise AttachmentError(
                f"Could not store the attachment in {self.root}: {exc.strerror or exc}.",
                hint="Free some disk space, or check the data folder's permissions.",
            ) from exc
        return digest

    def read(self, sha256: str) -> bytes:
        """The stored bytes; AttachmentError with a sentence when they are missing."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise AttachmentError(
                f"An attachment of this conversation is missing from {self.root} "
                f"(sha256 {sha256[:12]}…). Restore it from a backup or an export.",
            ) from None
        except OSError as exc:
            raise AttachmentError(
                f"Could not read an attachment from {self.root}: {exc.strerror or exc}."
            ) from exc

    def stored(self) -> Iterator[str]:
        """Every hash with bytes in the store."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            for item in sorted(folder.iterdir()):
                if _HEX64.match(item.name):
                    yield item.name

    def collect_garbage(self, keep: Iterable[str]) -> int:
        """Remove stored files whose hash is not in `keep`; returns how many were removed."""
        wanted = set(keep)
        removed = 0
        for digest in list(self.stored()):
            if digest in wanted:
                continue
            try:
                self.path(digest).unlink()
                removed += 1
            except OSError:
                continue  # a file we cannot remove now is tried again next time
        return removed
