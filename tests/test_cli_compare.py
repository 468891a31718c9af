"""`parley compare` as a user runs it: real subprocesses, the fake server, a real history."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fake_openrouter import FakeOpenRouter, error_status, stall, text_stream
from tests.test_cli import ROOT, db_rows, parley

A, B, C = "vendor/model-a", "vendor/model-b", "vendor/model-c"


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


def test_text_mode_prints_each_reply_under_its_model_then_a_table(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.by_model[A] = text_stream("Answer A.", model=A)
    fake.by_model[B] = text_stream("Answer B.", model=B)
    res = parley("compare", "-m", A, "-m", B, "-s", "Be brief.", "-o", "temperature=0.2",
                 "Which?", env=env)
    assert res.returncode == 0, res.stderr
    assert f"## {A}\n\nAnswer A.\n" in res.stdout
    assert f"## {B}\n\nAnswer B.\n" in res.stdout
    table = res.stdout[res.stdout.index("model  "):].splitlines()
    assert "first token ms" in table[0] and "tokens/s" in table[0] and "cost" in table[0]
    assert table[1].startswith(A) and table[1].endswith("complete")
    assert table[2].startswith(B) and table[2].endswith("complete")
    assert all(r.json()["temperature"] == 0.2 for r in fake.requests
               if r.path.endswith("/chat/completions"))
    rows = db_rows(isolated_home, "SELECT id, role, parent_id, status, content FROM messages "
                   "ORDER BY id")
    user_id = next(r[0] for r in rows if r[1] == "user")
    assert [(r[2], r[3], r[4]) for r in rows if r[1] == "assistant"] == [
        (user_id, "complete", "Answer A."), (user_id, "complete", "Answer B.")]


def test_json_mode_and_exit_1_when_one_model_fails(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.by_model[A] = text_stream("Answer A.", model=A)
    fake.by_model[B] = error_status(400)
    fake.by_model[C] = text_stream("Answer C.", model=C)
    res = parley("compare", "--json", "-m", A, "-m", B, "-m", C, "Which?", env=env)
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    conv_id = db_rows(isolated_home, "SELECT id FROM conversations")[0][0]
    assert doc["conversation"] == conv_id
    replies = doc["replies"]
    assert [(r["model"], r["status"], r["text"]) for r in replies] == [
        (A, "complete", "Answer A."), (B, "error", ""), (C, "complete", "Answer C.")]
    assert replies[1]["error"] and "400" in replies[1]["error"]
    assert replies[0]["usage"]["completion_tokens"] > 0
    assert replies[0]["first_token_ms"] is not None
    assert "cost" in replies[0]
    assert "HTTP 400" in res.stderr
    # -c: a second comparison continues the same conversation
    fake.by_model[B] = text_stream("Answer B.", model=B)
    res = parley("compare", "--json", "-c", str(conv_id), "-m", A, "-m", B, "Again?",
                 env=env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["conversation"] == conv_id
    sent = fake.requests[-1].json()["messages"]
    assert [m["content"] for m in sent] == ["Which?", "Answer A.", "Again?"]


@pytest.mark.parametrize("models", [["a/a"], ["a/a", "b/b", "c/c", "d/d", "e/e"]])
def test_fewer_than_two_or_more_than_four_models_is_a_usage_error(
    env: dict[str, str], isolated_home: Path, models: list[str]
) -> None:
    args = [x for m in models for x in ("-m", m)]
    res = parley("compare", *args, "hi", env=env)
    assert res.returncode == 2
    assert "2 to 4 models" in res.stderr
    assert not (isolated_home / "history.sqlite3").exists() or db_rows(
        isolated_home, "SELECT COUNT(*) FROM messages") == [(0,)]


def test_ctrl_c_closes_every_connection_and_saves_partials_as_stopped(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.by_model[A] = stall("Partial A", seconds=30)
    fake.by_model[B] = stall("Partial B", seconds=30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "compare", "-m", A, "-m", B, "long story"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )
    fake.wait_for_requests(2, timeout=20)
    time.sleep(0.5)  # the partial text reaches the client
    proc.send_signal(signal.SIGINT)
    gone = [fake.wait_for_disconnect(timeout=5) for _ in range(2)]
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert len(gone) == 2
    assert "stopped" in err.decode()
    # what was received so far is still shown, with the table
    assert "Partial A" in out.decode() and "stopped" in out.decode()
    rows = db_rows(isolated_home,
                   "SELECT content, status FROM messages WHERE role='assistant' ORDER BY id")
    assert rows == [("Partial A", "stopped"), ("Partial B", "stopped")]
