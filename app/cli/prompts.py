"""`parley prompts`: list, show, add, delete, export and import the prompt library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import EXIT_OK, EXIT_USAGE, _err, _open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `prompts` to `parley`'s sub-command parser."""
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


def cmd_prompts(args: argparse.Namespace) -> int:
    from app.core.history import prompts as lib

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
            from app.core.history.importers import load_file

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
