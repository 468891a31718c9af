"""`parley ask` consuming a 50,000-chunk stream from loopback, whole process.

DESIGN targets: <= 0.25x the official `openai` SDK and <= 1.5x raw httpx reading the
bytes, same stream, same run. The fake OpenRouter runs in this process (a background
thread on 127.0.0.1) and answers every request with `many_chunks(50_000)` ("tok " x 50,000:
about 9.6 MB of SSE, pre-framed, so serving it costs the server almost nothing). Each sample
is a fresh process timed wall-clock from spawn to exit, stdout to /dev/null; the three
commands are interleaved:

  (a) parley: `python -m app ask hi` (PARLEY_HOME in a temp dir, reused across runs);
  (b) openai: benchmarks/_openai_client.py, AsyncOpenAI + stream=True, deltas to stdout;
  (c) httpx:  benchmarks/_httpx_client.py, the same POST, aiter_bytes() to the end.

It also checks that the stored reply is the whole 200,000 characters and that
`parley ask` never imports Qt.

    python benchmarks/bench_ask.py [--quick] [-n N] [--chunks N] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import Summary, child_env, ensure_bytecode, header, ms, print_table, ratio, temp_home

from tests.fake_openrouter import FakeOpenRouter, many_chunks, text_stream

HERE = Path(__file__).resolve().parent
TARGET_VS_OPENAI = 0.25
TARGET_VS_HTTPX = 1.5

NO_QT_CHECK = """\
import io, sys
import app.cli
real = sys.stdout
sys.stdout = io.StringIO()
rc = app.cli.main(['ask', 'hi'])
sys.stdout = real
qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))
print(rc, ','.join(qt) or '-')
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{argv} exited with {proc.returncode}:\n{proc.stderr.decode(errors='replace')}"
        )
    return elapsed


def last_reply(home: Path) -> tuple[str, int]:
    """(status, length) of the newest assistant message in PARLEY_HOME's history."""
    with contextlib.closing(sqlite3.connect(home / "history.sqlite3")) as db:
        row = db.execute(
            "SELECT status, content FROM messages WHERE role = 'assistant' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return "missing", 0
    return str(row[0]), len(row[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 7")
    parser.add_argument("-n", type=int, default=None, help="runs per command")
    parser.add_argument("--chunks", type=int, default=50_000, help="content chunks per stream")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one `parley ask` run"
    )
    args = parser.parse_args(argv)
    n = args.n or (3 if args.quick else 7)
    py = sys.executable

    print(ensure_bytecode())
    header(
        f"`parley ask` consuming a {args.chunks:,}-chunk stream from loopback (whole process)",
        f"{n} runs each, interleaved; targets: <= {TARGET_VS_OPENAI:g}x openai SDK, "
        f"<= {TARGET_VS_HTTPX:g}x raw httpx",
    )
    with FakeOpenRouter() as fake, temp_home("parley-ask-") as home:
        fake.set_default(many_chunks(args.chunks))
        env = child_env(
            PARLEY_HOME=str(home), OPENROUTER_API_KEY="test-key", OPENROUTER_BASE_URL=fake.base_url
        )
        commands = {
            "parley ask": [py, "-m", "app", "ask", "hi"],
            "openai SDK": [py, str(HERE / "_openai_client.py"), fake.base_url, "hi"],
            "raw httpx": [py, str(HERE / "_httpx_client.py"), fake.base_url, "hi"],
            "python -c pass": [py, "-c", "pass"],
        }
        # Warm-up (unmeasured): .pyc files, page cache; and the correctness checks. The
        # SDK takes seconds over the big stream, so its warm-up gets a short one.
        for name, cmd in commands.items():
            if name != "parley ask":
                fake.enqueue(text_stream("warm-up"))
            timed(cmd, env)
        status, length = last_reply(home)
        expected = len("tok ") * args.chunks
        check = "OK" if (status, length) == ("complete", expected) else "WRONG"
        print(f"stored reply after `parley ask`: status={status}, {length:,} chars "
              f"(expected complete, {expected:,}) -> {check}")
        qt = subprocess.run(
            [py, "-c", NO_QT_CHECK], env=env, capture_output=True, text=True, check=False
        )
        verdict = qt.stdout.strip().splitlines()[-1] if qt.stdout.strip() else qt.stderr[-500:]
        rc, _, qt_modules = verdict.partition(" ")
        print(f"`parley ask` imports Qt: {'no' if qt_modules == '-' else 'YES: ' + qt_modules}"
              f" (exit code {rc})")

        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(n):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, env))
        requests = len(fake.requests)

        if args.profile:
            prof = subprocess.run(
                [py, "-m", "cProfile", "-s", "tottime", "-m", "app", "ask", "hi"],
                env=env, capture_output=True, text=True, check=False,
            )
            lines = prof.stdout.splitlines()
            start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
            print("\ncProfile of one `parley ask` run (top 25 by tottime):")
            print("\n".join(lines[start : start + 33]))

    stats = {name: Summary.of(t) for name, t in times.items()}
    parley, openai_, httpx_ = stats["parley ask"], stats["openai SDK"], stats["raw httpx"]
    rows = [
        [name, str(s.n), ms(s.median), ms(s.p90), ms(s.minimum),
         ratio(s.median, openai_.median), ratio(s.median, httpx_.median)]
        for name, s in stats.items()
    ]
    print()
    print_table(["command", "n", "median ms", "p90 ms", "min ms", "vs openai", "vs httpx"], rows)
    print()
    r_openai = parley.median / openai_.median
    r_httpx = parley.median / httpx_.median
    for label, value, target in (
        ("parley / openai SDK", r_openai, TARGET_VS_OPENAI),
        ("parley / raw httpx", r_httpx, TARGET_VS_HTTPX),
    ):
        verdict = "meets" if value <= target else "MISSES"
        print(f"{label} (median): {value:.2f}x -> target <= {target:g}x {verdict}")
    print(f"requests served: {requests}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
