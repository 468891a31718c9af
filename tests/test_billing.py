"""The real cost of a (stopped) reply from GET /generation, and who bills in full."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.core.billing import GenerationCost, bills_full_reply, fetch_generation_cost
from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.domain import MessageStatus
from app.core.history import Store
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, slow_stream

FAST = (0.0, 0.02, 0.02, 0.02)


def fetch(fake: FakeOpenRouter, gen_id: str, *, kind: str = "openrouter",
          delays: tuple[float, ...] = FAST) -> GenerationCost | None:
    async def go() -> GenerationCost | None:
        client = ChatClient(fake.base_url, "k", kind=kind)
        try:
            return await fetch_generation_cost(client, gen_id, delays=delays)
        finally:
            await client.aclose()

    return aio.run(go())


def generation_requests(fake: FakeOpenRouter) -> list[Any]:
    return [r for r in fake.requests if r.path.endswith("/generation")]


def test_cost_of_a_finished_generation(fake: FakeOpenRouter) -> None:
    # Pinned: the body otherwise comes from the docs example when the fixtures are present.
    fake.generation_fields = {"provider_name": "OpenAI", "total_cost": 0.0015,
                              "cancelled": False, "tokens_prompt": 10,
                              "tokens_completion": 25}
    cost = fetch(fake, "gen-123")
    assert cost is not None
    assert cost.generation_id == "gen-123"
    assert cost.total_cost == 0.0015 and cost.cancelled is False
    assert cost.provider_name == "OpenAI" and not cost.bills_full_reply
    assert (cost.tokens_prompt, cost.tokens_completion) == (10, 25)
    assert generation_requests(fake)[0].query == "id=gen-123"


def test_retries_while_the_record_is_missing(fake: FakeOpenRouter) -> None:
    fake.generation_missing = 2
    fake.generation_fields = {"cancelled": True, "total_cost": 0.0004,
                              "provider_name": "Groq"}
    cost = fetch(fake, "gen-late")
    assert cost is not None and cost.cancelled is True and cost.total_cost == 0.0004
    assert cost.bills_full_reply
    assert len(generation_requests(fake)) == 3


def test_gives_up_after_the_last_try(fake: FakeOpenRouter) -> None:
    fake.generation_missing = 10
    assert fetch(fake, "gen-never") is None
    assert len(generation_requests(fake)) == len(FAST)


def test_not_asked_of_other_endpoints_or_without_an_id(fake: FakeOpenRouter) -> None:
    assert fetch(fake, "gen-1", kind="openai") is None
    assert fetch(fake, "") is None
    assert generation_requests(fake) == []


def test_stopped_reply_then_real_cost(fake: FakeOpenRouter, tmp_path: Path) -> None:
    fake.enqueue(slow_stream(words=300, delay=0.02))
    fake.generation_missing = 1
    fake.generation_fields = {"cancelled": True, "total_cost": 0.0002}
    with Store.open(tmp_path / "h.sqlite3") as store:
        conv = store.create_conversation("t")
        ex = begin_exchange(store, conv.id, "long", model="m")

        async def go() -> GenerationCost | None:
            client = ChatClient(fake.base_url, "k")
            seen: list[int] = []
            run = ReplyRun(store, client, ex.reply, ex.payload,
                           on_events=lambda evs: seen.append(len(evs)))
            task = asyncio.ensure_future(run.run())
            while sum(seen) < 10:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert run.acc.generation_id
            try:
                return await fetch_generation_cost(client, run.acc.generation_id, delays=FAST)
            finally:
                await client.aclose()

        cost = aio.run(go())
        reply = store.get_message(ex.reply.id)
        assert reply is not None and reply.status is MessageStatus.STOPPED
    assert cost is not None and cost.cancelled is True and cost.total_cost == 0.0002
    assert cost.generation_id == reply.generation_id


@pytest.mark.parametrize(
    ("name", "full"),
    [("Amazon Bedrock", True), ("Groq", True), ("Google AI Studio", True), ("Mistral", True),
     ("perplexity", True), ("OpenAI", False), ("Anthropic", False), ("DeepSeek", False),
     ("Google", False), (None, False), ("", False)],
)
def test_bills_full_reply(name: str | None, full: bool) -> None:
    assert bills_full_reply(name) is full
