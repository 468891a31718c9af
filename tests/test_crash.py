"""Parley killed mid-reply (kill -9), and Parley processes writing one history together.

Real processes against the fake server, a real data folder; nothing here measures time:
the waits below only give the processes a chance to get somewhere.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.core.domain import MessageStatus, Role
from app.core.history import INTERRUPTED_ERROR, Store
from tests.fake_openrouter import FakeOpenRouter, slow_stream, text_stream

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"
)


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e["QT_QPA_PLATFORM"] = "offscreen"
    return e


def rows(home: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    con = sqlite3.connect(f"{(home / 'history.sqlite3').as_uri()}?mode=ro", uri=True)
    try:
        con.execute("PRAGMA busy_timeout = 5000")
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except sqlite3.OperationalError:
            value = None  # the file is still being created
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def saved_reply(home: Path) -> str | None:
    """The text of the streaming reply once a save has put some of it on disk."""
    found = rows(home, "SELECT content FROM messages WHERE role = 'assistant' "
                       "AND status = 'streaming' AND content <> ''")
    return found[0][0] if found else None


def kill(proc: subprocess.Popen[Any]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_killed_mid_reply(home: Path, prompt: str, saved: str) -> tuple[int, int]:
    """The database survived: intact, the prompt kept, the reply's saved text kept."""
    assert rows(home, "PRAGMA integrity_check") == [("ok",)]
    ((conv_id,),) = rows(home, "SELECT conversation_id FROM messages WHERE content = ?",
                         (prompt,))
    ((reply_id, content, status),) = rows(
        home, "SELECT id, content, status FROM messages WHERE role = 'assistant'")
    assert content.startswith(saved)
    assert status != "complete"
    return conv_id, reply_id


def test_kill_9_of_parley_ask_mid_reply(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(slow_stream(words=2000, delay=0.02), text_stream("Picking up again."))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "Tell me a very long story"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )
    try:
        saved = wait_for(lambda: saved_reply(isolated_home), "a save of the reply")
    finally:
        kill(proc)
    conv_id, reply_id = assert_killed_mid_reply(
        isolated_home, "Tell me a very long story", saved)

    res = subprocess.run(
        [sys.executable, "-m", "app", "ask", "-c", str(conv_id), "Go on"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == "Picking up again.\n"
    assert rows(isolated_home, "SELECT role, content, status FROM messages "
                               "WHERE id > ? ORDER BY id", (reply_id,)) == [
        ("user", "Go on", "complete"), ("assistant", "Picking up again.", "complete")]

    with Store.open(isolated_home / "history.sqlite3") as store:
        assert store.mark_interrupted_streams() == 1
        reply = store.get_message(reply_id)
        assert reply is not None
        assert (reply.status, reply.error) == (MessageStatus.STOPPED, INTERRUPTED_ERROR)


_WINDOW = """
import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from app.core.context import AppContext
from app.main import build

qapp = QApplication(sys.argv)
ctx = AppContext.open()
parley = build(ctx)
parley.start()
parley.window.show()
loop = qasync.QEventLoop(qapp)
asyncio.set_event_loop(loop)


async def main() -> None:
    assert parley.controller.send(sys.argv[1])
    await asyncio.Event().wait()  # until killed


with loop:
    loop.run_until_complete(main())
"""


def test_kill_9_of_the_window_mid_reply(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(slow_stream(words=2000, delay=0.02))
    proc = subprocess.Popen(
        [sys.executable, "-c", _WINDOW, "Write me an epic poem"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )
    try:
        saved = wait_for(lambda: saved_reply(isolated_home), "a save of the reply")
    finally:
        kill(proc)
    _, reply_id = assert_killed_mid_reply(isolated_home, "Write me an epic poem", saved)

    # The next start finds the reply's writer gone and says so.
    with Store.open(isolated_home / "history.sqlite3") as store:
        assert store.mark_interrupted_streams() == 1
        reply = store.get_message(reply_id)
        assert reply is not None
        assert reply.content.startswith(saved)
        assert (reply.status, reply.error) == (MessageStatus.STOPPED, INTERRUPTED_ERROR)


_ASK_LOOP = """
import subprocess, sys
failures = []
for n in range(int(sys.argv[2])):
    res = subprocess.run([sys.executable, "-m", "app", "ask", f"{sys.argv[1]} prompt {n}"],
                         capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        failures.append(res.stderr)
print(repr(failures))
"""


def test_asks_window_and_backup_share_one_data_folder(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    asks, per_loop = 4, 3
    Store.open(isolated_home / "history.sqlite3").close()  # same start for all
    loops = [
        subprocess.Popen([sys.executable, "-c", _ASK_LOOP, f"loop{i}", str(per_loop)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, cwd=ROOT)
        for i in range(asks)
    ]
    backup = tmp_path / "during.sqlite3"
    window_replies: list[int] = []
    try:
        # What the window writes while the asks run: prompts, streaming saves, finals.
        with Store.open(isolated_home / "history.sqlite3") as window:
            assert window.mark_interrupted_streams() == 0
            n = 0
            while any(p.poll() is None for p in loops) or n < 3:
                # Like a second window opening now: replies the asks write are live.
                assert window.mark_interrupted_streams() == 0
                conv = window.create_conversation(f"window chat {n}")
                window.add_message(conv.id, Role.USER, f"window prompt {n}")
                reply = window.add_message(conv.id, Role.ASSISTANT, "",
                                           status=MessageStatus.STREAMING)
                for k in range(5):
                    window.update_message(reply.id, content=f"window reply {n} part {k}")
                window.update_message(reply.id, content=f"window reply {n} done",
                                      status=MessageStatus.COMPLETE)
                window_replies.append(reply.id)
                if n == 1:
                    res = subprocess.run(
                        [sys.executable, "-m", "app", "backup", str(backup)],
                        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
                    assert res.returncode == 0, res.stderr
                n += 1
        outputs = [p.communicate(timeout=300) for p in loops]
    finally:
        for p in loops:
            if p.poll() is None:
                p.kill()
                p.communicate()
    for out, err in outputs:
        assert out.strip() == "[]", out + err
        assert "locked" not in err

    prompts = {r[0] for r in rows(isolated_home, "SELECT content FROM messages "
                                                 "WHERE role = 'user'")}
    expected = {f"loop{i} prompt {n}" for i in range(asks) for n in range(per_loop)}
    assert expected <= prompts
    assert {f"window prompt {n}" for n in range(len(window_replies))} <= prompts
    # Every prompt has its complete reply.
    assert rows(isolated_home,
                "SELECT count(*) FROM messages u WHERE u.role = 'user' AND NOT EXISTS "
                "(SELECT 1 FROM messages r WHERE r.parent_id = u.id "
                "AND r.role = 'assistant' AND r.status = 'complete' AND r.content <> '')"
                ) == [(0,)]
    assert rows(isolated_home, "SELECT count(*) FROM messages "
                               "WHERE status <> 'complete' OR error IS NOT NULL") == [(0,)]
    assert rows(isolated_home, "PRAGMA integrity_check") == [("ok",)]

    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM messages").fetchone()[0] > 0
    finally:
        con.close()
