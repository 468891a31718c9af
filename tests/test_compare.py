"""Comparing models: sibling replies under one prompt, streamed at once, each stoppable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.compare import (
    CompareError,
    Comparison,
    begin_compare,
    cheapest,
    compare_with,
    continue_with,
    fastest,
    longest,
)
from app.core.config import Settings
from app.core.domain import MessageStatus, Role
from app.core.history import Store
from app.core.history.export import to_json
from app.core.history.importers import import_parley
from app.core.requests import ChatRequest
from tests.fake_openrouter import (
    FakeOpenRouter,
    error_status,
    slow_stream,
    stall,
    text_stream,
)

A, B, C = "vendor/model-a", "vendor/model-b", "vendor/model-c"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "history.sqlite3")
    try:
        yield s
    finally:
        s.close()


def factory(fake: FakeOpenRouter) -> Any:
    def make(request: ChatRequest) -> ChatClient:
        return ChatClient(fake.base_url, "test-key")

    return make


def run_all(comparison: Comparison, fake: FakeOpenRouter, **kwargs: Any) -> None:
    asyncio.run(comparison.run(factory(fake), retry=False, **kwargs))


def statuses(store: Store, comparison: Comparison) -> list[tuple[str, str]]:
    """(column's model, stored status) per column."""
    out = []
    for col in comparison.columns:
        msg = store.get_message(col.reply.id)
        assert msg is not None
        out.append((col.model, msg.status.value))
    return out


def test_replies_are_siblings_under_one_prompt_and_one_failure_spares_the_others(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.by_model[A] = text_stream("Answer from A, the longest of them all.", model=A)
    fake.by_model[B] = error_status(400)
    fake.by_model[C] = text_stream("C here.", model=C, provider="Fireworks")
    comparison = begin_compare(store, Settings(), None, "Which is best?", [A, B, C],
                               system="Be brief.")
    run_all(comparison, fake)

    assert statuses(store, comparison) == [(A, "complete"), (B, "error"), (C, "complete")]
    prompt = comparison.user_message
    replies = store.children(prompt.id)
    assert [r.model for r in replies] == [A, B, C]
    assert store.alternatives(prompt.conversation_id)[replies[2].id] == (2, 3)
    # each request went through the one request path, with its own model and the same thread
    bodies = {r.json()["model"]: r.json() for r in fake.requests if r.path.endswith("/completions")}
    assert set(bodies) == {A, B, C}
    assert all(b["messages"] == [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": "Which is best?"}]
               for b in bodies.values())
    failed = comparison.columns[1]
    assert failed.error is not None and "400" in str(failed.error)
    done = store.get_message(comparison.columns[2].reply.id)
    assert done is not None and done.provider == "Fireworks"
    timing = done.extra["timing"]
    assert timing["first_token_ms"] is not None and timing["first_token_ms"] >= 0
    assert timing["tokens_per_second"] is not None
    # until the user picks one, the thread continues from the first column
    assert store.get_thread(prompt.conversation_id)[-1].id == comparison.columns[0].reply.id
    assert longest(comparison.columns) is comparison.columns[0]
    assert fastest(comparison.columns) in (comparison.columns[0], comparison.columns[2])
    assert cheapest(comparison.columns) in (comparison.columns[0], comparison.columns[2])


def test_all_requests_are_live_at_once_and_stop_all_closes_every_connection(
    fake: FakeOpenRouter, store: Store
) -> None:
    for model in (A, B, C):
        fake.by_model[model] = stall("Partial", seconds=30)
    comparison = begin_compare(store, Settings(), None, "Tell me a story", [A, B, C])

    async def main() -> None:
        task = asyncio.ensure_future(comparison.run(factory(fake), retry=False))
        # all three requests arrive while none has finished
        await asyncio.to_thread(fake.wait_for_requests, 3, 10)
        await asyncio.sleep(0.2)  # the partial text arrives
        comparison.stop_all()
        await task

    asyncio.run(main())
    gone = [fake.wait_for_disconnect(timeout=5) for _ in range(3)]
    assert len(gone) == 3
    assert statuses(store, comparison) == [(A, "stopped"), (B, "stopped"), (C, "stopped")]
    stored = [store.get_message(c.reply.id) for c in comparison.columns]
    assert all(m is not None and m.content == "Partial" for m in stored)


def test_stop_one_column_leaves_the_others_streaming(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.by_model[A] = stall("Partial", seconds=30)
    fake.by_model[B] = slow_stream(words=30, delay=0.02)
    comparison = begin_compare(store, Settings(), None, "Go", [A, B])

    async def main() -> None:
        task = asyncio.ensure_future(comparison.run(factory(fake), retry=False))
        await asyncio.to_thread(fake.wait_for_requests, 2, 10)
        await asyncio.sleep(0.1)
        comparison.stop(0)
        await task

    asyncio.run(main())
    assert fake.wait_for_disconnect(timeout=5).path.endswith("/chat/completions")
    assert statuses(store, comparison) == [(A, "stopped"), (B, "complete")]
    b = store.get_message(comparison.columns[1].reply.id)
    assert b is not None and len(b.content.split()) == 30


def test_continue_with_makes_follow_ups_send_that_branch_only(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.by_model[A] = text_stream("from A", model=A)
    fake.by_model[B] = text_stream("from B", model=B)
    comparison = begin_compare(store, Settings(), None, "Hi", [A, B])
    run_all(comparison, fake)
    chosen = comparison.columns[1].reply.id
    continue_with(store, chosen)
    conv_id = comparison.conversation_id
    assert store.get_thread(conv_id)[-1].id == chosen
    conv = store.get_conversation(conv_id)
    assert conv is not None and conv.model == B

    fake.by_model.clear()
    fake.enqueue(text_stream("follow-up answer"))
    exchange = begin_exchange(store, conv_id, "And then?", model=B)

    async def follow() -> None:
        client = ChatClient(fake.base_url, "test-key")
        try:
            await ReplyRun(store, client, exchange.reply, exchange.payload).run()
        finally:
            await client.aclose()

    asyncio.run(follow())
    sent = fake.requests[-1].json()["messages"]
    assert sent == [{"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "from B"},
                    {"role": "user", "content": "And then?"}]


def test_local_endpoint_answers_one_column_at_a_time(
    fake: FakeOpenRouter, store: Store
) -> None:
    settings = Settings(endpoints=[{"name": "local", "base_url": fake.base_url,
                                    "kind": "openai"}], current_endpoint="local")
    fake.by_model[A] = slow_stream(words=10, delay=0.02)
    fake.by_model[B] = slow_stream(words=10, delay=0.02)
    comparison = begin_compare(store, settings, None, "Hi", [A, B])
    assert all(c.request.kind == "openai" for c in comparison.columns)
    order: list[int] = []
    run_all(comparison, fake, on_events=lambda index, events: order.append(index))
    assert statuses(store, comparison) == [(A, "complete"), (B, "complete")]
    # queued, not failed, and never interleaved
    first_b = order.index(1)
    assert 0 not in order[first_b:]


def test_export_and_import_keep_the_compared_siblings(
    fake: FakeOpenRouter, store: Store, tmp_path: Path
) -> None:
    fake.by_model[A] = text_stream("from A", model=A)
    fake.by_model[B] = text_stream("from B", model=B)
    comparison = begin_compare(store, Settings(), None, "Hi", [A, B])
    run_all(comparison, fake)
    doc = json.loads(to_json(store.export_conversations()))
    other = Store.open(tmp_path / "other.sqlite3")
    try:
        import_parley(other, doc)
        conv = other.list_conversations()[0]
        msgs = other.get_messages(conv.id)
        prompt = next(m for m in msgs if m.role is Role.USER)
        replies = other.children(prompt.id)
        assert [(r.model, r.content, r.status) for r in replies] == [
            (A, "from A", MessageStatus.COMPLETE), (B, "from B", MessageStatus.COMPLETE)]
        assert replies[0].extra["timing"]["first_token_ms"] is not None
    finally:
        other.close()


def test_compare_with_adds_other_models_beside_an_existing_reply(
    fake: FakeOpenRouter, store: Store
) -> None:
    conv = store.create_conversation("Chat")
    store.add_message(conv.id, Role.USER, "Hi")
    original = store.add_message(conv.id, Role.ASSISTANT, "old reply", model=A)
    fake.by_model[B] = text_stream("from B", model=B)
    comparison = compare_with(store, Settings(), original.id, [B])
    run_all(comparison, fake)
    assert [m.model for m in store.siblings(original.id)] == [A, B]
    # the branch shown stays the one the user was reading
    assert store.get_thread(conv.id)[-1].id == original.id


@pytest.mark.parametrize("models", [[A], [A, B, C, "d/d", "e/e"], [A, A]])
def test_two_to_four_distinct_models_or_nothing_is_stored(
    store: Store, models: list[str]
) -> None:
    with pytest.raises(CompareError):
        begin_compare(store, Settings(), None, "Hi", models)
    assert store.list_conversations() == []
