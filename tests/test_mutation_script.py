"""scripts/mutation.py: a seeded sample picks the same mutants on every run of the same code."""

from __future__ import annotations

import importlib.util
import sqlite3
import uuid
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

SPEC_COLUMNS = ("job_id", "module_path", "operator_name", "operator_args", "occurrence",
                "start_pos_row", "start_pos_col", "end_pos_row", "end_pos_col")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_script",
                                                  ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _session(path: Path) -> Path:
    """A session of 40 mutants as `cosmic-ray init` writes it: fresh random job ids."""
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE mutation_specs ({', '.join(SPEC_COLUMNS)})")
        db.execute("CREATE TABLE work_items (job_id)")
        for row in range(40):
            job = uuid.uuid4().hex
            db.execute("INSERT INTO mutation_specs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (job, "app/core/x.py", "core/NumberReplacer", "{}", row % 3,
                        row, 4, row, 6))
            db.execute("INSERT INTO work_items VALUES (?)", (job,))
    db.close()
    return path


def _kept(path: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT start_pos_row, occurrence FROM mutation_specs "
                          "JOIN work_items USING (job_id) ORDER BY start_pos_row").fetchall()
    db.close()
    return [(r[0], r[1]) for r in rows]


def test_the_same_seed_samples_the_same_mutants(tmp_path: Path) -> None:
    script = _script()
    first, second = _session(tmp_path / "a.sqlite"), _session(tmp_path / "b.sqlite")
    assert script._sample(first, 10, 17) == (10, 40)
    assert script._sample(second, 10, 17) == (10, 40)
    assert len(_kept(first)) == 10
    assert _kept(first) == _kept(second)


def test_a_focused_target_runs_only_the_mutants_inside_the_named_definitions(
    tmp_path: Path,
) -> None:
    script = _script()
    source = tmp_path / "x.py"
    # Rows 1-2: the sanitizer, rows 4-5: highlighting, row 7: an allowlist.
    source.write_text("def clean(x):\n    return x + 1\n\ndef colour(x):\n    return x - 1\n\n"
                      "ALLOWED = {'a', 'b'}\n", encoding="utf-8")
    session = _session(tmp_path / "s.sqlite")
    assert script._focus(session, source, ("clean", "ALLOWED")) == (3, 40)
    assert [row for row, _ in _kept(session)] == [1, 2, 7]
