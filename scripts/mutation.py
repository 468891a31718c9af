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

A target may be focused on the definitions that matter (FOCUS): only mutants inside those
functions, classes and assignments are run, so a sample is not spent on, say, the syntax
highlighting of a module whose sanitizer is what is being measured.
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
                                      "tests/test_stream_fuzz.py", "tests/test_chat_stream.py",
                                      "tests/test_generated_images.py"]),
    "errors": ("app/core/client.py", ["tests/test_error_boundary.py", "tests/test_retry.py",
                                      "tests/test_chat_stream.py", "tests/test_stream_fuzz.py"]),
    "attachments": ("app/core/attachments.py", ["tests/test_attachments_in.py",
                                                "tests/test_attachment_files.py"]),
    "logs": ("app/core/logs.py", ["tests/test_logging.py"]),
    "secrets": ("app/core/secrets.py", ["tests/test_secrets.py"]),
    "key-format": ("app/core/key_format.py", ["tests/test_secrets.py",
                                              "tests/test_error_boundary.py"]),
    "search": ("app/core/history/search.py", ["tests/test_history.py"]),
    "storage": ("app/core/history/store.py", ["tests/test_storage.py", "tests/test_history.py",
                                              "tests/test_storage_faults.py"]),
    "importers": ("app/core/history/importers.py", [
        "tests/test_import_export.py",
        "tests/test_generated_images.py::"
        "test_export_embeds_images_and_import_restores_them_into_an_empty_folder",
        "tests/test_generated_images.py::test_hostile_images_in_an_import_refuse_the_file",
        "tests/test_attachments_in.py::"
        "test_export_import_export_round_trip_keeps_every_attachment_byte",
        "tests/test_attachments_in.py::"
        "test_import_refuses_attachment_data_that_does_not_match_its_hash",
    ]),
    # The two slowest rendering tests check speed and streaming, not what is let through.
    "sanitizer": ("app/core/markdown_render.py", [
        "tests/test_sanitizer_layers.py", "tests/test_render_safety.py",
        "tests/test_markdown_render.py",
        "--deselect=tests/test_markdown_render.py::test_one_megabyte_reply_completes",
        "--deselect=tests/test_markdown_render.py::test_streaming_random_splits_equal_whole_render",
    ]),
    "tool-loop": ("app/core/tools/loop.py", ["tests/test_tool_loop.py",
                                             "tests/test_tool_approval.py"]),
    "approvals": ("app/core/approvals.py", ["tests/test_requests.py",
                                            "tests/test_tool_approval.py"]),
}

#: name -> the definitions (functions, methods, classes, assigned names) whose mutants are run
FOCUS: dict[str, tuple[str, ...]] = {
    # What decides which links, images, tags, attributes and styles reach the view.
    "sanitizer": (
        "_SAFE_LINK_SCHEMES", "_SCHEME_RE", "_CTRL_WS_RE", "_DATA_IMAGE_RE", "_scheme",
        "_safe_href", "link_open", "link_close", "image", "_ALLOWED_TAGS",
        "_ALLOWED_ATTRIBUTES", "_ALLOWED_CSS", "_COPY_HREF_RE", "_attribute_filter",
        "_NH3_OPTIONS", "_CLEANER", "_sanitize", "_render_blocks",
    ),
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


def _annotation_spans(source: Path) -> list[tuple[int, int, int, int]]:
    """(row, col, end_row, end_col) of every type annotation in a module."""
    import ast

    spans: list[tuple[int, int, int, int]] = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        found: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            found.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        for ann in found:
            if ann is not None and ann.end_lineno is not None and ann.end_col_offset is not None:
                spans.append((ann.lineno, ann.col_offset, ann.end_lineno, ann.end_col_offset))
    return spans


def _definition_spans(source: Path, names: tuple[str, ...]) -> list[tuple[int, int, int, int]]:
    """(row, col, end_row, end_col) of every definition or assignment of one of `names`."""
    import ast

    spans: list[tuple[int, int, int, int]] = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        named: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            named.append(node.name)
        elif isinstance(node, ast.Assign):
            named.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            named.append(node.target.id)
        if any(n in names for n in named) and node.end_lineno is not None \
                and node.end_col_offset is not None:
            spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))
    return spans


def _focus(session: Path, source: Path, names: tuple[str, ...]) -> tuple[int, int]:
    """Drop the session's mutants outside the definitions `names`; returns (kept, all)."""
    spans = _definition_spans(source, names)
    db = sqlite3.connect(session)
    rows = db.execute("SELECT job_id, start_pos_row, start_pos_col FROM mutation_specs").fetchall()
    drop = [(job,) for job, row, col in rows if not _in_annotation(spans, row, col)]
    with db:
        db.executemany("DELETE FROM mutation_specs WHERE job_id = ?", drop)
        db.executemany("DELETE FROM work_items WHERE job_id = ?", drop)
    db.close()
    return len(rows) - len(drop), len(rows)


def _in_annotation(spans: list[tuple[int, int, int, int]], row: int, col: int) -> bool:
    return any((r, c) <= (row, col) < (er, ec) for r, c, er, ec in spans)


def _results(session: Path, clone: Path) -> tuple[int, int, int, list[tuple[str, str]]]:
    """(mutants, killed, equivalent, survivors as (where, diff)).

    Every module starts with `from __future__ import annotations`, so annotations are never
    evaluated: a mutant inside one cannot change behaviour and is counted as equivalent.
    """
    db = sqlite3.connect(session)
    rows = db.execute(
        "SELECT r.test_outcome, r.diff, s.module_path, s.start_pos_row, s.start_pos_col, "
        "s.operator_name FROM work_results r JOIN mutation_specs s ON s.job_id = r.job_id"
    ).fetchall()
    db.close()
    spans: dict[str, list[tuple[int, int, int, int]]] = {}
    survivors: list[tuple[str, str]] = []
    killed = equivalent = 0
    for outcome, diff, path, row, col, op in rows:
        state = str(outcome).lower()
        if state.endswith("killed"):
            killed += 1
            continue
        if not state.endswith("survived"):
            continue
        if path not in spans:
            spans[path] = _annotation_spans(clone / path)
        if _in_annotation(spans[path], row, col):
            equivalent += 1
            continue
        survivors.append((f"{path}:{row} {op}", diff or ""))
    return len(rows), killed, equivalent, survivors


def _sample(session: Path, size: int, seed: int) -> tuple[int, int]:
    """Keep a seeded random `size` of the session's mutants; returns (kept, all)."""
    import random

    db = sqlite3.connect(session)
    # Job ids are random per `cosmic-ray init`; order by where and what each mutation is,
    # so the same seed picks the same mutants on every run of the same code.
    jobs = [row[0] for row in db.execute(
        "SELECT job_id FROM mutation_specs ORDER BY module_path, start_pos_row, start_pos_col, "
        "end_pos_row, end_pos_col, operator_name, operator_args, occurrence"
    )]
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
            if name in FOCUS:
                kept, everything = _focus(session, clone / module, FOCUS[name])
                note = f", {kept} of {everything} mutants inside {len(FOCUS[name])} definitions"
            if sample is not None:
                kept, everything = _sample(session, sample, seed)
                if kept < everything:
                    note += f", a seeded sample of {kept} of {everything} mutants"
            subprocess.run(["cosmic-ray", "exec", str(config), str(session)], cwd=clone,
                           env=env, check=True)
            mutants, killed, equivalent, survivors = _results(session, clone)
            counted = mutants - equivalent
            total += counted
            killed_total += killed
            rate = 100.0 * killed / counted if counted else 100.0
            print(f"\n== {name}: {module}: {killed}/{counted} killed ({rate:.1f}%){note}; "
                  f"{equivalent} equivalent (inside type annotations) not counted", flush=True)
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
            focus = f" (only {', '.join(FOCUS[name])})" if name in FOCUS else ""
            print(f"{name:10} {module}{focus}  <- {' '.join(tests)}")
        return 0
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}; see --list")
    if shutil.which("cosmic-ray") is None:
        parser.error("cosmic-ray is not installed: python -m pip install -e '.[mutation]'")
    return run(args.targets or list(TARGETS), args.timeout, args.keep, args.sample, args.seed)


if __name__ == "__main__":
    sys.exit(main())
