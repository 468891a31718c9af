"""`parley search`, `import`, `backup`, `restore` and `prompts`: history commands over core.

Registered by `app.cli`; like it, this module imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.storage import Store

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


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

    prompts = sub.add_parser("prompts", help="the prompt library")
    psub = prompts.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    plist = psub.add_parser("list", help="list prompts (favourites first)")
    plist.add_argument("--search", help="only prompts whose title, text or tags contain this")
    plist.add_argument("--favourites", action="store_true", help="only favourites")
    pshow = psub.add_parser("show", help="print one prompt")
    pshow.add_argument("prompt", help="its id or title")
    padd = psub.add_parser("add", help="add a prompt")
    padd.add_argument("--title", required=True)
    padd.add_argument("--tags", default="", help="comma-separated")
    padd.add_argument("--system", action="store_true", help="a system-prompt preset")
    padd.add_argument("--favourite", action="store_true")
    padd.add_argument("body", nargs="?", default="-", help="the text, or - for stdin (default)")
    pdel = psub.add_parser("delete", help="delete a prompt")
    pdel.add_argument("prompt", help="its id or title")
    psub.add_parser("export", help="print the library as JSON")
    pimp = psub.add_parser("import", help="import prompts from a JSON file (by uid, once)")
    pimp.add_argument("file", type=Path)


def _err(message: str, hint: str = "") -> None:
    sys.stderr.write(f"parley: {message}\n")
    if hint:
        sys.stderr.write(f"  {hint}\n")


def _open_store() -> Store:
    from app.core.config import database_path
    from app.core.storage import Store

    return Store.open(database_path())


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def cmd_search(args: argparse.Namespace) -> int:
    from app.core.search import mark_brackets, search

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
    from app.core.importers import import_file

    store = _open_store()
    try:
        report = import_file(store, args.file, args.format)
    finally:
        store.close()
    sys.stdout.write(report.describe() + "\n")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from app.core.backups import backup_database

    store = _open_store()
    try:
        path = backup_database(store, args.path)
    finally:
        store.close()
    sys.stdout.write(f"{path}\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.core.backups import restore_database
    from app.core.config import data_dir

    moved = restore_database(args.path, data_dir())
    sys.stdout.write(f"Restored {args.path}.\n")
    if moved is not None:
        sys.stdout.write(f"The previous database was moved to {moved}.\n")
    return EXIT_OK


def cmd_prompts(args: argparse.Namespace) -> int:
    from app.core import prompts as lib

    store = _open_store()
    try:
        out = sys.stdout
        action = args.prompts_command
        if action == "list":
            items = lib.list_prompts(
                store, search=args.search, favourites_only=args.favourites
            )
            if not items:
                out.write("No prompts.\n")
            for p in items:
                marks = ("★" if p.favourite else " ") + ("S" if p.is_system else " ")
                tag_text = f"  [{', '.join(p.tags)}]" if p.tags else ""
                out.write(f"{p.id:>4} {marks} {p.title}{tag_text}\n")
            return EXIT_OK
        if action == "add":
            body = sys.stdin.read() if args.body == "-" else args.body
            tags = [t for t in args.tags.split(",") if t.strip()]
            created = lib.create(
                store, args.title, body, tags=tags, favourite=args.favourite,
                is_system=args.system,
            )
            out.write(f"Added prompt {created.id}: {created.title}\n")
            return EXIT_OK
        if action == "export":
            out.write(lib.export_json(lib.list_prompts(store)) + "\n")
            return EXIT_OK
        if action == "import":
            from app.core.importers import load_file

            report = lib.import_json(store, load_file(args.file))
            out.write(f"Imported {report.added} prompt(s); {report.skipped} already here.\n")
            return EXIT_OK
        found = lib.find(store, args.prompt)
        if found is None:
            _err(f"there is no prompt {args.prompt!r}.", "List them with: parley prompts list")
            return EXIT_USAGE
        if action == "delete":
            lib.delete(store, found.id)
            out.write(f"Deleted prompt {found.id}: {found.title}\n")
            return EXIT_OK
        # show
        kind = "system prompt" if found.is_system else "prompt"
        out.write(f"# {found.title}\n")
        meta = [kind, *(["favourite"] if found.favourite else [])]
        if found.tags:
            meta.append("tags: " + ", ".join(found.tags))
        names = lib.variables(found.body)
        if names:
            meta.append("variables: " + ", ".join(names))
        out.write(f"({'; '.join(meta)})\n\n")
        out.write(found.body if found.body.endswith("\n") else found.body + "\n")
        return EXIT_OK
    finally:
        store.close()


HANDLERS: dict[str, Handler] = {
    "search": cmd_search,
    "import": cmd_import,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "prompts": cmd_prompts,
}
