"""`parley usage`: where the money went, by model, day, endpoint or conversation."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING

from app.cli.common import EXIT_OK, EXIT_USAGE, _err, _open_store

if TYPE_CHECKING:
    from app.core.usage import Row, Totals, UsageRange

#: the range when no --since is given: the last 30 days, like the dashboard
DEFAULT_DAYS = 30


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `usage` to `parley`'s sub-command parser."""
    p = sub.add_parser(
        "usage", help="spend and tokens over the history (last 30 days by default)"
    )
    p.add_argument("--since", metavar="DATE", help="first day, YYYY-MM-DD (local date)")
    p.add_argument("--until", metavar="DATE", help="last day, YYYY-MM-DD (default: today)")
    p.add_argument(
        "--by", choices=("model", "day", "endpoint", "conversation"), default="model",
        help="group by model (default), day, endpoint or conversation",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")


def _parse_date(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{flag} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31."
        ) from None


def _cost(value: float) -> str:
    return f"${value:,.4f}" if value >= 0.01 or value == 0 else f"${value:,.6f}"


def cmd_usage(args: argparse.Namespace) -> int:
    """Print the figures of the range as a table, JSON or CSV."""
    from app.core import usage

    try:
        until = _parse_date(args.until, "--until") if args.until else date.today()
        since = (_parse_date(args.since, "--since") if args.since
                 else until - timedelta(days=DEFAULT_DAYS - 1))
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if since > until:
        _err(f"--since {since} is after --until {until}: the range is empty.")
        return EXIT_USAGE
    span = usage.UsageRange(since, until)
    store = _open_store()
    try:
        total = usage.totals(store, span)
        rows = usage.breakdown(store, span, args.by)
        titles: dict[str, str] = {}
        if args.by == "conversation" and not (args.json or args.csv):
            for row in rows:
                conv = store.get_conversation(int(row.key))
                titles[row.key] = conv.title if conv is not None else ""
    finally:
        store.close()
    out = sys.stdout
    if args.json:
        out.write(usage.to_json(total, rows) + "\n")
        return EXIT_OK
    if args.csv:
        out.write(usage.to_csv(rows))
        return EXIT_OK
    out.write(_table(span, total, rows, args.by, titles))
    return EXIT_OK


def _table(span: UsageRange, total: Totals, rows: list[Row], by: str,
           titles: dict[str, str]) -> str:
    """A readable table; costs marked * leave out replies without a reported cost."""
    heads = (by.capitalize(), "Cost", "Replies", "Prompt tok", "Completion tok")
    body: list[tuple[str, ...]] = []
    for r in rows:
        key = r.key if by != "conversation" else f"#{r.key} {titles.get(r.key, '')}".strip()
        cost = _cost(r.cost) + ("*" if r.unpriced else "")
        body.append((key[:48], cost, f"{r.replies:,}", f"{r.prompt_tokens:,}",
                     f"{r.completion_tokens:,}"))
    body.append(("Total", _cost(total.cost) + ("*" if total.unpriced else ""),
                 f"{total.replies:,}", f"{total.prompt_tokens:,}",
                 f"{total.completion_tokens:,}"))
    widths = [max(len(line[i]) for line in (heads, *body)) for i in range(len(heads))]

    def fmt(line: tuple[str, ...]) -> str:
        first = line[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True))
        return f"{first}  {rest}".rstrip() + "\n"

    lines = [f"Usage from {span.since} to {span.until}\n\n", fmt(heads)]
    lines.append("  ".join("-" * w for w in widths) + "\n")
    lines += [fmt(line) for line in body[:-1]]
    lines.append(fmt(body[-1]))
    if total.unpriced:
        lines.append(f"\n* {total.unpriced_note()}: not included in the cost.\n")
    if not rows:
        lines.append("\nNo replies in this range.\n")
    return "".join(lines)
