"""`parley sync`: sync the history through a folder the user already syncs (docs/sync.md)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import EXIT_ERROR, EXIT_OK, _err, _open_store

if TYPE_CHECKING:
    from app.core.sync.service import DeviceStatus


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sync` to `parley`'s sub-command parser."""
    p = sub.add_parser(
        "sync",
        help="sync the history through a folder (Syncthing, Dropbox, ...): one round",
        description="Send this computer's changes to the sync folder and merge the other "
        "computers' changes. With a passphrase (keychain, or $PARLEY_SYNC_PASSPHRASE) "
        "everything in the folder is encrypted.",
    )
    p.add_argument("action", nargs="?", choices=("status",),
                   help="status: list the devices, when they were last seen and what is pending")
    p.add_argument("--folder", metavar="DIR", type=Path,
                   help="sync through DIR from now on (remembered in the settings)")


def _ago(ts: float | None) -> str:
    if ts is None:
        return "never"
    seconds = max(0.0, time.time() - ts)
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def _device_line(d: DeviceStatus) -> str:
    who = "this computer" if d.this_device else d.name
    pending = "" if d.this_device else f", {d.pending} segment(s) pending"
    return f"  {d.device[:8]}  {who}: last seen {_ago(d.last_seen)}{pending}"


def cmd_sync(args: argparse.Namespace) -> int:
    from app.core.settings_service import SettingsService
    from app.core.sync import run_round, sync_status
    from app.core.sync.passphrase import get_passphrase

    service = SettingsService.load()
    if service.problem:
        _err("warning: " + " ".join(service.problem.split()))
    if args.folder is not None:
        folder = args.folder.expanduser().resolve()
        if not folder.is_dir():
            _err(f"the sync folder {folder} does not exist or is not a folder; create it "
                 "(or let your sync tool create it) first.")
            return EXIT_ERROR
        service.update(sync_folder=str(folder))
    elif not service.current.sync_folder:
        _err("no sync folder is set. Run `parley sync --folder DIR` with a folder your sync "
             "tool (Syncthing, Dropbox, ...) keeps in step, or choose one in Settings > Sync.")
        return EXIT_ERROR
    folder = Path(service.current.sync_folder)
    passphrase = get_passphrase()
    store = _open_store()
    try:
        if args.action == "status":
            status = sync_status(store, folder, passphrase)
            out = [f"Sync folder: {status.folder}",
                   f"This device: {status.device[:8]}, last round {_ago(status.last_round)}, "
                   f"{status.pending_local} local change(s) not sent yet",
                   f"Devices ({len(status.devices)}):"]
            out += [_device_line(d) for d in status.devices]
            sys.stdout.write("\n".join(out) + "\n")
            for problem in status.problems:
                _err(problem)
            return EXIT_ERROR if status.problems else EXIT_OK
        report = run_round(store, folder, passphrase)
        sys.stdout.write(report.summary() + "\n")
        for line in report.waiting:
            sys.stdout.write(line + "\n")
        for problem in report.problems:
            _err(problem)
        return EXIT_ERROR if report.problems else EXIT_OK
    finally:
        store.close()
