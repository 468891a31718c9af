"""The one request path and the one place that finishes a run, without a window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.approvals import approvals_for, remember_always
from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.config import Settings
from app.core.domain import MessageStatus, Role
from app.core.errors import ConfigError
from app.core.finish import after_run, finish_run
from app.core.history import Store
from app.core.history.export import to_json
from app.core.history.importers import import_parley
from app.core.options import ConversationOptions
from app.core.requests import Overrides, resolve_request
from app.core.tools.loop import ToolLoop
from app.core.tools.registry import ToolRegistry
from tests.fake_openrouter import FakeOpenRouter, slow_stream, text_stream
from tests.test_tool_loop import tool_call_stream


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "history.sqlite3")
    yield s
    s.close()


def settings_with_local(current: str = "openrouter") -> Settings:
    return Settings(endpoints=[{"name": "local", "base_url": "http://127.0.0.1:1/v1",
                                "kind": "openai"}], current_endpoint=current,
                    default_model="default/model")


def test_new_chat_takes_the_current_endpoint_an_old_one_keeps_its_own(store: Store) -> None:
    settings = settings_with_local(current="local")
    assert resolve_request(settings, store, None).endpoint.name == "local"
    conv = store.create_conversation("x", endpoint="local")
    settings.current_endpoint = "openrouter"
    request = resolve_request(settings, store, store.get_conversation(conv.id))
    assert (request.endpoint.name, request.kind) == ("local", "openai")
    # Rows from before the endpoint was stored talk to the built-in endpoint.
    old = store.create_conversation("old")
    settings.current_endpoint = "local"
    assert resolve_request(settings, store, old).endpoint.name == "openrouter"


def test_missing_or_unknown_endpoint_names_the_configured_ones(store: Store) -> None:
    settings = settings_with_local()
    conv = store.create_conversation("x", endpoint="gone")
    with pytest.raises(ConfigError) as err:
        resolve_request(settings, store, conv)
    assert "'gone'" in str(err.value) and "openrouter, local" in str(err.value)
    with pytest.raises(ConfigError) as err:
        resolve_request(settings, store, None, Overrides(endpoint="nope"))
    assert "'nope'" in str(err.value) and "openrouter, local" in str(err.value)


def test_overrides_apply_on_top_of_the_conversation_options(store: Store) -> None:
    settings = settings_with_local()
    conv = store.create_conversation("x", model="conv/model")
    opts = ConversationOptions(temperature=0.5)
    store.set_options(conv.id, opts.to_dict())
    request = resolve_request(settings, store, conv, Overrides(
        web=True, reasoning="high", fallbacks=["b/m"], options={"provider.sort": "price"}))
    ex = begin_exchange(store, conv.id, "hi", request=request)
    assert ex.payload["model"] == "conv/model"
    assert ex.payload["temperature"] == 0.5
    assert ex.payload["plugins"] == [{"id": "web"}]
    assert ex.payload["reasoning"] == {"effort": "high"}
    assert ex.payload["models"] == ["conv/model", "b/m"]
    assert ex.payload["provider"] == {"sort": "price"}
    # Overrides are for this request: the stored options are unchanged.
    assert store.get_options(conv.id) == {"temperature": 0.5}
    # A new chat without a model takes the default model from Settings.
    assert resolve_request(settings, store, None).model == "default/model"


def test_endpoint_is_exported_and_imported_with_the_conversation(
    store: Store, tmp_path: Path
) -> None:
    conv = store.create_conversation("x", endpoint="local")
    store.add_message(conv.id, Role.USER, "hi")
    doc = json.loads(to_json(store.export_conversations()))
    assert doc["conversations"][0]["endpoint"] == "local"
    other = Store.open(tmp_path / "other.sqlite3")
    try:
        import_parley(other, doc)
        (imported,) = other.list_conversations()
        assert imported.endpoint == "local"
    finally:
        other.close()


def test_always_allow_is_stored_with_the_conversation(store: Store) -> None:
    conv = store.create_conversation("x")
    remember_always(store, conv.id, "calc__add")
    remember_always(store, conv.id, "calc__add")
    assert store.get_options(conv.id)["allowed_tools"] == ["calc__add"]
    approvals = approvals_for(store, conv.id)
    assert approvals.allowed("calc__add") and not approvals.allowed("calc__divide")
    # Never sent to the model.
    request = resolve_request(Settings(), store, store.get_conversation(conv.id))
    assert "allowed_tools" not in request.payload([])


def test_a_new_chat_never_inherits_always_allowed_tools(store: Store) -> None:
    # Saving a chat's settings as the default carries its options into Settings.
    settings = Settings(default_options={"allowed_tools": ["files__delete"], "temperature": 0.2})
    request = resolve_request(settings, store, None)
    assert request.options.allowed_tools == []
    assert request.options.temperature == 0.2


def run_tools(fake: FakeOpenRouter, store: Store, conv_id: int, request: Any) -> list[int]:
    registry = ToolRegistry()

    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    registry.register(add)

    async def yes(call: Any) -> Any:
        return "once"

    ids: list[int] = []

    async def go() -> None:
        client = ChatClient(fake.base_url, "test-key")
        loop = ToolLoop(store, client, registry, approve=yes,
                        on_reply_start=lambda m: ids.append(m.id))
        try:
            await loop.send(conv_id, "add 2 and 40", request=request,
                            tools=registry.python_tools())
        finally:
            await client.aclose()

    asyncio.run(go())
    return ids


def test_a_tool_run_finishes_like_any_reply(fake: FakeOpenRouter, store: Store) -> None:
    settings = Settings(title_model="cheap/model")
    conv = store.create_conversation("add 2 and 40")
    opts = ConversationOptions()
    opts.structured.mode = "json_object"
    store.set_options(conv.id, opts.to_dict())
    request = resolve_request(settings, store, conv, Overrides(model="openai/gpt-4o-mini"))
    fake.enqueue(tool_call_stream(("call_1", "add", '{"a": 2, "b": 40}')),
                 text_stream('{"sum": 42}'), text_stream("Sum Of Two Numbers"))
    ids = run_tools(fake, store, conv.id, request)
    assert len(ids) == 2
    summary = finish_run(store, request, ids)
    assert summary.status is MessageStatus.COMPLETE
    assert summary.structured == {"valid": True, "problems": []}
    assert "2 steps" in summary.usage_line and "openai/gpt-4o-mini" in summary.usage_line

    async def slow_part() -> None:
        client = ChatClient(fake.base_url, "test-key")
        try:
            await after_run(store, client, settings, request, summary)
        finally:
            await client.aclose()

    asyncio.run(slow_part())
    assert summary.title == "Sum Of Two Numbers"
    assert store.get_conversation(conv.id).title == "Sum Of Two Numbers"  # type: ignore[union-attr]
    # Only after the first exchange.
    fake.enqueue(text_stream("again"))
    ex = begin_exchange(store, conv.id, "more", request=request)

    async def second() -> None:
        client = ChatClient(fake.base_url, "test-key")
        try:
            await ReplyRun(store, client, ex.reply, ex.payload).run()
            later = finish_run(store, request, [ex.reply.id])
            await after_run(store, client, settings, request, later)
            assert later.title is None
        finally:
            await client.aclose()

    before = len(fake.requests)
    asyncio.run(second())
    assert len(fake.requests) == before + 1


def test_a_stopped_reply_gets_its_real_cost(fake: FakeOpenRouter, store: Store) -> None:
    fake.generation_fields = {"cancelled": True, "total_cost": 0.0002,
                              "provider_name": "Groq"}
    conv = store.create_conversation("x")
    request = resolve_request(Settings(), store, conv, Overrides(model="m"))
    fake.enqueue(slow_stream(words=500, delay=0.02))
    ex = begin_exchange(store, conv.id, "long", request=request)

    async def go() -> None:
        client = ChatClient(fake.base_url, "test-key")
        run = ReplyRun(store, client, ex.reply, ex.payload)
        task = asyncio.ensure_future(run.run())
        while len(run.acc.text) < 20:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        summary = finish_run(store, request, [ex.reply.id])
        assert summary.status is MessageStatus.STOPPED
        try:
            await after_run(store, client, Settings(), request, summary)
        finally:
            await client.aclose()
        assert summary.cost is not None and summary.cost.bills_full_reply
        assert "$0.000200" in summary.usage_line

    asyncio.run(go())
    msg = store.get_message(ex.reply.id)
    assert msg is not None and msg.usage is not None and msg.usage.cost == 0.0002
    assert msg.extra["generation"]["provider"] == "Groq"
