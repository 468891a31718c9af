"""`parley` command line: with no command it opens the window; otherwise it works over core.

One module per command group (ask, compare, export, folders, key, history, prompts, sync,
usage); shared helpers live in `app.cli.common`. This package must import fast and never
import Qt: the GUI is imported only when no command is given, and httpx only by the commands
that talk to an endpoint.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app import __version__
from app.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, _err

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

#: the options that open the window; a launch with only these skips the commands' parsers
GUI_FLAGS = frozenset({"--smoke", "--quick", "--debug"})


def build_parser() -> argparse.ArgumentParser:
    from app.cli import ask, compare, export, folders, history, key, prompts, sync, usage

    parser = argparse.ArgumentParser(
        prog="parley",
        description="Parley: chat with OpenRouter and OpenAI-compatible models. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the main window, then quit at once (checks an installation)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="open the quick-ask window (or, when Parley is already running, ask it to "
        "show its quick-ask window); bind this to a key in the desktop's shortcut settings",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log everything (DEBUG) to stderr and to the log file in the data folder",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask.add_parser(sub)
    compare.add_parser(sub)
    export.add_parser(sub)
    folders.add_parser(sub)
    key.add_parser(sub)
    history.add_parsers(sub)  # search, import, backup, restore
    prompts.add_parser(sub)
    usage.add_parser(sub)
    sync.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `parley` console script."""
    given = sys.argv[1:] if argv is None else argv
    if set(given) <= GUI_FLAGS:
        # Opening the window: the commands' modules and parsers (~15 ms) are not needed.
        smoke, debug, quick = "--smoke" in given, "--debug" in given, "--quick" in given
    else:
        args = build_parser().parse_args(argv)
        if args.command is not None:
            return _run_command(args)
        smoke, debug, quick = args.smoke, args.debug, args.quick
    from app.main import run_gui

    return run_gui(smoke=smoke, debug=debug, quick=quick)


def _run_command(args: argparse.Namespace) -> int:
    import logging

    from app.cli import ask, compare, export, folders, history, key, prompts, sync, usage
    from app.core import logs
    from app.core.errors import ParleyError

    # Warnings and errors go to the log file; it is opened only if one is written.
    logs.setup(debug=args.debug, file_level=logging.WARNING)
    log = logging.getLogger("app.cli")

    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "ask": ask.cmd_ask,
        "compare": compare.cmd_compare,
        "export": export.cmd_export,
        "folders": folders.cmd_folders,
        "key": key.cmd_key,
        "search": history.cmd_search,
        "import": history.cmd_import,
        "backup": history.cmd_backup,
        "restore": history.cmd_restore,
        "prompts": prompts.cmd_prompts,
        "usage": usage.cmd_usage,
        "sync": sync.cmd_sync,
    }
    try:
        return handlers[args.command](args)
    except ParleyError as exc:
        _err(str(exc), exc.hint)
        return EXIT_ERROR
    except BrokenPipeError:
        # `parley export | head`: the reader went away; that is not an error.
        return EXIT_OK
    except Exception:
        log.exception("parley %s stopped on an unexpected error", args.command)
        raise


if __name__ == "__main__":
    sys.exit(main())
