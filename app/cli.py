"""`parley` command line: with no command it opens the window; otherwise it works over core.

This module must import fast and never import Qt: the GUI is imported only when no
command is given, and httpx only by the commands that talk to an endpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from app import __version__

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.storage import Store

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="send a prompt and stream the reply to stdout")
    ask.add_argument("prompt", help="the prompt, or - to read it from stdin")
    ask.add_argument("-m", "--model", help="model id, e.g. openai/gpt-4o-mini")
    ask.add_argument(
        "-c", "--conversation", type=int, help="continue the conversation with this id"
    )
    ask.add_argument("-s", "--system", help="system message to put first")
    ask.add_argument(
        "-o",
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="request option, VALUE parsed as JSON when it parses (-o temperature=0.3); "
        "dotted keys make nested objects (-o reasoning.effort=high -o provider.sort=price)",
    )
    ask.add_argument("--web", action="store_true", help="let the model search the web")
    ask.add_argument(
        "--reasoning",
        metavar="EFFORT",
        choices=("xhigh", "high", "medium", "low", "minimal", "none"),
        help="reasoning effort: xhigh, high, medium, low, minimal or none",
    )
    ask.add_argument(
        "--json-schema",
        metavar="FILE",
        help="ask for JSON matching the schema in FILE; the reply is checked against it",
    )
    ask.add_argument(
        "--fallback",
        action="append",
        default=[],
        metavar="MODEL",
        help="model to try if the first one fails (repeatable, tried in order)",
    )

    export = sub.add_parser("export", help="print history as JSON or Markdown")
    export.add_argument("conversation", nargs="?", type=int, help="one conversation id")
    export.add_argument("--format", choices=("json", "md"), default="json")

    key = sub.add_parser("key", help="manage the API key in the OS keychain")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_sub.add_parser("set", help="store a key (read from stdin, or asked for hidden)")
    key_sub.add_parser("delete", help="remove the stored key")
    key_sub.add_parser("status", help="say where the key comes from and how it is stored")

    from app.cli_history import add_parsers

    add_parsers(sub)  # search, import, backup, restore, prompts
    return parser


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """`-o key=value` pairs; values are JSON where they parse, strings otherwise."""
    options: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"Option {pair!r} is not of the form key=value.")
        try:
            options[name] = json.loads(raw)
        except ValueError:
            options[name] = raw
    return options


def _err(message: str, hint: str = "") -> None:
    sys.stderr.write(f"parley: {message}\n")
    if hint:
        sys.stderr.write(f"  {hint}\n")


def _api_key() -> str | None:
    # The environment wins and needs no keychain (nor keyring's import cost).
    env = os.environ.get("OPENROUTER_API_KEY", "").strip()
    if env:
        return env
    from app.core.secrets import KeyStore

    return KeyStore().get_key()


def _open_store() -> Store:
    from app.core.config import database_path
    from app.core.storage import Store

    return Store.open(database_path())


def _load_settings() -> Settings:
    from app.core.config import Settings

    return Settings.load()


def cmd_ask(args: argparse.Namespace) -> int:
    import asyncio

    from app.core.chat import ReplyRun, begin_exchange, title_from_prompt
    from app.core.client import ChatClient
    from app.core.events import StreamEvent, TextDelta

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        _err("the prompt is empty.")
        return EXIT_USAGE
    try:
        options = parse_options(args.option)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    from app.core.options import ConversationOptions, nest_dotted

    options = nest_dotted(options)
    conv_options = ConversationOptions(models=list(args.fallback))
    conv_options.web_search.enabled = bool(args.web)
    conv_options.reasoning.effort = args.reasoning
    schema: dict[str, Any] | None = None
    if args.json_schema:
        try:
            with open(args.json_schema, encoding="utf-8") as fh:
                loaded = json.load(fh)
        except OSError as exc:
            _err(f"could not read the JSON schema {args.json_schema}: {exc.strerror}.")
            return EXIT_USAGE
        except ValueError as exc:
            _err(f"the JSON schema {args.json_schema} is not valid JSON: {exc}.")
            return EXIT_USAGE
        schema = loaded if isinstance(loaded, dict) else None
        conv_options.structured.mode = "json_schema"
        conv_options.structured.schema = schema
        conv_options.structured.name = (
            os.path.splitext(os.path.basename(args.json_schema))[0][:64] or "response"
        )
    problems = conv_options.validate()
    if problems:
        _err("invalid options:\n  " + "\n  ".join(problems))
        return EXIT_USAGE
    settings = _load_settings()
    store = _open_store()
    try:
        if args.conversation is not None:
            conv = store.get_conversation(args.conversation)
            if conv is None:
                _err(f"there is no conversation {args.conversation}.",
                     "List them with: parley export --format md")
                return EXIT_USAGE
        else:
            conv = store.create_conversation(title_from_prompt(prompt))
        model = args.model or conv.model or settings.default_model
        api_key = _api_key()
        exchange = begin_exchange(
            store, conv.id, prompt, model=model, options=options, system=args.system,
            conversation_options=conv_options,
        )
        out = sys.stdout
        ends_with_newline = True

        def write(events: list[StreamEvent]) -> None:
            nonlocal ends_with_newline
            text = "".join([e.text for e in events if type(e) is TextDelta])
            if text:
                out.write(text)
                out.flush()
                ends_with_newline = text.endswith("\n")

        client = ChatClient(
            settings.effective_base_url(),
            api_key,
            referer=settings.http_referer,
            title=settings.app_title,
            timeout=settings.request_timeout,
        )
        run = ReplyRun(store, client, exchange.reply, exchange.payload, on_events=write)

        async def main() -> None:
            try:
                await run.run()
            finally:
                await client.aclose()

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            # asyncio.run cancelled the task on SIGINT, which closed the connection;
            # the partial reply is saved as stopped (idempotent if already done).
            run.finalize_stopped()
            if not ends_with_newline:
                out.write("\n")
            out.flush()
            _err(f"stopped; partial reply saved in conversation {conv.id}.")
            return EXIT_INTERRUPTED
        except Exception as exc:
            from app.core.errors import ParleyError

            if not isinstance(exc, ParleyError):
                raise
            if not ends_with_newline:
                out.write("\n")
            out.flush()
            _err(str(exc), exc.hint)
            return EXIT_ERROR
        if not ends_with_newline:
            out.write("\n")
        out.flush()
        if schema is not None:
            from app.core.schema_check import check_reply

            mismatches = check_reply(run.acc.text, schema)
            if mismatches:
                _err(
                    f"the reply does not match the JSON schema {args.json_schema}:\n  "
                    + "\n  ".join(mismatches)
                )
        if sys.stderr.isatty():
            acc = run.acc
            cost = f", ${acc.usage.cost:.6f}" if acc.usage and acc.usage.cost is not None else ""
            tokens = f", {acc.usage.total_tokens} tokens" if acc.usage else ""
            sys.stderr.write(f"[{acc.model or model}{tokens}{cost} · conversation {conv.id}]\n")
        return EXIT_OK
    finally:
        store.close()


def cmd_export(args: argparse.Namespace) -> int:
    from app.core.export import to_json, to_markdown

    store = _open_store()
    try:
        ids = [args.conversation] if args.conversation is not None else None
        if args.conversation is not None and store.get_conversation(args.conversation) is None:
            _err(f"there is no conversation {args.conversation}.")
            return EXIT_USAGE
        items = store.export_conversations(ids)
        if args.format == "json":
            text = to_json(items, {c.id: store.get_options(c.id) for c, _ in items})
        else:
            text = to_markdown(items)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return EXIT_OK
    finally:
        store.close()


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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `parley` console script."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        from app.main import run_gui

        return run_gui(smoke=args.smoke)
    from app.cli_history import HANDLERS
    from app.core.errors import ParleyError

    handlers = {"ask": cmd_ask, "export": cmd_export, "key": cmd_key, **HANDLERS}
    try:
        return handlers[args.command](args)
    except ParleyError as exc:
        _err(str(exc), exc.hint)
        return EXIT_ERROR
    except BrokenPipeError:
        # `parley export | head`: the reader went away; that is not an error.
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
