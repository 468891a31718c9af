"""Sync through a shared folder, at scale and at rest.

Uses bench_history's generated history (10,000 conversations / 500,000 messages; with
--quick 1,000 / 50,000; cached in /tmp) as the history of a first device, which sends it
all to an encrypted sync folder. Then, measured:

- first sync of a second, empty device joining that folder: wall time (target <= 60 s)
  and peak memory (maximum RSS of a process doing only that round; memory bounded:
  segments are read one at a time). Baselines in the same run: copying the same rows
  with one `INSERT ... SELECT` per table between two SQLite files (the floor for storing
  them with the same triggers), and the peak RSS of a process that only opens the
  history and imports the sync code;
- a round with nothing new (target <= 100 ms), against a baseline of listing the sync
  folder's device folders and reading `folder.json` (the least a round must do);
- a round with one new conversation (two messages): sending it on one device, and
  receiving it on the other (target <= 300 ms each).

    python benchmarks/bench_sync.py [--quick] [-n N]

Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import REPO, Summary, child_env, header, ms, print_table, ratio, temp_home
from bench_history import cache_path, generate

from app.core.domain import Role
from app.core.history import Store
from app.core.sync import run_round
from app.core.sync.layout import Layout

PASSPHRASE = "bench passphrase"

_CHILD = """
import resource, sys, time
from pathlib import Path
from app.core.history import Store
from app.core.sync import run_round
store = Store.open(Path(sys.argv[1]))
started = time.perf_counter()
if sys.argv[3] == "sync":
    report = run_round(store, Path(sys.argv[2]), sys.argv[4])
    print(time.perf_counter() - started, report.received, report.segments_read)
else:
    print(0.0, 0, 0)
store.close()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _child(db: Path, folder: Path, what: str) -> tuple[float, int, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db), str(folder), what, PASSPHRASE],
        capture_output=True, text=True, env=child_env(), cwd=REPO, check=True,
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]), int(out[3])


def _copy_floor(source: Path, dest: Path) -> float:
    """Seconds to copy every conversation and message row into an empty history."""
    Store.open(dest).close()
    conn = sqlite3.connect(dest, isolation_level=None)
    started = time.perf_counter()
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    conn.execute("BEGIN")
    conn.execute("INSERT INTO conversations (id, title, created_at, updated_at, model, uid, "
                 "pinned, archived, tags, options, endpoint) SELECT id, title, created_at, "
                 "updated_at, model, uid, pinned, archived, tags, options, endpoint "
                 "FROM src.conversations")
    columns = ("id, conversation_id, parent_id, role, content, status, created_at, updated_at, "
               "model, prompt_tokens, completion_tokens, total_tokens, cost, uid")
    conn.execute(f"INSERT INTO messages ({columns}) SELECT {columns} FROM src.messages")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _folder_floor(folder: Path) -> float:
    layout = Layout(folder)
    started = time.perf_counter()
    json.loads(layout.folder_file.read_bytes())
    for device in layout.device_ids():
        os.listdir(layout.device_dir(device))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 conversations / 50,000 messages, fewer samples")
    parser.add_argument("-n", type=int, default=0, help="samples per small round")
    args = parser.parse_args()
    conversations, messages = (1_000, 50_000) if args.quick else (10_000, 500_000)
    n = args.n or (5 if args.quick else 15)
    cached = cache_path(args.quick)
    if not cached.exists():
        partial = cached.with_suffix(".partial")
        generate(partial, conversations, messages)
        partial.replace(cached)

    header("bench_sync", f"{conversations:,} conversations / {messages:,} messages, "
                         f"encrypted folder, {n} samples per small round, median (p90)")
    rows: list[list[str]] = []
    with temp_home() as root:
        folder = root / "shared"
        folder.mkdir()
        first_db = root / "first" / "history.sqlite3"
        first_db.parent.mkdir()
        shutil.copyfile(cached, first_db)
        first = Store.open(first_db)
        started = time.perf_counter()
        sent = run_round(first, folder, PASSPHRASE)
        send_all = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"first device sent {sent.sent:,} changes in {sent.segments_written} segments "
              f"({size / 1e6:.0f} MB) in {send_all:.1f} s")

        joiner_db = root / "joiner" / "history.sqlite3"
        joiner_db.parent.mkdir()
        Store.open(joiner_db).close()
        join_s, received, segments, join_rss = _child(joiner_db, folder, "sync")
        _, _, _, idle_rss = _child(joiner_db, folder, "idle")
        floor_s = _copy_floor(cached, root / "floor.sqlite3")
        print(f"joining device received {received:,} changes from {segments} segments")
        rows.append(["first sync of a joining device", f"{join_s:.1f} s", "60 s",
                     ratio(join_s, floor_s), f"floor: INSERT...SELECT {floor_s:.1f} s"])
        rows.append(["  peak RSS of that process", f"{join_rss / 1024:.0f} MB", "bounded",
                     ratio(join_rss, idle_rss), f"open-only process {idle_rss / 1024:.0f} MB"])

        joiner = Store.open(joiner_db)
        run_round(joiner, folder, PASSPHRASE)  # warm: key derived, pages cached
        idle: list[float] = []
        floor: list[float] = []
        for _ in range(n):
            floor.append(_folder_floor(folder))
            t0 = time.perf_counter()
            run_round(joiner, folder, PASSPHRASE)
            idle.append(time.perf_counter() - t0)
        s_idle, s_floor = Summary.of(idle), Summary.of(floor)
        rows.append(["round with nothing new", f"{ms(s_idle.median)} ({ms(s_idle.p90)}) ms",
                     "100 ms", ratio(s_idle.median, s_floor.median),
                     f"floor: list folder {ms(s_floor.median)} ms"])

        send: list[float] = []
        receive: list[float] = []
        for k in range(n):
            conv = first.create_conversation(f"New chat {k}")
            first.add_message(conv.id, Role.USER, "A new question")
            first.add_message(conv.id, Role.ASSISTANT, "A new answer")
            t0 = time.perf_counter()
            run_round(first, folder, PASSPHRASE)
            send.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            got = run_round(joiner, folder, PASSPHRASE)
            receive.append(time.perf_counter() - t0)
            assert got.received == 3, got
        s_send, s_recv = Summary.of(send), Summary.of(receive)
        rows.append(["round sending one new conversation",
                     f"{ms(s_send.median)} ({ms(s_send.p90)}) ms", "300 ms",
                     ratio(s_send.median, s_idle.median), "vs nothing new"])
        rows.append(["round receiving one new conversation",
                     f"{ms(s_recv.median)} ({ms(s_recv.p90)}) ms", "300 ms",
                     ratio(s_recv.median, s_idle.median), "vs nothing new"])
        joiner.close()
        first.close()
    print_table(["measurement", "figure", "target", "ratio", "baseline"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
