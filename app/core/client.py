"""HTTP client for OpenRouter and OpenAI-compatible endpoints.

Streaming always runs inside `async with client.stream(...)`: cancelling the task that
awaits `stream_chat` closes the response and its TCP connection at once, which is what
makes providers stop generating (and billing); `data: [DONE]` ends the reply at once,
even if the server keeps the connection open. Every failure, including every exception
httpx raises, is translated in one place (`translate_httpx_error`) into a typed
`ApiError` whose message a person can act on, with the API key scrubbed out. Redirects
are never followed to another origin: a conversation and the key go only where the
user pointed the base URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import httpx
import orjson

from app.core.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    ConfigError,
    EndpointError,
    ErrorDetails,
    HttpStatusError,
    ModerationError,
    NetworkError,
    PaymentRequired,
    RateLimited,
    RedirectError,
    RequestTimeout,
    StreamError,
    UpstreamError,
)
from app.core.events import ChunkParser, Done, Malformed, StreamEvent, scrub_json
from app.core.logs import remember_secret
from app.core.sse import DONE, SSEDecoder

#: how much of an error body we read and keep (an HTML error page can be large)
_MAX_ERROR_BODY = 64 * 1024


@dataclass(frozen=True)
class ModelInfo:
    """One entry of GET /models, reduced to what the UI shows."""

    id: str
    name: str
    context_length: int | None = None
    #: USD per token, None when unknown
    prompt_price: float | None = None
    completion_price: float | None = None
    input_modalities: tuple[str, ...] = ()
    supported_parameters: tuple[str, ...] = ()
    description: str = ""
    #: USD per request / per image / per web search / per reasoning token / per cached
    #: prompt token read / written; None when the endpoint does not say
    request_price: float | None = None
    image_price: float | None = None
    web_search_price: float | None = None
    internal_reasoning_price: float | None = None
    input_cache_read_price: float | None = None
    input_cache_write_price: float | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool = False
    #: Unix time the model was added, None when unknown
    created: int | None = None
    output_modalities: tuple[str, ...] = ()

    @property
    def is_free(self) -> bool:
        return self.id.endswith(":free") or (
            self.prompt_price == 0 and self.completion_price == 0
        )

    @property
    def is_reasoning(self) -> bool:
        """The model can think before answering (accepts `reasoning`)."""
        params = self.supported_parameters
        return "reasoning" in params or "include_reasoning" in params

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> ModelInfo:
        pricing = raw.get("pricing") or {}
        arch = raw.get("architecture") or {}
        top = raw.get("top_provider") or {}
        if not isinstance(pricing, dict):
            pricing = {}
        if not isinstance(arch, dict):
            arch = {}
        if not isinstance(top, dict):
            top = {}
        return cls(
            id=str(raw["id"]),
            name=str(raw.get("name") or raw["id"]),
            context_length=_as_int(raw.get("context_length") or top.get("context_length")),
            prompt_price=_as_float(pricing.get("prompt")),
            completion_price=_as_float(pricing.get("completion")),
            input_modalities=tuple(arch.get("input_modalities") or ()),
            supported_parameters=tuple(raw.get("supported_parameters") or ()),
            description=str(raw.get("description") or ""),
            request_price=_as_float(pricing.get("request")),
            image_price=_as_float(pricing.get("image")),
            web_search_price=_as_float(pricing.get("web_search")),
            internal_reasoning_price=_as_float(pricing.get("internal_reasoning")),
            input_cache_read_price=_as_float(pricing.get("input_cache_read")),
            input_cache_write_price=_as_float(pricing.get("input_cache_write")),
            max_completion_tokens=_as_int(top.get("max_completion_tokens")),
            is_moderated=bool(top.get("is_moderated")),
            created=_as_int(raw.get("created")),
            output_modalities=tuple(arch.get("output_modalities") or ()),
        )


@dataclass(frozen=True)
class KeyInfo:
    """GET /key: what the key is and how much it may still spend."""

    label: str
    limit: float | None
    limit_remaining: float | None
    usage: float | None
    is_free_tier: bool

    def describe(self) -> str:
        parts = [f"Key “{self.label}”" if self.label else "Key is valid"]
        if self.limit_remaining is not None:
            parts.append(f"${self.limit_remaining:,.2f} of ${self.limit or 0:,.2f} left")
        elif self.limit is None:
            parts.append("no spending limit")
        if self.usage is not None:
            spent = f"{self.usage:,.2f}" if self.usage >= 1 else f"{self.usage:,.4f}"
            parts.append(f"${spent} used")
        if self.is_free_tier:
            parts.append("free tier")
        return ", ".join(parts)


#: called before each retry wait: (attempt about to be made, seconds to wait, the error)
RetryCallback = Callable[[int, float, ApiError], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Retry rate limits (429) and "no provider available" (503) that arrive before any
    byte of the reply: exponential backoff, or the server's Retry-After when it says.

    Bounded twice: at most `max_attempts` requests in all and `max_total_wait` seconds of
    waiting; a wait that would go past the budget is not made and the error is raised.
    """

    max_attempts: int = 3
    max_total_wait: float = 60.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    statuses: tuple[int, ...] = (429, 503)

    def delay_for(self, retry_number: int, error: HttpStatusError) -> float:
        """Seconds to wait before retry `retry_number` (1 = the first retry)."""
        retry_after: float | None = error.details.retry_after
        if retry_after is not None:
            return float(retry_after)
        return min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))

    def retryable(self, error: ApiError) -> bool:
        return isinstance(error, HttpStatusError) and error.status in self.statuses


def retry_message(attempt: int, delay: float, error: ApiError, max_attempts: int = 3) -> str:
    """What the UI shows while waiting, e.g. "Rate limited, retrying in 4 s (attempt 2/3)…"."""
    status = error.status if isinstance(error, HttpStatusError) else None
    what = "Rate limited" if status == 429 else "No provider available right now"
    return f"{what}, retrying in {delay:.0f} s (attempt {attempt}/{max_attempts})…"


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_STATUS_CLASSES: dict[int, type[HttpStatusError]] = {
    400: BadRequest,
    401: AuthError,
    402: PaymentRequired,
    403: ModerationError,
    408: RequestTimeout,
    429: RateLimited,
}

_STATUS_TEXT: dict[int, str] = {
    400: "The request was rejected as invalid",
    401: "The API key was not accepted",
    402: "Your account does not have enough credits for this request",
    403: "The message was blocked by moderation",
    404: "The endpoint or model was not found",
    408: "The provider timed out",
    413: "The request is too large for this model",
    422: "The request could not be processed",
    429: "Rate limited: too many requests",
    500: "The server had an internal error",
    502: "The model is down or returned an invalid reply",
    503: "No provider is available for this model right now",
    504: "The gateway timed out",
    524: "The provider took too long to answer",
    529: "The provider is overloaded",
}


def error_from_response(
    status: int, body: bytes, headers: httpx.Headers | dict[str, str], *, secret: str | None
) -> HttpStatusError:
    """Build the typed error for a non-2xx answer (or a 200 whose body is only an error).

    Everything the server echoed back (message, metadata, excerpts) is redacted before it
    is cut to length, so not even a piece of the key survives.
    """
    text = body[:_MAX_ERROR_BODY].decode("utf-8", "replace")
    code: int | str | None = None
    api_message = ""
    metadata: dict[str, Any] = {}
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        err = parsed.get("error")
        if isinstance(err, dict):
            raw_code = err.get("code")
            code = raw_code if isinstance(raw_code, int | str) else None
            api_message = str(err.get("message") or "")
            meta = err.get("metadata")
            metadata = meta if isinstance(meta, dict) else {}
        elif isinstance(err, str):
            api_message = err
        elif isinstance(parsed.get("message"), str):
            api_message = parsed["message"]
    # A 200 carrying only an error has the real status in error.code.
    if status == 200 and isinstance(code, int) and 400 <= code < 600:
        status = code

    def scrub(value: str) -> str:
        return redact(value, secret)

    metadata = scrub_json(metadata, scrub)
    if isinstance(code, str):
        code = scrub(code)
    retry_after = _retry_after(headers)
    details = ErrorDetails(
        status=status,
        code=code,
        message=scrub(api_message),
        metadata=metadata,
        retry_after=retry_after,
        body_excerpt=scrub(text)[:500],
    )
    cls: type[HttpStatusError] = _STATUS_CLASSES.get(status) or (
        UpstreamError if status >= 500 else HttpStatusError
    )
    summary = _STATUS_TEXT.get(status, "The server returned an error")
    looks_html = text.lstrip()[:1] == "<" or "text/html" in str(
        headers.get("content-type", "")
    )
    if looks_html and parsed is None:
        message = (
            f"{summary} (HTTP {status}). The server answered with an HTML page instead of "
            "an API response, which usually means a proxy or gateway in between failed."
        )
    else:
        message = f"{summary} (HTTP {status})"
        if details.message:
            message += f": {details.message.rstrip('.')}."
        else:
            message += "."
    if cls is ModerationError:
        reasons = metadata.get("reasons")
        if isinstance(reasons, list) and reasons:
            message += " Reasons: " + ", ".join(str(r) for r in reasons) + "."
        flagged = metadata.get("flagged_input")
        if isinstance(flagged, str) and flagged:
            message += f" Flagged text: “{flagged[:120]}”."
    if cls is RateLimited:
        raw = metadata.get("raw")
        if isinstance(raw, str) and raw and raw not in message:
            message += f" Provider says: {raw[:200]}"
        if retry_after is not None:
            message += f" Try again in {retry_after:g} s."
        message += (
            " Free models allow about 20 requests a minute and a daily cap."
            if ":free" in text
            else ""
        )
    return cls(scrub(message), details)


def _retry_after(headers: httpx.Headers | dict[str, str]) -> float | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: rare here, and a fixed backoff is fine then
    return max(0.0, seconds) if math.isfinite(seconds) else None


def redact(text: str, secret: str | None) -> str:
    """Remove the API key, whatever its shape, and anything shaped like a key from `text`.

    The exact key is removed as written, URL-encoded and JSON-escaped (the forms a server
    echoes it in); OpenRouter/OpenAI-style keys (`sk-...`) and bearer tokens go too.
    """
    if secret and len(secret) >= 4:
        forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
        for form in forms:
            text = text.replace(form, "[redacted]")
    text = _KEY_PATTERN.sub("[redacted]", text)
    return _BEARER_PATTERN.sub(r"\1[redacted]", text)


_KEY_PATTERN = re.compile(r"sk-or-[A-Za-z0-9-]{8,}|\bsk-[A-Za-z0-9_-]{20,}")
_BEARER_PATTERN = re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/-]{8,}=*")

#: Everything httpx raises on its own: requests and transport (HTTPError covers
#: TransportError, DecodingError, TooManyRedirects, HTTPStatusError), plus the exceptions
#: that do not derive from it.
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)


def translate_httpx_error(
    exc: Exception, base_url: str, *, started: bool = False, secret: str | None = None
) -> ApiError:
    """The one translation of httpx's exceptions into Parley's errors, key redacted.

    `started`: part of the reply had already arrived, so the error is a `StreamError`
    (the partial reply is kept) rather than a failure to reach the endpoint.
    """
    # Only the URL and the exception's own text come from outside; scrub them first.
    host = redact(_host(base_url), secret)
    base_url = redact(base_url, secret)
    detail = redact(str(exc) or type(exc).__name__, secret)
    if started:
        if isinstance(exc, httpx.ReadTimeout):
            return StreamError(
                "The reply stalled: no data arrived for a while, so Parley gave up. "
                "The partial reply was kept."
            )
        if isinstance(exc, httpx.DecodingError):
            return StreamError(
                f"Part of the reply from {host} could not be decoded (bad compression or "
                "encoding), so Parley stopped reading. The partial reply was kept."
            )
        if isinstance(exc, httpx.TransportError):
            return StreamError(
                "The connection dropped before the reply finished. The partial reply was kept."
            )
        return StreamError(
            f"Reading the reply from {host} failed ({type(exc).__name__}). "
            "The partial reply was kept."
        )
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return ApiTimeout(f"Connecting to {host} timed out.")
        if isinstance(exc, httpx.ReadTimeout):
            return ApiTimeout(f"The server {host} stopped sending data (read timed out).")
        if isinstance(exc, httpx.PoolTimeout):
            return ApiTimeout(
                f"Every connection to {host} stayed busy for too long. Try again."
            )
        return ApiTimeout(f"The request to {host} timed out.")
    if isinstance(exc, httpx.ConnectError):
        # anyio reports "All connection attempts failed"; the OS error is in the chain.
        lowered = " ".join(_causes(exc)).lower()
        if any(
            marker in lowered
            for marker in ("name or service not known", "nodename nor servname",
                           "getaddrinfo", "no address associated", "temporary failure in name")
        ):
            return NetworkError(
                f"Could not find the server {host} (DNS lookup failed). "
                "Check the base URL and your internet connection."
            )
        if "refused" in lowered or "connectionrefusederror" in lowered:
            return NetworkError(
                f"Could not connect to {host}: connection refused. Is the server running?"
            )
        if "ssl" in lowered or "certificate" in lowered:
            return NetworkError(
                f"A secure connection to {host} could not be set up: {detail.rstrip('.')}."
            )
        return NetworkError(f"Could not connect to {host}: {detail.rstrip('.')}.")
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(
            f"The proxy in front of {host} failed: {detail.rstrip('.')}. Check the proxy settings "
            "(HTTPS_PROXY, HTTP_PROXY) or try without a proxy."
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return EndpointError(
            f"The base URL {base_url} does not use http:// or https://, so Parley cannot "
            "connect to it. Fix the base URL in Settings."
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkError(f"The server {host} closed the connection unexpectedly.")
    if isinstance(exc, httpx.LocalProtocolError):
        return EndpointError(
            f"Parley could not send a valid request to {host}: {detail.rstrip('.')}. Check the "
            "API key and the base URL in Settings for stray spaces, line breaks or odd "
            "characters."
        )
    if isinstance(exc, httpx.DecodingError):
        return NetworkError(
            f"The answer from {host} could not be decoded (bad compression or encoding). "
            "A proxy in between may be altering it; try again or check the base URL."
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return EndpointError(
            f"The server {host} redirected the request too many times. Check the base URL in "
            "Settings."
        )
    if isinstance(exc, httpx.InvalidURL):
        return EndpointError(
            f"The base URL {base_url} is not a valid URL ({detail.rstrip('.')}). Fix it in "
            "Settings."
        )
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        return error_from_response(
            response.status_code, b"", response.headers, secret=secret
        )
    if isinstance(exc, httpx.TransportError):
        return NetworkError(f"Network error talking to {host}: {detail.rstrip('.')}. Try again.")
    # httpx.StreamError (StreamConsumed, StreamClosed, ResponseNotRead, RequestNotRead),
    # httpx.CookieConflict and anything httpx adds later: failures in handling the
    # answer, not in reaching the server.
    return ApiError(
        f"Parley could not handle the answer from {host} ({type(exc).__name__}). "
        "Try again; if it keeps happening, please report it."
    )


def _host(base_url: str) -> str:
    try:
        return urlsplit(base_url).netloc or base_url
    except ValueError:  # e.g. an unclosed IPv6 bracket: show the URL as typed
        return base_url


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    defaults = {"http": 80, "https": 443}
    return (a.scheme, a.host, a.port or defaults.get(a.scheme)) == (
        b.scheme, b.host, b.port or defaults.get(b.scheme)
    )


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _causes(exc: BaseException) -> list[str]:
    """Messages and type names of an exception and everything that caused it."""
    out: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return out


class ChatClient:
    """Talks to one endpoint. Owns one `httpx.AsyncClient` (connection pool)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        referer: str = "",
        title: str = "",
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        kind: str = "openrouter",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        # Whatever happens later, this key never reaches the log file.
        remember_secret(api_key)
        #: "openrouter" or "openai" (any other OpenAI-compatible server)
        self.kind = kind
        headers = {"Accept": "application/json"}
        if api_key:
            from app.core.key_format import key_problem

            problem = key_problem(api_key)
            if problem:
                host = urlsplit(self.base_url).netloc or self.base_url
                raise ConfigError(
                    f"{problem} Parley cannot send it to {host}.",
                    hint="Enter the key again in Settings (or fix $OPENROUTER_API_KEY).",
                )
            headers["Authorization"] = f"Bearer {api_key}"
        # Attribution is OpenRouter's; a local or third-party server has no use for it.
        if referer and kind == "openrouter":
            headers["HTTP-Referer"] = referer
        if title and kind == "openrouter":
            headers["X-OpenRouter-Title"] = title
            headers["X-Title"] = title  # older name, still read by OpenRouter
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            transport=transport,
            # Redirects are handled by hand: a chat request must never be resent to
            # another origin (see `_redirect`).
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never show the key
        return f"ChatClient({self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    def redact(self, text: str) -> str:
        """`text` with this client's API key (and anything key-shaped) removed."""
        return redact(text, self._api_key)

    def _api_error(self, exc: Exception, *, started: bool = False) -> ApiError:
        return translate_httpx_error(exc, self.base_url, started=started, secret=self._api_key)

    async def stream_chat(
        self,
        payload: dict[str, Any],
        on_events: Callable[[list[StreamEvent]], None],
        *,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        """POST /chat/completions with stream=true; deliver events batch by batch.

        Each network read yields one batch, so consumers can redraw or flush once per
        read rather than once per token. Returns when the stream ends normally; raises
        `ApiError` subclasses otherwise (after delivering everything that did arrive).
        Cancel the awaiting task to stop: the connection closes immediately, and a retry
        wait (an `asyncio.sleep` in this task) ends at once.

        With `retry`, a 429/503 answered before the stream started is retried as the
        policy says; `on_retry(attempt, delay_s, error)` is called before each wait.
        """
        if retry is None:
            await self._stream_with_reconnect(payload, on_events)
            return
        waited = 0.0
        attempt = 1
        while True:
            try:
                await self._stream_with_reconnect(payload, on_events)
                return
            except HttpStatusError as exc:
                # Status errors are raised before on_events was ever called: safe to resend.
                if not retry.retryable(exc) or attempt >= retry.max_attempts:
                    raise
                delay = retry.delay_for(attempt, exc)
                if waited + delay > retry.max_total_wait:
                    raise
                attempt += 1
                if on_retry is not None:
                    on_retry(attempt, delay, exc)
                await asyncio.sleep(delay)
                waited += delay

    async def _stream_with_reconnect(
        self, payload: dict[str, Any], on_events: Callable[[list[StreamEvent]], None]
    ) -> None:
        body = dict(payload)
        body["stream"] = True
        content = orjson.dumps(body)
        url = f"{self.base_url}/chat/completions"
        redirected = reconnected = False
        while True:
            try:
                await self._stream_once(url, content, on_events, may_follow=not redirected)
                return
            except _RetryableBeforeData as exc:
                # llama.cpp closes the connection after each stream while advertising
                # keep-alive; the next request on the pooled connection then fails before
                # any byte arrives. Retry once on a fresh connection.
                if reconnected:
                    raise self._api_error(exc.cause) from exc.cause
                reconnected = True
            except _FollowRedirect as exc:
                url = exc.url
                redirected = True

    async def _stream_once(
        self,
        url: str,
        content: bytes,
        on_events: Callable[[list[StreamEvent]], None],
        *,
        may_follow: bool,
    ) -> None:
        parser = ChunkParser(self.redact)
        batch: list[StreamEvent] = []
        finished = False
        got_any = False

        loads = orjson.loads  # bound once: called for every event of the stream

        def on_data(data: bytes) -> None:
            nonlocal finished
            if finished:
                return  # anything after [DONE] is not part of the reply
            if data == DONE:
                batch.append(Done())
                finished = True
                return
            try:
                obj = loads(data)
            except ValueError:
                batch.append(Malformed(data[:200].decode("utf-8", "replace")))
                return
            parser.parse(obj, batch)
            # An error inside the stream ends the reply: a server that then holds the
            # connection open must not turn it into a stall.
            if parser.ended:
                finished = True

        decoder = SSEDecoder(on_data)
        try:
            async with self._http.stream(
                "POST", url, content=content, headers=_JSON_HEADERS
            ) as response:
                if response.is_redirect:
                    raise self._redirect(response, follow=may_follow and (
                        response.status_code in (307, 308)))
                if response.status_code >= 400:
                    raw = await _read_limited(response)
                    raise error_from_response(
                        response.status_code, raw, response.headers, secret=self._api_key
                    )
                ctype = response.headers.get("content-type", "")
                if "text/event-stream" not in ctype:
                    await self._handle_non_stream(response, ctype, on_events)
                    return
                chunks = response.aiter_bytes()
                try:
                    async for chunk in chunks:
                        got_any = True
                        decoder.feed(chunk)
                        if batch:
                            events = batch[:]
                            batch.clear()
                            on_events(events)
                        if finished:
                            break
                finally:
                    # [DONE] ends the reply even when the server holds the connection
                    # open after it: what is already on its way is read, then cut off.
                    await _cut_off(chunks, _AFTER_DONE_GRACE if finished else 0.0)
                if not finished:
                    decoder.close()
                if batch:
                    events = batch[:]
                    batch.clear()
                    on_events(events)
        except _HTTPX_ERRORS as exc:
            if batch:
                on_events(batch[:])
                batch.clear()
            if finished:
                return  # the reply was complete; a failure while closing does not matter
            if not got_any and isinstance(
                exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError
            ):
                raise _RetryableBeforeData(exc) from exc
            raise self._api_error(exc, started=got_any) from exc

    def _redirect(self, response: httpx.Response, *, follow: bool) -> Exception:
        """What to do with a 3xx: follow it (same origin, when allowed) or a `RedirectError`.

        A chat request is never resent to another origin: that would hand the whole
        conversation, and the key, to a server the user did not choose.
        """
        origin = response.request.url
        location = response.headers.get("location", "")
        try:
            target = origin.join(location)
        except httpx.InvalidURL:
            target = None
        shown = self.redact(str(target) if target is not None else location)
        host = self.redact(_origin(origin))
        status = response.status_code
        if target is None or not _same_origin(origin, target):
            return RedirectError(
                f"The server at {host} redirected the request to {shown} (HTTP {status}). "
                "Parley did not follow it, so nothing was sent there. Check the base URL "
                "in Settings.",
                shown,
            )
        if follow:
            return _FollowRedirect(str(target))
        return RedirectError(
            f"The server at {host} answered with a redirect to {shown} (HTTP {status}). "
            "Parley does not resend a conversation there, so nothing was sent. Check the "
            "base URL in Settings.",
            shown,
        )

    async def _handle_non_stream(
        self,
        response: httpx.Response,
        ctype: str,
        on_events: Callable[[list[StreamEvent]], None],
    ) -> None:
        """A 200 that is not SSE: an error body, a non-streamed completion, or junk."""
        raw = await _read_limited(response, limit=_MAX_WHOLE_REPLY)
        if len(raw) >= _MAX_WHOLE_REPLY:
            # Not a chat answer any more: reading on would only exhaust memory, and parsing
            # the first 16 MiB would fail with a misleading "invalid reply".
            raise EndpointError(
                "The server sent a reply of more than 16 MB in one piece instead of streaming "
                "it, so Parley stopped reading it.",
                hint="Ask for a shorter answer, or check that this endpoint supports "
                "streaming (stream: true).",
            )
        try:
            obj = orjson.loads(raw)
        except ValueError:
            raise error_from_response(
                502 if "html" in ctype or raw.lstrip()[:1] == b"<" else 200,
                raw,
                response.headers,
                secret=self._api_key,
            ) from None
        if isinstance(obj, dict) and "error" in obj and not obj.get("choices"):
            raise error_from_response(200, raw, response.headers, secret=self._api_key)
        events: list[StreamEvent] = []
        ChunkParser(self.redact).parse(obj, events)
        events.append(Done())
        on_events(events)

    async def list_models(self) -> list[ModelInfo]:
        """GET /models, sorted by name."""
        models = [ModelInfo.from_api(raw) for raw in await self.list_models_raw()]
        models.sort(key=lambda m: m.name.lower())
        return models

    async def list_models_raw(self) -> list[dict[str, Any]]:
        """GET /models as the endpoint sent it (entries without an id are dropped)."""
        data = await self._get_json("/models")
        items = data.get("data") if isinstance(data, dict) else data
        return [
            raw for raw in (items if isinstance(items, list) else [])
            if isinstance(raw, dict) and raw.get("id")
        ]

    async def key_info(self) -> KeyInfo:
        """GET /key: label and remaining credit of the current key."""
        data = await self._get_json("/key")
        info = data.get("data") if isinstance(data, dict) else None
        if not isinstance(info, dict):
            raise ApiError("The server's answer to the key check was not understood.")
        return KeyInfo(
            label=str(info.get("label") or ""),
            limit=_as_float(info.get("limit")),
            limit_remaining=_as_float(info.get("limit_remaining")),
            usage=_as_float(info.get("usage")),
            is_free_tier=bool(info.get("is_free_tier")),
        )

    async def generation(self, generation_id: str) -> dict[str, Any]:
        """GET /generation?id=...: the real cost and whether the provider cancelled."""
        data = await self._get_json("/generation", params={"id": generation_id})
        info = data.get("data") if isinstance(data, dict) else None
        return info if isinstance(info, dict) else {}

    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        try:
            # Same-origin redirects are followed (a GET resends nothing); one to another
            # origin is refused, so the key never goes to a server the user did not choose.
            for _hop in range(_MAX_GET_REDIRECTS + 1):
                response = await self._http.get(url, params=params)
                if not response.is_redirect:
                    break
                follow = self._redirect(response, follow=True)
                if not isinstance(follow, _FollowRedirect):
                    raise follow
                url, params = follow.url, None
            else:
                raise EndpointError(
                    f"The server {self.redact(_origin(response.request.url))} redirected the "
                    "request too many times. Check the base URL in Settings."
                )
        except _HTTPX_ERRORS as exc:
            raise self._api_error(exc) from exc
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code, response.content, response.headers, secret=self._api_key
            )
        try:
            return response.json()
        except ValueError:
            raise error_from_response(
                502, response.content, response.headers, secret=self._api_key
            ) from None


class _RetryableBeforeData(Exception):
    def __init__(self, cause: httpx.TransportError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _FollowRedirect(Exception):
    """A same-origin 307/308: resend the request, unchanged, to `url`."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


#: same-origin redirects a GET follows before giving up
_MAX_GET_REDIRECTS = 5


_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream"}


#: the largest reply read whole when an endpoint ignores `stream` (an inlined image fits)
_MAX_WHOLE_REPLY = 16 * 1024 * 1024


async def _read_limited(response: httpx.Response, limit: int = _MAX_ERROR_BODY) -> bytes:
    chunks: list[bytes] = []
    size = 0
    body = response.aiter_bytes()
    try:
        async for chunk in body:
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    finally:
        await _cut_off(body, 0.0)
    return b"".join(chunks)


#: seconds a stream may take after [DONE] to end its body (it normally ends at once)
_AFTER_DONE_GRACE = 0.05


async def _cut_off(body: AsyncIterator[bytes], grace: float) -> None:
    """Stop reading a response body that was left part-way, without leaking its readers.

    Breaking out of httpx's body iterator leaves a chain of suspended generators (httpx's
    and httpcore's) to the garbage collector, which cannot run their async clean-up
    (under qasync it raises "async generator ignored GeneratorExit"). So the body is read
    on for at most `grace` seconds and then this task's read is cancelled: the
    cancellation runs through every generator, which close the connection as they end.
    A body that already ended, or whose reader raised, makes this a no-op.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(grace):
            async for _ in body:
                pass
