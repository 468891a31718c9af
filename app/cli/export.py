"""`parley export`: print the history as JSON or Markdown."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import EXIT_OK, EXIT_USAGE, _err, _open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `export` to `parley`'s sub-command parser."""
    export = sub.add_parser("export", help="print history as JSON or Markdown")
    export.add_argument("conversation", nargs="?", type=int, help="one conversation id")
    export.add_argument("--format", choices=("json", "md"), default="json")


def cmd_export(args: argparse.Namespace) -> int:
    from app.core.history.export import export_json, to_markdown

    store = _open_store()
    try:
        ids = [args.conversation] if args.conversation is not None else None
        if args.conversation is not None and store.get_conversation(args.conversation) is None:
            _err(f"there is no conversation {args.conversation}.")
            return EXIT_USAGE
        if args.format == "json":
            text = export_json(store, ids)
        else:
            text = to_markdown(store.export_conversations(ids))
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return EXIT_OK
    finally:
        store.close()
