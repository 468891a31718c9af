"""Tool-call fragments streamed across chunks are stored as complete calls."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.domain import MessageStatus
from app.core.history import Store
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, sse_events


def _chunk(delta: dict[str, object], finish: str | None = None) -> dict[str, object]:
    return {"id": "gen-tools", "model": "openai/gpt-4o", "provider": "OpenAI",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                         "native_finish_reason": finish}]}


def _call(index: int, *, id: str | None = None, name: str | None = None,
          args: str = "") -> dict[str, object]:
    function: dict[str, object] = {"arguments": args}
    if name is not None:
        function["name"] = name
    call: dict[str, object] = {"index": index, "function": function}
    if id is not None:
        call.update(id=id, type="function")
    return {"tool_calls": [call]}


def test_two_parallel_tool_calls_in_fragments(fake: FakeOpenRouter, tmp_path: Path) -> None:
    fake.enqueue(sse_events([
        ": OPENROUTER PROCESSING\n\n",
        _chunk({"role": "assistant", "content": ""}),
        _chunk(_call(0, id="call_weather", name="get_weather")),
        _chunk(_call(0, args='{"ci')),
        _chunk(_call(1, id="call_time", name="get_")),
        _chunk(_call(1, name="time", args='{"tz": ')),
        _chunk(_call(0, args='ty": "Os')),
        # one chunk carrying fragments of both calls
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'lo"}'}},
                               {"index": 1, "function": {"arguments": '"CET"}'}}]}),
        _chunk({}, finish="tool_calls"),
        {"id": "gen-tools", "choices": [],
         "usage": {"prompt_tokens": 50, "completion_tokens": 30, "total_tokens": 80}},
    ], delay=0.005))
    with Store.open(tmp_path / "h.sqlite3") as store:
        conv = store.create_conversation("t")
        ex = begin_exchange(store, conv.id, "Weather and time in Oslo?", model="openai/gpt-4o")

        async def go() -> None:
            client = ChatClient(fake.base_url, "k")
            try:
                await ReplyRun(store, client, ex.reply, ex.payload).run()
            finally:
                await client.aclose()

        aio.run(go())
        msg = store.get_message(ex.reply.id)
    assert msg is not None
    assert msg.status is MessageStatus.COMPLETE
    assert msg.finish_reason == "tool_calls"
    assert msg.content == ""
    calls = msg.extra["tool_calls"]
    assert calls == [
        {"id": "call_weather", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
        {"id": "call_time", "type": "function",
         "function": {"name": "get_time", "arguments": '{"tz": "CET"}'}},
    ]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [
        {"city": "Oslo"}, {"tz": "CET"}]
    assert msg.usage is not None and msg.usage.total_tokens == 80
