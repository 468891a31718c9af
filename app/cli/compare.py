"""`parley compare`: one prompt to 2-4 models at once, every reply kept as a branch."""

from __future__ import annotations

import argparse
import json
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
    from app.core.compare import Column, Comparison


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `compare` to `parley`'s sub-command parser."""
    cmp = sub.add_parser(
        "compare", help="send one prompt to 2-4 models at once and compare the replies")
    cmp.add_argument("prompt", nargs="?", help="the prompt, or - to read it from stdin")
    cmp.add_argument("-m", "--model", action="append", default=[], metavar="MODEL",
                     help="a model to compare (give 2 to 4)")
    cmp.add_argument("-s", "--system", help="system message to put first")
    cmp.add_argument(
        "-o", "--option", action="append", default=[], metavar="KEY=VALUE",
        help="request option for every model, VALUE parsed as JSON when it parses "
        "(-o temperature=0.3)")
    cmp.add_argument("-c", "--conversation", type=int,
                     help="compare inside this conversation (the replies continue it)")
    cmp.add_argument("-e", "--endpoint", metavar="NAME",
                     help="endpoint from Settings to use (default: the conversation's, else "
                     "the current one)")
    cmp.add_argument("--json", action="store_true",
                     help="print one JSON object with every reply and its figures")
    cmp.add_argument("--over-budget", action="store_true",
                     help="send even when a budget in Settings is used up and Settings ask "
                     "first")


def cmd_compare(args: argparse.Namespace) -> int:
    """`parley compare`: stream every model at once, print the replies and a table."""
    from app.cli.ask import _budget_allows, parse_options
    from app.core.compare import MAX_MODELS, MIN_MODELS, CompareError, begin_compare, check_models
    from app.core.errors import ParleyError
    from app.core.requests import InvalidOptions, Overrides

    try:
        models = check_models(args.model)
    except CompareError as exc:
        _err(f"{exc}", f"Usage: parley compare -m MODEL -m MODEL [...] PROMPT "
             f"({MIN_MODELS} to {MAX_MODELS} models)")
        return EXIT_USAGE
    if args.prompt is None:
        _err("the prompt is missing.", "Usage: parley compare -m A -m B [options] PROMPT")
        return EXIT_USAGE
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        _err("the prompt is empty.")
        return EXIT_USAGE
    try:
        options = parse_options(args.option)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    settings = _load_settings()
    store = _open_store()
    try:
        if not _budget_allows(store, settings, over_budget=args.over_budget):
            return EXIT_ERROR
        if args.conversation is not None and store.get_conversation(args.conversation) is None:
            _err(f"there is no conversation {args.conversation}.",
                 "List them with: parley export --format md")
            return EXIT_USAGE
        try:
            comparison = begin_compare(
                store, settings, args.conversation, prompt, models, system=args.system,
                overrides=Overrides(endpoint=args.endpoint, options=options))
        except InvalidOptions as exc:
            _err(str(exc), exc.hint)
            return EXIT_USAGE
        except ParleyError as exc:  # an unknown or removed endpoint
            _err(str(exc), exc.hint)
            return EXIT_ERROR
        return _run(args, comparison, settings)
    finally:
        store.close()


def _run(args: argparse.Namespace, comparison: Comparison, settings: Any) -> int:
    import asyncio

    from app.core.client import retry_message
    from app.core.errors import ApiError
    from app.core.requests import ChatRequest, open_client

    def done(index: int, col: Column) -> None:
        if args.json:
            return
        sys.stdout.write(f"## {col.model}\n\n{col.text.rstrip()}\n")
        if col.error is not None:
            sys.stdout.write(f"[{col.state}: {col.error}]\n")
        elif col.state != "complete":
            sys.stdout.write(f"[{col.state}]\n")
        sys.stdout.write("\n")
        sys.stdout.flush()

    def on_retry(attempt: int, delay: float, error: ApiError) -> None:
        sys.stderr.write(f"parley: {retry_message(attempt, delay, error)}\n")
        sys.stderr.flush()

    def make_client(request: ChatRequest) -> Any:
        return open_client(request, settings)

    interrupted = False
    try:
        asyncio.run(comparison.run(make_client, on_column_done=done, on_retry=on_retry))
    except KeyboardInterrupt:
        # asyncio.run cancelled the comparison, which stopped every column and closed its
        # connection; this saves any reply the cancellation did not reach.
        comparison.finalize_stopped()
        interrupted = True
    cols = comparison.columns
    if args.json:
        sys.stdout.write(json.dumps(_as_json(comparison), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_table(cols) + "\n")
    sys.stdout.flush()
    for col in cols:
        if col.error is not None:
            _err(f"{col.model}: {col.error}", col.error.hint)
    if interrupted:
        _err(f"stopped; partial replies saved in conversation {comparison.conversation_id}.")
        return EXIT_INTERRUPTED
    if sys.stderr.isatty():
        sys.stderr.write(f"[conversation {comparison.conversation_id}]\n")
    return EXIT_OK if all(c.state == "complete" for c in cols) else EXIT_ERROR


def _as_json(comparison: Comparison) -> dict[str, Any]:
    from app.core.compare import column_cost

    replies = []
    for col in comparison.columns:
        reply = col.summary.reply if col.summary is not None else None
        usage = reply.usage.to_dict() if reply is not None and reply.usage is not None else None
        replies.append({
            "model": col.model,
            "status": col.state,
            "text": col.text,
            "error": str(col.error) if col.error is not None else (
                reply.error if reply is not None else None),
            "usage": usage,
            "cost": column_cost(col),
            "first_token_ms": _rounded(col.first_token_ms),
            "tokens_per_second": _rounded(col.tokens_per_second),
            "provider": col.provider,
            "message_id": col.reply.id,
        })
    return {"conversation": comparison.conversation_id, "replies": replies}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _table(cols: list[Column]) -> str:
    """model | first token ms | tokens/s | tokens | cost | status, aligned."""
    from app.core.compare import column_cost, total_cost
    from app.core.finish import money

    head = ["model", "first token ms", "tokens/s", "tokens", "cost", "status"]
    rows = [head]
    for col in cols:
        reply = col.summary.reply if col.summary is not None else None
        tokens = (str(reply.usage.completion_tokens)
                  if reply is not None and reply.usage is not None else "-")
        cost = column_cost(col)
        rows.append([
            col.model,
            "-" if col.first_token_ms is None else f"{col.first_token_ms:.0f}",
            "-" if col.tokens_per_second is None else f"{col.tokens_per_second:.1f}",
            tokens,
            "-" if cost is None else money(cost),
            col.state,
        ])
    total = total_cost(cols)
    if total is not None:
        rows.append(["total", "", "", "", money(total), ""])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i in {0, 5} else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip()
             for r in rows]
    return "\n".join(lines)
