"""`parley key`: store, delete or describe the API key in the OS keychain."""

from __future__ import annotations

import argparse
import os
import sys

from app.cli.common import EXIT_OK


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `key` to `parley`'s sub-command parser."""
    key = sub.add_parser("key", help="manage the API key in the OS keychain")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_sub.add_parser("set", help="store a key (read from stdin, or asked for hidden)")
    key_sub.add_parser("delete", help="remove the stored key")
    key_sub.add_parser("status", help="say where the key comes from and how it is stored")


def cmd_key(args: argparse.Namespace) -> int:
    from app.core.secrets import KeyStore

    store = KeyStore()
    if args.key_command == "status":
        sys.stdout.write(store.status().describe().rstrip("\n") + "\n")
        return EXIT_OK
    if args.key_command == "delete":
        deleted = store.delete_key()
        sys.stdout.write("Key deleted from the keychain.\n" if deleted else "No key was stored.\n")
        if os.environ.get("OPENROUTER_API_KEY"):
            sys.stdout.write("Note: $OPENROUTER_API_KEY is still set and will be used.\n")
        return EXIT_OK
    # set
    if sys.stdin.isatty():
        import getpass

        key = getpass.getpass("OpenRouter API key (input hidden): ")
    else:
        key = sys.stdin.readline()
    store.set_key(key)
    sys.stdout.write("Key stored in the OS keychain.\n")
    if os.environ.get("OPENROUTER_API_KEY"):
        sys.stdout.write("Note: $OPENROUTER_API_KEY is set and takes precedence while it is.\n")
    return EXIT_OK
