"""Compare models side by side: one prompt, one sibling reply per model, all kept.

A comparison is plain branches: the prompt is stored once and each model's reply is a
sibling under it (`Store.alternatives` shows them as "1 / 3"), so nothing is thrown away
and everything stays searchable and exportable. Each column's request comes from the one
request path (`resolve_request` with the column's model), runs as its own task with its
own `ReplyRun` and client (Stop on one closes only its connection) and is finished by
`app.core.finish` like any reply. Requests to one endpoint are bounded: a local server
("openai" kind) answers one at a time by default, so columns queue instead of failing.

Shared by `parley compare` and the window's controller; never imports Qt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.domain import Message, MessageStatus, Role
from app.core.errors import ParleyError, StorageError

if TYPE_CHECKING:
    from app.core.chat import ReplyRun
    from app.core.client import ChatClient, RetryCallback
    from app.core.config import Settings
    from app.core.domain import Conversation
    from app.core.events import StreamEvent
    from app.core.finish import RunSummary
    from app.core.history import Store
    from app.core.requests import ChatRequest, Overrides

MIN_MODELS = 2
MAX_MODELS = 4
#: requests at once per endpoint, by endpoint kind (local servers often serve one at a time)
DEFAULT_CONCURRENCY = {"openrouter": MAX_MODELS, "openai": 1}

ClientFactory = Callable[["ChatRequest"], "ChatClient"]


class CompareError(ParleyError):
    """A comparison that cannot start (wrong number of models, nothing to answer)."""


@dataclass
class Column:
    """One model's reply in a comparison, with what the user sees about it."""

    model: str
    request: ChatRequest
    reply: Message
    payload: dict[str, Any]
    #: "queued" until its endpoint has room, then the reply's status value
    state: str = "queued"
    error: ParleyError | None = None
    #: milliseconds from sending to the first text (or reasoning) token
    first_token_ms: float | None = None
    tokens_per_second: float | None = None
    summary: RunSummary | None = None
    run: ReplyRun | None = None
    task: asyncio.Task[None] | None = None
    _sent_at: float = 0.0
    _first_at: float | None = None

    @property
    def status(self) -> MessageStatus:
        """The reply's status (STREAMING while queued or running)."""
        if self.run is not None:
            return self.run.status
        return self.reply.status

    @property
    def provider(self) -> str | None:
        """The provider that answered, once known."""
        if self.summary is not None and self.summary.reply is not None:
            return self.summary.reply.provider
        return self.run.acc.provider if self.run is not None else None

    @property
    def text(self) -> str:
        """The reply's text so far (final once finished)."""
        if self.summary is not None and self.summary.reply is not None:
            return self.summary.reply.content
        return self.run.acc.text if self.run is not None else ""


def check_models(models: Sequence[str]) -> list[str]:
    """The models, stripped; CompareError unless there are 2-4 distinct ones."""
    cleaned = [m.strip() for m in models if m.strip()]
    if len(cleaned) < MIN_MODELS or len(cleaned) > MAX_MODELS:
        raise CompareError(
            f"A comparison needs {MIN_MODELS} to {MAX_MODELS} models; "
            f"{'only one was' if len(cleaned) == 1 else f'{len(cleaned)} were'} given.",
            hint="Pick between two and four models.")
    if len(set(cleaned)) != len(cleaned):
        raise CompareError("The same model was picked twice; each column needs its own model.",
                           hint="Pick different models.")
    return cleaned


def _requests(settings: Settings, store: Store, conversation: Conversation | None,
              models: Sequence[str], overrides: Overrides | None) -> list[ChatRequest]:
    from dataclasses import replace

    from app.core.requests import Overrides, resolve_request

    base = overrides or Overrides()
    return [resolve_request(settings, store, conversation, replace(base, model=m))
            for m in models]


@dataclass
class Comparison:
    """Stored prompt + one placeholder reply per model; `run` streams them all."""

    store: Store
    conversation_id: int
    user_message: Message
    columns: list[Column]
    #: requests at once per endpoint name (missing: by kind, DEFAULT_CONCURRENCY)
    concurrency: dict[str, int] = field(default_factory=dict)
    _stopped_all: bool = False

    async def run(
        self,
        client_factory: ClientFactory,
        *,
        on_events: Callable[[int, list[StreamEvent]], None] | None = None,
        on_column_done: Callable[[int, Column], None] | None = None,
        retry: bool = True,
        on_retry: RetryCallback | None = None,
        close_clients: bool = True,
    ) -> list[Column]:
        """Stream every column at once (bounded per endpoint); returns when all ended.

        A column that fails or is stopped leaves the others running. Cancelling `run`
        stops every column (each saved as stopped) and re-raises. `close_clients=False`
        when `client_factory` hands out shared clients (the window's, one per endpoint):
        cancelling a column still closes its own connection.
        """
        from app.core.chat import ReplyRun
        from app.core.client import RetryPolicy

        limits: dict[str, asyncio.Semaphore] = {}
        for col in self.columns:
            name = col.request.endpoint.name
            if name not in limits:
                limit = self.concurrency.get(
                    name, DEFAULT_CONCURRENCY.get(col.request.kind, MAX_MODELS))
                limits[name] = asyncio.Semaphore(max(1, limit))

        async def one(index: int, col: Column) -> None:
            def handle(events: list[StreamEvent]) -> None:
                if col._first_at is None and _has_tokens(events):
                    col._first_at = time.perf_counter()
                    col.first_token_ms = (col._first_at - col._sent_at) * 1000
                if on_events is not None:
                    on_events(index, events)

            try:
                async with limits[col.request.endpoint.name]:
                    try:
                        client = client_factory(col.request)
                    except ParleyError as exc:  # no key for this endpoint...
                        self._fail_column(col, exc)
                        return
                    try:
                        col.run = ReplyRun(
                            self.store, client, col.reply, col.payload, on_events=handle,
                            retry=RetryPolicy() if retry else None, on_retry=on_retry,
                            files=col.request.files)
                        col.state = "streaming"
                        col._sent_at = time.perf_counter()
                        try:
                            await col.run.run()
                        except ParleyError as exc:
                            col.error = exc
                        await self._finish(col)
                    finally:
                        if close_clients:
                            await client.aclose()
            except asyncio.CancelledError:
                self._stop_column(col)
                raise
            finally:
                if on_column_done is not None and col.summary is not None:
                    on_column_done(index, col)

        for index, col in enumerate(self.columns):
            col.task = asyncio.ensure_future(one(index, col))
        tasks = [c.task for c in self.columns if c.task is not None]
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        except asyncio.CancelledError:
            self.stop_all()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        await self._stopped_costs(client_factory, close_clients)
        return self.columns

    def stop(self, index: int) -> None:
        """Stop one column: its task is cancelled and its connection closed."""
        col = self.columns[index]
        if col.task is not None and not col.task.done():
            col.task.cancel()

    def stop_all(self) -> None:
        """Stop every column still queued or streaming."""
        self._stopped_all = True
        for index in range(len(self.columns)):
            self.stop(index)

    def finalize_stopped(self) -> None:
        """Save every unfinished reply as stopped (synchronous, idempotent: for shutdown)."""
        for col in self.columns:
            self._stop_column(col)

    def _stop_column(self, col: Column) -> None:
        if col.run is not None:
            col.run.finalize_stopped()
        elif col.reply.status is MessageStatus.STREAMING:
            self.store.update_message(col.reply.id, status=MessageStatus.STOPPED)
            col.reply = self.store.get_message(col.reply.id) or col.reply
        col.state = MessageStatus.STOPPED.value
        if col.summary is None:
            from app.core.finish import finish_run

            col.summary = finish_run(self.store, col.request, [col.reply.id])
            self._store_timing(col)

    def _fail_column(self, col: Column, error: ParleyError) -> None:
        from app.core.finish import finish_run

        col.error = error
        self.store.update_message(col.reply.id, status=MessageStatus.ERROR, error=str(error))
        col.reply = self.store.get_message(col.reply.id) or col.reply
        col.summary = finish_run(self.store, col.request, [col.reply.id])
        col.state = MessageStatus.ERROR.value

    async def _finish(self, col: Column) -> None:
        from app.core.finish import finish_run

        end = time.perf_counter()
        usage = col.run.acc.usage if col.run is not None else None
        if col._first_at is not None and usage is not None and usage.completion_tokens:
            elapsed = end - col._first_at
            if elapsed > 0:
                col.tokens_per_second = usage.completion_tokens / elapsed
        self._store_timing(col)
        summary = finish_run(self.store, col.request, [col.reply.id])
        col.summary = summary
        col.state = summary.status.value

    async def _stopped_costs(self, client_factory: ClientFactory, close: bool) -> None:
        """Ask OpenRouter what each stopped column really cost (stored on its reply)."""
        from app.core.finish import after_run

        async def one(col: Column) -> None:
            assert col.summary is not None
            try:
                client = client_factory(col.request)
            except ParleyError:
                return
            try:
                await after_run(self.store, client, _NO_TITLE, col.request, col.summary)
            except ParleyError:
                pass  # the reply is saved; its real cost is a courtesy
            finally:
                if close:
                    await client.aclose()

        stopped = [c for c in self.columns if c.summary is not None
                   and c.summary.status is MessageStatus.STOPPED
                   and c.request.endpoint.is_openrouter]
        if stopped:
            await asyncio.gather(*(one(c) for c in stopped))

    def _store_timing(self, col: Column) -> None:
        msg = self.store.get_message(col.reply.id)
        if msg is None:
            return
        extra = dict(msg.extra)
        extra["timing"] = {"first_token_ms": _round(col.first_token_ms),
                           "tokens_per_second": _round(col.tokens_per_second)}
        self.store.update_message(msg.id, extra=extra)


class _NoTitle:
    """Settings for `after_run` without a title model: a comparison keeps its prompt title."""

    title_model = ""


_NO_TITLE: Any = _NoTitle()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _has_tokens(events: list[StreamEvent]) -> bool:
    from app.core.events import ReasoningDelta, TextDelta

    return any((type(e) is TextDelta and e.text) or (type(e) is ReasoningDelta and e.text)
               for e in events)


def begin_compare(
    store: Store,
    settings: Settings,
    conversation_id: int | None,
    prompt: str,
    models: Sequence[str],
    *,
    overrides: Overrides | None = None,
    system: str | None = None,
    title: str | None = None,
) -> Comparison:
    """Store the prompt once (in a new conversation when `conversation_id` is None) and one
    placeholder reply per model as siblings under it; the first column's branch is shown.

    Requests are resolved before anything is stored, so a bad option or endpoint stores
    nothing.
    """
    from app.core.chat import title_from_prompt
    from app.core.options import ConversationOptions

    models = check_models(models)
    conv = None
    if conversation_id is not None:
        conv = store.get_conversation(conversation_id)
        if conv is None:
            raise StorageError(f"The conversation {conversation_id} does not exist.")
    requests = _requests(settings, store, conv, models, overrides)
    if conv is None:
        conv = store.create_conversation(title or title_from_prompt(prompt),
                                         endpoint=requests[0].endpoint.name)
        defaults = ConversationOptions.from_dict(settings.default_options)
        defaults.allowed_tools = []  # "Always allow" belongs to one conversation
        if defaults.to_dict():
            store.set_options(conv.id, defaults.to_dict())
    if system:
        store.add_message(conv.id, Role.SYSTEM, system)
    user = store.add_message(conv.id, Role.USER, prompt)
    return _add_columns(store, user, requests, show_first=True)


def compare_with(
    store: Store,
    settings: Settings,
    message_id: int,
    models: Sequence[str],
    *,
    overrides: Overrides | None = None,
) -> Comparison:
    """"Compare with…": replies from `models` added as siblings of an existing reply (or
    under an existing prompt); the branch shown does not change."""
    msg = store.get_message(message_id)
    if msg is None:
        raise StorageError(f"The message {message_id} does not exist (was it deleted?).")
    if msg.role is Role.ASSISTANT:
        if msg.parent_id is None:
            raise CompareError(f"The reply {message_id} has no prompt to answer again.")
        user = store.get_message(msg.parent_id)
    else:
        user = msg
    if user is None or user.role is not Role.USER:
        raise CompareError("Only a prompt or a reply to one can be compared.")
    cleaned = [m.strip() for m in models if m.strip()]
    if msg.role is Role.USER:
        cleaned = check_models(cleaned)
    elif not 1 <= len(cleaned) <= MAX_MODELS - 1:
        raise CompareError(f"Pick 1 to {MAX_MODELS - 1} other models to compare with.",
                           hint="A comparison shows at most four replies side by side.")
    conv = store.get_conversation(user.conversation_id)
    requests = _requests(settings, store, conv, cleaned, overrides)
    shown = store.get_thread(user.conversation_id)
    comparison = _add_columns(store, user, requests, show_first=False)
    if shown:
        store.select_branch(shown[-1].id)
    return comparison


def _add_columns(store: Store, user: Message, requests: list[ChatRequest], *,
                 show_first: bool) -> Comparison:
    thread = store.path_to(user.id)
    columns: list[Column] = []
    for req in requests:
        payload = req.payload(thread)
        reply = store.add_message(user.conversation_id, Role.ASSISTANT, "",
                                  status=MessageStatus.STREAMING, model=req.model,
                                  parent_id=user.id)
        columns.append(Column(req.model, req, reply, payload))
    if show_first:
        # Until the user picks one, the thread continues from the first column.
        store.select_branch(columns[0].reply.id)
        store.set_conversation_model(user.conversation_id, requests[0].model)
    return Comparison(store, user.conversation_id, user, columns)


def continue_with(store: Store, reply_id: int) -> None:
    """Make `reply_id` the branch shown: follow-ups then send that branch only."""
    msg = store.get_message(reply_id)
    if msg is None:
        raise StorageError(f"The reply {reply_id} does not exist (was it deleted?).")
    store.select_branch(reply_id)
    if msg.model:
        store.set_conversation_model(msg.conversation_id, msg.model)


def fastest(columns: Sequence[Column]) -> Column | None:
    """The column with the quickest first token (None when none had one)."""
    timed = [c for c in columns if c.first_token_ms is not None]
    return min(timed, key=lambda c: c.first_token_ms or 0.0) if timed else None


def cheapest(columns: Sequence[Column]) -> Column | None:
    """The complete column that cost least (None when no cost is known)."""
    priced = [c for c in columns if _cost(c) is not None]
    return min(priced, key=lambda c: _cost(c) or 0.0) if priced else None


def longest(columns: Sequence[Column]) -> Column | None:
    """The column with the longest text (None when all are empty)."""
    texts = [c for c in columns if c.text]
    return max(texts, key=lambda c: len(c.text)) if texts else None


def _cost(col: Column) -> float | None:
    reply = col.summary.reply if col.summary is not None else None
    return reply.usage.cost if reply is not None and reply.usage is not None else None


def column_cost(col: Column) -> float | None:
    """What the column's reply cost, when the endpoint said."""
    return _cost(col)


def total_cost(columns: Sequence[Column]) -> float | None:
    """What the whole comparison cost (None when no column's cost is known)."""
    costs = [c for c in (_cost(col) for col in columns) if c is not None]
    return sum(costs) if costs else None
