"""Cold start to main window shown: Parley vs a bare PySide6 QMainWindow (DESIGN: <= 2x).

Every sample is a fresh process (QT_QPA_PLATFORM=offscreen, a fresh empty PARLEY_HOME,
OPENROUTER_API_KEY=test-key, OPENROUTER_BASE_URL on a port nothing listens on, so the model
list fails at once and no network wait counts). The runs alternate A/B/A/B.

  * parley: `python -m app --smoke` (opens the window, closes it after 50 ms, shuts down);
  * bare:   QApplication + QMainWindow, show(), quit after the same 50 ms timer.

Two figures per run, both from the parent's perf_counter() just before the process starts:
  * shown: when the window is shown and the event loop turned once (reported by
    benchmarks/_startup_probe.py, which wraps QMainWindow.show identically in both modes
    and runs `app` exactly as `python -m app --smoke` does);
  * exit: wall time until the process exited (includes the 50 ms and the shutdown).
A third series, `python -c pass`, is the interpreter's own floor.

The target is judged on the existing, empty data folder. A second Parley series reopens a
history (300 chats; the last one open, 30 messages with code blocks, a table and a list),
which adds reading and drawing the messages on screen: how a returning user starts it.

    python benchmarks/bench_startup.py [--quick] [-n N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import Summary, child_env, ensure_bytecode, header, ms, print_table, ratio, temp_home

from tests.fake_openrouter import refuse_connection_port

PROBE = Path(__file__).resolve().parent / "_startup_probe.py"
TARGET = 2.0

#: the reply repeated in the reopened chat of the "with history" series
REPLY = """Here is how to do it:

1. Read the file with `open()`.
2. Parse each line.

```python
def parse(path):
    with open(path) as f:
        return [line.split(",") for line in f]
```

| name | value |
|------|-------|
| a    | 1     |

That is **all** you need; see [the docs](https://docs.python.org).
"""


def seed_history(home: Path) -> None:
    """300 chats; the last one, left open, holds 15 questions with REPLY as the answer."""
    import json

    from app.core.domain import Role
    from app.core.history import Store

    with Store.open(home / "history.sqlite3") as store:
        for i in range(299):
            conv = store.create_conversation(f"Conversation {i} about parsing files")
            store.add_message(conv.id, Role.USER, f"question {i}")
        conv = store.create_conversation("Parsing CSV files", model="openai/gpt-4o-mini")
        for k in range(15):
            store.add_message(conv.id, Role.USER, f"How do I parse a CSV file, variant {k}?")
            store.add_message(conv.id, Role.ASSISTANT, REPLY, model="openai/gpt-4o-mini")
    (home / "window-state.json").write_text(json.dumps({"last_conversation": conv.id}))


def run_once(
    argv: list[str], base_url: str, home: Path | None = None
) -> tuple[float, float | None]:
    """(seconds to exit, seconds to window shown or None) for one fresh process.

    `home`: an existing data folder (a user's normal start); None: a fresh, empty one
    (the very first start, which also creates the database).
    """
    with temp_home("parley-startup-") as fresh:
        home = home or fresh
        env = child_env(
            QT_QPA_PLATFORM="offscreen",
            PARLEY_HOME=str(home),
            OPENROUTER_API_KEY="test-key",
            OPENROUTER_BASE_URL=base_url,
        )
        t0 = time.perf_counter()
        proc = subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{argv} exited with {proc.returncode}:\n{proc.stderr.decode(errors='replace')}"
        )
    shown: float | None = None
    for line in proc.stderr.decode(errors="replace").splitlines():
        if line.startswith("SHOWN "):
            shown = float(line.split()[1]) - t0
            break
    return elapsed, shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="5 runs each instead of 10")
    parser.add_argument("-n", type=int, default=None, help="runs per series")
    args = parser.parse_args(argv)
    n = args.n or (5 if args.quick else 10)
    base_url = f"http://127.0.0.1:{refuse_connection_port()}/api/v1"

    print(ensure_bytecode())
    header(
        "Cold start to window shown (fresh process, existing PARLEY_HOME, offscreen)",
        f"{n} runs each, alternating; target: Parley <= {TARGET:g}x bare QMainWindow",
    )
    py = sys.executable
    commands = {
        "parley": [py, str(PROBE), "parley"],
        "bare": [py, str(PROBE), "bare"],
        "python -c pass": [py, "-c", "pass"],
    }
    with temp_home("parley-startup-existing-") as existing, \
            temp_home("parley-startup-history-") as history:
        seed_history(history)
        # One unmeasured run of each: page cache, .pyc files, fontconfig cache; for Parley
        # it also creates the history database, as a user's first start did long ago.
        for cmd in commands.values():
            run_once(cmd, base_url, existing)
        run_once(commands["parley"], base_url, history)

        exit_times: dict[str, list[float]] = {name: [] for name in commands}
        shown_times: dict[str, list[float]] = {name: [] for name in commands}
        reopened: list[float] = []
        for _ in range(n):
            for name, cmd in commands.items():
                elapsed, shown = run_once(cmd, base_url, existing)
                exit_times[name].append(elapsed)
                if shown is not None:
                    shown_times[name].append(shown)
            shown = run_once(commands["parley"], base_url, history)[1]
            if shown is not None:
                reopened.append(shown)
        # The plain `python -m app --smoke` without the probe, to show the probe is neutral.
        smoke = [run_once([py, "-m", "app", "--smoke"], base_url, existing)[0]
                 for _ in range(max(3, n // 2))]
        # The very first start on a machine: an empty folder, the database is created.
        first = [run_once(commands["parley"], base_url)[1] for _ in range(max(3, n // 2))]

    p_shown, b_shown = Summary.of(shown_times["parley"]), Summary.of(shown_times["bare"])
    p_exit, b_exit = Summary.of(exit_times["parley"]), Summary.of(exit_times["bare"])
    floor = Summary.of(exit_times["python -c pass"])
    smoke_s = Summary.of(smoke)
    reopen_s = Summary.of(reopened)
    rows = [
        ["Parley: start -> window shown", str(p_shown.n), ms(p_shown.median), ms(p_shown.p90),
         ms(p_shown.minimum), ratio(p_shown.median, b_shown.median)],
        ["bare QMainWindow: start -> shown", str(b_shown.n), ms(b_shown.median), ms(b_shown.p90),
         ms(b_shown.minimum), "1.00x"],
        ["Parley reopening a 30-message chat", str(reopen_s.n), ms(reopen_s.median),
         ms(reopen_s.p90), ms(reopen_s.minimum), ratio(reopen_s.median, b_shown.median)],
        ["Parley --smoke: start -> exit", str(p_exit.n), ms(p_exit.median), ms(p_exit.p90),
         ms(p_exit.minimum), ratio(p_exit.median, b_exit.median)],
        ["bare: start -> exit", str(b_exit.n), ms(b_exit.median), ms(b_exit.p90),
         ms(b_exit.minimum), "1.00x"],
        ["`python -m app --smoke` (no probe)", str(smoke_s.n), ms(smoke_s.median),
         ms(smoke_s.p90), ms(smoke_s.minimum), ratio(smoke_s.median, b_exit.median)],
        ["Parley first start ever: -> shown", str(len(first)),
         ms(Summary.of([f for f in first if f is not None]).median), "", "",
         ratio(Summary.of([f for f in first if f is not None]).median, b_shown.median)],
        ["`python -c pass` (floor)", str(floor.n), ms(floor.median), ms(floor.p90),
         ms(floor.minimum), ratio(floor.median, b_exit.median)],
    ]
    print()
    print_table(["series", "n", "median ms", "p90 ms", "min ms", "vs bare"], rows)
    print()
    shown_ratio = p_shown.median / b_shown.median
    verdict = "meets" if shown_ratio <= TARGET else "MISSES"
    print(f"window shown, Parley / bare (median): {shown_ratio:.2f}x -> target <= {TARGET:g}x "
          f"{verdict}")
    print(f"reopening a chat with code, Parley / bare (median): "
          f"{reopen_s.median / b_shown.median:.2f}x")
    extra = p_shown.median - b_shown.median
    print(f"Parley's own start-up cost over bare Qt (median): {ms(extra)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
