"""One sync round: send local changes, merge every other device's new segments, report.

Everything a round does to the database happens in short transactions: each received
segment is applied in one transaction (all of it or nothing), and a segment that cannot be
read or stored is skipped and reported, then tried again if its file changes.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from app import __version__
from app.core.attachments import AttachmentFiles
from app.core.errors import AttachmentError, StorageError, SyncError
from app.core.history.store import Store
from app.core.regular_files import write_file_atomically
from app.core.sync import journal
from app.core.sync.crypto import Codec, Unreadable, open_folder
from app.core.sync.entities import ApplyContext, message_blobs
from app.core.sync.layout import Layout
from app.core.sync.merge import BadOp, apply_ops
from app.core.sync.segments import Op, read_manifest, read_segment, write_manifest, write_segment

#: a device refreshes its manifest ("last seen") at least this often when it has nothing new
MANIFEST_REFRESH_SECONDS = 6 * 3600.0


@dataclass
class DeviceStatus:
    """What this device knows about one device of the folder."""

    device: str
    name: str
    #: when it last wrote to the folder (its own clock), None when unknown
    last_seen: float | None
    #: segments it has written (from its manifest or the files present)
    available: int
    #: segments of it applied here
    applied: int
    this_device: bool = False

    @property
    def pending(self) -> int:
        """Its segments not applied here yet."""
        return 0 if self.this_device else max(0, self.available - self.applied)


@dataclass
class RoundReport:
    """What one round did."""

    folder: Path
    device: str
    sent: int = 0
    segments_written: int = 0
    received: int = 0
    segments_read: int = 0
    devices: list[DeviceStatus] = field(default_factory=list)
    #: sentences: segments skipped as unreadable, attachments that could not be stored
    problems: list[str] = field(default_factory=list)
    #: sentences: segments that have not arrived yet while later ones have
    waiting: list[str] = field(default_factory=list)
    finished_at: float = 0.0

    @property
    def imported(self) -> bool:
        """True when the round changed the local history."""
        return self.received > 0

    def summary(self) -> str:
        """One sentence for people."""
        others = sum(1 for d in self.devices if not d.this_device)
        return (
            f"Synced with {self.folder}: sent {self.sent} change(s), received "
            f"{self.received} change(s); {others} other device(s) in the folder."
        )


@dataclass
class SyncStatus:
    """The state of sync on this device (`parley sync status`)."""

    folder: Path
    device: str
    devices: list[DeviceStatus]
    #: local changes not yet written to the folder
    pending_local: int
    last_round: float | None
    #: sentences about segments skipped as unreadable
    problems: list[str]


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise SyncError(
            f"The sync folder {folder} does not exist or is not a folder. Check that the "
            "drive or sync tool is available, or choose another folder."
        )


class _Round:
    def __init__(self, store: Store, folder: Path, codec: Codec, files: AttachmentFiles) -> None:
        self.store = store
        self.layout = Layout(folder)
        self.codec = codec
        self.files = files
        self.device = journal.device_id(store)
        self.report = RoundReport(folder=folder, device=self.device)

    # ------------------------------------------------------------ blobs

    def _blob_aad(self, sha: str) -> bytes:
        return f"blob:{sha}".encode()

    def put_blob(self, sha: str) -> None:
        """Copy one attachment into the folder unless it is there already."""
        target = self.layout.blob(self.codec.blob_name(sha))
        if target.exists():
            return
        try:
            data = self.files.read(sha)
        except AttachmentError:
            return  # the bytes are gone here too: the reference still syncs
        write_file_atomically(target, self.codec.seal(data, self._blob_aad(sha)), replace=False)

    def fetch_blob(self, sha: str) -> bool:
        """Copy one attachment from the folder into the data folder; False if not there."""
        try:
            if self.files.has(sha):
                return True
            blob = self.layout.blob(self.codec.blob_name(sha)).read_bytes()
            data = self.codec.open(blob, self._blob_aad(sha))
        except (OSError, Unreadable, AttachmentError):
            return False
        if hashlib.sha256(data).hexdigest() != sha:
            return False
        self.files.put(data)
        return True

    def _want_blob(self, conn: sqlite3.Connection, sha: str) -> None:
        if not self.fetch_blob(sha):
            conn.execute("INSERT OR IGNORE INTO sync_blobs_wanted (sha256) VALUES (?)", (sha,))

    def fetch_wanted_blobs(self) -> None:
        with self.store.reading("list the attachments to fetch") as conn:
            wanted = [r[0] for r in conn.execute("SELECT sha256 FROM sync_blobs_wanted")]
        got = [sha for sha in wanted if self.fetch_blob(sha)]
        if got:
            with self.store.transaction("note the attachments fetched") as conn:
                conn.executemany("DELETE FROM sync_blobs_wanted WHERE sha256 = ?",
                                 [(s,) for s in got])

    # ------------------------------------------------------------ sending

    def _next_seq(self) -> int:
        with self.store.reading("read the sync state") as conn:
            stored = int(conn.execute("SELECT next_seq FROM sync_state WHERE id = 1").fetchone()[0])
        present = self.layout.segment_numbers(self.device)
        return max(stored, (present[-1] + 1) if present else 1)

    def send(self) -> None:
        self.layout.device_dir(self.device).mkdir(parents=True, exist_ok=True)
        self.layout.clean_own_temp_files(self.device)
        seq = self._next_seq()

        def write(conn: sqlite3.Connection, ops: list[Op]) -> None:
            nonlocal seq
            for op in ops:
                if op.kind == "message" and op.data is not None:
                    for sha in message_blobs(op.data):
                        self.put_blob(sha)
            while not write_segment(self.layout, self.codec, self.device, seq, ops,
                                    created=time.time()):
                seq += 1  # a file of that number is there already (restored database)
            seq += 1
            conn.execute("UPDATE sync_state SET next_seq = ? WHERE id = 1", (seq,))
            self.report.segments_written += 1

        self.report.sent += journal.send_changes(self.store, self.device, write)
        manifest = self.layout.manifest(self.device)
        try:
            age = time.time() - manifest.stat().st_mtime
        except OSError:
            age = float("inf")
        if self.report.segments_written or age > MANIFEST_REFRESH_SECONDS:
            write_manifest(self.layout, self.codec, self.device, {
                "device": self.device, "name": socket.gethostname(), "last_seq": seq - 1,
                "updated": time.time(), "app": __version__,
            })

    # ------------------------------------------------------------ receiving

    def _apply(self, device: str, seq: int, ops: list[Op], advance: bool) -> None:
        with self.store.transaction("merge changes from another device") as conn:
            ctx = ApplyContext(conn, want_blob=lambda sha: self._want_blob(conn, sha))
            self.report.received += apply_ops(ctx, ops)
            if advance:
                conn.execute(
                    "INSERT INTO sync_peers (device, applied_seq, last_applied) VALUES (?, ?, ?) "
                    "ON CONFLICT (device) DO UPDATE SET applied_seq = max(applied_seq, "
                    "excluded.applied_seq), last_applied = excluded.last_applied",
                    (device, seq, time.time()),
                )
            conn.execute("DELETE FROM sync_skipped WHERE device = ? AND seq = ?", (device, seq))

    def _skip(self, device: str, seq: int, reason: str, advance: bool) -> None:
        path = self.layout.segment(device, seq)
        try:
            st = path.stat()
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = -1, 0.0
        with self.store.transaction("note an unreadable segment") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sync_skipped (device, seq, size, mtime, reason) "
                "VALUES (?, ?, ?, ?, ?)",
                (device, seq, size, mtime, reason),
            )
            if advance:
                conn.execute(
                    "INSERT INTO sync_peers (device, applied_seq) VALUES (?, ?) "
                    "ON CONFLICT (device) DO UPDATE SET applied_seq = max(applied_seq, "
                    "excluded.applied_seq)",
                    (device, seq),
                )
        self.report.problems.append(
            f"Skipped {path.name} of device {device[:8]}: {reason}. It is tried again when "
            "the file changes."
        )

    def _take(self, device: str, seq: int, advance: bool) -> bool:
        """Read and apply one segment; False when it has not arrived."""
        try:
            ops = read_segment(self.layout, self.codec, device, seq)
        except FileNotFoundError:
            return False
        except OSError as exc:
            self._skip(device, seq, f"it could not be read ({exc.strerror or exc})", advance)
            return True
        except Unreadable:
            what = "it is damaged, incomplete or sealed with another passphrase"
            self._skip(device, seq, what, advance)
            return True
        try:
            self._apply(device, seq, ops, advance)
        except BadOp as exc:
            self._skip(device, seq, f"a change in it cannot be stored ({exc})", advance)
            return True
        self.report.segments_read += 1
        return True

    def receive(self) -> None:
        with self.store.reading("read the sync state") as conn:
            applied = {str(d): int(s) for d, s in conn.execute(
                "SELECT device, applied_seq FROM sync_peers")}
            skipped = conn.execute("SELECT device, seq, size, mtime FROM sync_skipped").fetchall()
        for device, seq, size, mtime in skipped:
            try:
                st = self.layout.segment(device, seq).stat()
            except OSError:
                continue
            if (st.st_size, st.st_mtime) != (size, mtime):
                self._take(device, seq, advance=False)
        for device in self.layout.device_ids():
            if device == self.device:
                continue
            seq = applied.get(device, 0) + 1
            while self._take(device, seq, advance=True):
                seq += 1
            later = [n for n in self.layout.segment_numbers(device) if n > seq]
            if later:
                self.report.waiting.append(
                    f"Waiting for segment {seq} of device {device[:8]}: {len(later)} later "
                    "one(s) have arrived and are applied once it does."
                )


def _devices(store: Store, layout: Layout, codec: Codec, device: str) -> list[DeviceStatus]:
    with store.reading("read the sync state") as conn:
        applied = {str(d): int(s) for d, s in conn.execute(
            "SELECT device, applied_seq FROM sync_peers")}
    out: list[DeviceStatus] = []
    for other in layout.device_ids():
        manifest = read_manifest(layout, codec, other) or {}
        numbers = layout.segment_numbers(other)
        available = max(int(manifest.get("last_seq") or 0), numbers[-1] if numbers else 0)
        seen = manifest.get("updated")
        out.append(DeviceStatus(
            device=other,
            name=str(manifest.get("name") or "unknown"),
            last_seen=float(seen) if isinstance(seen, int | float) else None,
            available=available,
            applied=applied.get(other, 0),
            this_device=other == device,
        ))
    return out


def run_round(
    store: Store, folder: Path, passphrase: str | None, *, files: AttachmentFiles | None = None
) -> RoundReport:
    """Send local changes to `folder`, merge the other devices' new ones; SyncError on failure.

    A wrong or missing passphrase is found before anything is read, written or imported.
    """
    folder = Path(folder)
    _check_folder(folder)
    codec = open_folder(Layout(folder).folder_file, passphrase)
    files = files or AttachmentFiles.in_data_dir(store.path.parent)
    journal.start_capture(store)
    work = _Round(store, folder, codec, files)
    try:
        work.send()
        work.receive()
        work.fetch_wanted_blobs()
    except OSError as exc:
        raise SyncError(
            f"Could not use the sync folder {folder}: {exc.strerror or exc}. Check that it "
            "is available and that you can write to it; nothing was lost."
        ) from exc
    except StorageError:
        raise
    now = time.time()
    with store.transaction("remember the sync round") as conn:
        conn.execute("UPDATE sync_state SET last_round = ? WHERE id = 1", (now,))
    work.report.devices = _devices(store, work.layout, codec, work.device)
    work.report.finished_at = now
    return work.report


def sync_status(store: Store, folder: Path, passphrase: str | None) -> SyncStatus:
    """Devices of the folder, when they were last seen and what is pending (reads only)."""
    folder = Path(folder)
    _check_folder(folder)
    layout = Layout(folder)
    if not layout.folder_file.exists():
        raise SyncError(
            f"No Parley has synced through {folder} yet. Run `parley sync` to start."
        )
    codec = open_folder(layout.folder_file, passphrase)
    device = journal.device_id(store)
    with store.reading("read the sync state") as conn:
        last_round = conn.execute("SELECT last_round FROM sync_state WHERE id = 1").fetchone()[0]
        capturing = conn.execute("SELECT capturing FROM sync_state WHERE id = 1").fetchone()[0]
        skipped = conn.execute("SELECT device, seq, reason FROM sync_skipped").fetchall()
    pending = journal.pending_count(store) if capturing else _count_all(store)
    problems = [f"Segment {seq} of device {str(d)[:8]} was skipped: {reason}."
                for d, seq, reason in skipped]
    return SyncStatus(folder, device, _devices(store, layout, codec, device), pending,
                      last_round, problems)


def _count_all(store: Store) -> int:
    with store.reading("count the history") as conn:
        return int(conn.execute(
            "SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM messages "
            "WHERE status <> 'streaming') + (SELECT count(*) FROM prompts)").fetchone()[0])
