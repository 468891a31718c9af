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
    export.add_argument("--folder", metavar="NAME",
                        help="only the conversations in this folder (and its sub-folders); "
                        "a sub-folder as Parent/Child")


def cmd_export(args: argparse.Namespace) -> int:
    from app.core.history.export import export_json, to_markdown

    if args.folder is not None and args.conversation is not None:
        _err("give a conversation id or --folder, not both.")
        return EXIT_USAGE
    store = _open_store()
    try:
        ids = [args.conversation] if args.conversation is not None else None
        if args.conversation is not None and store.get_conversation(args.conversation) is None:
            _err(f"there is no conversation {args.conversation}.")
            return EXIT_USAGE
        folder_id = None
        if args.folder is not None:
            from app.core.history.folders import FolderError, find_folder, folder_conversation_ids

            try:
                folder_id = find_folder(store, args.folder).id
            except FolderError as exc:
                _err(str(exc), exc.hint)
                return EXIT_USAGE
            ids = folder_conversation_ids(store, folder_id)
        if args.format == "json":
            text = export_json(store, ids, folder_id=folder_id)
        else:
            text = to_markdown(store.export_conversations(ids))
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return EXIT_OK
    finally:
        store.close()
