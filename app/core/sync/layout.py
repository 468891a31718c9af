"""Where things are in a sync folder, and which files in it Parley may read.

    <folder>/parley-sync/folder.json                  format, encryption, key-derivation salt
    <folder>/parley-sync/devices/<device>/device.json the device's manifest (sealed)
    <folder>/parley-sync/devices/<device>/seg-<n>.psync  its change segments, n = 1, 2, ...
    <folder>/parley-sync/blobs/<ab>/<name>            attachment bytes (sealed), written once

Sync tools leave conflict copies (`x.sync-conflict-20240101-...`, `x (conflicted copy)`)
and half-transferred or temporary files (`.~tmp`, `.partial`, `~$x`) next to real ones.
Only names that match exactly are ever read, so all of those are ignored by construction.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

ROOT_NAME = "parley-sync"
FOLDER_FILE = "folder.json"
MANIFEST_FILE = "device.json"
SEGMENT_SUFFIX = ".psync"

_DEVICE_RE = re.compile(r"^[0-9a-f]{32}$")
_SEGMENT_RE = re.compile(r"^seg-(\d{8})\.psync$")
_BLOB_RE = re.compile(r"^[0-9a-f]{64}$")

#: our own temporary files older than this are left-overs of a crash and are removed
_STALE_TEMP_SECONDS = 3600.0


def new_device_id() -> str:
    """A fresh device id: 32 hex digits."""
    return secrets.token_hex(16)


def is_device_id(name: str) -> bool:
    """True for a folder name that is a device id (not a conflict copy or a temp file)."""
    return bool(_DEVICE_RE.match(name))


def segment_name(seq: int) -> str:
    """The file name of segment `seq` (1, 2, ...)."""
    return f"seg-{seq:08d}{SEGMENT_SUFFIX}"


def segment_seq(name: str) -> int | None:
    """The number of a segment file, or None for any other name (conflict copies too)."""
    match = _SEGMENT_RE.match(name)
    return int(match.group(1)) if match else None


def is_blob_name(name: str) -> bool:
    """True for a blob's file name (64 hex digits, nothing else)."""
    return bool(_BLOB_RE.match(name))


class Layout:
    """The paths of one sync folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.root = self.folder / ROOT_NAME

    @property
    def folder_file(self) -> Path:
        return self.root / FOLDER_FILE

    @property
    def devices(self) -> Path:
        return self.root / "devices"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    def device_dir(self, device: str) -> Path:
        return self.devices / device

    def manifest(self, device: str) -> Path:
        return self.device_dir(device) / MANIFEST_FILE

    def segment(self, device: str, seq: int) -> Path:
        return self.device_dir(device) / segment_name(seq)

    def blob(self, name: str) -> Path:
        return self.blobs / name[:2] / name

    def device_ids(self) -> list[str]:
        """Every device that has a folder here, sorted (conflict copies left out)."""
        try:
            names = [e.name for e in os.scandir(self.devices) if e.is_dir()]
        except FileNotFoundError:
            return []
        return sorted(n for n in names if is_device_id(n))

    def segment_numbers(self, device: str) -> list[int]:
        """The segment numbers present for `device`, ascending."""
        try:
            names = os.listdir(self.device_dir(device))
        except FileNotFoundError:
            return []
        return sorted(n for n in (segment_seq(x) for x in names) if n is not None)

    def clean_own_temp_files(self, device: str) -> None:
        """Remove our own temporary files a crash left behind (never another device's)."""
        cutoff = time.time() - _STALE_TEMP_SECONDS
        try:
            entries = list(os.scandir(self.device_dir(device)))
        except FileNotFoundError:
            return
        for entry in entries:
            if entry.name.endswith(".partial") and entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
