"""A fake OpenRouter API server speaking real HTTP/1.1 on localhost.

Used by the unit, GUI and CLI tests and by the benchmarks. It is written directly on
``asyncio.start_server`` (no server framework) so that chunk boundaries, stalls, abrupt cuts
and -- most importantly -- the moment a client goes away are under exact control. The server
runs its own event loop in a daemon thread, so it works the same under plain pytest, under
qasync (GUI tests) and for subprocesses (``parley ask``) that get ``base_url``.

In-process use::

    with FakeOpenRouter() as server:
        server.enqueue(text_stream("Hi there", delay=0.01), error_status(429))
        ...  # point the client at server.base_url ("http://127.0.0.1:PORT/api/v1")
        server.wait_for_requests(2)
        assert server.requests[0].json()["stream"] is True

Stopping a stream::

    server.enqueue(stall("Partial", seconds=30))
    ...  # client starts streaming, then the user clicks Stop
    gone = server.wait_for_disconnect(timeout=2)   # Disconnect(at=perf_counter(), ...)
    latency_ms = (gone.at - t_click) * 1000

While a streamed body is being written (or the stream is stalled) a second task reads the
client socket; EOF or a reset is recorded in ``server.disconnects`` the moment it arrives,
not at the next write, and the stream stops.

Standalone use (serves until Ctrl-C, prints the base URL on the first line)::

    python -m tests.fake_openrouter --port 8199 --scenario slow

Scenarios (the answer to every POST /chat/completions): normal, slow, stall, cut, done-hold,
error-401, error-429, error-500 (any error-NNN works), html, midstream-error, big, many-chunks,
math (inline and display formulas, a list, a table and code), image (a generated PNG in ``delta.images``) and replay:<fixture-name> (e.g. replay:pydantic-ai__test_openrouter_stream_error__0).

Per-model scenarios: ``server.by_model["a/model"] = slow_stream()`` answers every request
for that model id with that response, whatever the queue holds.

Endpoints under ``/api/v1``: POST /chat/completions (by model, then queue, then default), GET /models,
GET /key (401 without ``Bearer <key>`` or for the key ``bad-key``), GET /generation?id=...,
GET /credits; anything else is a 404 in OpenRouter's error shape.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import enum
import http
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs

__all__ = [
    "DEFAULT",
    "FIXTURES_DIR",
    "Disconnect",
    "FakeOpenRouter",
    "RecordedRequest",
    "Response",
    "big_reply",
    "cut_stream",
    "done_then_hold",
    "error_status",
    "fixtures_available",
    "html_error",
    "image_completion",
    "image_model",
    "image_stream",
    "json_body",
    "many_chunks",
    "midstream_error",
    "png_bytes",
    "redirect",
    "refuse_connection_port",
    "replay",
    "scenario",
    "slow_stream",
    "sse_events",
    "stall",
    "text_stream",
]

# The repository lives at /work/main and CI clones it with shared/ beside it.
FIXTURES_DIR: Path = Path(__file__).resolve().parents[2] / "shared" / "openrouter" / "fixtures"

API_PREFIX = "/api/v1"
DEFAULT_TEXT = "Hello from the fake server."
_COMMENT = b": OPENROUTER PROCESSING\n\n"
# Consecutive writes with no pause between them are sent as one HTTP chunk of at most this
# size: big enough that the server is never the bottleneck in benchmarks, small enough that
# a disconnect is still noticed between batches.
_MAX_BATCH = 256 * 1024
_MAX_HEAD = 64 * 1024


def fixtures_available() -> bool:
    """True when the recorded OpenRouter fixtures (shared/openrouter/fixtures) are present."""
    return (FIXTURES_DIR / "recorded").is_dir() and (FIXTURES_DIR / "docs-examples").is_dir()


def refuse_connection_port() -> int:
    """A localhost port with nothing listening on it (for "connection refused" tests).

    The OS hands out a free ephemeral port, which is released at once; it will not be reused
    for a listener in the short time a test needs it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------------------------
# Recorded traffic


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the query string, e.g. "/api/v1/chat/completions"
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    connection: int = 0  # id of the TCP connection it came on (equal ids = keep-alive reuse)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Disconnect:
    at: float  # time.perf_counter() when the server noticed
    path: str
    chunks_sent: int  # SSE events fully written before the client went away


# --------------------------------------------------------------------------------------------
# Responses


@dataclass(frozen=True, slots=True)
class _Write:
    data: bytes
    events: int = 0  # how many SSE events `data` completes (comments do not count)


@dataclass(frozen=True, slots=True)
class _Pause:
    seconds: float


_Step = _Write | _Pause

# How a streamed body ends: "finish" = chunked terminator, connection kept alive;
# "close" = terminator, then the server closes; "cut" = close without the terminator.
EndMode = Literal["finish", "close", "cut"]


def _frame(data: bytes) -> bytes:
    return b"%X\r\n%s\r\n" % (len(data), data)


def _compile(steps: Iterable[_Step]) -> tuple[_Step, ...]:
    """Pre-frame a stream as HTTP chunks once, merging writes that have no pause between."""
    plan: list[_Step] = []
    pending: list[bytes] = []
    pending_len = 0
    pending_events = 0

    def flush() -> None:
        nonlocal pending_len, pending_events
        if pending:
            plan.append(_Write(_frame(b"".join(pending)), pending_events))
            pending.clear()
            pending_len = 0
            pending_events = 0

    for step in steps:
        if isinstance(step, _Pause):
            flush()
            if step.seconds > 0:
                plan.append(step)
            continue
        if not step.data:
            continue
        if pending_len + len(step.data) > _MAX_BATCH:
            flush()
        pending.append(step.data)
        pending_len += len(step.data)
        pending_events += step.events
    flush()
    return tuple(plan)


class Response:
    """One answer of the fake server: a plain body (Content-Length) or a chunked stream.

    Build these with the module's factory functions. A Response is immutable once built and
    may be served any number of times (``set_default``); a stream is framed once, up front.
    ``completion`` is an alternative JSON body served instead of the stream when the request
    says ``"stream": false`` (text_stream sets it, mirroring the real API).
    """

    __slots__ = ("body", "completion", "end", "headers", "plan", "status")

    def __init__(
        self,
        status: int = 200,
        headers: Sequence[tuple[str, str]] = (),
        *,
        body: bytes | None = None,
        steps: Iterable[_Step] | None = None,
        end: EndMode = "finish",
        completion: bytes | None = None,
    ) -> None:
        if (body is None) == (steps is None):
            raise ValueError("a Response has either a body or stream steps")
        self.status = status
        self.headers: tuple[tuple[str, str], ...] = tuple(headers)
        self.body = body
        self.plan: tuple[_Step, ...] | None = None if steps is None else _compile(steps)
        self.end: EndMode = end
        self.completion = completion

    @property
    def streaming(self) -> bool:
        return self.plan is not None

    def __repr__(self) -> str:
        kind = "stream" if self.plan is not None else f"{len(self.body or b'')} bytes"
        return f"<Response {self.status} {kind} end={self.end}>"


class _Sentinel(enum.Enum):
    DEFAULT = "DEFAULT"


DEFAULT = _Sentinel.DEFAULT  # "use realistic usage numbers" for text_stream(usage=...)

UsageShape = Literal["empty_choices", "null_finish", "repeat_stop"]

_SSE_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache"),
    ("access-control-allow-origin", "*"),
    ("vary", "Accept-Encoding"),
)
_JSON_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-type", "application/json"),
    ("access-control-allow-origin", "*"),
)


def _dumps(obj: Any) -> bytes:
    # Compact and UTF-8, like the recorded OpenRouter traffic.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _data(obj: Any, nl: bytes = b"\n") -> bytes:
    return b"data: " + _dumps(obj) + nl + nl


def _done(nl: bytes = b"\n") -> bytes:
    return b"data: [DONE]" + nl + nl


class _Chat:
    """Builds chat.completion.chunk objects that look like OpenRouter's."""

    def __init__(self, model: str, provider: str, generation_id: str) -> None:
        self.model = model
        self.provider = provider
        self.generation_id = generation_id
        self.created = int(time.time())

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.generation_id,
            "provider": self.provider,
            "model": self.model,
            "object": "chat.completion.chunk",
            "created": self.created,
            "choices": choices,
        }
        obj.update(extra)
        return obj

    @staticmethod
    def choice(
        content: str = "", finish: str | None = None, native: str | None = None
    ) -> dict[str, Any]:
        return {
            "index": 0,
            "delta": {"role": "assistant", "content": content},
            "finish_reason": finish,
            "native_finish_reason": native,
            "logprobs": None,
        }

    def content(self, text: str) -> bytes:
        return _data(self.chunk([self.choice(text)]))

    def finish(self, reason: str) -> bytes:
        return _data(self.chunk([self.choice("", reason, reason)]))

    def usage(self, usage: dict[str, Any], shape: UsageShape, finish_reason: str) -> bytes:
        if shape == "empty_choices":
            choices: list[dict[str, Any]] = []
        elif shape == "null_finish":
            choices = [self.choice("")]
        elif shape == "repeat_stop":
            choices = [self.choice("", finish_reason, finish_reason)]
        else:
            raise ValueError(f"unknown usage_shape {shape!r}")
        return _data(self.chunk(choices, usage=usage))

    def completion(self, text: str, finish_reason: str, usage: dict[str, Any] | None) -> bytes:
        obj: dict[str, Any] = {
            "id": self.generation_id,
            "provider": self.provider,
            "model": self.model,
            "object": "chat.completion",
            "created": self.created,
            "choices": [
                {
                    "logprobs": None,
                    "finish_reason": finish_reason,
                    "native_finish_reason": finish_reason,
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": text,
                        "refusal": None,
                        "reasoning": None,
                    },
                }
            ],
        }
        if usage is not None:
            obj["usage"] = usage
        return _dumps(obj)


def _realistic_usage(completion_tokens: int, prompt_tokens: int = 12) -> dict[str, Any]:
    # gpt-4o-mini prices: $0.15 / $0.60 per million tokens.
    prompt_cost = round(prompt_tokens * 0.15e-6, 10)
    completion_cost = round(completion_tokens * 0.6e-6, 10)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": round(prompt_cost + completion_cost, 10),
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": prompt_cost,
            "upstream_inference_completions_cost": completion_cost,
        },
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    }


def _split_text(text: str, chunks: int | None) -> list[str]:
    if not text:
        return []
    if chunks is None:
        # Word-ish tokens with their leading whitespace, like real streams (" on", " your").
        return re.findall(r"\s*\S+|\s+", text)
    n = max(1, min(chunks, len(text)))
    size, extra = divmod(len(text), n)
    pieces: list[str] = []
    pos = 0
    for i in range(n):
        step = size + (1 if i < extra else 0)
        pieces.append(text[pos : pos + step])
        pos += step
    return pieces


class _Steps:
    """Accumulates stream steps, inserting `delay` between consecutive writes."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.steps: list[_Step] = []
        self._started = False

    def write(self, data: bytes, events: int = 1) -> None:
        if self._started and self.delay > 0:
            self.steps.append(_Pause(self.delay))
        self.steps.append(_Write(data, events))
        self._started = True

    def comment(self) -> None:
        self.write(_COMMENT, events=0)

    def pause(self, seconds: float) -> None:
        self.steps.append(_Pause(seconds))


def _chat_prefix(chat: _Chat, steps: _Steps, comments: int, pieces: Iterable[str]) -> int:
    """Comments, the role chunk and the content chunks; returns how many content chunks."""
    for _ in range(comments):
        steps.comment()
    steps.write(chat.content(""))  # role chunk with empty content, as OpenRouter sends first
    count = 0
    for piece in pieces:
        steps.write(chat.content(piece))
        count += 1
    return count


def text_stream(
    text: str = DEFAULT_TEXT,
    *,
    chunks: int | None = None,
    delay: float = 0.0,
    model: str = "openai/gpt-4o-mini",
    provider: str = "OpenAI",
    usage: dict[str, Any] | _Sentinel | None = DEFAULT,
    usage_shape: UsageShape = "null_finish",
    done: bool = True,
    comments: int = 2,
    finish_reason: str = "stop",
    generation_id: str = "gen-fake-1",
) -> Response:
    """A normal OpenRouter stream: comments, role chunk, content, finish, usage, [DONE].

    ``usage_shape`` picks how the usage arrives: "null_finish" (what OpenRouter sends today:
    one choice with finish_reason null), "empty_choices" (``choices: []``, OpenAI style) or
    "repeat_stop" (finish_reason "stop" repeated). ``delay`` is slept between events.
    """
    chat = _Chat(model, provider, generation_id)
    pieces = _split_text(text, chunks)
    usage_obj = _realistic_usage(max(1, len(pieces))) if usage is DEFAULT else usage
    assert not isinstance(usage_obj, _Sentinel)
    steps = _Steps(delay)
    _chat_prefix(chat, steps, comments, pieces)
    steps.write(chat.finish(finish_reason))
    if usage_obj is not None:
        steps.write(chat.usage(usage_obj, usage_shape, finish_reason))
    if done:
        steps.write(_done())
    return Response(
        200,
        _SSE_HEADERS,
        steps=steps.steps,
        completion=chat.completion(text, finish_reason, usage_obj),
    )


MATH_TEXT = r"""The quadratic $ax^2 + bx + c = 0$ has roots
$$x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}$$
and a rotation by \(\theta\) is

\[R(\theta) = \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix}\]

Steps:
1. Sum: $\sum_{i=1}^{n} i = \frac{n(n+1)}{2}$, with $x_1$ and $y^2$ inline.
2. It costs $5 and $10 with tax (not math).
   - nested $\alpha_i \le \beta$

| term | value |
|---|--:|
| $e^{i\pi}$ | $-1$ |

```python
print("x = $5")
```
"""


def math_stream() -> Response:
    """A reply with inline and display math, a list, a table and code (for screenshots)."""
    return text_stream(MATH_TEXT, chunks=40)


def slow_stream(words: int = 200, delay: float = 0.05) -> Response:
    """``words`` words, one event each, ``delay`` seconds apart (a "long answer" to stop)."""
    vocab = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while"]
    # Every tenth word carries its index so a partial answer shows how far it got.
    text = " ".join(
        f"{w}{i}" if i % 10 == 9 else w for i, w in zip(range(words), itertools.cycle(vocab))
    )
    return text_stream(text, delay=delay)


def stall(after_text: str = "Partial", *, seconds: float = 30.0) -> Response:
    """Some content, then silence for ``seconds`` (the disconnect watcher keeps running),
    then a normal end."""
    chat = _Chat("openai/gpt-4o-mini", "OpenAI", "gen-fake-stall")
    steps = _Steps()
    n = _chat_prefix(chat, steps, 1, _split_text(after_text, None))
    steps.pause(seconds)
    steps.write(chat.finish("stop"))
    steps.write(chat.usage(_realistic_usage(max(1, n)), "null_finish", "stop"))
    steps.write(_done())
    return Response(200, _SSE_HEADERS, steps=steps.steps)


def cut_stream(after_text: str = "Partial answer") -> Response:
    """Content chunks, then the connection is closed with no [DONE] and no chunked
    terminator (httpx raises RemoteProtocolError)."""
    chat = _Chat("openai/gpt-4o-mini", "OpenAI", "gen-fake-cut")
    steps = _Steps()
    _chat_prefix(chat, steps, 1, _split_text(after_text, None))
    return Response(200, _SSE_HEADERS, steps=steps.steps, end="cut")


def done_then_hold(text: str = "Complete answer", *, seconds: float = 30.0) -> Response:
    """A whole reply ending in [DONE], then the connection held open for ``seconds``
    before the chunked terminator (a server or proxy that lingers after the end marker)."""
    chat = _Chat("openai/gpt-4o-mini", "OpenAI", "gen-fake-hold")
    steps = _Steps()
    n = _chat_prefix(chat, steps, 1, _split_text(text, None))
    steps.write(chat.finish("stop"))
    steps.write(chat.usage(_realistic_usage(max(1, n)), "null_finish", "stop"))
    steps.write(_done())
    steps.pause(seconds)
    return Response(200, _SSE_HEADERS, steps=steps.steps)


def _is_event(data: bytes) -> int:
    return 1 if re.search(rb"(?:^|[\r\n])data:", data) else 0


def sse_events(
    events: Sequence[str | bytes | dict[str, Any]],
    *,
    delay: float = 0.0,
    crlf: bool = False,
    done: bool = True,
) -> Response:
    """Raw SSE: dicts become ``data: <json>`` events; str/bytes are written as given.

    With ``crlf=True`` dict events, [DONE] and the bare "\\n" line ends inside str items use
    "\\r\\n"; bytes items are never touched (the escape hatch for exact wire bytes).
    """
    nl = b"\r\n" if crlf else b"\n"
    steps = _Steps(delay)
    for item in events:
        if isinstance(item, dict):
            steps.write(_data(item, nl))
        elif isinstance(item, str):
            text = re.sub(r"(?<!\r)\n", "\r\n", item) if crlf else item
            data = text.encode()
            steps.write(data, _is_event(data))
        else:
            steps.write(item, _is_event(item))
    if done:
        steps.write(_done(nl))
    return Response(200, _SSE_HEADERS, steps=steps.steps)


# Messages from the OpenAPI examples of chat-completions errors (docs-examples/).
_ERROR_MESSAGES: dict[int, str] = {
    400: "Invalid request parameters",
    401: "Missing Authentication header",
    402: "Insufficient credits. Add more using https://openrouter.ai/credits",
    404: "Resource not found",
    408: "Operation timed out. Please try again later.",
    413: "Request payload too large",
    422: "Invalid argument",
    429: "Rate limit exceeded",
    500: "Internal Server Error",
    502: "Provider returned error",
    503: "Service temporarily unavailable",
    524: "Request timed out. Please try again later.",
    529: "Provider returned error",
}


def _default_error_body(status: int) -> dict[str, Any]:
    if status == 403:
        return {
            "error": {
                "code": 403,
                "message": "openai/gpt-4o-mini requires moderation on OpenAI. Your input was"
                ' flagged for "harassment". No credits were charged.',
                "metadata": {
                    "reasons": ["harassment"],
                    "flagged_input": "You are a worthless...",
                    "provider_name": "OpenAI",
                    "model_slug": "openai/gpt-4o-mini",
                },
            }
        }
    if status == 429:
        # Shape of the recorded pydantic-ai errors_raised interactions.
        return {
            "error": {
                "code": 429,
                "message": "Provider returned error",
                "metadata": {
                    "provider_name": "Google",
                    "raw": "google/gemini-2.0-flash-exp:free is temporarily rate-limited"
                    " upstream. Please retry shortly, or add your own key to accumulate your"
                    " rate limits: https://openrouter.ai/settings/integrations",
                },
            },
            "user_id": "user_2wT5ElBE4Es3R4QrNLpZiXICmQP",
        }
    message = _ERROR_MESSAGES.get(status) or _reason(status)
    return {"error": {"code": status, "message": message}}


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return _dumps(body)


def error_status(
    status: int,
    body: dict[str, Any] | str | bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Response:
    """A non-streamed error. ``body=None`` gives OpenRouter's ``{"error": {code, message}}``
    (403 adds moderation metadata, 429 adds ``metadata.raw``)."""
    data = _body_bytes(_default_error_body(status) if body is None else body)
    hdrs = [("content-type", content_type), ("access-control-allow-origin", "*")]
    hdrs += list((headers or {}).items())
    return Response(status, hdrs, body=data)


def html_error(status: int = 502) -> Response:
    """An HTML page such as Cloudflare or a proxy returns instead of JSON."""
    title = f"{status} {_reason(status)}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return Response(
        status,
        [("content-type", "text/html; charset=UTF-8"), ("server", "cloudflare")],
        body=page.encode(),
    )


def redirect(location: str, status: int = 307) -> Response:
    """A redirect to ``location`` (absolute, or relative to the request) with an empty body."""
    return Response(status, [("location", location), ("content-type", "text/plain")], body=b"")


def json_body(obj: Any, status: int = 200) -> Response:
    """Plain JSON with Content-Length (a non-streamed completion, a 200 error body, ...)."""
    return Response(status, _JSON_HEADERS, body=_body_bytes(obj))


MidstreamShape = Literal[
    "numeric_code", "string_code", "empty_choices", "with_usage_null_finish", "no_done",
    "then_hold",
]


def midstream_error(shape: MidstreamShape) -> Response:
    """HTTP 200 stream that reports an error inside the stream after "Partial text "."""
    chat = _Chat("openai/gpt-4o", "OpenAI", "gen-fake-midstream")
    steps = _Steps()
    _chat_prefix(chat, steps, 1, ["Partial", " text "])
    error_choice = chat.choice("", "error", "error")
    end: EndMode = "finish"
    done = True
    if shape == "numeric_code":  # docs-midstream-error.sse
        err = {
            "code": 429,
            "message": "Rate limit exceeded",
            "metadata": {"error_type": "rate_limit_exceeded"},
        }
        event = chat.chunk([error_choice], error=err)
    elif shape == "string_code":  # docs-streaming-page-midstream-error.sse
        err = {"code": "server_error", "message": "Provider disconnected unexpectedly"}
        event = chat.chunk([error_choice], error=err)
    elif shape == "empty_choices":
        event = chat.chunk([], error={"code": 502, "message": "Provider returned error"})
    elif shape == "with_usage_null_finish":  # recorded pydantic-ai stream_error__0
        event = chat.chunk(
            [chat.choice("")],
            error={"code": 400, "message": "Token limit reached"},
            usage=_realistic_usage(2, 43),
        )
    elif shape == "no_done":
        err = {"code": 500, "message": "Internal Server Error"}
        event = chat.chunk([error_choice], error=err)
        end, done = "close", False
    elif shape == "then_hold":  # an upstream that reports the error, then hangs
        err = {"code": 502, "message": "Provider returned error"}
        event = chat.chunk([error_choice], error=err)
        done = False
    else:
        raise ValueError(f"unknown midstream_error shape {shape!r}")
    steps.write(_data(event))
    if done:
        steps.write(_done())
    if shape == "then_hold":
        steps.pause(30.0)
    headers = _SSE_HEADERS if end == "finish" else (*_SSE_HEADERS, ("connection", "close"))
    return Response(200, headers, steps=steps.steps, end=end)


def big_reply(size_bytes: int = 5_000_000, chunk_chars: int = 2000) -> Response:
    """A streamed reply whose content totals ``size_bytes`` (ASCII, so chars == bytes)."""
    paragraph = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. **Ut enim** ad minim veniam, quis "
        "nostrud `exercitation` ullamco laboris nisi ut aliquip ex ea commodo consequat.\n\n"
    )
    text = (paragraph * (size_bytes // len(paragraph) + 1))[:size_bytes]
    chat = _Chat("openai/gpt-4o-mini", "OpenAI", "gen-fake-big")
    steps = _Steps()
    pieces = [text[i : i + chunk_chars] for i in range(0, len(text), chunk_chars)]
    _chat_prefix(chat, steps, 1, pieces)
    steps.write(chat.finish("stop"))
    steps.write(chat.usage(_realistic_usage(size_bytes // 4), "null_finish", "stop"))
    steps.write(_done())
    return Response(200, _SSE_HEADERS, steps=steps.steps)


def many_chunks(n: int = 50_000, text: str = "tok ") -> Response:
    """``n`` identical content chunks as fast as possible, then finish, usage and [DONE].

    Every content event is the same bytes, so the whole body is built by repetition and
    framed into large HTTP chunks once; serving it costs the server almost nothing.
    """
    chat = _Chat("openai/gpt-4o-mini", "OpenAI", "gen-fake-many")
    event = chat.content(text)
    per_batch = max(1, _MAX_BATCH // len(event))
    steps = _Steps()
    steps.comment()
    steps.write(chat.content(""))
    full, rest = divmod(n, per_batch)
    batch = event * per_batch
    for _ in range(full):
        steps.write(batch, per_batch)
    if rest:
        steps.write(event * rest, rest)
    steps.write(chat.finish("stop"))
    steps.write(chat.usage(_realistic_usage(n), "null_finish", "stop"))
    steps.write(_done())
    return Response(200, _SSE_HEADERS, steps=steps.steps)


def png_bytes(width: int = 4, height: int = 3, *, seed: int = 0) -> bytes:
    """A real (tiny, valid) PNG of ``width`` x ``height``; ``seed`` changes its pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = bytes([0]) + bytes((seed + x) % 256 for x in range(width * 3))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def _image_part(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def image_stream(
    urls: Sequence[str],
    text: str = "Here is your picture.",
    *,
    model: str = "google/gemini-2.5-flash-image",
    split: int | None = None,
    hold_after_images: float = 0.0,
) -> Response:
    """A streamed reply whose images arrive in ``delta.images``, one chunk per image after
    the first half of the text (as OpenRouter sends them), then the rest of the text.

    ``urls`` are sent as given (data URLs, https URLs, or hostile values). ``split`` cuts
    the whole body into pieces of that many bytes, each its own HTTP chunk, so events and
    even base64 payloads are split anywhere. ``hold_after_images`` pauses after the images
    (a reply still streaming when the client is killed).
    """
    chat = _Chat(model, "Google", "gen-fake-image")
    half = len(text) // 2
    events: list[bytes] = [_COMMENT, chat.content(""), chat.content(text[:half])]
    for url in urls:
        choice = chat.choice("")
        choice["delta"]["images"] = [_image_part(url)]
        events.append(_data(chat.chunk([choice])))
    after = [chat.content(text[half:]), chat.finish("stop"),
             chat.usage(_realistic_usage(5), "null_finish", "stop"), _done()]
    steps = _Steps()
    if split is None:
        for event in events:
            steps.write(event, _is_event(event))
    else:
        raw = b"".join(events)
        for pos in range(0, len(raw), split):
            steps.write(raw[pos:pos + split], 0)
            steps.pause(0.001)
    if hold_after_images:
        steps.pause(hold_after_images)
    for event in after:
        steps.write(event)
    completion = image_completion(urls, text, model=model).body
    return Response(200, _SSE_HEADERS, steps=steps.steps, completion=completion)


def image_completion(
    urls: Sequence[str], text: str = "Here is your picture.", *,
    model: str = "google/gemini-2.5-flash-image",
) -> Response:
    """A non-streamed completion whose ``message.images`` carries ``urls``."""
    chat = _Chat(model, "Google", "gen-fake-image")
    obj = json.loads(chat.completion(text, "stop", _realistic_usage(5)))
    obj["choices"][0]["message"]["images"] = [_image_part(url) for url in urls]
    return json_body(obj)


def image_model(model_id: str = "google/gemini-2.5-flash-image") -> dict[str, Any]:
    """A /models entry for a model that outputs images (add it to ``server.models``)."""
    entry = copy.deepcopy(_BUILTIN_MODELS[0])
    entry.update(id=model_id, canonical_slug=model_id, name=f"Image: {model_id}")
    entry["architecture"] = {
        "modality": "text+image->text+image",
        "input_modalities": ["image", "text"],
        "output_modalities": ["image", "text"],
        "tokenizer": "Gemini",
        "instruct_type": None,
    }
    return entry


def _find_fixture(name: str, fixtures_dir: Path) -> Path:
    """The path prefix of a recorded interaction, e.g. ``.../recorded/<name>``."""
    name = name.removesuffix(".response.sse").removesuffix(".response.json")
    for folder in (fixtures_dir / "recorded", fixtures_dir):
        base = folder / name
        for suffix in (".response.sse", ".response.json"):
            if base.with_name(base.name + suffix).is_file():
                return base
    raise FileNotFoundError(f"no recorded fixture {name!r} under {fixtures_dir}")


# Hop-by-hop or framing headers from the recording; the fake server sets its own.
_SKIP_REPLAY_HEADERS = {"transfer-encoding", "connection", "content-length", "content-encoding"}


def replay(name: str, *, delay: float = 0.0, fixtures_dir: Path | None = None) -> Response:
    """Replay a recorded interaction: ``<name>.response.sse`` streamed verbatim event by
    event, or ``<name>.response.json`` with the status and headers from ``<name>.meta.json``."""
    base = _find_fixture(name, fixtures_dir or FIXTURES_DIR)
    meta_path = base.with_name(base.name + ".meta.json")
    meta: dict[str, Any] = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    status = int(meta.get("status", 200))
    headers: list[tuple[str, str]] = []
    for key, values in (meta.get("response_headers") or {}).items():
        if key.lower() in _SKIP_REPLAY_HEADERS:
            continue
        for value in values if isinstance(values, list) else [values]:
            headers.append((key.lower(), str(value)))
    sse = base.with_name(base.name + ".response.sse")
    if sse.is_file():
        raw = sse.read_bytes()
        if not any(k == "content-type" for k, _ in headers):
            headers.append(("content-type", "text/event-stream"))
        steps = _Steps(delay)
        # Split after each blank line so every event is its own write; concatenated, the
        # pieces are exactly the recorded bytes.
        for event in re.findall(rb".*?(?:\r\n\r\n|\n\n|\r\r)|.+", raw, re.DOTALL):
            steps.write(event, _is_event(event))
        return Response(status, headers, steps=steps.steps)
    body = base.with_name(base.name + ".response.json").read_bytes()
    if not any(k == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return Response(status, headers, body=body)


def scenario(name: str, fixtures_dir: Path | None = None) -> Response:
    """The Response for a standalone-mode scenario name (see the module docstring)."""
    if name.startswith("replay:"):
        return replay(name.partition(":")[2], fixtures_dir=fixtures_dir)
    if m := re.fullmatch(r"error-(\d{3})", name):
        return error_status(int(m.group(1)))
    named: dict[str, Callable[[], Response]] = {
        "normal": text_stream,
        "slow": slow_stream,
        "stall": stall,
        "cut": cut_stream,
        "done-hold": done_then_hold,
        "html": html_error,
        "midstream-error": lambda: midstream_error("numeric_code"),
        "big": big_reply,
        "many-chunks": many_chunks,
        "math": math_stream,
        "image": lambda: image_stream(
            ["data:image/png;base64," + base64.b64encode(png_bytes(64, 48)).decode()]
        ),
    }
    if name not in named:
        known = ", ".join([*named, "error-NNN", "replay:NAME"])
        raise ValueError(f"unknown scenario {name!r}; known: {known}")
    return named[name]()


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return {524: "A Timeout Occurred", 529: "Site is overloaded"}.get(status, "Unknown")


# --------------------------------------------------------------------------------------------
# Built-in data for the GET endpoints (used as-is, or to fill in what the fixtures lack)

_CHAT_PARAMS = [
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
    "structured_outputs",
]

_BUILTIN_MODELS: list[dict[str, Any]] = [
    {
        "id": "openai/gpt-4o-mini",
        "canonical_slug": "openai/gpt-4o-mini",
        "name": "OpenAI: GPT-4o-mini",
        "created": 1721260800,
        "description": "GPT-4o mini is OpenAI's newest model after GPT-4 Omni.",
        "context_length": 128000,
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image", "file"],
            "output_modalities": ["text"],
            "tokenizer": "GPT",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": "0.00000015",
            "completion": "0.0000006",
            "request": "0",
            "image": "0.000217",
        },
        "top_provider": {
            "context_length": 128000,
            "max_completion_tokens": 16384,
            "is_moderated": True,
        },
        "per_request_limits": None,
        "supported_parameters": [*_CHAT_PARAMS, "logprobs", "top_logprobs", "logit_bias"],
        "default_parameters": None,
    },
    {
        "id": "anthropic/claude-3.5-sonnet",
        "canonical_slug": "anthropic/claude-3.5-sonnet",
        "name": "Anthropic: Claude 3.5 Sonnet",
        "created": 1729555200,
        "description": "Claude 3.5 Sonnet delivers better-than-Opus capabilities.",
        "context_length": 200000,
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image", "file"],
            "output_modalities": ["text"],
            "tokenizer": "Claude",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": "0.000003",
            "completion": "0.000015",
            "request": "0",
            "image": "0.0048",
        },
        "top_provider": {
            "context_length": 200000,
            "max_completion_tokens": 8192,
            "is_moderated": True,
        },
        "per_request_limits": None,
        "supported_parameters": [
            "max_tokens",
            "temperature",
            "top_p",
            "top_k",
            "stop",
            "tools",
            "tool_choice",
        ],
        "default_parameters": None,
    },
    {
        "id": "meta-llama/llama-3.1-8b-instruct:free",
        "canonical_slug": "meta-llama/llama-3.1-8b-instruct",
        "name": "Meta: Llama 3.1 8B Instruct (free)",
        "created": 1721692800,
        "description": "Meta's latest class of model (Llama 3.1), 8B instruct, free variant.",
        "context_length": 131072,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Llama3",
            "instruct_type": "llama3",
        },
        "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
        "top_provider": {
            "context_length": 131072,
            "max_completion_tokens": 4096,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": ["max_tokens", "temperature", "top_p", "stop", "seed"],
        "default_parameters": None,
    },
]

_BUILTIN_KEY: dict[str, Any] = {
    "data": {
        "label": "sk-or-v1-au7...890",
        "limit": 100,
        "limit_remaining": 74.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": False,
        "usage": 25.5,
        "usage_daily": 25.5,
        "usage_weekly": 25.5,
        "usage_monthly": 25.5,
        "byok_usage": 17.38,
        "is_free_tier": False,
        "is_provisioning_key": False,
        "expires_at": "2027-12-31T23:59:59Z",
    }
}

_BUILTIN_CREDITS: dict[str, Any] = {"data": {"total_credits": 100.5, "total_usage": 25.75}}

_BUILTIN_GENERATION: dict[str, Any] = {
    "data": {
        "id": "gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG",
        "model": "openai/gpt-4o-mini",
        "provider_name": "OpenAI",
        "streamed": True,
        "cancelled": False,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "tokens_prompt": 10,
        "tokens_completion": 25,
        "native_tokens_prompt": 10,
        "native_tokens_completion": 25,
        "total_cost": 0.0015,
        "usage": 0.0015,
        "latency": 1250,
        "generation_time": 1200,
        "created_at": "2024-07-15T23:33:19.433273+00:00",
    }
}


def _load_doc_example(fixtures_dir: Path, name: str, fallback: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = json.loads((fixtures_dir / "docs-examples" / name).read_text())
    except (OSError, ValueError):
        return copy.deepcopy(fallback)
    if not isinstance(loaded, dict):
        return fallback
    return dict(loaded)


def _default_models(fixtures_dir: Path) -> list[dict[str, Any]]:
    doc = _load_doc_example(fixtures_dir, "openapi-example-GET-models.json", {"data": []})
    models = [m for m in doc.get("data", []) if isinstance(m, dict)]
    known = {m.get("id") for m in models}
    models += [copy.deepcopy(m) for m in _BUILTIN_MODELS if m["id"] not in known]
    return models


# --------------------------------------------------------------------------------------------
# HTTP/1.1 connection handling


class _BadRequest(Exception):
    pass


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


class _Conn:
    """A buffered view of one client connection.

    Our own buffer (rather than StreamReader.readuntil) lets the disconnect watcher read the
    socket while a response streams without losing bytes of a pipelined next request.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()
        self.eof = False

    async def fill(self) -> bool:
        """Read more bytes into the buffer; False at EOF or when the peer reset."""
        if self.eof:
            return False
        try:
            data = await self.reader.read(65536)
        except OSError:  # ConnectionResetError and friends: the client is gone just the same
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    async def read_line(self) -> bytes:
        while (idx := self.buf.find(b"\r\n")) < 0:
            if len(self.buf) > _MAX_HEAD or not await self.fill():
                raise _BadRequest("truncated line")
        line = bytes(self.buf[:idx])
        del self.buf[: idx + 2]
        return line

    async def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not await self.fill():
                raise _BadRequest("truncated body")
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    async def read_request(self) -> _Request | None:
        """The next request, or None when the client closed an idle connection."""
        while True:
            while self.buf.startswith(b"\r\n"):  # tolerated between requests (RFC 9112 2.2)
                del self.buf[:2]
            idx = self.buf.find(b"\r\n\r\n")
            if idx >= 0:
                break
            if len(self.buf) > _MAX_HEAD:
                raise _BadRequest("header too large")
            if not await self.fill():
                if self.buf:
                    raise _BadRequest("truncated header")
                return None
        head = bytes(self.buf[:idx]).decode("latin-1")
        del self.buf[: idx + 4]
        request_line, *header_lines = head.split("\r\n")
        try:
            method, target, version = request_line.split(" ")
        except ValueError:
            raise _BadRequest(f"bad request line {request_line!r}") from None
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest(f"bad header line {line!r}")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = _Request(method.upper(), target, version, headers)
        if headers.get("expect", "").lower() == "100-continue":
            self.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            request.body = await self._read_chunked()
        elif length := headers.get("content-length"):
            request.body = await self.read_exact(int(length))
        return request

    async def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.read_line()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while await self.read_line():  # trailers, up to the blank line
                    pass
                return b"".join(parts)
            parts.append(await self.read_exact(size))
            await self.read_line()


def _head(status: int, headers: Iterable[tuple[str, str]], *, close: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{k}: {v}" for k, v in headers if k.lower() != "connection"]
    lines.append(f"connection: {'close' if close else 'keep-alive'}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# --------------------------------------------------------------------------------------------
# The server


class FakeOpenRouter:
    """The fake server; see the module docstring. Thread-safe from the test's side."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, fixtures_dir: Path | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.fixtures_dir = fixtures_dir or FIXTURES_DIR
        self.requests: list[RecordedRequest] = []
        self.disconnects: list[Disconnect] = []
        # Overridable answers of the GET endpoints (restored by reset()).
        self.models: list[dict[str, Any]] = []
        self.key_response: Response | None = None
        self._key_body = _load_doc_example(
            self.fixtures_dir, "openapi-example-GET-key.json", _BUILTIN_KEY
        )
        self._credits_body = _load_doc_example(
            self.fixtures_dir, "openapi-example-GET-credits.json", _BUILTIN_CREDITS
        )
        self._generation_body = _load_doc_example(
            self.fixtures_dir, "openapi-example-GET-generation.json", _BUILTIN_GENERATION
        )
        self._queue: deque[Response] = deque()
        self._default = text_stream()
        # One condition guards the queue and both logs; waiters block on it (no polling).
        self._cond = threading.Condition()
        self._handed_out = 0  # disconnects already returned by wait_for_disconnect
        self._conn_ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._conn_tasks: set[asyncio.Task[None]] = set()
        self._startup_error: BaseException | None = None
        self._reset_overrides()

    # ---- lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def start(self) -> FakeOpenRouter:
        if self._thread is not None:
            raise RuntimeError("FakeOpenRouter already started")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fake-openrouter", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenRouter server did not start within 10 s")
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise self._startup_error
        return self

    def stop(self) -> None:
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None or loop is None or stopping is None:
            return
        with contextlib.suppress(RuntimeError):  # loop already closed
            loop.call_soon_threadsafe(stopping.set)
        thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready))
        except BaseException as exc:  # surfaced to start() (e.g. port already in use)
            self._startup_error = exc
        finally:
            ready.set()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            server.close()
            # Python 3.11's wait_closed() does not wait for (or close) live connections, so
            # end them here: otherwise a 30 s stall would outlive the server.
            tasks = list(self._conn_tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

    # ---- test-side API

    def enqueue(self, *responses: Response) -> None:
        """The next POST /chat/completions get these answers, first in first out."""
        with self._cond:
            self._queue.extend(responses)

    def set_default(self, response: Response) -> None:
        """The answer when the queue is empty."""
        with self._cond:
            self._default = response

    def wait_for_disconnect(self, timeout: float = 5.0) -> Disconnect:
        """Block until a disconnect not yet returned by this method is recorded; return it.

        Successive calls return successive disconnects (one already recorded is returned at
        once). Raises TimeoutError.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.disconnects) > self._handed_out, timeout):
                raise TimeoutError(f"no client disconnect within {timeout} s")
            found = self.disconnects[self._handed_out]
            self._handed_out += 1
            return found

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> None:
        """Block until at least ``n`` requests were received in total; raises TimeoutError."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= n, timeout):
                raise TimeoutError(f"{len(self.requests)} of {n} requests within {timeout} s")

    def reset(self) -> None:
        """Back to a fresh server: empty queue and logs, default answer and GET overrides
        restored (so a session-wide server does not leak state between tests)."""
        with self._cond:
            self._queue.clear()
            self.requests.clear()
            self.disconnects.clear()
            self._handed_out = 0
            self._default = text_stream()
            self._reset_overrides()

    def _reset_overrides(self) -> None:
        self.models = _default_models(self.fixtures_dir)
        self.key_response = None
        # GET /generation: answer 404 this many times first (the record appears with a
        # delay on OpenRouter), and merge these fields into the answer's "data".
        self.generation_missing = 0
        self.generation_fields: dict[str, Any] = {}
        # POST /chat/completions whose "model" is a key here get that answer, every time
        # (before the queue): several models streaming at once each follow their scenario.
        self.by_model: dict[str, Response] = {}

    def _for_model(self, body: bytes) -> Response | None:
        if not self.by_model:
            return None
        try:
            model = json.loads(body).get("model")
        except (ValueError, AttributeError):
            return None
        return self.by_model.get(model) if isinstance(model, str) else None

    # ---- request handling (server thread)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conn_tasks.add(task)
        conn = _Conn(reader, writer)
        conn_id = next(self._conn_ids)
        try:
            while True:
                request = await conn.read_request()
                if request is None:
                    break
                path, _, query = request.target.partition("?")
                with self._cond:
                    self.requests.append(
                        RecordedRequest(
                            request.method, path, query, request.headers, request.body, conn_id
                        )
                    )
                    self._cond.notify_all()
                response = self._route(request.method, path, query, request)
                if not await self._send(conn, path, request, response):
                    break
        except _BadRequest as exc:
            body = _dumps({"error": {"code": 400, "message": f"Bad request: {exc}"}})
            with contextlib.suppress(OSError):
                writer.write(
                    _head(400, [*_JSON_HEADERS, ("content-length", str(len(body)))], close=True)
                    + body
                )
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass  # the client went away between requests: nothing to report
        except asyncio.CancelledError:
            # Only stop() cancels connection tasks. Ending normally instead of re-raising
            # keeps asyncio.streams from logging "Exception in callback" for each one.
            pass
        finally:
            self._conn_tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _route(self, method: str, path: str, query: str, request: _Request) -> Response:
        if not path.startswith(API_PREFIX + "/"):
            return error_status(404, {"error": {"code": 404, "message": "Not Found"}})
        endpoint = path[len(API_PREFIX) :].rstrip("/")
        params = parse_qs(query)
        if endpoint == "/chat/completions":
            if method != "POST":
                return error_status(405, {"error": {"code": 405, "message": "Method Not Allowed"}})
            with self._cond:
                response = self._for_model(request.body)
                if response is None:
                    response = self._queue.popleft() if self._queue else self._default
            if response.completion is not None and not self._wants_stream(request.body):
                return json_body(response.completion)
            return response
        if method != "GET":
            return error_status(405, {"error": {"code": 405, "message": "Method Not Allowed"}})
        if endpoint == "/models":
            return json_body({"data": self.models})
        if endpoint == "/key":
            if self.key_response is not None:
                return self.key_response
            auth = request.headers.get("authorization", "")
            scheme, _, key = auth.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                return error_status(
                    401, {"error": {"code": 401, "message": "No auth credentials found"}}
                )
            if key.strip() == "bad-key":
                return error_status(401, {"error": {"code": 401, "message": "User not found."}})
            return json_body(self._key_body)
        if endpoint == "/credits":
            return json_body(self._credits_body)
        if endpoint == "/generation":
            gen_id = (params.get("id") or [""])[0]
            if not gen_id:
                return error_status(400, {"error": {"code": 400, "message": "Missing id"}})
            with self._cond:
                missing = self.generation_missing > 0
                if missing:
                    self.generation_missing -= 1
            if missing:
                return error_status(
                    404, {"error": {"code": 404, "message": f"Generation {gen_id} not found"}}
                )
            body = copy.deepcopy(self._generation_body)
            body.setdefault("data", {})["id"] = gen_id
            body["data"].update(copy.deepcopy(self.generation_fields))
            return json_body(body)
        return error_status(404, {"error": {"code": 404, "message": "Not Found"}})

    @staticmethod
    def _wants_stream(body: bytes) -> bool:
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            return True
        return bool(parsed.get("stream")) if isinstance(parsed, dict) else True

    async def _send(self, conn: _Conn, path: str, request: _Request, response: Response) -> bool:
        """Write one response; True when the connection may serve another request."""
        if response.plan is None:
            body = response.body or b""
            close = not request.keep_alive
            headers = [*response.headers, ("content-length", str(len(body)))]
            conn.writer.write(_head(response.status, headers, close=close) + body)
            await conn.writer.drain()
            return not close
        return await self._send_stream(conn, path, request, response)

    async def _send_stream(
        self, conn: _Conn, path: str, request: _Request, response: Response
    ) -> bool:
        assert response.plan is not None
        close = response.end != "finish" or not request.keep_alive
        headers = [*response.headers, ("transfer-encoding", "chunked")]
        conn.writer.write(_head(response.status, headers, close=close))
        sent = [0]  # events fully handed to the socket so far (shared with the pump)
        pump = asyncio.create_task(self._pump(conn.writer, response, sent))
        watcher = asyncio.create_task(self._watch(conn))
        try:
            done, _ = await asyncio.wait({pump, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Also reached when the server stops mid-stream (this task gets cancelled).
            for task in (pump, watcher):
                task.cancel()
            await asyncio.gather(pump, watcher, return_exceptions=True)
        if pump in done and pump.exception() is None:
            if response.end == "cut":
                # Flush what was written, then FIN with no chunked terminator.
                return False
            return not close and not conn.eof
        # The client went away: the watcher saw EOF/reset, or a write failed first.
        at = watcher.result() if watcher in done else time.perf_counter()
        with self._cond:
            self.disconnects.append(Disconnect(at=at, path=path, chunks_sent=sent[0]))
            self._cond.notify_all()
        conn.writer.transport.abort()
        return False

    @staticmethod
    async def _pump(writer: asyncio.StreamWriter, response: Response, sent: list[int]) -> None:
        assert response.plan is not None
        for step in response.plan:
            if isinstance(step, _Pause):
                await asyncio.sleep(step.seconds)
                continue
            writer.write(step.data)
            await writer.drain()
            sent[0] += step.events
        if response.end != "cut":
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    @staticmethod
    async def _watch(conn: _Conn) -> float:
        """Return the perf_counter() at which the client closed or reset the connection.

        Any bytes that arrive meanwhile (a pipelined request) stay buffered in `conn`.
        """
        while await conn.fill():
            pass
        return time.perf_counter()


# --------------------------------------------------------------------------------------------
# Standalone mode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_openrouter", description="Fake OpenRouter API server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8199, help="0 picks a free port")
    parser.add_argument(
        "--scenario",
        default="normal",
        help="normal, slow, stall, cut, done-hold, error-401, error-429, error-500, html, "
        "midstream-error, big, many-chunks, replay:<fixture-name>",
    )
    parser.add_argument("--fixtures-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        response = scenario(args.scenario, args.fixtures_dir)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    server = FakeOpenRouter(args.host, args.port, args.fixtures_dir)
    server.set_default(response)
    try:
        server.start()
        print(server.base_url, flush=True)
        print(f"scenario {args.scenario!r}; Ctrl-C to stop", file=sys.stderr, flush=True)
        threading.Event().wait()  # interruptible by Ctrl-C; the server runs in its thread
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
