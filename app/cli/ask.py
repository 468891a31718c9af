"""`parley ask`: send a prompt and stream the reply to stdout, saving both in the history."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from app.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _api_key,
    _err,
    _load_settings,
    _open_store,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ask` to `parley`'s sub-command parser."""
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
