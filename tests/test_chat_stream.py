"""One exchange end to end in core: real HTTP to the fake server, real SQLite history."""

from __future__ import annotations

import asyncio
import gc
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from app.core import errors
from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.domain import MessageStatus, Role
from app.core.events import stream_warning
from app.core.history import Store
from tests.fake_openrouter import (
    FakeOpenRouter,
    big_reply,
    cut_stream,
    done_then_hold,
    error_status,
    html_error,
    json_body,
    midstream_error,
    refuse_connection_port,
    slow_stream,
    sse_events,
    stall,
    text_stream,
)

KEY = "sk-or-v1-" + "ab" * 32  # made up at run time; never a real key


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def run_exchange(
    store: Store,
    base_url: str,
    prompt: str = "Hello?",
    *,
    key: str | None = KEY,
    timeout: float = 10.0,
    options: dict[str, Any] | None = None,
) -> tuple[ReplyRun, BaseException | None]:
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, prompt, model="openai/gpt-4o-mini", options=options)

    async def go() -> tuple[ReplyRun, BaseException | None]:
        client = ChatClient(base_url, key, referer="https://example.org/parley", title="Parley",
                            timeout=timeout)
        run = ReplyRun(store, client, ex.reply, ex.payload)
        try:
            await run.run()
        except errors.ParleyError as exc:
            return run, exc
        finally:
            await client.aclose()
        return run, None

    return asyncio.run(go())


def stored_reply(store: Store, run: ReplyRun) -> Any:
    msg = store.get_message(run.reply.id)
    assert msg is not None
    return msg


def test_normal_stream_is_stored_complete(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(text_stream("Hello world, this is a reply.", generation_id="gen-42"))
    run, exc = run_exchange(store, fake.base_url, options={"temperature": 0.3})
    assert exc is None
    msg = stored_reply(store, run)
    assert msg.content == "Hello world, this is a reply."
    assert msg.status is MessageStatus.COMPLETE
    assert (msg.model, msg.provider, msg.finish_reason) == ("openai/gpt-4o-mini", "OpenAI", "stop")
    assert msg.generation_id == "gen-42"
    assert msg.usage is not None and msg.usage.cost is not None and msg.usage.total_tokens > 0
    # the request as the server saw it
    req = fake.requests[-1]
    body = req.json()
    assert req.path.endswith("/chat/completions")
    assert body["stream"] is True
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["messages"] == [{"role": "user", "content": "Hello?"}]
    assert body["temperature"] == 0.3
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["http-referer"] == "https://example.org/parley"
    assert req.headers["x-openrouter-title"] == "Parley"


def test_history_is_sent_with_each_turn(fake: FakeOpenRouter, store: Store) -> None:
    conv = store.create_conversation("t")
    store.add_message(conv.id, Role.SYSTEM, "Be brief.")
    store.add_message(conv.id, Role.USER, "one")
    store.add_message(conv.id, Role.ASSISTANT, "first answer")
    failed = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.ERROR)
    assert failed.id
    ex = begin_exchange(store, conv.id, "two", model="m")
    assert ex.payload["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "two"},
    ]


@pytest.mark.parametrize("shape", ["empty_choices", "null_finish", "repeat_stop"])
def test_usage_shapes_from_the_wire(fake: FakeOpenRouter, store: Store, shape: Any) -> None:
    fake.enqueue(text_stream("abc", usage_shape=shape))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    msg = stored_reply(store, run)
    assert msg.usage is not None and msg.usage.total_tokens > 0
    assert msg.status is MessageStatus.COMPLETE


def test_crlf_stream(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(sse_events(
        [": OPENROUTER PROCESSING\r\n\r\n",
         {"id": "g", "model": "m", "choices": [{"delta": {"content": "one "}}]},
         {"choices": [{"delta": {"content": "two"}, "finish_reason": "stop"}]}],
        crlf=True))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    assert stored_reply(store, run).content == "one two"


# ---- errors before the stream ----------------------------------------------------------

STATUS_CLASSES = {
    400: errors.BadRequest, 401: errors.AuthError, 402: errors.PaymentRequired,
    403: errors.ModerationError, 404: errors.HttpStatusError, 408: errors.RequestTimeout,
    413: errors.HttpStatusError, 422: errors.HttpStatusError, 429: errors.RateLimited,
    500: errors.UpstreamError, 502: errors.UpstreamError, 503: errors.UpstreamError,
    524: errors.UpstreamError, 529: errors.UpstreamError,
}


@pytest.mark.parametrize("status", sorted(STATUS_CLASSES))
def test_each_error_status_is_typed_stored_and_keeps_the_prompt(
    fake: FakeOpenRouter, store: Store, status: int
) -> None:
    fake.enqueue(error_status(status))
    run, exc = run_exchange(store, fake.base_url, "my precious prompt")
    assert type(exc) is STATUS_CLASSES[status]
    assert f"HTTP {status}" in str(exc)
    assert KEY not in str(exc)
    assert exc.hint or status in (404, 413, 422)  # type: ignore[union-attr]
    msgs = store.get_messages(run.reply.conversation_id)
    assert msgs[0].role is Role.USER and msgs[0].content == "my precious prompt"
    reply = stored_reply(store, run)
    assert reply.status is MessageStatus.ERROR
    assert reply.error == str(exc)


def test_moderation_reasons_are_shown(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(403, {"error": {"code": 403, "message": "Input flagged",
                                              "metadata": {"reasons": ["violence", "hate"],
                                                           "flagged_input": "bad words",
                                                           "provider_name": "OpenAI",
                                                           "model_slug": "m"}}}))
    _run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.ModerationError)
    assert exc.reasons == ["violence", "hate"]
    assert "violence, hate" in str(exc)
    assert "bad words" in str(exc)


def test_rate_limit_reads_retry_after(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(429, headers={"Retry-After": "7"}))
    _run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.RateLimited)
    assert exc.retry_after == 7.0
    assert "7 s" in str(exc)


def test_key_echoed_by_server_is_redacted(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(error_status(401, {"error": {"code": 401, "message": f"Bad key {KEY}"}}))
    _run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.AuthError)
    assert KEY not in str(exc) and KEY not in repr(exc.details)
    assert "[redacted]" in str(exc)


def test_html_error_page_from_a_proxy(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(html_error(502))
    _run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.UpstreamError)
    assert "HTML page" in str(exc)


def test_200_whose_body_is_only_an_error(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(json_body({"error": {"code": 402, "message": "Insufficient credits"},
                            "user_id": "user_x"}))
    _run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.PaymentRequired)
    assert "Insufficient credits" in str(exc)


def test_connection_refused(store: Store) -> None:
    port = refuse_connection_port()
    run, exc = run_exchange(store, f"http://127.0.0.1:{port}/api/v1")
    assert isinstance(exc, errors.NetworkError)
    assert "refused" in str(exc)
    assert stored_reply(store, run).status is MessageStatus.ERROR


def test_dns_failure(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The OS resolver says the name does not exist, as it would offline; httpx is real.
    def no_such_host(*_a: Any, **_k: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    _run, exc = run_exchange(store, "http://no-such-host.invalid/api/v1")
    assert isinstance(exc, errors.NetworkError)
    assert "DNS" in str(exc) and "no-such-host.invalid" in str(exc)


# ---- errors after the stream started ------------------------------------------------------


def test_stall_times_out_and_keeps_partial_text(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(stall("Partial words", seconds=30))
    run, exc = run_exchange(store, fake.base_url, timeout=0.6)
    assert isinstance(exc, errors.StreamError)
    assert "stalled" in str(exc)
    reply = stored_reply(store, run)
    assert reply.content == "Partial words"
    assert reply.status is MessageStatus.ERROR


def test_cut_without_done_keeps_partial_text(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(cut_stream("Partial answer"))
    run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.StreamError)
    reply = stored_reply(store, run)
    assert reply.content == "Partial answer"
    assert reply.status is MessageStatus.ERROR


def test_clean_close_without_done_or_finish_is_an_error(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(sse_events([{"id": "g", "choices": [{"delta": {"content": "half"}}]}],
                            done=False))
    run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.StreamError)
    assert "end marker" in str(exc)
    assert stored_reply(store, run).content == "half"


def test_non_json_data_line_is_skipped(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(sse_events([
        {"id": "g", "choices": [{"delta": {"content": "a"}}]},
        "data: <html>oops</html>\n\n",
        {"choices": [{"delta": {"content": "b"}, "finish_reason": "stop"}]},
    ]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    reply = stored_reply(store, run)
    assert reply.content == "ab"
    assert reply.extra["malformed_lines"] == 1


def test_chunks_of_the_wrong_type_keep_the_reply_and_are_counted(
    fake: FakeOpenRouter, store: Store
) -> None:
    # All in one write, so the bad chunks arrive in the same network read as good ones.
    fake.enqueue(sse_events([
        {"id": "g", "model": "m", "choices": [{"delta": {"content": "Kept "}}]},
        {"choices": [{"delta": {"content": {"text": "odd"}}}]},
        {"choices": [{"delta": {"content": "text", "tool_calls": "call"}}]},
        {"choices": [None]},
        "data: {not json\n\n",
        {"choices": [{"delta": {"content": " here."}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 3, "completion_tokens": 2**70, "total_tokens": "5"}},
    ]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    reply = stored_reply(store, run)
    assert reply.status is MessageStatus.COMPLETE
    assert reply.content == "Kept text here."
    assert reply.usage is not None and reply.usage.prompt_tokens == 3
    assert (reply.extra["invalid_chunks"], reply.extra["malformed_lines"]) == (5, 1)
    assert stream_warning(reply.extra) == (
        "6 parts of the stream could not be read, so this reply may be incomplete."
    )


def test_a_whole_reply_has_no_warning(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(text_stream("All there."))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    extra = stored_reply(store, run).extra
    assert "invalid_chunks" not in extra and "malformed_lines" not in extra
    assert stream_warning(extra) is None


def test_reasoning_deltas_are_stored_as_one_text(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(sse_events([
        {"id": "g", "model": "m", "choices": [{"delta": {"reasoning": "The user "}}]},
        {"choices": [{"delta": {"reasoning": "wants a "}}]},
        {"choices": [{"delta": {"reasoning": "greeting."}}]},
        {"choices": [{"delta": {"content": "Hi!"}, "finish_reason": "stop"}]},
    ], delay=0.01))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    reply = stored_reply(store, run)
    assert reply.reasoning == "The user wants a greeting."
    assert reply.content == "Hi!"


def test_done_ends_the_reply_while_the_server_holds_the_connection(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(done_then_hold("Complete answer", seconds=30))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "hi", model="m")

    async def go() -> MessageStatus:
        # A short read timeout: a client still waiting after [DONE] fails with a stall.
        client = ChatClient(fake.base_url, KEY, timeout=1.0)
        try:
            status = await ReplyRun(store, client, ex.reply, ex.payload).run()
            # The client is still open: only leaving the response can release the socket.
            await asyncio.to_thread(fake.wait_for_disconnect, 3)
        finally:
            await client.aclose()
        return status

    assert asyncio.run(go()) is MessageStatus.COMPLETE
    reply = store.get_message(ex.reply.id)
    assert reply is not None
    assert reply.content == "Complete answer"
    assert reply.status is MessageStatus.COMPLETE
    assert reply.error is None


def test_a_mid_stream_error_ends_the_reply_while_the_server_holds_the_connection(
    fake: FakeOpenRouter, store: Store
) -> None:
    """An error inside the stream is terminal, like [DONE]: waiting for more would turn a
    clear provider error into a stall after the read timeout."""
    fake.enqueue(midstream_error("then_hold"))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "hi", model="m")

    async def go() -> None:
        client = ChatClient(fake.base_url, KEY, timeout=5.0)
        try:
            with pytest.raises(errors.StreamError, match="Provider returned error"):
                await ReplyRun(store, client, ex.reply, ex.payload).run()
            await asyncio.to_thread(fake.wait_for_disconnect, 3)
        finally:
            await client.aclose()

    asyncio.run(go())
    reply = store.get_message(ex.reply.id)
    assert reply is not None
    assert reply.content == "Partial text "
    assert reply.status is MessageStatus.ERROR
    assert "stalled" not in (reply.error or "")


def test_done_on_the_qt_loop_leaves_no_reader_behind(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, store: Store
) -> None:
    """Ending at [DONE] must not leave httpx's body readers to the garbage collector: under
    qasync their clean-up cannot run there ("async generator ignored GeneratorExit", which
    the suite turns into a failure)."""
    from tests.conftest import run_in_qt

    fake.enqueue(done_then_hold("Complete answer", seconds=0.5), text_stream("Second"))
    conv = store.create_conversation("t")
    first = begin_exchange(store, conv.id, "one", model="m")

    async def go() -> list[MessageStatus]:
        client = ChatClient(fake.base_url, KEY, timeout=5)
        try:
            statuses = [await ReplyRun(store, client, first.reply, first.payload).run()]
            second = begin_exchange(store, conv.id, "two", model="m")
            statuses.append(await ReplyRun(store, client, second.reply, second.payload).run())
        finally:
            await client.aclose()
        return statuses

    assert run_in_qt(qtbot, go()) == [MessageStatus.COMPLETE, MessageStatus.COMPLETE]
    gc.collect()
    qtbot.wait(50)
    texts = [m.content for m in store.get_messages(conv.id) if m.role is Role.ASSISTANT]
    assert texts == ["Complete answer", "Second"]


@pytest.mark.parametrize(
    "shape", ["numeric_code", "string_code", "empty_choices", "with_usage_null_finish", "no_done"]
)
def test_midstream_error_shapes_keep_partial_text(
    fake: FakeOpenRouter, store: Store, shape: Any
) -> None:
    fake.enqueue(midstream_error(shape))
    run, exc = run_exchange(store, fake.base_url)
    assert isinstance(exc, errors.StreamError)
    assert "provider stopped with an error" in str(exc)
    reply = stored_reply(store, run)
    assert reply.content == "Partial text "
    assert reply.status is MessageStatus.ERROR
    assert reply.extra["stream_error"]["message"]
    if shape == "with_usage_null_finish":
        assert reply.usage is not None


def test_five_megabyte_reply(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(big_reply(5_000_000))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    reply = stored_reply(store, run)
    assert len(reply.content) == 5_000_000
    assert reply.status is MessageStatus.COMPLETE


def test_non_streamed_completion_is_accepted(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(json_body({"id": "gen-x", "model": "m", "choices": [
        {"message": {"role": "assistant", "content": "whole"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    assert stored_reply(store, run).content == "whole"


# ---- Stop and durability -------------------------------------------------------------------


def test_cancel_closes_connection_and_saves_partial_as_stopped(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(slow_stream(words=400, delay=0.02))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "long please", model="m")

    async def go() -> float:
        client = ChatClient(fake.base_url, KEY)
        seen: list[int] = []
        run = ReplyRun(store, client, ex.reply, ex.payload,
                       on_events=lambda evs: seen.append(len(evs)))
        task = asyncio.ensure_future(run.run())
        while sum(seen) < 20:
            await asyncio.sleep(0.005)
        t0 = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        return t0

    t_cancel = asyncio.run(go())
    gone = fake.wait_for_disconnect(timeout=2)
    assert gone.at - t_cancel < 1.0  # the server saw the disconnect, not the stream's end
    assert gone.chunks_sent < 400
    reply = store.get_message(ex.reply.id)
    assert reply is not None
    assert reply.status is MessageStatus.STOPPED
    assert reply.content and "quick" in reply.content


def test_cancelling_the_task_closes_the_socket_by_itself(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(slow_stream(words=400, delay=0.02))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "long please", model="m")

    async def go() -> int:
        client = ChatClient(fake.base_url, KEY)
        seen: list[int] = []
        try:
            run = ReplyRun(store, client, ex.reply, ex.payload,
                           on_events=lambda evs: seen.append(len(evs)))
            task = asyncio.ensure_future(run.run())
            while sum(seen) < 20:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The client stays open: the disconnect must come from the cancelled task.
            gone = await asyncio.to_thread(fake.wait_for_disconnect, 3)
        finally:
            await client.aclose()
        return gone.chunks_sent

    assert asyncio.run(go()) < 400
    reply = store.get_message(ex.reply.id)
    assert reply is not None and reply.status is MessageStatus.STOPPED


def test_reply_is_saved_while_it_streams(fake: FakeOpenRouter, store: Store) -> None:
    fake.enqueue(slow_stream(words=60, delay=0.05))  # ~3 s
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "go", model="m")
    snapshots: list[str] = []

    async def go() -> None:
        client = ChatClient(fake.base_url, KEY)
        task = asyncio.ensure_future(ReplyRun(store, client, ex.reply, ex.payload).run())
        # Another connection, like a second process, reads what is on disk.
        other = sqlite3.connect(store.path)
        for _ in range(5):
            await asyncio.sleep(0.5)
            row = other.execute("SELECT content FROM messages WHERE id=?", (ex.reply.id,))
            snapshots.append(row.fetchone()[0])
        other.close()
        await task
        await client.aclose()

    asyncio.run(go())
    nonempty = [s for s in snapshots if s]
    assert len(nonempty) >= 3, snapshots
    assert all(len(a) <= len(b) for a, b in zip(nonempty, nonempty[1:]))
