"""`parley search`, `import`, `backup` and `restore`: history commands over core."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from app.cli.common import EXIT_OK, EXIT_USAGE, _err, _open_store


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the history commands to `parley`'s sub-command parser."""
    search = sub.add_parser("search", help="full-text search of the history")
    search.add_argument(
        "query", help='words (all must match), "a phrase", prefix*, a OR b'
    )
    search.add_argument("--limit", type=int, default=50, help="at most N results (50)")

    imp = sub.add_parser(
        "import", help="import a Parley export or ChatGPT's conversations.json"
    )
    imp.add_argument("file", type=Path, help="the JSON file")
    imp.add_argument("--format", choices=("parley", "chatgpt"), help="default: detected")

    backup = sub.add_parser("backup", help="write a consistent copy of the history database")
    backup.add_argument(
        "path", nargs="?", type=Path,
        help="where to write it (default: backups/parley-<date>-<time>.sqlite3 in the data folder)",
    )

    restore = sub.add_parser(
        "restore", help="replace the history with a backup (the current one is kept aside)"
    )
    restore.add_argument("path", type=Path, help="a backup made by `parley backup`")


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def cmd_search(args: argparse.Namespace) -> int:
    from app.core.history.search import mark_brackets, search

    if args.limit < 1:
        _err("--limit must be at least 1.")
        return EXIT_USAGE
    store = _open_store()
    try:
        hits = search(store, args.query, limit=args.limit)
    finally:
        store.close()
    out = sys.stdout
    if not hits:
        out.write("No matches.\n")
        return EXIT_OK
    for hit in hits:
        snippet = " ".join(mark_brackets(hit.snippet).split())
        where = f"#{hit.conversation_id}" + (
            f" msg {hit.message_id}" if hit.message_id is not None else ""
        )
        out.write(f"{hit.conversation_title}  [{hit.role}, {_date(hit.created_at)}, {where}]\n")
        out.write(f"    {snippet}\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from app.core.history.importers import import_file

    store = _open_store()
    try:
        report = import_file(store, args.file, args.format)
    finally:
        store.close()
    sys.stdout.write(report.describe() + "\n")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from app.core.history.backups import backup_database

    store = _open_store()
    try:
        path = backup_database(store, args.path)
    finally:
        store.close()
    sys.stdout.write(f"{path}\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.core.config import data_dir
    from app.core.history.backups import restore_database

    moved = restore_database(args.path, data_dir())
    sys.stdout.write(f"Restored {args.path}.\n")
    if moved is not None:
        sys.stdout.write(f"The previous database was moved to {moved}.\n")
    return EXIT_OK
