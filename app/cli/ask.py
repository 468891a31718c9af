"""`parley ask`: send a prompt and stream the reply to stdout, saving both in the history."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _err,
    _load_settings,
    _open_store,
)

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.domain import Attachment
    from app.core.history import Store
    from app.core.requests import ChatRequest
    from app.core.tools.loop import ApprovalChoice, ToolCall

#: `--tools` without names: every MCP server configured in Settings
ALL_SERVERS = "*"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ask` to `parley`'s sub-command parser."""
    ask = sub.add_parser("ask", help="send a prompt and stream the reply to stdout")
    ask.add_argument("prompt", nargs="?", help="the prompt, or - to read it from stdin")
    ask.add_argument("-m", "--model", help="model id, e.g. openai/gpt-4o-mini")
    ask.add_argument(
        "-c", "--conversation", type=int, help="continue the conversation with this id"
    )
    ask.add_argument(
        "--folder", metavar="NAME",
        help="start the new chat in this folder, with the folder's model, system prompt and "
        "options (a sub-folder as Parent/Child)",
    )
    ask.add_argument("-s", "--system", help="system message to put first")
    ask.add_argument(
        "-a",
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="send a file with the prompt: an image, PDF, WAV/MP3 audio or a text file "
        "(repeatable)",
    )
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
    ask.add_argument(
        "-e",
        "--endpoint",
        metavar="NAME",
        help="endpoint from Settings to use (default: the conversation's, else the current "
        "one); with -c the conversation moves to it",
    )
    ask.add_argument(
        "--tools",
        nargs="?",
        const=ALL_SERVERS,
        metavar="NAME,NAME",
        help="let the model call tools of the MCP servers in Settings (all of them, or the "
        "ones named); each call is confirmed on the terminal",
    )
    ask.add_argument(
        "--yes",
        action="store_true",
        help="with --tools: run every tool call without asking",
    )
    ask.add_argument(
        "--images-dir",
        metavar="DIR",
        help="write the images the model generates into DIR (created if needed) and print "
        "their paths on stderr; without it they are kept in the history only",
    )
    ask.add_argument(
        "--over-budget",
        action="store_true",
        help="send even when a budget in Settings is used up and Settings ask first",
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


def _read_schema(path: str) -> dict[str, Any]:
    """The JSON schema in `path`; raises ValueError with a sentence when unusable."""
    try:
        with open(path, encoding="utf-8") as fh:
            loaded = json.load(fh)
    except OSError as exc:
        raise ValueError(f"could not read the JSON schema {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise ValueError(f"the JSON schema {path} is not valid JSON: {exc}.") from exc
    if not isinstance(loaded, dict):
        raise ValueError(f"the JSON schema {path} must be a JSON object.")
    return loaded


def _tool_servers(value: str, configured: list[str]) -> list[str]:
    """The servers `--tools` names; ValueError naming the configured ones when unknown."""
    if value == ALL_SERVERS:
        if not configured:
            raise ValueError("--tools: no MCP server is configured. Add one in Settings > Tools.")
        return list(configured)
    wanted = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in configured]
    if unknown or not wanted:
        known = ", ".join(configured) or "none"
        raise ValueError(f"--tools: no MCP server named {', '.join(unknown) or value!r}. "
                         f"Configured servers: {known}.")
    return wanted


async def _read_line() -> str:
    """One line from the terminal without blocking the event loop, so Ctrl+C still stops
    at once while a question is open."""
    import asyncio

    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()
    line: asyncio.Future[str] = loop.create_future()

    def readable() -> None:
        if not line.done():
            line.set_result(os.read(fd, 4096).decode(errors="replace"))

    try:
        loop.add_reader(fd, readable)
    except (NotImplementedError, ValueError):  # no reader support (Windows' loop)
        return await loop.run_in_executor(None, sys.stdin.readline)
    try:
        return await line
    finally:
        loop.remove_reader(fd)


def _terminal_approver(interactive: bool) -> Any:
    """Ask on the terminal before each tool call (deny all when stdin is no terminal)."""

    async def approve(call: ToolCall) -> ApprovalChoice:
        server = f" on the MCP server {call.server!r}" if call.server else ""
        sys.stderr.write(f"\nparley: the model wants to run the tool {call.name}{server} "
                         f"with the arguments:\n  {call.arguments_text or '{}'}\n")
        if not interactive:
            sys.stderr.write("parley: denied (no terminal to ask; use --yes to allow "
                             "tool calls).\n")
            sys.stderr.flush()
            return "deny"
        sys.stderr.write("Run once / Always for this conversation / Deny [o/a/D] ")
        sys.stderr.flush()
        choice = (await _read_line()).strip().lower()
        if choice in ("o", "once"):
            return "once"
        if choice in ("a", "always"):
            return "always"
        return "deny"

    return approve


def cmd_ask(args: argparse.Namespace) -> int:
    """`parley ask`: one exchange (with tools when asked), stored and streamed to stdout."""
    from app.core.chat import title_from_prompt
    from app.core.errors import ParleyError
    from app.core.options import ConversationOptions
    from app.core.requests import InvalidOptions, Overrides, resolve_request

    if args.prompt is None and args.tools not in (None, ALL_SERVERS):
        # `parley ask --tools "prompt"`: the prompt was taken for the server list.
        args.prompt, args.tools = args.tools, ALL_SERVERS
    if args.prompt is None:
        _err("the prompt is missing.", "Usage: parley ask [options] PROMPT (or - for stdin)")
        return EXIT_USAGE
    if args.yes and args.tools is None:
        _err("--yes only applies to tool calls: add --tools.")
        return EXIT_USAGE
    stdin_interactive = args.prompt != "-" and sys.stdin.isatty()
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        _err("the prompt is empty.")
        return EXIT_USAGE
    try:
        options = parse_options(args.option)
        schema = _read_schema(args.json_schema) if args.json_schema else None
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    overrides = Overrides(
        model=args.model, endpoint=args.endpoint, options=options, web=bool(args.web),
        reasoning=args.reasoning, schema=schema, fallbacks=list(args.fallback),
        schema_name=(os.path.splitext(os.path.basename(args.json_schema))[0][:64]
                     if args.json_schema else None),
    )
    if args.images_dir:
        try:
            os.makedirs(args.images_dir, exist_ok=True)
        except OSError as exc:
            _err(f"cannot use {args.images_dir} for images: {exc.strerror or exc}.",
                 "Choose a folder you can write to with --images-dir.")
            return EXIT_USAGE
    settings = _load_settings()
    attachments = _ingest(args.attach, settings)
    if attachments is None:
        return EXIT_USAGE
    servers: list[str] = []
    if args.tools is not None:
        from app.core.tools.mcp import parse_mcp_servers

        configured = [n for n, c in parse_mcp_servers(settings.mcp_servers).items()
                      if not c.disabled]
        try:
            servers = _tool_servers(args.tools, configured)
        except ValueError as exc:
            _err(str(exc))
            return EXIT_USAGE
    store = _open_store()
    try:
        if not _budget_allows(store, settings, over_budget=args.over_budget):
            return EXIT_ERROR
        conv = None
        if args.conversation is not None:
            conv = store.get_conversation(args.conversation)
            if conv is None:
                _err(f"there is no conversation {args.conversation}.",
                     "List them with: parley export --format md")
                return EXIT_USAGE
        folder_id = None
        folder_options = None
        if args.folder is not None:
            from app.core.history.folders import FolderError, find_folder, new_chat_in

            if conv is not None:
                _err("--folder files a new chat; it cannot be used with --conversation.",
                     "Move a conversation between folders in the window.")
                return EXIT_USAGE
            try:
                folder = find_folder(store, args.folder)
            except FolderError as exc:
                _err(str(exc), exc.hint)
                return EXIT_USAGE
            model, folder_options, folder_id = new_chat_in(
                store, folder.id, settings.default_model, settings.default_options)
            # The folder's model unless this call names one (like its options below).
            overrides.model = overrides.model or model
        try:
            request = resolve_request(settings, store, conv, overrides, options=folder_options)
        except InvalidOptions as exc:
            _err(str(exc), exc.hint)
            return EXIT_USAGE
        except ParleyError as exc:  # an unknown or removed endpoint
            _err(str(exc), exc.hint)
            return EXIT_ERROR
        for warning in _capability_warnings(attachments, request):
            _err(warning)
        if conv is None:
            conv = store.create_conversation(title_from_prompt(prompt),
                                             endpoint=request.endpoint.name, folder_id=folder_id)
            # Like a new chat in the window: it starts from the defaults in Settings, or
            # its folder's (the flags of this call apply to this request only).
            defaults = folder_options or ConversationOptions.from_dict(settings.default_options)
            defaults.allowed_tools = []  # "Always allow" belongs to one conversation
            if defaults.to_dict():
                store.set_options(conv.id, defaults.to_dict())
        elif args.endpoint and request.endpoint.name != (conv.endpoint or "openrouter"):
            store.set_conversation_endpoint(conv.id, request.endpoint.name)
            _err(f"conversation {conv.id} now uses the endpoint {request.endpoint.name!r}.")
        return _run(args, store, settings, conv.id, prompt, request=request,
                    servers=servers, interactive=stdin_interactive, attachments=attachments)
    finally:
        store.close()


def _ingest(paths: list[str], settings: Settings) -> list[Attachment] | None:
    """The files of `-a`, checked and stored; None (after saying why) when one cannot go."""
    if not paths:
        return []
    from pathlib import Path

    from app.core.attachments import AttachmentFiles, check_message_total, ingest_file
    from app.core.config import data_dir
    from app.core.errors import AttachmentError

    files = AttachmentFiles.in_data_dir(data_dir())
    try:
        attachments = [ingest_file(Path(p), files, max_side=settings.image_max_side)
                       for p in paths]
        check_message_total(attachments)
    except AttachmentError as exc:
        _err(f"{exc} Nothing was sent.", exc.hint)
        return None
    return attachments


def _capability_warnings(attachments: list[Attachment], request: ChatRequest) -> list[str]:
    """What the cached model catalog says the model cannot read (nothing when unknown)."""
    if not attachments:
        return []
    from app.core.attachments import capability_warnings
    from app.core.models_cache import load_cached

    catalog = load_cached(request.endpoint.name)
    info = catalog.get(request.model) if catalog is not None else None
    modalities = info.input_modalities if info is not None and info.input_modalities else None
    return capability_warnings(attachments, modalities, request.model)


def _budget_allows(store: Store, settings: Settings, *, over_budget: bool) -> bool:
    """Warn on stderr past 80% / 100% of a budget; False when it must not send."""
    if settings.monthly_budget is None and settings.daily_budget is None:
        return True
    from app.core.usage import budget_status

    status = budget_status(store, settings)
    if status.needs_confirmation and not over_budget:
        _err(f"{status.message()} Nothing was sent: Settings ask before sending over "
             "budget. Add --over-budget to send anyway.")
        return False
    if status.level:
        _err("warning: " + status.message())
    return True


def _run(args: argparse.Namespace, store: Store, settings: Settings, conv_id: int,
         prompt: str, *, request: ChatRequest, servers: list[str], interactive: bool,
         attachments: list[Attachment]) -> int:
    """Stream the reply (through the tool loop when `servers`), then finish it: usage line,
    schema check, title, stopped cost, stream warning. Returns the exit code."""
    import asyncio

    from app.core.chat import ReplyRun, begin_exchange
    from app.core.client import RetryPolicy, retry_message
    from app.core.errors import ApiError, ParleyError
    from app.core.events import TextDelta
    from app.core.finish import after_run, finish_run, stopped_cost_message
    from app.core.requests import open_client
    from app.core.think import ThinkFilter

    out = sys.stdout
    ends_with_newline = True
    # Reasoning is not printed; a <think> block at the start of the content is reasoning.
    answer_only = ThinkFilter()

    def write(events: list[Any]) -> None:
        nonlocal ends_with_newline
        text = answer_only.feed("".join([e.text for e in events if type(e) is TextDelta]))
        if text:
            out.write(text)
            out.flush()
            ends_with_newline = text.endswith("\n")

    def on_retry(attempt: int, delay: float, error: ApiError) -> None:
        sys.stderr.write(f"parley: {retry_message(attempt, delay, error)}\n")
        sys.stderr.flush()

    def newline() -> None:
        if not ends_with_newline:
            out.write("\n")
        out.flush()

    client = open_client(request, settings)
    reply_ids: list[int] = []
    holder: dict[str, Any] = {}

    async def plain() -> None:
        exchange = begin_exchange(store, conv_id, prompt, request=request, system=args.system,
                                  attachments=attachments)
        reply_ids.append(exchange.reply.id)
        run = ReplyRun(store, client, exchange.reply, exchange.payload, on_events=write,
                        retry=RetryPolicy(), on_retry=on_retry)
        holder["run"] = run
        await run.run()

    async def with_tools() -> None:
        from app.core.approvals import approvals_for, remember_always
        from app.core.tools.loop import ToolLoop
        from app.core.tools.mcp import McpManager
        from app.core.tools.registry import ToolRegistry

        registry = ToolRegistry(McpManager.from_settings(settings))
        try:
            specs, problems = await registry.available(servers)
            for name, why in problems.items():
                sys.stderr.write(f"parley: the tools of {name} are not available: {why}\n")
            approvals = approvals_for(store, conv_id, allow_all=bool(args.yes))
            ask = _terminal_approver(interactive)

            async def approve(call: ToolCall) -> ApprovalChoice:
                choice: ApprovalChoice = await ask(call)
                if choice == "always":
                    remember_always(store, call.conversation_id, call.name)
                return choice

            loop = ToolLoop.from_settings(
                settings, store, client, registry, approve=approve, approvals=approvals,
                on_events=write, on_reply_start=lambda m: reply_ids.append(m.id),
                retry=RetryPolicy(), on_retry=on_retry,
            )
            holder["loop"] = loop
            result = await loop.send(conv_id, prompt, request=request, system=args.system,
                                     tools=specs, attachments=attachments)
            if result.stopped == "step_limit":
                sys.stderr.write(f"parley: {result.final.error}\n")
        finally:
            if registry.mcp is not None:
                await registry.mcp.aclose()

    async def main() -> None:
        try:
            await (with_tools() if servers else plain())
        finally:
            await client.aclose()

    failed: ParleyError | None = None
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        # asyncio.run cancelled the task on SIGINT, which closed the connection; the
        # partial reply is saved as stopped (idempotent if already done).
        for owner in holder.values():
            owner.finalize_stopped()
        newline()
        _err(f"stopped; partial reply saved in conversation {conv_id}.")
        _report_images(store, conv_id, reply_ids, args.images_dir)
        _finish_stopped(store, settings, request, reply_ids)
        return EXIT_INTERRUPTED
    except ParleyError as exc:
        failed = exc
    newline()
    run = holder.get("run")
    if run is not None and run.image_error is not None:
        _err(str(run.image_error), run.image_error.hint)
    images_written = _report_images(store, conv_id, reply_ids, args.images_dir)
    summary = finish_run(store, request, reply_ids)
    if failed is not None:
        _err(str(failed), failed.hint)
    if summary.structured is not None and not summary.structured["valid"]:
        _err(f"the reply does not match the JSON schema {args.json_schema}:\n  "
             + "\n  ".join(summary.structured["problems"]))
    if failed is None and summary.reply is not None:
        async def finish() -> None:
            title_client = open_client(request, settings)
            try:
                await after_run(store, title_client, settings, request, summary)
            finally:
                await title_client.aclose()

        with contextlib.suppress(ParleyError):  # a title is a courtesy
            asyncio.run(finish())
        if summary.cost is not None:
            message = stopped_cost_message(summary.cost)
            if message:
                _err(message)
    if sys.stderr.isatty() and summary.usage_line:
        sys.stderr.write(f"[{summary.usage_line} · conversation {conv_id}]\n")
    if summary.warning:
        _err(summary.warning)
        return EXIT_ERROR
    return EXIT_ERROR if failed is not None or not images_written else EXIT_OK


def _report_images(store: Store, conv_id: int, reply_ids: list[int],
                   images_dir: str | None) -> bool:
    """Write the replies' generated images into `images_dir` and print their paths, or say
    how many were kept in the history. False when one could not be written."""
    from app.core.attachments import AttachmentFiles
    from app.core.errors import AttachmentError
    from app.core.images import IMAGE_EXTENSIONS, stored_images

    found: list[tuple[int, dict[str, Any]]] = []
    for reply_id in reply_ids:
        msg = store.get_message(reply_id)
        if msg is not None:
            found += [(reply_id, entry) for entry in stored_images(msg.extra)]
    if not found:
        return True
    remote = [entry["url"] for _, entry in found if "sha256" not in entry]
    for url in remote:
        _err(f"the model linked an image that was not downloaded: {url}")
    inline = [(reply_id, entry) for reply_id, entry in found if "sha256" in entry]
    if not inline:
        return True
    if not images_dir:
        count = "1 generated image was" if len(inline) == 1 else (
            f"{len(inline)} generated images were")
        _err(f"{count} kept in conversation {conv_id}.",
             f"Save them with --images-dir DIR next time, or get them with: "
             f"parley export {conv_id} > conversation.json")
        return True
    files = AttachmentFiles.in_data_dir(store.path.parent)
    ok = True
    for counter, (reply_id, entry) in enumerate(inline, 1):
        ext = IMAGE_EXTENSIONS.get(entry["mime"], "img")
        base = os.path.join(images_dir, f"parley-{conv_id}-{reply_id}-{counter}")
        path = f"{base}.{ext}"
        suffix = 2
        while os.path.exists(path):  # never overwrite a file already there
            path = f"{base}-{suffix}.{ext}"
            suffix += 1
        try:
            data = files.read(entry["sha256"])
            with open(path, "xb") as fh:
                fh.write(data)
        except (AttachmentError, OSError) as exc:
            _err(f"could not write a generated image to {path}: "
                 f"{getattr(exc, 'strerror', None) or exc}")
            ok = False
            continue
        sys.stderr.write(f"parley: image saved: {path}\n")
    sys.stderr.flush()
    return ok


def _finish_stopped(store: Store, settings: Settings, request: ChatRequest,
                    reply_ids: list[int]) -> None:
    """After Ctrl+C: ask OpenRouter what the stopped reply cost (a second Ctrl+C skips)."""
    import asyncio

    from app.core.finish import finish_run, record_stopped_cost, stopped_cost_message
    from app.core.requests import open_client

    summary = finish_run(store, request, reply_ids)

    async def lookup() -> None:
        client = open_client(request, settings)
        try:
            summary.cost = await record_stopped_cost(store, client, request, summary)
        finally:
            await client.aclose()

    try:
        asyncio.run(lookup())
    except (KeyboardInterrupt, Exception):  # the reply is saved; the cost is a courtesy
        return
    if summary.cost is not None:
        message = stopped_cost_message(summary.cost)
        if message:
            _err(message)
