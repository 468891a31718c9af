"""The tool loop end to end: the fake OpenRouter scripts tool-call streams, a real SQLite
store keeps every step, tools run in-process or on a real MCP server."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.chat import build_payload
from app.core.client import ChatClient
from app.core.config import Settings
from app.core.domain import Message, MessageStatus, Role
from app.core.history import Store
from app.core.history import search as search_mod
from app.core.history.export import to_json
from app.core.history.importers import import_data
from app.core.options import ConversationOptions
from app.core.tools.loop import (
    CANCELLED_TEXT,
    DENIED_TEXT,
    ApprovalChoice,
    ToolApprovals,
    ToolCall,
    ToolCallOutcome,
    ToolLoop,
    ToolLoopResult,
)
from app.core.tools.mcp import McpManager, McpServerConfig
from app.core.tools.registry import ToolRegistry
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, Response, sse_events, text_stream

MODEL = "openai/gpt-4o"
SERVER = Path(__file__).with_name("mcp_test_server.py")


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "gen-tools", "model": MODEL, "provider": "OpenAI",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                         "native_finish_reason": finish}]}


def tool_call_stream(*calls: tuple[str, str, str], text: str = "") -> Response:
    """A reply asking for `calls` (id, name, JSON arguments), arguments in fragments."""
    events: list[Any] = [": OPENROUTER PROCESSING\n\n",
                         _chunk({"role": "assistant", "content": text})]
    for index, (call_id, name, args) in enumerate(calls):
        events.append(_chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                              "function": {"name": name, "arguments": ""}}]}))
        cut = len(args) // 2
        for piece in (args[:cut], args[cut:]):
            events.append(_chunk({"tool_calls": [{"index": index,
                                                  "function": {"arguments": piece}}]}))
    events.append(_chunk({}, finish="tool_calls"))
    events.append({"id": "gen-tools", "choices": [],
                   "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
    return sse_events(events, delay=0.002)


def chat_bodies(fake: FakeOpenRouter) -> list[dict[str, Any]]:
    return [r.json() for r in fake.requests if r.path.endswith("/chat/completions")]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


class Recorder:
    """Approval answers to give, and what the callbacks saw."""

    def __init__(self, *answers: ApprovalChoice) -> None:
        self.answers = list(answers)
        self.asked: list[ToolCall] = []
        self.started: list[ToolCall] = []
        self.ended: list[tuple[ToolCall, ToolCallOutcome]] = []
        self.replies: list[Message] = []
        self.events = 0

    async def approve(self, call: ToolCall) -> ApprovalChoice:
        self.asked.append(call)
        return self.answers.pop(0) if self.answers else "once"

    def kwargs(self) -> dict[str, Any]:
        return {
            "approve": self.approve,
            "on_tool_start": self.started.append,
            "on_tool_end": lambda call, outcome: self.ended.append((call, outcome)),
            "on_reply_start": self.replies.append,
            "on_events": self._events,
        }

    def _events(self, events: list[Any]) -> None:
        self.events += len(events)


def make_registry() -> ToolRegistry:
    registry = ToolRegistry()

    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    async def slow(seconds: float) -> str:
        """Sleep."""
        await asyncio.sleep(seconds)
        return "done"

    def explode() -> str:
        """Always fails."""
        raise RuntimeError("the tool blew up")

    def huge() -> str:
        """A lot of text."""
        return "y" * 300_000

    def odd() -> Any:
        """Returns something that is not text."""
        return {"when": time, "bytes": b"\x00\x01"}

    for func in (add, slow, explode, huge, odd):
        registry.register(func)
    return registry


def run_loop(
    store: Store,
    fake: FakeOpenRouter,
    prompt: str,
    recorder: Recorder,
    *,
    registry: ToolRegistry | None = None,
    options: ConversationOptions | None = None,
    conversation_id: int | None = None,
    **loop_kwargs: Any,
) -> tuple[ToolLoopResult, int]:
    registry = registry or make_registry()
    options = options or ConversationOptions(enabled_tools=["add", "slow", "explode", "huge",
                                                            "odd"])
    conv_id = conversation_id or store.create_conversation("tools").id

    async def go() -> ToolLoopResult:
        client = ChatClient(fake.base_url, "k")
        try:
            loop = ToolLoop(store, client, registry, **recorder.kwargs(), **loop_kwargs)
            return await loop.send(conv_id, prompt, model=MODEL, conversation_options=options)
        finally:
            await client.aclose()

    return aio.run(go()), conv_id


def thread(store: Store, conv_id: int) -> list[Message]:
    return store.get_thread(conv_id)


# ---------------------------------------------------------------------- one call


def test_one_call_approved_once(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("call_1", "add", '{"a": 2, "b": 3}')),
                 text_stream("The sum is 5."))
    rec = Recorder("once")
    options = ConversationOptions(enabled_tools=["add"], tool_choice="auto",
                                  parallel_tool_calls=False)
    result, conv_id = run_loop(store, fake, "What is 2+3?", rec, options=options)

    msgs = thread(store, conv_id)
    assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
    asking, tool, final = msgs[1], msgs[2], msgs[3]
    assert asking.status is MessageStatus.COMPLETE
    assert asking.extra["tool_calls"][0]["id"] == "call_1"
    assert tool.parent_id == asking.id and final.parent_id == tool.id
    assert tool.content == "5"
    assert tool.status is MessageStatus.COMPLETE
    assert tool.extra["tool_call_id"] == "call_1"
    assert tool.extra["name"] == "add"
    assert tool.extra["arguments"] == '{"a": 2, "b": 3}'
    assert tool.extra["approved"] == "once"
    assert tool.extra["error"] is None
    assert isinstance(tool.extra["duration_ms"], int)
    assert final.content == "The sum is 5." and final.status is MessageStatus.COMPLETE

    assert result.steps == 1 and result.stopped is None
    assert [r.id for r in result.replies] == [asking.id, final.id]
    assert result.final.content == "The sum is 5."
    assert [c.arguments for c in rec.asked] == [{"a": 2, "b": 3}]
    assert [c.name for c in rec.started] == ["add"]
    assert rec.ended[0][1].text == "5"
    assert [r.id for r in rec.replies] == [asking.id, final.id]
    assert rec.events > 0

    first, second = chat_bodies(fake)
    assert first["tools"] == [{"type": "function", "function": {
        "name": "add", "description": "Add two numbers.",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"},
                                                        "b": {"type": "number"}},
                       "required": ["a", "b"]}}}]
    assert first["tool_choice"] == "auto" and first["parallel_tool_calls"] is False
    assert second["tools"] == first["tools"]
    assert second["messages"][-2:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "5"},
    ]


def test_parallel_calls(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("c1", "add", '{"a": 1, "b": 1}'),
                                  ("c2", "add", '{"a": 2, "b": 2}'), text="Let me add."),
                 text_stream("2 and 4."))
    rec = Recorder("once", "once")
    _, conv_id = run_loop(store, fake, "Add twice", rec)
    msgs = thread(store, conv_id)
    assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL, Role.TOOL,
                                      Role.ASSISTANT]
    assert msgs[1].content == "Let me add."
    assert [(m.extra["tool_call_id"], m.content) for m in msgs[2:4]] == [("c1", "2"),
                                                                         ("c2", "4")]
    second = chat_bodies(fake)[1]["messages"]
    assert second[-3]["content"] == "Let me add."
    assert [c["id"] for c in second[-3]["tool_calls"]] == ["c1", "c2"]
    assert second[-2:] == [{"role": "tool", "tool_call_id": "c1", "content": "2"},
                           {"role": "tool", "tool_call_id": "c2", "content": "4"}]


def test_malformed_arguments_become_an_error_result(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("bad", "add", '{"a": 2, "b"')), text_stream("Sorry."))
    rec = Recorder()
    _, conv_id = run_loop(store, fake, "2+?", rec)
    tool = thread(store, conv_id)[2]
    assert rec.asked == [] and rec.started == []
    assert tool.status is MessageStatus.ERROR
    assert tool.content.startswith("Error: the arguments are not valid JSON")
    assert tool.extra["approved"] is None and tool.extra["tool_call_id"] == "bad"
    sent = chat_bodies(fake)[1]["messages"][-1]
    assert sent["tool_call_id"] == "bad" and "not valid JSON" in sent["content"]


def test_unknown_tool_is_reported_to_the_model(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("u", "rm_rf", "{}")), text_stream("Ok."))
    rec = Recorder()
    _, conv_id = run_loop(store, fake, "hi", rec)
    tool = thread(store, conv_id)[2]
    assert "no tool named 'rm_rf'" in tool.content
    assert rec.asked == []


def test_deny_tells_the_model(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("d1", "add", '{"a": 1, "b": 2}')), text_stream("Fine."))
    rec = Recorder("deny")
    _, conv_id = run_loop(store, fake, "add", rec)
    tool = thread(store, conv_id)[2]
    assert tool.content == DENIED_TEXT
    assert tool.extra["approved"] == "denied"
    assert tool.status is MessageStatus.COMPLETE and tool.error is None  # a choice, not a failure
    assert rec.started == []  # never ran
    assert chat_bodies(fake)[1]["messages"][-1] == {
        "role": "tool", "tool_call_id": "d1", "content": DENIED_TEXT}


def test_always_skips_the_second_prompt(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("a1", "add", '{"a": 1, "b": 2}')),
                 tool_call_stream(("a2", "add", '{"a": 3, "b": 4}')),
                 text_stream("3 then 7."))
    rec = Recorder("always")
    approvals = ToolApprovals()
    result, conv_id = run_loop(store, fake, "add twice", rec, approvals=approvals)
    assert len(rec.asked) == 1
    assert approvals.always == {"add"}
    tools = [m for m in thread(store, conv_id) if m.role is Role.TOOL]
    assert [t.extra["approved"] for t in tools] == ["always", "always"]
    assert result.steps == 2 and result.final.content == "3 then 7."


def test_step_limit_stops_with_a_clear_message(fake: FakeOpenRouter, store: Store) -> None:
    for i in range(3):
        fake.enqueue(tool_call_stream((f"s{i}", "add", '{"a": 1, "b": 1}')))
    fake.enqueue(text_stream("never asked for"))
    rec = Recorder()
    result, conv_id = run_loop(store, fake, "loop forever", rec,
                               approvals=ToolApprovals(allow_all=True), step_limit=2)
    assert len(chat_bodies(fake)) == 3
    assert result.stopped == "step_limit" and result.steps == 2
    assert [r.status for r in result.replies] == [
        MessageStatus.COMPLETE, MessageStatus.COMPLETE, MessageStatus.ERROR]
    assert len({r.id for r in result.replies}) == 3
    last = store.get_message(result.final.id)
    assert last is not None
    assert last.status is MessageStatus.ERROR
    assert "Stopped after 2 rounds of tool calls" in (last.error or "")
    assert last.extra["tool_loop"] == {"stopped": "step_limit", "limit": 2}
    assert thread(store, conv_id)[-1].id == last.id  # the last request was not run

    # The next turn's history is valid: the unanswered call is not sent.
    body = build_payload(MODEL, thread(store, conv_id))
    ids_sent = [c["id"] for m in body["messages"] for c in m.get("tool_calls", [])]
    results = [m["tool_call_id"] for m in body["messages"] if m["role"] == "tool"]
    assert ids_sent == results == ["s0", "s1"]


def test_settings_carry_the_limits(store: Store) -> None:
    settings = Settings.from_dict({"tool_step_limit": 3, "tool_timeout": 5})
    loop = ToolLoop.from_settings(settings, store, ChatClient("http://x", "k"), ToolRegistry())
    assert loop.step_limit == 3 and loop.tool_timeout == 5.0
    assert Settings().tool_step_limit == 8 and Settings().tool_timeout == 60.0


# ---------------------------------------------------------------------- failures


def test_failing_tool_timeout_huge_and_odd_output(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("e", "explode", "{}"), ("t", "slow", '{"seconds": 30}'),
                                  ("h", "huge", ""), ("o", "odd", "{}")),
                 text_stream("Noted."))
    rec = Recorder()
    started = time.monotonic()
    _, conv_id = run_loop(store, fake, "break things", rec,
                          approvals=ToolApprovals(allow_all=True), tool_timeout=0.5,
                          max_result_chars=1000)
    assert time.monotonic() - started < 5
    by_id = {m.extra["tool_call_id"]: m for m in thread(store, conv_id) if m.role is Role.TOOL}
    assert by_id["e"].status is MessageStatus.ERROR
    assert by_id["e"].content == "Error: RuntimeError: the tool blew up"
    assert by_id["e"].error == by_id["e"].content
    assert by_id["t"].content.startswith("Error: the tool did not finish within 0.5 seconds")
    assert by_id["t"].status is MessageStatus.ERROR
    huge = by_id["h"]
    assert huge.status is MessageStatus.COMPLETE
    assert len(huge.content) < 1200 and "[Output truncated" in huge.content
    assert huge.extra["truncated_from_chars"] == 300_000
    odd = json.loads(by_id["o"].content)
    assert odd["bytes"] == "b'\\x00\\x01'" and "module" in odd["when"]
    sent = chat_bodies(fake)[1]["messages"]
    assert [m["tool_call_id"] for m in sent if m["role"] == "tool"] == ["e", "t", "h", "o"]


def test_stop_during_a_slow_tool(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("slow1", "slow", '{"seconds": 30}')),
                 text_stream("never"))
    conv_id = store.create_conversation("stop").id
    rec = Recorder("once")
    registry = make_registry()

    async def go() -> float:
        client = ChatClient(fake.base_url, "k")
        loop = ToolLoop(store, client, registry, **rec.kwargs())
        task = asyncio.create_task(loop.send(
            conv_id, "wait", model=MODEL,
            conversation_options=ConversationOptions(enabled_tools=["slow"])))
        try:
            while not rec.started:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            clicked = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - clicked
        finally:
            await client.aclose()

    assert aio.run(go()) < 0.5
    msgs = thread(store, conv_id)
    assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT, Role.TOOL]
    tool = msgs[2]
    assert tool.status is MessageStatus.STOPPED
    assert tool.content == CANCELLED_TEXT and tool.extra["error"] == "cancelled"
    assert msgs[1].status is MessageStatus.COMPLETE
    assert len(chat_bodies(fake)) == 1


def test_stop_while_waiting_for_approval(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(tool_call_stream(("p", "add", '{"a": 1, "b": 1}')))
    conv_id = store.create_conversation("ask").id
    asked = asyncio.Event()

    async def never(call: ToolCall) -> ApprovalChoice:
        asked.set()
        await asyncio.sleep(3600)
        return "once"

    async def go() -> None:
        client = ChatClient(fake.base_url, "k")
        loop = ToolLoop(store, client, make_registry(), approve=never)
        task = asyncio.create_task(loop.send(
            conv_id, "x", model=MODEL,
            conversation_options=ConversationOptions(enabled_tools=["add"])))
        try:
            await asyncio.wait_for(asked.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            await client.aclose()

    aio.run(go())
    msgs = thread(store, conv_id)
    assert [m.role for m in msgs] == [Role.USER, Role.ASSISTANT]
    # next turn: the unanswered call is left out
    assert "tool_calls" not in build_payload(MODEL, msgs)["messages"][-1]


def test_no_tools_means_no_tool_fields(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(text_stream("Plain."))
    rec = Recorder()
    options = ConversationOptions(tool_choice="required", parallel_tool_calls=True)
    result, _ = run_loop(store, fake, "hi", rec, options=options)
    body = chat_bodies(fake)[0]
    assert "tools" not in body and "tool_choice" not in body
    assert "parallel_tool_calls" not in body
    assert result.final.content == "Plain." and result.steps == 0


def test_options_round_trip_tool_fields() -> None:
    opts = ConversationOptions(enabled_tools=["calc__add"], enabled_tool_servers=["files"],
                               tool_choice={"type": "function", "function": {"name": "x"}},
                               parallel_tool_calls=False)
    again = ConversationOptions.from_dict(json.loads(json.dumps(opts.to_dict())))
    assert again == opts and again.tools_enabled()
    assert again.tool_params() == {"tool_choice": opts.tool_choice,
                                   "parallel_tool_calls": False}
    assert not ConversationOptions().tools_enabled()
    assert "tool_choice" not in ConversationOptions(tool_choice="auto").build(MODEL, [])


# ---------------------------------------------------------------------- storage round trip


def test_tool_messages_export_import_and_search(
    fake: FakeOpenRouter, store: Store, tmp_path: Path
) -> None:
    fake.enqueue(tool_call_stream(("x1", "odd", "{}")), text_stream("Done."))
    registry = ToolRegistry()
    registry.register(lambda: "zanzibar-weather: sunny", name="odd")
    rec = Recorder("once")
    _, conv_id = run_loop(store, fake, "weather?", rec, registry=registry,
                          options=ConversationOptions(enabled_tools=["odd"]))

    hits = search_mod.search(store, "zanzibar")
    assert [(h.conversation_id, h.role) for h in hits] == [(conv_id, "tool")]

    doc = json.loads(to_json(store.export_conversations([conv_id])))
    messages = doc["conversations"][0]["messages"]
    tool = next(m for m in messages if m["role"] == "tool")
    assert tool["content"] == "zanzibar-weather: sunny"
    assert tool["extra"]["tool_call_id"] == "x1" and tool["extra"]["approved"] == "once"
    asking = next(m for m in messages if m["role"] == "assistant" and m.get("extra"))
    assert asking["extra"]["tool_calls"][0]["id"] == "x1"

    with Store.open(tmp_path / "other.sqlite3") as other:
        import_data(other, doc)
        conv = other.list_conversations()[0]
        again = other.get_thread(conv.id)
        assert [m.role for m in again] == [m.role for m in thread(store, conv_id)]
        assert again[2].extra == thread(store, conv_id)[2].extra
        assert again[1].extra["tool_calls"] == thread(store, conv_id)[1].extra["tool_calls"]


# ---------------------------------------------------------------------- MCP end to end


def test_mcp_tool_end_to_end(fake: FakeOpenRouter, store: Store, tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    fake.enqueue(tool_call_stream(("m1", "calc__add", '{"a": 2, "b": 40}')),
                 text_stream("It is 42."))
    conv_id = store.create_conversation("mcp").id
    rec = Recorder("once")
    options = ConversationOptions(enabled_tool_servers=["calc"])

    async def go() -> ToolLoopResult:
        manager = McpManager({"calc": McpServerConfig(
            "calc", command=sys.executable, args=[str(SERVER), "--root", str(tmp_path)])})
        client = ChatClient(fake.base_url, "k")
        try:
            loop = ToolLoop(store, client, ToolRegistry(manager), **rec.kwargs())
            return await loop.send(conv_id, "2+40?", model=MODEL, conversation_options=options)
        finally:
            await client.aclose()
            await manager.aclose()

    result = aio.run(go())
    first = chat_bodies(fake)[0]
    names = {t["function"]["name"] for t in first["tools"]}
    assert {"calc__add", "calc__divide", "calc__slow"} <= names
    assert rec.asked[0].server == "calc"
    tool = thread(store, conv_id)[2]
    assert float(tool.content) == 42
    assert tool.extra["server"] == "calc" and tool.extra["tool"] == "add"
    assert result.final.content == "It is 42."


def test_stop_during_a_slow_mcp_tool(fake: FakeOpenRouter, store: Store, tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    fake.enqueue(tool_call_stream(("m2", "calc__slow", '{"seconds": 30}')))
    conv_id = store.create_conversation("mcp-stop").id
    rec = Recorder("once")

    async def go() -> tuple[float, str]:
        manager = McpManager({"calc": McpServerConfig(
            "calc", command=sys.executable, args=[str(SERVER)])})
        client = ChatClient(fake.base_url, "k")
        loop = ToolLoop(store, client, ToolRegistry(manager), **rec.kwargs())
        task = asyncio.create_task(loop.send(
            conv_id, "wait", model=MODEL,
            conversation_options=ConversationOptions(enabled_tools=["calc__slow"])))
        try:
            while not rec.started:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)
            clicked = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            took = time.monotonic() - clicked
            # the server is still healthy for the next call
            result = await manager.call_tool("calc", "add", {"a": 1, "b": 1})
            return took, result.text
        finally:
            await client.aclose()
            await manager.aclose()

    took, text = aio.run(go())
    assert took < 0.5 and float(text) == 2
    tool = thread(store, conv_id)[2]
    assert tool.status is MessageStatus.STOPPED



class _BrokenAdapter(ToolRegistry):
    """A registry whose adapter raises instead of returning an error result."""

    async def call(self, spec: Any, arguments: dict[str, Any]) -> Any:
        raise RuntimeError("adapter bug")


def test_a_tool_adapter_that_raises_is_an_error_result(
    fake: FakeOpenRouter, store: Store
) -> None:
    registry = _BrokenAdapter()
    registry.register(_add)
    fake.enqueue(tool_call_stream(("b1", "add", '{"a": 1, "b": 2}')), text_stream("Hm."))
    _, conv_id = run_loop(store, fake, "add", Recorder(), registry=registry,
                          options=ConversationOptions(enabled_tools=["add"]),
                          approvals=ToolApprovals(allow_all=True))
    tool = thread(store, conv_id)[2]
    assert tool.content == "Error: RuntimeError: adapter bug"
    assert tool.status is MessageStatus.ERROR and tool.error == tool.content
    assert thread(store, conv_id)[-1].content == "Hm."


def _add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


@pytest.mark.parametrize("finish", ["stop", None])
def test_nameless_tool_call_fragments_without_tool_calls_finish_run_nothing(
    fake: FakeOpenRouter, store: Store, finish: str | None
) -> None:
    events: list[Any] = [
        _chunk({"role": "assistant", "content": "Plain answer."}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}),
        _chunk({}, finish=finish),
    ]
    fake.enqueue(sse_events(events), text_stream("never asked for"))
    rec = Recorder()
    result, conv_id = run_loop(store, fake, "hi", rec, approvals=ToolApprovals(allow_all=True))
    assert len(chat_bodies(fake)) == 1
    assert result.steps == 0 and rec.asked == [] and rec.started == []
    assert [m.role for m in thread(store, conv_id)] == [Role.USER, Role.ASSISTANT]
