"""`parley ask` on the one request path: endpoints, retries, tools, finishing a reply.

Real subprocesses against two fake servers: the built-in endpoint ($OPENROUTER_BASE_URL)
and a second one configured in Settings, so each test sees which server got the request.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openrouter import FakeOpenRouter, error_status, sse_events, text_stream
from tests.test_cli import db_rows, parley
from tests.test_tool_loop import tool_call_stream

SERVER = Path(__file__).with_name("mcp_test_server.py")


@pytest.fixture(scope="module")
def other_server() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        yield server


@pytest.fixture
def other(other_server: FakeOpenRouter) -> FakeOpenRouter:
    """A second endpoint, "local", an OpenAI-compatible server."""
    other_server.reset()
    return other_server


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


def write_settings(home: Path, **fields: Any) -> None:
    path = home / "settings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(fields)
    path.write_text(json.dumps(data))


def with_local(home: Path, other: FakeOpenRouter, *, current: str = "openrouter",
               **fields: Any) -> None:
    write_settings(home, endpoints=[{"name": "local", "base_url": other.base_url,
                                     "kind": "openai"}],
                   current_endpoint=current, **fields)


def chat_bodies(server: FakeOpenRouter) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


def test_endpoint_flag_sends_to_that_endpoint_and_the_chat_stays_there(
    fake: FakeOpenRouter, other: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    with_local(isolated_home, other)
    other.enqueue(text_stream("from local"), text_stream("local again"))
    res = parley("ask", "-e", "local", "--web", "hello", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "from local\n"
    assert chat_bodies(fake) == []
    body = chat_bodies(other)[0]
    assert "plugins" not in body  # an OpenAI-compatible endpoint gets no OpenRouter fields
    conv_id, endpoint = db_rows(isolated_home, "SELECT id, endpoint FROM conversations")[0]
    assert endpoint == "local"
    # Continuing without -e stays on the conversation's endpoint.
    res = parley("ask", "-c", str(conv_id), "more", env=env)
    assert res.returncode == 0, res.stderr
    assert chat_bodies(fake) == []
    assert [m["content"] for m in chat_bodies(other)[-1]["messages"]] == [
        "hello", "from local", "more"]


def test_unknown_endpoint_exits_1_naming_the_configured_ones(
    fake: FakeOpenRouter, other: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    with_local(isolated_home, other)
    res = parley("ask", "-e", "nowhere", "hello", env=env)
    assert res.returncode == 1
    assert "nowhere" in res.stderr
    assert "openrouter, local" in res.stderr
    assert chat_bodies(fake) == [] and chat_bodies(other) == []
    assert db_rows(isolated_home, "SELECT count(*) FROM messages") == [(0,)]


def test_without_flag_the_current_endpoint_and_with_c_the_conversations(
    fake: FakeOpenRouter, other: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    with_local(isolated_home, other, current="local")
    other.enqueue(text_stream("local answer"))
    assert parley("ask", "first", env=env).returncode == 0
    assert len(chat_bodies(other)) == 1 and chat_bodies(fake) == []
    conv_id = db_rows(isolated_home, "SELECT id FROM conversations")[0][0]
    # The current endpoint changes; the conversation keeps talking to its own.
    with_local(isolated_home, other, current="openrouter")
    other.enqueue(text_stream("still local"))
    res = parley("ask", "-c", str(conv_id), "second", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "still local\n"
    assert len(chat_bodies(other)) == 2 and chat_bodies(fake) == []
    # A new conversation takes the current endpoint again.
    fake.enqueue(text_stream("openrouter answer"))
    assert parley("ask", "third", env=env).returncode == 0
    assert len(chat_bodies(fake)) == 1


def test_a_conversation_whose_endpoint_was_removed_is_a_clear_error(
    fake: FakeOpenRouter, other: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    with_local(isolated_home, other)
    other.enqueue(text_stream("ok"))
    assert parley("ask", "-e", "local", "hi", env=env).returncode == 0
    conv_id = db_rows(isolated_home, "SELECT id FROM conversations")[0][0]
    write_settings(isolated_home, endpoints=[])
    res = parley("ask", "-c", str(conv_id), "again", env=env)
    assert res.returncode == 1
    assert "'local'" in res.stderr and "no longer configured" in res.stderr
    assert "Configured endpoints: openrouter" in res.stderr
    assert chat_bodies(fake) == []  # never sent somewhere else silently
    # The way out: move it explicitly.
    fake.enqueue(text_stream("moved"))
    res = parley("ask", "-c", str(conv_id), "-e", "openrouter", "again", env=env)
    assert res.returncode == 0, res.stderr
    assert "now uses the endpoint 'openrouter'" in res.stderr
    assert len(chat_bodies(fake)) == 1
    assert db_rows(isolated_home, "SELECT endpoint FROM conversations") == [("openrouter",)]


def test_env_base_url_still_overrides_the_builtin_endpoint(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    write_settings(isolated_home, base_url="http://127.0.0.1:9/api/v1")
    fake.enqueue(text_stream("via env"))
    res = parley("ask", "hi", env=env)
    assert res.returncode == 0, res.stderr
    assert len(chat_bodies(fake)) == 1


def test_rate_limit_is_retried_and_each_wait_is_said(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "0"}), text_stream("after the wait"))
    res = parley("ask", "hi", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "after the wait\n"
    assert "Rate limited, retrying in 0 s (attempt 2/3)" in res.stderr
    assert len(chat_bodies(fake)) == 2


def test_unreadable_stream_parts_are_reported_with_exit_1(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    chunk = {"id": "gen-x", "model": "m", "choices": [
        {"index": 0, "delta": {"content": "Partly"}, "finish_reason": None}]}
    end = {"id": "gen-x", "model": "m", "choices": [
        {"index": 0, "delta": {}, "finish_reason": "stop"}]}
    fake.enqueue(sse_events([chunk, "data: {not json\n\n", end]))
    res = parley("ask", "hi", env=env)
    assert res.returncode == 1
    assert res.stdout == "Partly\n"  # the text is still printed
    assert "1 part of the stream could not be read" in res.stderr
    assert db_rows(isolated_home, "SELECT content FROM messages WHERE role='assistant'") == [
        ("Partly",)]


def test_title_model_names_a_new_chat(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    write_settings(isolated_home, title_model="cheap/model")
    fake.enqueue(text_stream("Prune in late winter."), text_stream("Pruning Apple Trees"))
    res = parley("ask", "When should I prune my apple trees?", env=env)
    assert res.returncode == 0, res.stderr
    assert chat_bodies(fake)[-1]["model"] == "cheap/model"
    assert db_rows(isolated_home, "SELECT title FROM conversations") == [
        ("Pruning Apple Trees",)]


def mcp_settings(home: Path, tmp_path: Path, **fields: Any) -> None:
    write_settings(home, mcp_servers={
        "calc": {"command": sys.executable, "args": [str(SERVER), "--root", str(tmp_path)]}
    }, **fields)


def test_tools_with_yes_run_the_call_and_finish_like_any_reply(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    mcp_settings(isolated_home, tmp_path, title_model="cheap/model")
    schema = tmp_path / "answer.json"
    schema.write_text(json.dumps({"type": "object", "required": ["sum"],
                                  "properties": {"sum": {"type": "number"}}}))
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 40}')),
                 text_stream('{"sum": 42}'), text_stream("Adding Numbers"))
    res = parley("ask", "add 2 and 40", "--tools", "--yes", "--json-schema", str(schema),
                 env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.endswith('{"sum": 42}\n')
    bodies = chat_bodies(fake)
    assert bodies[0]["tools"][0]["function"]["name"] == "calc__add"
    assert bodies[0]["response_format"]["type"] == "json_schema"
    tool_msg = next(m for m in bodies[1]["messages"] if m["role"] == "tool")
    assert tool_msg["content"].startswith("42")
    assert bodies[2]["model"] == "cheap/model"  # the title, after the tool-enabled reply
    assert db_rows(isolated_home, "SELECT title FROM conversations") == [("Adding Numbers",)]
    extra = json.loads(db_rows(
        isolated_home, "SELECT extra FROM messages WHERE role='assistant' ORDER BY id DESC")[0][0])
    assert extra["structured_check"] == {"valid": True, "problems": []}


def test_tools_without_a_terminal_deny_every_call(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    mcp_settings(isolated_home, tmp_path)
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 1, "b": 1}')),
                 text_stream("Understood."))
    res = parley("ask", "add", "--tools", "calc", env=env, stdin="", timeout=60)
    assert res.returncode == 0, res.stderr
    assert "calc__add" in res.stderr and "'calc'" in res.stderr
    assert '{"a": 1, "b": 1}' in res.stderr
    assert "denied" in res.stderr
    tool_msg = next(m for m in chat_bodies(fake)[1]["messages"] if m["role"] == "tool")
    assert tool_msg["content"] == "The user denied this tool call."


def test_tools_naming_an_unknown_server_exit_2(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    mcp_settings(isolated_home, tmp_path)
    res = parley("ask", "hi", "--tools", "nope", env=env)
    assert res.returncode == 2
    assert "nope" in res.stderr and "calc" in res.stderr
    assert chat_bodies(fake) == []


def ask_on_a_terminal(args: list[str], env: dict[str, str], answer: bytes) -> Any:
    """`parley ask` with a terminal on stdin that has `answer` typed in already."""
    import pty
    import subprocess

    from tests.test_cli import ROOT

    master, slave = pty.openpty()
    try:
        os.write(master, answer)
        return subprocess.run([sys.executable, "-m", "app", "ask", *args], stdin=slave,
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    finally:
        os.close(slave)
        os.close(master)


def test_always_on_the_terminal_is_remembered_by_the_conversation(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    mcp_settings(isolated_home, tmp_path)
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 2}')),
                 text_stream("Four."))
    res = ask_on_a_terminal(["add", "--tools"], env, b"a\n")
    assert res.returncode == 0, res.stderr
    assert "Run once / Always for this conversation / Deny [o/a/D]" in res.stderr
    conv_id, options = db_rows(isolated_home, "SELECT id, options FROM conversations")[0]
    assert json.loads(options)["allowed_tools"] == ["calc__add"]
    # The next call in this conversation runs without a question (nothing is typed).
    fake.enqueue(tool_call_stream(("call_2", "calc__add", '{"a": 3, "b": 3}')),
                 text_stream("Six."))
    res = ask_on_a_terminal(["-c", str(conv_id), "again", "--tools"], env, b"")
    assert res.returncode == 0, res.stderr
    assert "[o/a/D]" not in res.stderr
    tool_msg = [m for m in chat_bodies(fake)[-1]["messages"] if m["role"] == "tool"][-1]
    assert tool_msg["content"].startswith("6")


def test_once_on_the_terminal_runs_and_asks_again_next_time(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    mcp_settings(isolated_home, tmp_path)
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 5}')),
                 text_stream("Seven."))
    res = ask_on_a_terminal(["add", "--tools"], env, b"o\n")
    assert res.returncode == 0, res.stderr
    tool_msg = next(m for m in chat_bodies(fake)[-1]["messages"] if m["role"] == "tool")
    assert tool_msg["content"].startswith("7")
    options = db_rows(isolated_home, "SELECT options FROM conversations")[0][0]
    assert "allowed_tools" not in json.loads(options)
