"""Retries of 429/503 before the first byte: backoff, Retry-After, bounds, Stop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from app.core import errors
from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient, RetryPolicy, retry_message
from app.core.domain import MessageStatus
from app.core.history import Store
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, error_status, midstream_error, text_stream

FAST = RetryPolicy(base_delay=0.05)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def run(
    fake: FakeOpenRouter, store: Store, policy: RetryPolicy | None
) -> tuple[ReplyRun, BaseException | None, list[tuple[int, float, Any]], float]:
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "hi", model="m")
    calls: list[tuple[int, float, Any]] = []

    async def go() -> tuple[ReplyRun, BaseException | None]:
        client = ChatClient(fake.base_url, "k")
        r = ReplyRun(store, client, ex.reply, ex.payload, retry=policy,
                     on_retry=lambda a, d, e: calls.append((a, d, e)))
        try:
            await r.run()
        except errors.ParleyError as exc:
            return r, exc
        finally:
            await client.aclose()
        return r, None

    t0 = time.perf_counter()
    r, exc = aio.run(go())
    return r, exc, calls, time.perf_counter() - t0


def test_429_with_retry_after_is_retried(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "1"}), text_stream("after the wait"))
    r, exc, calls, elapsed = run(fake, store, RetryPolicy())
    assert exc is None
    assert len(fake.requests) == 2
    assert elapsed >= 1.0
    assert [(a, d) for a, d, _ in calls] == [(2, 1.0)]
    assert isinstance(calls[0][2], errors.RateLimited)
    msg = store.get_message(r.reply.id)
    assert msg is not None and msg.status is MessageStatus.COMPLETE
    assert msg.content == "after the wait"


def test_retry_after_wins_over_the_policy_backoff(fake: FakeOpenRouter, store: Store) -> None:
    # The policy alone would wait 5 s; the server asks for 0.2 s.
    fake.enqueue(error_status(429, headers={"Retry-After": "0.2"}), text_stream("soon"))
    r, exc, calls, _ = run(fake, store, RetryPolicy(base_delay=5.0))
    assert exc is None
    assert [(a, d) for a, d, _ in calls] == [(2, 0.2)]
    msg = store.get_message(r.reply.id)
    assert msg is not None and msg.content == "soon"


def test_503_backs_off_exponentially(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(503), error_status(503), text_stream("third time lucky"))
    _r, exc, calls, _ = run(fake, store, FAST)
    assert exc is None
    assert [(a, d) for a, d, _ in calls] == [(2, 0.05), (3, 0.1)]
    assert len(fake.requests) == 3
    # every attempt sent the same body
    assert fake.requests[0].body == fake.requests[2].body


def test_gives_up_after_max_attempts(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(*[error_status(429)] * 4)
    r, exc, calls, _ = run(fake, store, FAST)
    assert isinstance(exc, errors.RateLimited)
    assert len(fake.requests) == 3 and len(calls) == 2
    msg = store.get_message(r.reply.id)
    assert msg is not None and msg.status is MessageStatus.ERROR


def test_long_retry_after_is_reported_not_waited(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "120"}), text_stream("never"))
    _r, exc, calls, elapsed = run(fake, store, RetryPolicy())
    assert isinstance(exc, errors.RateLimited)
    assert "Try again in 120 s" in str(exc)
    assert calls == [] and len(fake.requests) == 1 and elapsed < 5


def test_total_wait_budget(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(503, headers={"Retry-After": "0.3"}),
                 error_status(503, headers={"Retry-After": "0.3"}), text_stream("x"))
    _r, exc, calls, _ = run(fake, store, RetryPolicy(max_total_wait=0.5))
    assert isinstance(exc, errors.UpstreamError)
    assert len(calls) == 1 and len(fake.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 402, 500, 502])
def test_other_statuses_are_not_retried(fake: FakeOpenRouter, store: Store, status: int) -> None:
    fake.enqueue(error_status(status), text_stream("no"))
    _r, exc, calls, _ = run(fake, store, FAST)
    assert isinstance(exc, errors.HttpStatusError) and exc.status == status
    assert calls == [] and len(fake.requests) == 1


def test_no_policy_no_retry(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "1"}), text_stream("no"))
    _r, exc, calls, _ = run(fake, store, None)
    assert isinstance(exc, errors.RateLimited) and len(fake.requests) == 1 and calls == []


def test_error_after_the_stream_started_is_not_retried(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(midstream_error("numeric_code"), text_stream("no"))
    _r, exc, calls, _ = run(fake, store, FAST)
    assert isinstance(exc, errors.StreamError) and len(fake.requests) == 1 and calls == []


def test_stop_during_the_wait(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "30"}), text_stream("never"))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "hi", model="m")

    async def go() -> float:
        client = ChatClient(fake.base_url, "k")
        waiting = asyncio.Event()
        r = ReplyRun(store, client, ex.reply, ex.payload, retry=RetryPolicy(),
                     on_retry=lambda *_: waiting.set())
        task = asyncio.ensure_future(r.run())
        await asyncio.wait_for(waiting.wait(), 5)
        t0 = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        return time.perf_counter() - t0

    assert aio.run(go()) < 0.5
    assert len(fake.requests) == 1
    msg = store.get_message(ex.reply.id)
    assert msg is not None and msg.status is MessageStatus.STOPPED


def test_retry_message() -> None:
    err = errors.RateLimited("x", errors.ErrorDetails(status=429, code=429, message="x"))
    assert retry_message(2, 4.0, err) == "Rate limited, retrying in 4 s (attempt 2/3)…"
    err503 = errors.UpstreamError("x", errors.ErrorDetails(status=503, code=503, message="x"))
    assert retry_message(3, 2, err503, 3).startswith("No provider available right now")


def test_reused_connection_closed_by_server_is_retried_once_on_a_fresh_one() -> None:
    """llama.cpp closes the connection after a stream while advertising keep-alive: the
    next request on the pooled connection gets no answer. ChatClient resends it once."""
    import re

    connections: list[int] = []
    answered: list[int] = []

    def sse(text: str) -> bytes:
        events = (
            f'data: {{"id":"g","model":"m","choices":[{{"delta":{{"content":"{text}"}}}}]}}\n\n'
            'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
            "data: [DONE]\n\n"
        ).encode()
        return b"%X\r\n%s\r\n0\r\n\r\n" % (len(events), events)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = len(connections) + 1
        connections.append(conn)
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                match = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
                await reader.readexactly(int(match.group(1)) if match else 0)
                if served == 1:
                    return  # drop the reused connection without a byte of answer
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                             b"transfer-encoding: chunked\r\n\r\n" + sse(f"reply{len(answered)}"))
                await writer.drain()
                answered.append(conn)
                served += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def go() -> list[str]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = ChatClient(f"http://127.0.0.1:{port}/v1", None, kind="openai")
        texts: list[str] = []
        try:
            for _ in range(2):
                got: list[str] = []
                await client.stream_chat(
                    {"model": "m", "messages": []},
                    lambda evs, got=got: got.extend(getattr(e, "text", "") for e in evs),
                )
                texts.append("".join(got))
        finally:
            await client.aclose()
            server.close()
            await server.wait_closed()
        return texts

    assert aio.run(go()) == ["reply0", "reply1"]
    assert connections == [1, 2]  # the second request was resent on a new connection
    assert answered == [1, 2]


def test_negative_retry_after_means_now(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "-30"}))
    _r, exc, _calls, _ = run(fake, store, None)
    assert isinstance(exc, errors.RateLimited)
    assert exc.details.retry_after == 0
    assert "Try again in 0 s." in str(exc)
