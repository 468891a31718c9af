"""Mutation testing of the code users depend on most, with cosmic-ray (not run in CI: slow).

Each target is a module and the test files that should catch any change to it. The run
happens in a throwaway clone of this checkout (cosmic-ray edits the files it mutates), one
module at a time, and prints the kill rate per module and overall. Surviving mutants are
listed with their diff so each can be killed by a new test or explained as equivalent.

    python -m pip install -e '.[mutation]'
    python scripts/mutation.py                  # every target (about an hour on 2 cores)
    python scripts/mutation.py sse events       # some targets
    python scripts/mutation.py --sample 80 events  # a seeded random sample of the mutants
    python scripts/mutation.py --list
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name -> (module, test files that pin its behaviour)
TARGETS: dict[str, tuple[str, list[str]]] = {
    "sse": ("app/core/sse.py", ["tests/test_stream_parsing.py", "tests/test_stream_fuzz.py"]),
    "events": ("app/core/events.py", ["tests/test_stream_parsing.py",
                                      "tests/test_stream_fuzz.py", "tests/test_chat_stream.py"]),
    "errors": ("app/core/client.py", ["tests/test_error_boundary.py", "tests/test_retry.py",
                                      "tests/test_chat_stream.py", "tests/test_stream_fuzz.py"]),
    "logs": ("app/core/logs.py", ["tests/test_logging.py"]),
    "secrets": ("app/core/secrets.py", ["tests/test_secrets.py"]),
    "search": ("app/core/history/search.py", ["tests/test_history.py"]),
    "importers": ("app/core/history/importers.py", ["tests/test_import_export.py"]),
    "sanitizer": ("app/core/markdown_render.py", ["tests/test_markdown_render.py",
                                                  "tests/test_sanitizer_layers.py"]),
    "tool-loop": ("app/core/tools/loop.py", ["tests/test_tool_loop.py",
                                             "tests/test_tool_approval.py"]),
}


def _config(module: str, tests: list[str], timeout: float) -> str:
    command = ("env QT_QPA_PLATFORM=offscreen " + sys.executable
               + " -m pytest -x -q -p no:cacheprovider " + " ".join(tests))
    return (
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )


def _results(session: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """(mutants, killed, survivors as (where, diff))."""
    db = sqlite3.connect(session)
    rows = db.execute(
        "SELECT r.test_outcome, r.diff, s.module_path, s.start_pos_row, s.operator_name "
        "FROM work_results r JOIN mutation_specs s ON s.job_id = r.job_id"
    ).fetchall()
    db.close()
    survivors = [(f"{path}:{row} {op}", diff or "") for outcome, diff, path, row, op in rows
                 if str(outcome).lower().endswith("survived")]
    killed = sum(1 for outcome, *_ in rows if str(outcome).lower().endswith("killed"))
    return len(rows), killed, survivors


def _sample(session: Path, size: int, seed: int) -> tuple[int, int]:
    """Keep a seeded random `size` of the session's mutants; returns (kept, all)."""
    import random

    db = sqlite3.connect(session)
    jobs = [row[0] for row in db.execute("SELECT job_id FROM mutation_specs ORDER BY job_id")]
    if size >= len(jobs):
        db.close()
        return len(jobs), len(jobs)
    keep = set(random.Random(seed).sample(jobs, size))
    drop = [(job,) for job in jobs if job not in keep]
    with db:
        db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", drop)
        db.executemany("DELETE FROM work_items WHERE job_id = ?", drop)
    db.close()
    return size, len(jobs)


def run(names: list[str], timeout: float, keep: bool, sample: int | None = None,
        seed: int = 17) -> int:
    work = Path(tempfile.mkdtemp(prefix="parley-mutation-"))
    clone = work / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # The replay tests read ../shared beside the checkout: point the clone at the same one.
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (work / "shared").symlink_to(shared)
    env = {**os.environ, "PYTHONPATH": str(clone)}
    total = killed_total = 0
    try:
        for name in names:
            module, tests = TARGETS[name]
            config = work / f"{name}.toml"
            session = work / f"{name}.sqlite"
            config.write_text(_config(module, tests, timeout), encoding="utf-8")
            subprocess.run(["cosmic-ray", "init", str(config), str(session)], cwd=clone,
                           env=env, check=True)
            note = ""
            if sample is not None:
                kept, everything = _sample(session, sample, seed)
                if kept < everything:
                    note = f", a seeded sample of {kept} of {everything} mutants"
            subprocess.run(["cosmic-ray", "exec", str(config), str(session)], cwd=clone,
                           env=env, check=True)
            mutants, killed, survivors = _results(session)
            total += mutants
            killed_total += killed
            rate = 100.0 * killed / mutants if mutants else 100.0
            print(f"\n== {name}: {module}: {killed}/{mutants} killed ({rate:.1f}%){note}",
                  flush=True)
            for where, diff in survivors:
                print(f"-- survived: {where}\n{diff}")
        if total:
            print(f"\n== overall: {killed_total}/{total} killed "
                  f"({100.0 * killed_total / total:.1f}%)")
    finally:
        if keep:
            print(f"sessions kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds one mutant's test run may take (120)")
    parser.add_argument("--keep", action="store_true", help="keep the clone and sessions")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run a seeded random sample of N mutants per module")
    parser.add_argument("--seed", type=int, default=17, help="the sample's seed (17)")
    args = parser.parse_args()
    if args.list:
        for name, (module, tests) in TARGETS.items():
            print(f"{name:10} {module}  <- {' '.join(tests)}")
        return 0
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}; see --list")
    if shutil.which("cosmic-ray") is None:
        parser.error("cosmic-ray is not installed: python -m pip install -e '.[mutation]'")
    return run(args.targets or list(TARGETS), args.timeout, args.keep, args.sample, args.seed)


if __name__ == "__main__":
    sys.exit(main())
