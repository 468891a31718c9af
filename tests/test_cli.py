"""`parley` as a user runs it: real subprocesses, the fake server, a real history file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.cli.ask import parse_options
from tests.fake_openrouter import FakeOpenRouter, error_status, slow_stream, text_stream

ROOT = Path(__file__).resolve().parents[1]


def parley(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    # A real keychain must never be touched by a subprocess either.
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


def db_rows(home: Path, sql: str) -> list[Any]:
    con = sqlite3.connect(home / "history.sqlite3")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_parse_options_json_where_it_parses() -> None:
    assert parse_options(["temperature=0.3", "stop=[\"x\"]", "name=bob", "flag=true"]) == {
        "temperature": 0.3, "stop": ["x"], "name": "bob", "flag": True,
    }
    with pytest.raises(ValueError):
        parse_options(["novalue"])


def test_ask_streams_and_records_both_messages(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(text_stream("The answer is 42."))
    res = parley("ask", "-m", "openai/gpt-4o-mini", "-s", "Be brief.", "-o", "temperature=0.3",
                 "-o", "top_k=5", "What is it?", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "The answer is 42.\n"
    body = fake.requests[-1].json()
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["temperature"] == 0.3
    assert body["top_k"] == 5
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is it?"},
    ]
    rows = db_rows(isolated_home, "SELECT role, content, status FROM messages ORDER BY id")
    assert rows == [("system", "Be brief.", "complete"), ("user", "What is it?", "complete"),
                    ("assistant", "The answer is 42.", "complete")]


def test_ask_reads_stdin_and_continues_a_conversation(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(text_stream("first"), text_stream("second"))
    assert parley("ask", "-", stdin="from stdin\n", env=env).returncode == 0
    conv_id = db_rows(isolated_home, "SELECT id FROM conversations")[0][0]
    res = parley("ask", "-c", str(conv_id), "again", env=env)
    assert res.returncode == 0, res.stderr
    assert [m["content"] for m in fake.requests[-1].json()["messages"]] == [
        "from stdin\n", "first", "again"
    ]
    assert parley("ask", "-c", "999", "x", env=env).returncode == 2


def test_ask_api_error_goes_to_stderr_with_exit_1(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(error_status(402))
    res = parley("ask", "hello", env=env)
    assert res.returncode == 1
    assert res.stdout == ""
    assert "HTTP 402" in res.stderr and "credits" in res.stderr
    assert "test-key" not in res.stderr
    # the prompt is kept, the failed reply is recorded as an error
    assert db_rows(isolated_home, "SELECT role, status FROM messages ORDER BY id") == [
        ("user", "complete"), ("assistant", "error")]


def test_ask_ctrl_c_closes_connection_saves_stopped_and_exits_130(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(slow_stream(words=1000, delay=0.02))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "long story"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, bufsize=0,
    )
    assert proc.stdout is not None
    # os.read, not a buffered read: communicate() below reads the raw pipe.
    first = os.read(proc.stdout.fileno(), 20).decode()  # some of the reply has arrived
    assert first
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    gone = fake.wait_for_disconnect(timeout=5)
    out_b, err_b = proc.communicate(timeout=10)
    out, err = out_b.decode(), err_b.decode()
    assert proc.returncode == 130, err
    assert gone.at - t0 < 2.0
    assert gone.chunks_sent < 1000
    assert "stopped" in err
    rows = db_rows(isolated_home, "SELECT content, status FROM messages WHERE role='assistant'")
    assert len(rows) == 1
    content, status = rows[0]
    assert status == "stopped"
    # what was printed is what was saved
    assert content.startswith(first)
    assert (first + out).strip() == content.strip()


def test_export_json_and_markdown(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.enqueue(text_stream("Reply **bold**"))
    assert parley("ask", "Question one", env=env).returncode == 0
    res = parley("export", env=env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["format"] == "parley-export"
    conv = doc["conversations"][0]
    assert conv["title"] == "Question one"
    user, reply = conv["messages"]
    assert (user["role"], user["content"]) == ("user", "Question one")
    assert reply["status"] == "complete"
    assert reply["model"] == "openai/gpt-4o-mini"
    assert reply["usage"]["total_tokens"] > 0
    assert "test-key" not in res.stdout
    md = parley("export", "--format", "md", str(conv["id"]), env=env)
    assert md.returncode == 0
    assert "# Question one" in md.stdout and "Reply **bold**" in md.stdout
    assert parley("export", "12345", env=env).returncode == 2


def test_key_commands_refuse_an_insecure_keychain(env: dict[str, str]) -> None:
    # The null backend stands for "no keychain": Parley must refuse, not write a file.
    res = parley("key", "set", stdin="sk-or-v1-made-up\n", env=env)
    assert res.returncode == 1
    assert "not saved" in res.stderr.lower() or "no system keychain" in res.stderr.lower()
    status = parley("key", "status", env=env)
    assert status.returncode == 0
    assert "OPENROUTER_API_KEY" in status.stdout or "environment" in status.stdout.lower()
    assert "test-key" not in status.stdout


def test_cli_never_imports_qt(env: dict[str, str], fake: FakeOpenRouter) -> None:
    fake.enqueue(text_stream("ok"))
    code = (
        "import sys, app.cli\n"
        "rc = app.cli.main(['ask', 'hi'])\n"
        "app.cli.main(['export'])\n"
        "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT', rc)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=30)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("NOQT 0")


def test_version(env: dict[str, str]) -> None:
    res = parley("--version", env=env)
    assert res.returncode == 0
    assert res.stdout.startswith("parley ")
