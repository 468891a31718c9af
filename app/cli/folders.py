"""`parley folders`: list the folders, how many chats each holds, and their defaults."""

from __future__ import annotations

import argparse
import sys

from app.cli.common import EXIT_OK, _open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `folders` to `parley`'s sub-command parser."""
    sub.add_parser(
        "folders", help="list folders (names for ask --folder and export --folder)")


def cmd_folders(args: argparse.Namespace) -> int:
    """One line per folder: its name (Parent/Child), chat count, model and system prompt."""
    from app.core.history.folders import folder_conversation_ids, list_folders

    store = _open_store()
    try:
        folders = list_folders(store)
        names = {f.id: f.name for f in folders}
        if not folders:
            sys.stdout.write("No folders yet. Create one in the sidebar of the window.\n")
            return EXIT_OK
        for folder in folders:
            path = f"{names[folder.parent_id]}/{folder.name}" if folder.parent_id else folder.name
            own = len(folder_conversation_ids(store, folder.id))
            line = f"{path}\t{own} chat(s)"
            if folder.defaults.model:
                line += f"\tmodel {folder.defaults.model}"
            prompt = folder.defaults.options.get("system_prompt")
            if isinstance(prompt, str) and prompt.strip():
                first = " ".join(prompt.split())
                line += f"\tsystem prompt “{first[:40]}{'…' if len(first) > 40 else ''}”"
            sys.stdout.write(line + "\n")
        return EXIT_OK
    finally:
        store.close()
