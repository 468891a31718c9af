"""Several Parley processes on one data folder at once: real processes, real files."""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
import subprocess
import sys
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from app.core.domain import MessageStatus, Role
from app.core.history import INTERRUPTED_ERROR, MIGRATIONS, Store

ROOT = Path(__file__).resolve().parents[1]

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


def test_processes_upgrading_one_database_together_all_succeed(tmp_path: Path) -> None:
    folders = [tmp_path / f"round{i}" for i in range(6)]
    for i, folder in enumerate(folders):
        with Store.open(folder / "history.sqlite3", migrations=MIGRATIONS[:-1]) as old:
            old.create_conversation(f"Older chat {i}")
    results = _run_together(_open_rounds, ([str(f) for f in folders],), WORKERS)
    assert [msg for failures in results for msg in failures] == []
    for i, folder in enumerate(folders):
        version, _ = _schema(folder / "history.sqlite3")
        assert version == len(MIGRATIONS)
        backups = list((folder / "backups").iterdir())
        assert backups
        for backup in backups:
            assert backup.name.endswith(".bak"), backup
            con = sqlite3.connect(backup)
            try:
                assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) - 1
                assert con.execute("SELECT title FROM conversations").fetchall() == [
                    (f"Older chat {i}",)]
            finally:
                con.close()


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


# ---------------------------------------------------------------- replies another process writes

_WRITER = """
import sys
from pathlib import Path
from app.core.domain import MessageStatus, Role
from app.core.history import Store

store = Store.open(Path(sys.argv[1]))
conv = store.create_conversation("live")
store.add_message(conv.id, Role.USER, "tell me a story")
reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
store.update_message(reply.id, content="Once upon")
print(reply.id, flush=True)
sys.stdin.readline()
store.update_message(reply.id, content="Once upon a time.", status=MessageStatus.COMPLETE)
store.close()
"""


def _start_writer(db: Path) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def test_start_up_leaves_a_reply_another_live_process_writes(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc, reply_id = _start_writer(db)
    try:
        with Store.open(db) as window:
            assert window.mark_interrupted_streams() == 0
            live = window.get_message(reply_id)
            assert live is not None
            assert live.status is MessageStatus.STREAMING and live.error is None
        assert proc.communicate("go\n", timeout=30)[1] is None
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store.open(db) as s:
        done = s.get_message(reply_id)
        assert done is not None
        assert (done.status, done.content, done.error) == (
            MessageStatus.COMPLETE, "Once upon a time.", None)
        assert s.mark_interrupted_streams() == 0


def test_start_up_marks_a_reply_whose_writer_was_killed(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc, reply_id = _start_writer(db)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    with Store.open(db) as window:
        assert window.mark_interrupted_streams() == 1
        gone = window.get_message(reply_id)
        assert gone is not None
        assert (gone.status, gone.content, gone.error) == (
            MessageStatus.STOPPED, "Once upon", INTERRUPTED_ERROR)
    # Nothing of the dead writer is left in the data folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]


def test_final_status_clears_an_interrupted_mark_put_on_a_live_reply(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.sqlite3") as s:
        conv = s.create_conversation()
        reply = s.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        # What an older Parley's window did to a reply `parley ask` was still writing.
        s.update_message(reply.id, status=MessageStatus.STOPPED, error=INTERRUPTED_ERROR)
        s.update_message(reply.id, content="All done.", status=MessageStatus.COMPLETE)
        done = s.get_message(reply.id)
        assert done is not None
        assert (done.status, done.error) == (MessageStatus.COMPLETE, None)
        failed = s.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        s.update_message(failed.id, status=MessageStatus.ERROR, error="HTTP 500.")
        got = s.get_message(failed.id)
        assert got is not None and got.error == "HTTP 500."


def test_a_write_after_another_parley_refreshed_the_statistics_succeeds(tmp_path: Path) -> None:
    # Closing a store runs PRAGMA optimize; its ANALYZE changes the schema cookie. The first
    # write of a store opened before that (`parley ask` while another one ends) failed with
    # "no such table: conversations" while SQLite reloaded the schema mid-compile.
    path = tmp_path / "history.sqlite3"
    Store.open(path).close()
    with Store.open(path) as window:
        other = Store.open(path)
        for i in range(20):
            other.add_message(other.create_conversation(f"ask {i}").id, Role.USER, "hi")
        other.close()
        conv = window.create_conversation("after")
        window.add_message(conv.id, Role.USER, "still saved")
        assert [m.content for m in window.get_thread(conv.id)] == ["still saved"]
