"""The error boundary of the client: every httpx exception becomes a typed Parley error,
redirects never carry a conversation or the key to another origin, and no error path
lets the API key through to the user, the database or an export."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core import errors
from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient, KeyInfo, redact
from app.core.domain import MessageStatus
from app.core.history import Store
from tests import aio
from tests.fake_openrouter import (
    FakeOpenRouter,
    error_status,
    redirect,
    sse_events,
    text_stream,
)

# Made up at run time; never real keys. One OpenRouter-shaped, one a local server's.
OPENROUTER_KEY = "sk-or-v1-" + "cd" * 32
LOCAL_KEY = "local-secret-abc123def456ghi789"
KEYS = [OPENROUTER_KEY, LOCAL_KEY]

PARTIAL_SSE = b'data: {"id":"g","model":"m","choices":[{"delta":{"content":"Partial"}}]}\n\n'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def stored_row(store: Store, message_id: int) -> dict[str, Any]:
    """The reply's row as it is on disk, read by a second connection."""
    with sqlite3.connect(store.path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
    return dict(row)


def run_reply(
    store: Store,
    client_factory: Callable[[], ChatClient],
    on_events: Callable[[list[Any]], None] | None = None,
) -> tuple[int, BaseException | None]:
    """One exchange through ReplyRun; (reply id, the error it raised or None)."""
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Hello?", model="openai/gpt-4o-mini")

    async def go() -> BaseException | None:
        client = client_factory()
        try:
            await ReplyRun(store, client, ex.reply, ex.payload, on_events=on_events).run()
        except errors.ParleyError as exc:
            return exc
        finally:
            await client.aclose()
        return None

    return ex.reply.id, aio.run(go())


# ---- every httpx exception, before the reply started ----------------------------------------

REQUEST = httpx.Request("POST", "http://mock.test/api/v1/chat/completions")

# (exception, the Parley type it must become)
HTTPX_FAMILIES: list[tuple[Exception, type[errors.ApiError]]] = [
    (httpx.ConnectTimeout("timed out"), errors.ApiTimeout),
    (httpx.ReadTimeout("timed out"), errors.ApiTimeout),
    (httpx.WriteTimeout("timed out"), errors.ApiTimeout),
    (httpx.PoolTimeout("timed out"), errors.ApiTimeout),
    (httpx.ConnectError("All connection attempts failed"), errors.NetworkError),
    (httpx.ReadError("reset"), errors.NetworkError),
    (httpx.WriteError("broken pipe"), errors.NetworkError),
    (httpx.CloseError("close failed"), errors.NetworkError),
    (httpx.ProxyError("407 Proxy Authentication Required"), errors.NetworkError),
    (httpx.RemoteProtocolError("peer closed connection"), errors.NetworkError),
    (httpx.DecodingError("Error -3 while decompressing data"), errors.NetworkError),
    (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
     errors.EndpointError),
    (httpx.LocalProtocolError("Illegal header value b'Bearer x\\n'"), errors.EndpointError),
    (httpx.TooManyRedirects("Exceeded maximum allowed redirects."), errors.EndpointError),
    (httpx.InvalidURL("Invalid port: 'x'"), errors.EndpointError),
    (httpx.CookieConflict("Multiple cookies exist with name=a"), errors.ApiError),
    (httpx.StreamConsumed(), errors.ApiError),
    (httpx.StreamClosed(), errors.ApiError),
    (httpx.ResponseNotRead(), errors.ApiError),
    (httpx.RequestNotRead(), errors.ApiError),
    (httpx.HTTPStatusError("Server error '500'", request=REQUEST,
                           response=httpx.Response(500, request=REQUEST)),
     errors.HttpStatusError),
]


def _ids(case: Any) -> str:
    return type(case).__name__ if isinstance(case, Exception) else ""


def raising_client(exc: Exception, key: str = OPENROUTER_KEY) -> Callable[[], ChatClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return lambda: ChatClient("http://mock.test/api/v1", key,
                              transport=httpx.MockTransport(handler))


def assert_sentence(exc: BaseException) -> None:
    text = str(exc)
    assert text[:1].isupper() and text.rstrip().endswith("."), text
    assert "Unexpected" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize(("exc", "kind"), HTTPX_FAMILIES, ids=_ids)
def test_each_httpx_error_before_the_reply_is_typed_and_stored(
    store: Store, exc: Exception, kind: type[errors.ApiError]
) -> None:
    reply_id, raised = run_reply(store, raising_client(exc))
    assert isinstance(raised, kind), repr(raised)
    assert_sentence(raised)
    row = stored_row(store, reply_id)
    assert row["status"] == MessageStatus.ERROR.value
    assert row["error"] == str(raised)


@pytest.mark.parametrize(("exc", "kind"), HTTPX_FAMILIES, ids=_ids)
def test_each_httpx_error_of_a_get_is_typed(exc: Exception, kind: type[errors.ApiError]) -> None:
    async def go() -> BaseException:
        client = raising_client(exc)()
        try:
            await client.list_models()
        except errors.ApiError as err:
            return err
        finally:
            await client.aclose()
        raise AssertionError("list_models did not raise")

    raised = aio.run(go())
    assert isinstance(raised, kind), repr(raised)
    assert_sentence(raised)


# ---- every httpx exception, after part of the reply arrived -----------------------------------


class _BreaksAfter(httpx.AsyncByteStream):
    def __init__(self, first: bytes, exc: Exception) -> None:
        self.first = first
        self.exc = exc

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        raise self.exc


@pytest.mark.parametrize(("exc", "kind"), HTTPX_FAMILIES, ids=_ids)
def test_each_httpx_error_mid_stream_keeps_the_partial_reply(
    store: Store, exc: Exception, kind: type[errors.ApiError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              stream=_BreaksAfter(PARTIAL_SSE, exc))

    reply_id, raised = run_reply(store, lambda: ChatClient(
        "http://mock.test/api/v1", OPENROUTER_KEY, transport=httpx.MockTransport(handler)))
    assert isinstance(raised, errors.StreamError), repr(raised)
    assert_sentence(raised)
    assert "partial reply was kept" in str(raised)
    row = stored_row(store, reply_id)
    assert (row["content"], row["status"]) == ("Partial", MessageStatus.ERROR.value)


# ---- the same failures, caused for real ---------------------------------------------------------


def test_base_url_with_another_scheme(store: Store) -> None:
    _id, raised = run_reply(store, lambda: ChatClient("ftp://127.0.0.1/api/v1", "test-key"))
    assert isinstance(raised, errors.EndpointError)
    assert "http:// or https://" in str(raised)
    assert raised.hint == "Check the base URL in Settings."


def test_base_url_that_is_not_a_url(store: Store) -> None:
    _id, raised = run_reply(store, lambda: ChatClient("http://[::1/api/v1", "test-key"))
    assert isinstance(raised, errors.EndpointError)
    assert "not a valid URL" in str(raised)


def test_reply_that_cannot_be_decompressed(store: Store) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"this is not gzip",
                              headers={"content-type": "text/event-stream",
                                       "content-encoding": "gzip"})

    _id, raised = run_reply(store, lambda: ChatClient(
        "http://mock.test/api/v1", "test-key", transport=httpx.MockTransport(handler)))
    assert isinstance(raised, errors.NetworkError)
    assert "could not be decoded" in str(raised)


# ---- redirects ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_server() -> Iterator[FakeOpenRouter]:
    """A second server: another origin (another port) that must never see the chat."""
    with FakeOpenRouter() as srv:
        yield srv


@pytest.fixture
def other(other_server: FakeOpenRouter) -> FakeOpenRouter:
    other_server.reset()
    return other_server


def client_for(fake: FakeOpenRouter, key: str = OPENROUTER_KEY) -> Callable[[], ChatClient]:
    return lambda: ChatClient(fake.base_url, key, timeout=5)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_chat_redirected_to_another_origin_is_not_resent(
    fake: FakeOpenRouter, other: FakeOpenRouter, store: Store, status: int
) -> None:
    target = f"{other.base_url}/chat/completions"
    fake.enqueue(redirect(target, status))
    reply_id, raised = run_reply(store, client_for(fake))
    assert isinstance(raised, errors.RedirectError)
    assert raised.location == target
    assert target in str(raised) and "nothing was sent there" in str(raised)
    assert "base URL" in str(raised)
    assert other.requests == []
    assert len(fake.requests) == 1
    assert stored_row(store, reply_id)["status"] == MessageStatus.ERROR.value


@pytest.mark.parametrize("status", [307, 308])
def test_same_origin_307_308_is_followed_once(
    fake: FakeOpenRouter, store: Store, status: int
) -> None:
    fake.enqueue(redirect(f"{fake.base_url}/chat/completions?moved=1", status),
                 text_stream("Moved reply"))
    reply_id, raised = run_reply(store, client_for(fake))
    assert raised is None
    assert stored_row(store, reply_id)["content"] == "Moved reply"
    first, second = fake.requests
    assert second.query == "moved=1" and second.body == first.body
    assert second.headers["authorization"] == f"Bearer {OPENROUTER_KEY}"


def test_same_origin_redirect_is_not_followed_twice(fake: FakeOpenRouter, store: Store) -> None:
    again = f"{fake.base_url}/chat/completions"
    fake.enqueue(redirect(again, 307), redirect(again, 307), text_stream("never"))
    _id, raised = run_reply(store, client_for(fake))
    assert isinstance(raised, errors.RedirectError)
    assert len(fake.requests) == 2


@pytest.mark.parametrize("status", [301, 302, 303])
def test_same_origin_redirect_that_would_drop_the_body_is_refused(
    fake: FakeOpenRouter, store: Store, status: int
) -> None:
    fake.enqueue(redirect(f"{fake.base_url}/chat/completions", status), text_stream("never"))
    _id, raised = run_reply(store, client_for(fake))
    assert isinstance(raised, errors.RedirectError)
    assert f"HTTP {status}" in str(raised)
    assert len(fake.requests) == 1


def test_key_check_redirected_to_another_origin_sends_no_key(
    fake: FakeOpenRouter, other: FakeOpenRouter
) -> None:
    fake.key_response = redirect(f"{other.base_url}/key", 302)

    async def go() -> BaseException:
        client = client_for(fake)()
        try:
            await client.key_info()
        except errors.ApiError as exc:
            return exc
        finally:
            await client.aclose()
        raise AssertionError("key_info did not raise")

    raised = aio.run(go())
    assert all(OPENROUTER_KEY not in str(r.headers) for r in other.requests)
    assert all("authorization" not in r.headers for r in other.requests)
    assert isinstance(raised, errors.RedirectError)
    assert other.requests == []


def test_get_follows_a_same_origin_redirect_with_the_key(fake: FakeOpenRouter) -> None:
    fake.key_response = redirect(f"{fake.base_url}/credits", 301)

    async def go() -> Any:
        client = client_for(fake)()
        try:
            return await client.key_info()
        finally:
            await client.aclose()

    info = aio.run(go())
    assert info.label == ""  # /credits has no label: the answer came from the target
    assert [r.path.rsplit("/", 1)[1] for r in fake.requests] == ["key", "credits"]
    assert fake.requests[1].headers["authorization"] == f"Bearer {OPENROUTER_KEY}"


def test_get_redirect_loop_ends_with_a_clear_error(fake: FakeOpenRouter) -> None:
    fake.key_response = redirect(f"{fake.base_url}/key", 307)

    async def go() -> BaseException:
        client = client_for(fake)()
        try:
            await client.key_info()
        except errors.ApiError as exc:
            return exc
        finally:
            await client.aclose()
        raise AssertionError("key_info did not raise")

    raised = aio.run(go())
    assert isinstance(raised, errors.EndpointError)
    assert "too many times" in str(raised)


# ---- the key never leaks ------------------------------------------------------------------------


def assert_no_key(key: str, *texts: Any) -> None:
    for text in texts:
        blob = text if isinstance(text, str) else json.dumps(text, default=repr)
        assert key not in blob, blob
        # not even the start of it, as a cut-off excerpt would show
        assert key[:12] not in blob, blob


@pytest.mark.parametrize("key", KEYS)
def test_moderation_flagged_input_is_redacted(
    fake: FakeOpenRouter, store: Store, key: str
) -> None:
    fake.enqueue(error_status(403, {"error": {"code": 403, "message": "Input flagged",
                                              "metadata": {"reasons": ["secrets"],
                                                           "flagged_input": f"my key is {key}"}}}))
    reply_id, raised = run_reply(store, client_for(fake, key))
    assert isinstance(raised, errors.ModerationError)
    assert "Flagged text" in str(raised) and "[redacted]" in str(raised)
    assert_no_key(key, str(raised), repr(raised.details), stored_row(store, reply_id))


@pytest.mark.parametrize("key", KEYS)
def test_rate_limit_raw_text_is_redacted_before_it_is_cut(
    fake: FakeOpenRouter, store: Store, key: str
) -> None:
    raw = "Upstream said: " + "x" * 180 + f" key={key} was rate-limited"  # the cut lands in it
    fake.enqueue(error_status(429, {"error": {"code": 429, "message": "Provider returned error",
                                              "metadata": {"raw": raw}}}))
    reply_id, raised = run_reply(store, client_for(fake, key))
    assert isinstance(raised, errors.RateLimited)
    assert "Provider says" in str(raised)
    assert_no_key(key, str(raised), repr(raised.details), stored_row(store, reply_id))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("form", ["object", "string"])
def test_midstream_error_is_redacted_before_it_is_stored(
    fake: FakeOpenRouter, store: Store, key: str, form: str
) -> None:
    error: Any = (
        {"code": 401, "message": f"Key {key} was revoked",
         "metadata": {"raw": {"detail": f"Bearer {key}"}, key: "as a name"}}
        if form == "object" else f"Key {key} was revoked"
    )
    fake.enqueue(sse_events([
        {"id": "g", "model": "m", "choices": [{"delta": {"content": "Partial"}}]},
        {"choices": [], "error": error},
    ]))
    reply_id, raised = run_reply(store, client_for(fake, key))
    assert isinstance(raised, errors.StreamError)
    assert "[redacted]" in str(raised)
    row = stored_row(store, reply_id)
    assert row["content"] == "Partial"
    assert "stream_error" in json.loads(row["extra"])
    assert_no_key(key, str(raised), row)


@pytest.mark.parametrize("key", KEYS)
def test_unexpected_failure_does_not_carry_the_key(store: Store, key: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=PARTIAL_SSE + b"data: [DONE]\n\n")

    def broken_consumer(events: list[Any]) -> None:
        raise RuntimeError(f"consumer failed while holding Authorization: Bearer {key}")

    reply_id, raised = run_reply(
        store,
        lambda: ChatClient("http://mock.test/api/v1", key, transport=httpx.MockTransport(handler)),
        on_events=broken_consumer,
    )
    assert isinstance(raised, errors.ApiError)
    assert "RuntimeError" in str(raised)
    crash_output = "".join(traceback.format_exception(raised))
    row = stored_row(store, reply_id)
    assert row["status"] == MessageStatus.ERROR.value
    assert_no_key(key, str(raised), crash_output, row)


@pytest.mark.parametrize("key", KEYS)
def test_network_error_text_is_redacted(store: Store, key: str) -> None:
    exc = httpx.ProxyError(f"proxy rejected the request with Authorization: Bearer {key}")
    _id, raised = run_reply(store, raising_client(exc, key))
    assert isinstance(raised, errors.NetworkError)
    assert_no_key(key, str(raised), repr(raised))


def test_redact_covers_every_shape_of_the_key() -> None:
    key = "local/secret+abc 123"
    text = f"a {key} b {httpx.URL('http://x/', params={'k': key}).query.decode()} c " + (
        json.dumps({"k": key})
    )
    assert "secret" not in redact(text, key)
    assert redact("use " + "sk-or-v1-" + "0123456789abcdef" + " here", None) == "use [redacted] here"
    assert redact("Authorization: Bearer abcdefgh12345678", None) == (
        "Authorization: Bearer [redacted]"
    )
    assert redact("short key abc stays", "abc") == "short key abc stays"  # too short to be one


def test_cancel_is_not_translated(store: Store) -> None:
    """Stop is not an error: CancelledError passes the boundary untouched."""
    started = asyncio.Event()

    class _Slow(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield PARTIAL_SSE
            started.set()
            await asyncio.sleep(30)
            yield b""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              stream=_Slow())

    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Hello?", model="m")

    async def go() -> None:
        client = ChatClient("http://mock.test/api/v1", "test-key",
                            transport=httpx.MockTransport(handler))
        task = asyncio.ensure_future(ReplyRun(store, client, ex.reply, ex.payload).run())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()

    aio.run(go())
    row = stored_row(store, ex.reply.id)
    assert (row["content"], row["status"]) == ("Partial", MessageStatus.STOPPED.value)


@pytest.mark.parametrize("key", ["sk-or-v1-tést-0000", "sk-or-v1-test 0000", "sk-or-v1-\u2028x"])
def test_a_key_no_header_can_carry_is_a_sentence_not_a_crash(key: str) -> None:
    """A key with accents, spaces or odd characters (e.g. from $OPENROUTER_API_KEY) used to
    raise UnicodeEncodeError deep in httpx; now it is a ConfigError that names no key."""
    with pytest.raises(errors.ConfigError) as info:
        ChatClient("https://openrouter.example/api/v1", key)
    assert "openrouter.example" in str(info.value)
    assert key not in str(info.value)


# ---- what the GET endpoints and odd answers turn into -----------------------------------------


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response],
    base_url: str = "http://mock.test/api/v1",
) -> ChatClient:
    return ChatClient(base_url, OPENROUTER_KEY, transport=httpx.MockTransport(handler))


def get_outcome(client: ChatClient, call: Callable[[ChatClient], Any]) -> Any:
    """What an awaited GET of `client` returns, or the ApiError it raises."""

    async def go() -> Any:
        try:
            return await call(client)
        except errors.ApiError as exc:
            return exc
        finally:
            await client.aclose()

    return aio.run(go())


def key_check_answered(status: int, body: bytes = b"", ctype: str = "application/json") -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": ctype})

    return get_outcome(mock_client(handler), lambda c: c.key_info())


def test_key_check_rejected_with_400_says_why() -> None:
    body = b'{"error":{"code":400,"message":"Invalid key format"}}'
    raised = key_check_answered(400, body)
    assert isinstance(raised, errors.HttpStatusError), repr(raised)
    assert "rejected as invalid (HTTP 400): Invalid key format." in str(raised)


@pytest.mark.parametrize(
    ("status", "wording"),
    [
        (401, "The API key was not accepted (HTTP 401)."),
        (402, "Your account does not have enough credits for this request (HTTP 402)."),
        (403, "The message was blocked by moderation (HTTP 403)."),
        (404, "The endpoint or model was not found (HTTP 404)."),
        (502, "The model is down or returned an invalid reply (HTTP 502)."),
    ],
)
def test_each_status_has_its_own_sentence(status: int, wording: str) -> None:
    raised = key_check_answered(status)
    assert str(raised) == wording


def test_plain_text_error_page_is_not_called_html() -> None:
    body = b"upstream connect error or disconnect/reset before headers"
    raised = key_check_answered(503, body, "text/plain")
    assert isinstance(raised, errors.UpstreamError)
    assert str(raised).startswith("No provider is available for this model right now (HTTP 503)")
    assert "HTML" not in str(raised)


def test_long_json_error_body_is_still_understood() -> None:
    # Up to 64 KiB of an error body is read: a long provider dump keeps its message.
    head = b'{"error":{"code":400,"message":"Context too long","metadata":{"raw":"'
    tail = b'"}}}'
    body = head + b"x" * (64 * 1024 - len(head) - len(tail)) + tail
    assert len(body) == 64 * 1024
    raised = key_check_answered(400, body)
    assert "Context too long" in str(raised)


def test_get_follows_a_chain_of_five_same_origin_redirects() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        hop = len(paths)
        if hop <= 5:
            return httpx.Response(307, headers={"location": f"/api/v1/hop{hop}"})
        return httpx.Response(200, json={"data": {"label": "moved", "usage": 2}})

    info = get_outcome(mock_client(handler), lambda c: c.key_info())
    assert isinstance(info, KeyInfo), repr(info)
    assert info.label == "moved"
    assert paths[-1] == "/api/v1/hop5" and len(paths) == 6


def test_redirect_to_the_default_port_is_another_origin() -> None:
    """https://host:442 and https://host (port 443) are different servers: no key goes there."""
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(307, headers={"location": "https://api.test/api/v1/key"})

    raised = get_outcome(mock_client(handler, "https://api.test:442/api/v1"),
                         lambda c: c.key_info())
    assert isinstance(raised, errors.RedirectError), repr(raised)
    assert [u.port for u in seen] == [442]


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (httpx.ConnectError("Network is unreachable"), "Network is unreachable"),
        (httpx.ConnectError(""), "ConnectError"),
    ],
    ids=["with-text", "without-text"],
)
def test_network_error_names_its_cause(exc: Exception, shown: str) -> None:
    raised = get_outcome(raising_client(exc)(), lambda c: c.list_models())
    assert isinstance(raised, errors.NetworkError)
    assert str(raised) == f"Could not connect to mock.test: {shown}."


def test_models_keep_their_name_and_input_kinds() -> None:
    models = {"data": [
        {"id": "openai/gpt-4o", "name": "OpenAI: GPT-4o",
         "architecture": {"input_modalities": ["text", "image"]}},
        {"id": "plain/model"},
    ]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=models)

    listed = get_outcome(mock_client(handler), lambda c: c.list_models())
    assert [(m.id, m.name, m.input_modalities) for m in listed] == [
        ("openai/gpt-4o", "OpenAI: GPT-4o", ("text", "image")),
        ("plain/model", "plain/model", ()),
    ]


def test_key_description_shows_what_was_spent() -> None:
    assert KeyInfo("work", 10.0, 7.5, 2.5, False).describe() == (
        "Key “work”, $7.50 of $10.00 left, $2.50 used"
    )
    assert KeyInfo("", None, None, None, True).describe() == (
        "Key is valid, no spending limit, free tier"
    )


def chat_answered(store: Store, response: httpx.Response) -> tuple[dict[str, Any], Any]:
    """The stored reply and the error (or None) of one exchange answered with `response`."""
    reply_id, raised = run_reply(
        store, lambda: mock_client(lambda request: response)
    )
    return stored_row(store, reply_id), raised


@pytest.mark.parametrize("junk", [b"0 results; see the proxy log", b"Service paused"])
def test_200_with_junk_that_is_not_html_is_not_blamed_on_the_model(
    store: Store, junk: bytes
) -> None:
    response = httpx.Response(200, content=junk, headers={"content-type": "text/plain"})
    row, raised = chat_answered(store, response)
    assert isinstance(raised, errors.HttpStatusError), repr(raised)
    assert not isinstance(raised, errors.UpstreamError)
    assert "(HTTP 200)" in str(raised)
    assert row["status"] == MessageStatus.ERROR.value


class _InPieces(httpx.AsyncByteStream):
    """A body that arrives in 64 KiB reads, as from a real socket."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._body), 64 * 1024):
            yield self._body[start:start + 64 * 1024]


def test_large_non_streamed_reply_arrives_whole(store: Store) -> None:
    # e.g. a generated image inlined as base64 by an endpoint that ignores `stream`
    content = "A" * (2 * 1024 * 1024)
    body = json.dumps({"id": "g", "model": "m", "choices": [
        {"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    ]}).encode()
    response = httpx.Response(200, headers={"content-type": "application/json"},
                              stream=_InPieces(body))
    row, raised = chat_answered(store, response)
    assert raised is None, repr(raised)
    assert row["content"] == content
    assert row["status"] == MessageStatus.COMPLETE.value


def test_the_http_status_wins_over_a_code_in_the_body() -> None:
    # Only a 200 carrying an error takes its status from error.code.
    raised = key_check_answered(503, b'{"error":{"code":429,"message":"busy"}}')
    assert isinstance(raised, errors.UpstreamError), repr(raised)
    assert "(HTTP 503)" in str(raised)


def test_free_models_are_told_apart_from_priced_ones() -> None:
    models = {"data": [
        {"id": "vendor/model:free"},
        {"id": "vendor/zero", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "vendor/priced", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
        {"id": "vendor/input-priced", "pricing": {"prompt": "0.000001", "completion": "0"}},
    ]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=models)

    listed = get_outcome(mock_client(handler), lambda c: c.list_models())
    assert {m.id: m.is_free for m in listed} == {
        "vendor/model:free": True, "vendor/zero": True, "vendor/priced": False,
        "vendor/input-priced": False}


def test_another_endpoint_gets_no_openrouter_attribution() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"data": []})

    client = ChatClient("http://mock.test/v1", "test-key", referer="https://parley.example",
                        title="Parley", kind="openai", transport=httpx.MockTransport(handler))
    assert get_outcome(client, lambda c: c.list_models()) == []
    assert "http-referer" not in seen[0] and "x-title" not in seen[0]


def test_key_check_answered_with_junk_is_a_bad_gateway() -> None:
    raised = key_check_answered(200, b"maintenance until noon", "text/plain")
    assert isinstance(raised, errors.UpstreamError), repr(raised)
    assert str(raised) == "The model is down or returned an invalid reply (HTTP 502)."


def test_a_non_streamed_reply_over_16_mib_is_an_error_not_read_without_end(
    store: Store,
) -> None:
    # A reply that big is not a chat answer; reading it whole would only exhaust memory.
    content = "A" * (17 * 1024 * 1024)
    body = json.dumps({"id": "g", "model": "m", "choices": [
        {"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    ]}).encode()
    response = httpx.Response(200, headers={"content-type": "application/json"},
                              stream=_InPieces(body))
    row, raised = chat_answered(store, response)
    assert isinstance(raised, errors.EndpointError), repr(raised)
    # said as what happened, not blamed on a broken model ("invalid reply (HTTP 200)")
    assert "more than 16 MB" in str(raised) and "HTTP 200" not in str(raised)
    assert row["content"] != content
    assert row["status"] == MessageStatus.ERROR.value
