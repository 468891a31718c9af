"""The usage dashboard's queries on 10,000 conversations / 500,000 messages.

Uses bench_history's generator (3 years of history), then spreads the replies over five
models, two endpoints and some replies without a reported cost, and caches the result in
/tmp keyed by the schema version and the size. Measures on a fresh copy:

- opening the dashboard: a new worker thread and connection plus every figure for the
  last 30 days (what View > Usage does first, off the GUI thread);
- switching range, on that worker's kept connection: week, this month, 12 months, all
  3 years, and the same 30 days stacked by endpoint;
- `parley usage --by conversation` over 12 months;

against a baseline from the same run: a plain `SELECT count(*) FROM messages`.
Targets: open <= 300 ms, switching range <= 100 ms. Nothing asserts on time.

    python benchmarks/bench_usage.py [--quick] [--regenerate] [-n N]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import header, ms, print_table, ratio, temp_home
from bench_history import CONVERSATIONS, MESSAGES, generate, timed

from app.core import usage
from app.core.config import Settings
from app.core.history import MIGRATIONS, Store

MODELS = ("openai/gpt-4o-mini", "anthropic/claude-sonnet-4", "google/gemini-2.5-flash",
          "meta-llama/llama-3.3-70b-instruct:free", "deepseek/deepseek-chat")


def cache_path(quick: bool) -> Path:
    return Path(f"/tmp/parley-bench-usage-v{len(MIGRATIONS)}-{'quick' if quick else 'full'}"
                ".sqlite3")


def prepare(path: Path, conversations: int, messages: int) -> None:
    """bench_history's history, with replies spread over models, endpoints and costs."""
    generate(path, conversations, messages)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        cases = " ".join(f"WHEN {i} THEN '{m}'" for i, m in enumerate(MODELS))
        conn.execute(f"UPDATE messages SET model = CASE id % {len(MODELS)} {cases} END, "
                     "cost = CASE WHEN id % 13 = 0 THEN NULL ELSE (id % 17) * 0.0003 END, "
                     "cached_tokens = id % 50, reasoning_tokens = id % 3 * 20 "
                     "WHERE role = 'assistant'")
        conn.execute("UPDATE conversations SET endpoint = 'local' WHERE id % 10 = 0")
        conn.execute("COMMIT")
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 conversations / 50,000 messages, fewer samples")
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached history")
    parser.add_argument("-n", type=int, default=0, help="samples per measurement")
    args = parser.parse_args()
    conversations, messages = (1_000, 50_000) if args.quick else (CONVERSATIONS, MESSAGES)
    n = args.n or (5 if args.quick else 11)
    cached = cache_path(args.quick)
    if args.regenerate or not cached.exists():
        partial = cached.with_suffix(".partial")
        prepare(partial, conversations, messages)
        partial.replace(cached)

    header("bench_usage", f"{conversations:,} conversations / {messages:,} messages, "
                          f"{n} samples each, median (p90)")
    settings = Settings(monthly_budget=50.0, daily_budget=2.0)
    today = date.today()
    with temp_home() as home:
        path = home / "history.sqlite3"
        shutil.copyfile(cached, path)
        Store.open(path).close()  # migrate once, as the app does at start
        store = Store.open(path)
        conn = store._conn
        assert conn is not None
        replies = conn.execute("SELECT count(*) FROM messages WHERE role = 'assistant'"
                               ).fetchone()[0]
        baseline = timed(lambda: conn.execute("SELECT count(*) FROM messages").fetchone(), n)

        def open_dashboard() -> None:
            # A new thread: its own new connection, as the first opening in a session.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(usage.dashboard_in_worker, path,
                            usage.UsageRange.last_days(30, today), "model", settings).result()

        opened = timed(open_dashboard, n)
        spans = {
            "week": usage.UsageRange.last_days(7, today),
            "this month": usage.UsageRange.this_month(today),
            "12 months": usage.UsageRange.last_days(365, today),
            "3 years (all)": usage.UsageRange(today - timedelta(days=3 * 366), today),
        }
        # Each range switch in the window is one `dashboard_in_worker` call.
        switches = {
            label: timed(lambda s=span: usage.dashboard_in_worker(path, s, "model", settings),
                         n)
            for label, span in spans.items()
        }
        by_endpoint = timed(lambda: usage.dashboard_in_worker(
            path, usage.UsageRange.last_days(30, today), "endpoint", settings), n)
        by_conversation = timed(lambda: usage.breakdown(
            store, spans["12 months"], "conversation"), n)
        plan = " / ".join(str(r[-1]) for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {usage._SUMS} FROM messages m "
            f"WHERE {usage._COUNTED} AND {usage._RANGE}", spans["week"].bounds()))
        store.close()

    base = baseline.median
    rows = [
        ["baseline: SELECT count(*) FROM messages", ms(base), "", "1.00x",
         f"{replies:,} replies"],
        ["open dashboard, last 30 days (own connection)", f"{ms(opened.median)} "
         f"({ms(opened.p90)})", "300", ratio(opened.median, base), ""],
    ]
    for label, summary in switches.items():
        rows.append([f"switch range: {label}", f"{ms(summary.median)} ({ms(summary.p90)})",
                     "100", ratio(summary.median, base), ""])
    rows.append(["switch stacking: 30 days by endpoint",
                 f"{ms(by_endpoint.median)} ({ms(by_endpoint.p90)})", "100",
                 ratio(by_endpoint.median, base), ""])
    rows.append(["parley usage --by conversation, 12 months",
                 f"{ms(by_conversation.median)} ({ms(by_conversation.p90)})", "",
                 ratio(by_conversation.median, base), ""])
    print_table(["measurement", "ms", "target ms", "vs baseline", "note"], rows)
    print(f"\nplan of a range total: {plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
