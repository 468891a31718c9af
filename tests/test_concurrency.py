"""Several Parley processes on one data folder at once: real processes, real files."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from app.core.history import MIGRATIONS, Store

WORKERS = 4
ROUNDS = 15
_SPAWN = multiprocessing.get_context("spawn")


def _open_rounds(folders: list[str], barrier: Barrier) -> list[str]:
    """Open (and so create and migrate) each folder's database together with the others."""
    from app.core.errors import StorageError
    from app.core.history import Store

    failures = []
    for folder in folders:
        barrier.wait(timeout=60)
        try:
            Store.open(Path(folder) / "history.sqlite3").close()
        except StorageError as exc:
            failures.append(str(exc))
    return failures


def _backup_rounds(folders: list[str], barrier: Barrier) -> list[str]:
    """Back up each folder's database at the same moment as the others; the files written."""
    from app.core.history import Store
    from app.core.history.backups import backup_database

    written = []
    for folder in folders:
        with Store.open(Path(folder) / "history.sqlite3") as store:
            barrier.wait(timeout=60)
            written.append(str(backup_database(store)))
    return written


def _run_together(target: Any, args: tuple[Any, ...], workers: int) -> list[Any]:
    """Run `target(*args, barrier)` in `workers` spawned processes; their results."""
    with _SPAWN.Manager() as manager:
        barrier = manager.Barrier(workers)
        with _SPAWN.Pool(workers) as pool:
            pending = [pool.apply_async(target, (*args, barrier)) for _ in range(workers)]
            return [p.get(timeout=300) for p in pending]


def _schema(path: Path) -> tuple[int, list[str]]:
    con = sqlite3.connect(path)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    return version, tables


def test_processes_opening_a_new_data_folder_together_all_succeed(tmp_path: Path) -> None:
    folders = [tmp_path / f"round{i}" for i in range(ROUNDS)]
    results = _run_together(_open_rounds, ([str(f) for f in folders],), WORKERS)
    assert [msg for failures in results for msg in failures] == []
    expected = _schema(folders[0] / "history.sqlite3")
    assert expected[0] == len(MIGRATIONS)
    assert {"conversations", "messages", "prompts", "schema_migrations"} <= set(expected[1])
    for folder in folders:
        assert _schema(folder / "history.sqlite3") == expected
        con = sqlite3.connect(folder / "history.sqlite3")
        try:
            applied = [r[0] for r in con.execute("SELECT version FROM schema_migrations")]
        finally:
            con.close()
        assert applied == list(range(1, len(MIGRATIONS) + 1))


def test_simultaneous_backups_each_get_their_own_intact_file(tmp_path: Path) -> None:
    folders = [tmp_path / f"round{i}" for i in range(5)]
    for i, folder in enumerate(folders):
        with Store.open(folder / "history.sqlite3") as store:
            conv = store.create_conversation(f"Chat {i}")
            store.rename_conversation(conv.id, f"Kept {i}")
    results = _run_together(_backup_rounds, ([str(f) for f in folders],), 3)
    for round_index, folder in enumerate(folders):
        written = {Path(r[round_index]) for r in results}
        assert len(written) == 3, written
        for path in written:
            assert path.parent == folder / "backups"
            con = sqlite3.connect(path)
            try:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                titles = [r[0] for r in con.execute("SELECT title FROM conversations")]
            finally:
                con.close()
            assert titles == [f"Kept {round_index}"]
        assert not [p for p in (folder / "backups").iterdir() if p.name.endswith(".partial")]
