"""The glue between widgets and core: owns the reply task, history calls and model list.

Widgets never touch SQLite or httpx; they call this controller and listen to its signals.
It owns every asyncio task it starts (strong references), cancels them on Stop and at
shutdown, and restores the UI state in `finally`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.context import AppContext
from app.core.domain import Conversation, Message
from app.core.errors import ApiError, AuthError, ParleyError, PaymentRequired

if TYPE_CHECKING:
    # asyncio loads with the event loop, after the window has been painted.
    import asyncio

    from app.core.chat import Exchange, ReplyRun

    # httpx is imported only when the first request is made, after the window is shown.
    from app.core.client import ChatClient, KeyInfo, ModelInfo
    from app.core.endpoints import Endpoint
    from app.core.events import StreamEvent
    from app.core.history.search import SearchHit
    from app.core.models_cache import ModelCatalog
    from app.core.options import ConversationOptions
    from app.core.tools.loop import (
        ApprovalChoice,
        ToolApprovals,
        ToolCall,
        ToolCallOutcome,
        ToolLoop,
    )
    from app.core.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: how long shutdown waits for cancelled tasks to finish their clean-up
TASKS_EXIT_WAIT = 2.0

#: how often a streaming reply is pushed to the view (~30 frames a second: smooth for
#: text, and half the repaints of 60 fps, which dominate the cost of a long reply)
FRAME_MS = 33


def error_kind(exc: BaseException) -> str:
    """A short tag the window uses to offer the right way out."""
    if isinstance(exc, AuthError):
        return "auth"
    if isinstance(exc, PaymentRequired):
        return "credits"
    return "error"


class ChatController(QObject):
    #: the list as a whole changed (filters, tags, start-up): reload it
    conversationsChanged = Signal()
    #: one conversation changed (new message, title, pin...): update that row only
    conversationUpdated = Signal(int)
    #: one conversation left the list (deleted or archived)
    conversationRemoved = Signal(int)
    #: (id, title) a conversation went to the trash; the window offers Undo
    conversationDeleted = Signal(int, str)
    #: (Conversation | None, list[Message]) — None: an empty new chat
    conversationOpened = Signal(object, object)
    #: a stored message to show at the end of the open conversation
    messageAppended = Signal(object)
    #: {message id: (index, count)} for messages that have other versions
    branchesChanged = Signal(object)
    #: (message id, text so far, reasoning so far) — coalesced to the frame rate
    replyProgress = Signal(int, str, str)
    #: the stored final state of a reply (complete, stopped or error)
    replyFinished = Signal(object)
    busyChanged = Signal(bool)
    #: (message, hint, kind) kind: auth | credits | error
    errorRaised = Signal(str, str, str)
    statusMessage = Signal(str)
    #: a one-line summary of the last reply: model, tokens, cost
    usageChanged = Signal(str)
    modelsLoaded = Signal(object)
    modelChanged = Signal(str)
    #: (ToolCall, asyncio.Future[str]): ask the user; set "once", "always" or "deny"
    approvalRequested = Signal(object, object)
    #: remaining credit and limit from GET /key, for the status bar ("" when unknown)
    creditChanged = Signal(str)
    #: spend of this conversation and of today, for the status bar
    totalsChanged = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current: Conversation | None = None
        self.model = ctx.settings.default_model
        self.models: list[ModelInfo] = []
        self.catalog: ModelCatalog | None = None
        # Options of a chat not stored yet: the defaults from Settings until it is.
        self.pending_options: ConversationOptions | None = None
        self._task: asyncio.Task[None] | None = None
        self._run: ReplyRun | None = None
        #: background work (model list, titles, credit, warm-up...): cancelled at exit
        self._aux_tasks: set[asyncio.Future[Any]] = set()
        #: clean-up (closing clients and MCP servers): awaited to the end at exit, never
        #: cancelled, or a child process could be left behind
        self._closing_tasks: set[asyncio.Future[Any]] = set()
        # A plain thread pool, not qasync's default QThread executor: its threads must
        # not outlive the QApplication.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-bg")
        # Imports and exports get a thread of their own: a key lookup must never wait
        # behind a 1 GB import.
        self._long_executor = ThreadPoolExecutor(max_workers=1,
                                                 thread_name_prefix="parley-files")
        self._closed = False
        self._tool_loop: ToolLoop | None = None
        self._registry: ToolRegistry | None = None
        #: "always allow" choices, per conversation, for this session
        self._approvals: dict[int, ToolApprovals] = {}
        self._dirty = False
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._push_progress)

    # ---- conversations -------------------------------------------------------------

    def conversations(self) -> list[Conversation]:
        return self.ctx.store.list_conversations()

    def _messages_of(self, conv: Conversation) -> list[Message]:
        """The branch of the conversation that is shown (every version stays stored)."""
        return self.ctx.store.get_thread(conv.id)

    def open_conversation(self, conversation_id: int) -> None:
        if self.current is not None and self.current.id == conversation_id:
            return
        conv = self.ctx.store.get_conversation(conversation_id)
        if conv is None:
            self.statusMessage.emit(self.tr("That conversation no longer exists."))
            self.conversationRemoved.emit(conversation_id)
            return
        self.current = conv
        if conv.model:
            self.set_model(conv.model)
        self._show(conv)

    def _show(self, conv: Conversation) -> None:
        """(Re)draw a conversation's shown branch and its version switchers."""
        self.conversationOpened.emit(conv, self._messages_of(conv))
        self.branchesChanged.emit(self.ctx.store.alternatives(conv.id))

    # ---- message actions -------------------------------------------------------------

    def regenerate(self, reply_id: int) -> bool:
        """Answer the same prompt again; the old reply stays one arrow away."""
        if self.busy or self.current is None:
            return False
        from app.core.branches import begin_regenerate

        return self._start_branch(lambda opts, kind: begin_regenerate(
            self.ctx.store, reply_id, model=self.model,
            conversation_options=opts, endpoint_kind=kind))

    def edit_message(self, message_id: int, new_text: str) -> bool:
        """Send an edited prompt as a new version; the original and its replies stay."""
        if self.busy or self.current is None or not new_text.strip():
            return False
        from app.core.branches import begin_edit

        return self._start_branch(lambda opts, kind: begin_edit(
            self.ctx.store, message_id, new_text, model=self.model,
            conversation_options=opts, endpoint_kind=kind))

    def _start_branch(self, begin: Any) -> bool:
        try:
            exchange = begin(self.options(), self.endpoint().kind)
            client = self._client()
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        assert self.current is not None
        self._show(self.current)
        self._start_run(exchange, client)
        return True

    def switch_branch(self, message_id: int, direction: int) -> None:
        """Show the previous (-1) or next (+1) version of a message."""
        if self.busy or self.current is None:
            return
        store = self.ctx.store
        try:
            versions = [m.id for m in store.siblings(message_id)]
            index = versions.index(message_id) + direction
            if 0 <= index < len(versions):
                store.select_branch(versions[index])
                self._show(self.current)
        except (ParleyError, ValueError) as exc:
            self.statusMessage.emit(str(exc))

    def message_followers(self, message_id: int) -> int:
        """How many messages come after this one on any branch (deleted with it)."""
        count = 0
        pending = [message_id]
        while pending:
            children = self.ctx.store.children(pending.pop())
            count += len(children)
            pending.extend(c.id for c in children)
        return count

    def delete_message(self, message_id: int, *, with_followers: bool = False) -> None:
        """Delete one message on explicit request (and what follows it, if asked)."""
        if self.busy or self.current is None:
            return
        try:
            self.ctx.store.delete_message(message_id, with_descendants=with_followers)
        except ParleyError as exc:
            self.statusMessage.emit(str(exc))
            return
        self._show(self.current)
        self.conversationUpdated.emit(self.current.id)

    def new_conversation(self) -> None:
        """Show an empty chat; it is stored when its first message is sent."""
        self.current = None
        self.set_model(self.ctx.settings.default_model)
        self.conversationOpened.emit(None, [])

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        title = title.strip()
        if not title:
            return
        self.ctx.store.rename_conversation(conversation_id, title)
        if self.current is not None and self.current.id == conversation_id:
            self.current.title = title
        self.conversationUpdated.emit(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Move to the trash (Undo puts it back; the trash is emptied when Parley closes)."""
        conv = self.ctx.store.get_conversation(conversation_id)
        if conv is None:
            return
        if self.current is not None and self.current.id == conversation_id:
            if self.busy:
                self.stop()
            self.current = None
            self.conversationOpened.emit(None, [])
        self.ctx.store.trash_conversation(conversation_id)
        self.conversationRemoved.emit(conversation_id)
        self.conversationDeleted.emit(conversation_id, conv.title)

    def undo_delete(self, conversation_id: int) -> None:
        self.ctx.store.restore_conversation(conversation_id)
        self.conversationUpdated.emit(conversation_id)
        self.open_conversation(conversation_id)

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        self.ctx.store.set_pinned(conversation_id, pinned)
        self.conversationUpdated.emit(conversation_id)

    def set_archived(self, conversation_id: int, archived: bool) -> None:
        self.ctx.store.set_archived(conversation_id, archived)
        self.conversationUpdated.emit(conversation_id)
        self.statusMessage.emit(
            self.tr("Archived. Choose “Archived” above the list to see it.") if archived
            else self.tr("Moved back from the archive.")
        )

    def set_tags(self, conversation_id: int, tags: list[str]) -> None:
        self.ctx.store.set_tags(conversation_id, tags)
        # The filter lists tags with counts: reload the list as a whole.
        self.conversationsChanged.emit()

    def search(self, query: str) -> list[SearchHit]:
        """Full-text search over every conversation, best matches first."""
        from app.core.history.search import search

        try:
            return search(self.ctx.store, query)
        except ParleyError as exc:
            self.statusMessage.emit(str(exc))
            return []

    # ---- model ---------------------------------------------------------------------

    def set_model(self, model: str) -> None:
        model = model.strip()
        if model and model != self.model:
            self.model = model
            self.modelChanged.emit(model)

    def refresh_models(self) -> None:
        if not self._closed:
            self._spawn(self._load_models())

    async def _load_models(self) -> None:
        """Show the cached model list at once, then refresh it from the endpoint."""
        import asyncio

        # Import the HTTP stack in a worker thread: it takes a noticeable fraction of a
        # second, which would otherwise freeze the window right after it appears.
        running = asyncio.get_running_loop()
        await running.run_in_executor(
            self._executor, importlib.import_module, "app.core.models_cache"
        )
        # The markdown renderer and common code lexers too, so the first reply with code
        # does not stall the window while they load.
        self._spawn(running.run_in_executor(self._executor, _warm_renderer))
        from app.core import models_cache

        endpoint = self.endpoint()
        cached = models_cache.load_cached(endpoint.name)
        if cached is not None:
            self._set_catalog(cached)
        try:
            # The key lookup (keychain, maybe D-Bus) happens off the GUI thread, once per
            # client; later `_client()` calls reuse the client made here.
            client = await self.run_blocking(self._client)
            fresh = await models_cache.refresh(client, endpoint.name)
        except ParleyError as exc:
            if cached is None:
                self.statusMessage.emit(
                    self.tr("Could not load the model list: {error}").format(error=exc)
                )
            else:
                self.statusMessage.emit(
                    self.tr("Offline: showing the saved model list ({error})").format(error=exc)
                )
            return
        self._set_catalog(fresh)

    def _set_catalog(self, catalog: ModelCatalog) -> None:
        self.catalog = catalog
        self.models = sorted(catalog.models, key=lambda m: m.name.lower())
        self.modelsLoaded.emit(self.models)

    def model_info(self, model_id: str | None = None) -> ModelInfo | None:
        """What the catalog knows of a model (suffixes like :online ignored)."""
        if self.catalog is None:
            return None
        wanted = model_id or self.model
        return self.catalog.get(wanted) or self.catalog.get(wanted.split(":")[0])

    # ---- endpoint and options --------------------------------------------------------

    def endpoint(self) -> Endpoint:
        from app.core.endpoints import find_endpoint

        return find_endpoint(self.ctx.settings)

    def _client(self) -> ChatClient:
        return self.ctx.client_for_endpoint(self.endpoint())

    def options(self) -> ConversationOptions:
        """The request options of the open conversation (or of the next new one)."""
        from app.core.options import ConversationOptions

        if self.current is not None:
            return ConversationOptions.from_dict(self.ctx.store.get_options(self.current.id))
        if self.pending_options is None:
            self.pending_options = ConversationOptions.from_dict(
                self.ctx.settings.default_options
            )
        return self.pending_options

    def set_options(self, options: ConversationOptions, *, as_default: bool = False) -> None:
        if self.current is not None:
            self.ctx.store.set_options(self.current.id, options.to_dict())
        else:
            self.pending_options = options
        if as_default:
            self.ctx.settings.default_options = options.to_dict()
            try:
                self.ctx.settings.save()
            except OSError as exc:
                self.statusMessage.emit(
                    self.tr("Could not save the defaults: {error}").format(error=exc)
                )
        problems = options.validate()
        if problems:
            self.statusMessage.emit("⚠ " + " ".join(problems))

    # ---- sending -------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None

    def send(self, text: str) -> bool:
        """Store the prompt and start streaming the reply. False if nothing was sent."""
        if self.busy or not text.strip():
            return False
        # Imported on first send: the stream machinery is not needed to show the window.
        from app.core.chat import begin_exchange, title_from_prompt

        store = self.ctx.store
        try:
            options = self.options()
            endpoint = self.endpoint()
            if self.current is None:
                self.current = store.create_conversation(title_from_prompt(text), self.model)
                store.set_options(self.current.id, options.to_dict())
                self.pending_options = None
                self.conversationOpened.emit(self.current, [])
            exchange = begin_exchange(
                store, self.current.id, text, model=self.model,
                conversation_options=options, endpoint_kind=endpoint.kind,
            )
            client = self._client()
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        self.conversationUpdated.emit(self.current.id)
        self.messageAppended.emit(exchange.user_message)
        self.messageAppended.emit(exchange.reply)
        self._start_run(exchange, client)
        return True

    def _start_run(self, exchange: Exchange, client: ChatClient) -> None:
        import asyncio

        from app.core.chat import ReplyRun
        from app.core.client import RetryPolicy

        options = self.options()
        if options.tools_enabled():
            self._start_tool_loop(exchange, client, options)
            return
        store = self.ctx.store
        run = ReplyRun(
            store, client, exchange.reply, exchange.payload, on_events=self._on_events,
            retry=RetryPolicy(), on_retry=self._on_retry,
        )
        self._run = run
        self._task = asyncio.ensure_future(self._drive(run))
        self._task.add_done_callback(_report_failure)
        self._frame.start()
        self.busyChanged.emit(True)
        self.statusMessage.emit(self.tr("Waiting for {model}…").format(model=self.model))

    def stop(self) -> None:
        """Cancel the reply task: its `async with` closes the connection right away."""
        if self._task is not None:
            self._task.cancel()

    def _on_retry(self, attempt: int, delay: float, error: ApiError) -> None:
        from app.core.client import retry_message

        self.statusMessage.emit(retry_message(attempt, delay, error) + " " + self.tr(
            "(Esc cancels)"))

    def _on_events(self, events: list[StreamEvent]) -> None:
        # Called for every network read; drawing waits for the next frame tick.
        self._dirty = True

    def _push_progress(self) -> None:
        run = self._run if self._tool_loop is None else self._tool_loop.run
        if run is None or not self._dirty:
            return
        self._dirty = False
        self.replyProgress.emit(run.reply.id, run.acc.text, run.acc.reasoning)

    async def _drive(self, run: ReplyRun) -> None:
        try:
            await run.run()
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
        finally:
            self._frame.stop()
            self._task = None
            self._run = None
            final = self.ctx.store.get_message(run.reply.id)
            if final is not None:
                self.replyFinished.emit(final)
                self.usageChanged.emit(usage_line(final, self.model_info(final.model)))
            self.busyChanged.emit(False)
            self.conversationUpdated.emit(run.reply.conversation_id)
            if run.status.value == "stopped":
                self.statusMessage.emit(self.tr("Stopped. The partial reply was kept."))
            elif run.status.value == "complete":
                self.statusMessage.emit("")
            if not self._closed:
                self.update_totals()
                if run.status.value == "complete":
                    self._check_structured(run)
                    self._maybe_title(run)
                self._spawn(self._after_reply(run))

    # ---- after a reply -------------------------------------------------------------

    def _check_structured(self, run: ReplyRun) -> None:
        """With structured output on, check the reply against the schema and say so."""
        structured = self.options().structured
        if structured.mode not in ("json_schema", "json_object"):
            return
        from app.core.schema_check import check_reply

        schema = structured.schema if structured.mode == "json_schema" else {"type": "object"}
        problems = check_reply(run.acc.text, schema or {})
        msg = self.ctx.store.get_message(run.reply.id)
        if msg is None:
            return
        extra = dict(msg.extra)
        extra["structured_check"] = {"valid": not problems, "problems": problems[:20]}
        self.ctx.store.update_message(msg.id, extra=extra)
        updated = self.ctx.store.get_message(msg.id)
        if updated is not None:
            self.replyFinished.emit(updated)
        if problems:
            self.statusMessage.emit(
                self.tr("⚠ The reply does not match the schema: {problems}").format(
                    problems="; ".join(problems[:3]))
            )
        else:
            self.statusMessage.emit(self.tr("✓ The reply matches the schema."))

    def _maybe_title(self, run: ReplyRun) -> None:
        """Name a new chat with a cheap model when one is set in Settings (never blocks)."""
        model = self.ctx.settings.title_model.strip()
        conv = self.ctx.store.get_conversation(run.reply.conversation_id)
        if not model or conv is None:
            return
        thread = self.ctx.store.get_thread(conv.id)
        users = [m for m in thread if m.role.value == "user"]
        if len(users) != 1:
            return  # only after the first exchange
        self._spawn(self._title(conv.id, conv.title, model, users[0].content, run.acc.text))

    async def _title(self, conv_id: int, old: str, model: str, user: str, reply: str) -> None:
        from app.core.titles import generate_title

        try:
            title = await generate_title(self._client(), model, user, reply)
        except ParleyError:
            return  # the title from the prompt stays; not worth an error
        current = self.ctx.store.get_conversation(conv_id)
        if title and current is not None and current.title == old:
            self.rename_conversation(conv_id, title)

    # ---- tools ---------------------------------------------------------------------

    def registry(self) -> ToolRegistry:
        """The tools on offer: MCP servers from Settings (started when first used)."""
        if self._registry is None:
            from app.core.tools.mcp import McpManager
            from app.core.tools.registry import ToolRegistry

            self._registry = ToolRegistry(McpManager.from_settings(self.ctx.settings))
        return self._registry

    def tools_changed(self) -> None:
        """The MCP server list changed in Settings: stop the old servers."""
        registry, self._registry = self._registry, None
        if registry is not None and registry.mcp is not None:
            self._spawn(registry.mcp.aclose(), closing=True)

    def _start_tool_loop(
        self, exchange: Exchange, client: ChatClient, options: ConversationOptions
    ) -> None:
        import asyncio

        from app.core.client import RetryPolicy
        from app.core.tools.loop import ToolApprovals, ToolLoop

        conv_id = exchange.reply.conversation_id
        loop = ToolLoop.from_settings(
            self.ctx.settings, self.ctx.store, client, self.registry(),
            approve=self._approve,
            approvals=self._approvals.setdefault(conv_id, ToolApprovals()),
            on_events=self._on_events,
            on_reply_start=self.messageAppended.emit,
            on_tool_start=self._on_tool_start,
            on_tool_end=self._on_tool_end,
            retry=RetryPolicy(), on_retry=self._on_retry,
        )
        self._tool_loop = loop
        self._task = asyncio.ensure_future(
            self._drive_tools(loop, exchange, options, self.endpoint().kind)
        )
        self._task.add_done_callback(_report_failure)
        self._frame.start()
        self.busyChanged.emit(True)
        self.statusMessage.emit(self.tr("Waiting for {model}…").format(model=self.model))

    async def _approve(self, call: ToolCall) -> ApprovalChoice:
        """Ask the window; Stop (cancelling this task) withdraws the question."""
        import asyncio

        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.approvalRequested.emit(call, future)
        choice = await future
        return "always" if choice == "always" else "once" if choice == "once" else "deny"

    def _on_tool_start(self, call: ToolCall) -> None:
        reply = self.ctx.store.get_message(call.reply_id)
        if reply is not None:
            self.replyFinished.emit(reply)
        self.statusMessage.emit(self.tr("Running tool {name}…").format(name=call.name))

    def _on_tool_end(self, call: ToolCall, outcome: ToolCallOutcome) -> None:
        reply = self.ctx.store.get_message(call.reply_id)
        if reply is not None:
            self.replyFinished.emit(reply)
        message = self.ctx.store.get_message(outcome.message_id)
        if message is not None:
            self.messageAppended.emit(message)

    async def _drive_tools(
        self, loop: ToolLoop, exchange: Exchange, options: ConversationOptions, kind: str
    ) -> None:
        result = None
        try:
            result = await loop.continue_exchange(
                exchange, model=self.model, conversation_options=options, endpoint_kind=kind
            )
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
        finally:
            self._frame.stop()
            self._task = None
            self._tool_loop = None
            self.busyChanged.emit(False)
            conv = self.current
            if conv is not None and conv.id == exchange.reply.conversation_id:
                self._show(conv)  # every step, tool result and final answer as stored
            self.conversationUpdated.emit(exchange.reply.conversation_id)
            if not self._closed:
                self.update_totals()
        if result is not None:
            if result.problems:
                self.statusMessage.emit("⚠ " + "; ".join(
                    f"{name}: {why}" for name, why in result.problems.items()))
            elif result.stopped == "step_limit":
                self.statusMessage.emit(self.tr(
                    "Stopped after {n} tool steps (the limit in Settings).").format(
                        n=result.steps))
            else:
                self.statusMessage.emit("")

    # ---- money ---------------------------------------------------------------------

    def update_totals(self) -> None:
        """Spend of the open conversation and of today, from the stored usage."""
        import time as _time

        store = self.ctx.store
        midnight = _time.mktime((*_time.localtime()[:3], 0, 0, 0, 0, 0, -1))
        today = store.usage_totals(since=midnight)
        parts = []
        if self.current is not None:
            conv = store.usage_totals(conversation_id=self.current.id)
            parts.append(self.tr("This chat {cost}").format(cost=money(conv.cost)))
        parts.append(self.tr("today {cost}").format(cost=money(today.cost)))
        self.totalsChanged.emit(" · ".join(parts))

    async def _after_reply(self, run: ReplyRun) -> None:
        """Credit left, and for a stopped reply what the provider really charged."""
        endpoint = self.endpoint()
        if not endpoint.is_openrouter:
            return
        client = self._client()
        if run.status.value == "stopped" and run.acc.generation_id:
            await self._check_stopped_cost(client, run)
        try:
            info = await client.key_info()
        except ParleyError:
            return  # the credit line is a courtesy; errors were shown with the reply
        self.creditChanged.emit(info.describe())

    async def _check_stopped_cost(self, client: ChatClient, run: ReplyRun) -> None:
        from app.core.billing import fetch_generation_cost
        from app.core.domain import Usage

        cost = await fetch_generation_cost(client, run.acc.generation_id or "")
        if cost is None:
            return
        msg = self.ctx.store.get_message(run.reply.id)
        if msg is None:
            return
        usage = msg.usage or Usage()
        if cost.total_cost is not None:
            usage.cost = cost.total_cost
        extra = dict(msg.extra)
        extra["generation"] = {"total_cost": cost.total_cost, "cancelled": cost.cancelled,
                               "provider": cost.provider_name}
        self.ctx.store.update_message(msg.id, usage=usage, extra=extra)
        updated = self.ctx.store.get_message(msg.id)
        if updated is not None:
            self.replyFinished.emit(updated)
        self.update_totals()
        if cost.bills_full_reply:
            self.statusMessage.emit(
                self.tr("Stopped, but {provider} bills the full reply even after a stop "
                        "(charged {cost}).").format(provider=cost.provider_name or "the provider",
                                                    cost=money(cost.total_cost))
            )
        elif cost.total_cost is not None:
            self.statusMessage.emit(
                self.tr("Stopped. The provider charged {cost} for the part generated.").format(
                    cost=money(cost.total_cost)
                )
            )

    # ---- key -----------------------------------------------------------------------

    async def test_key(self, base_url: str, api_key: str | None) -> KeyInfo:
        """GET /key with the given key (not yet saved); raises ParleyError."""
        client = self.ctx.client_for(base_url, api_key)
        try:
            return await client.key_info()
        finally:
            await client.aclose()

    def settings_changed(self) -> None:
        """Settings or the key changed: use new clients from now on."""
        old = self.ctx.drop_endpoint_clients()
        for client in old:
            self._spawn(client.aclose(), closing=True)
        self.refresh_models()

    # ---- lifecycle -----------------------------------------------------------------

    def _spawn(self, coro: Any, *, closing: bool = False) -> asyncio.Future[Any]:
        """Run a coroutine or future owned by this controller (see `spawn`)."""
        import asyncio

        task: asyncio.Future[Any] = asyncio.ensure_future(coro)
        owner = self._closing_tasks if closing else self._aux_tasks
        owner.add(task)
        task.add_done_callback(owner.discard)
        task.add_done_callback(_report_failure)
        return task

    def spawn(self, coro: Any, *, closing: bool = False) -> asyncio.Future[Any]:
        """Run `coro` as a task this controller keeps, cancels at exit and awaits.

        A task that fails is reported (logged with its traceback, and shown) rather than
        lost. `closing=True` marks clean-up work: it is not cancelled at exit but awaited.
        """
        return self._spawn(coro, closing=closing)

    async def run_blocking(self, func: Callable[..., _T], *args: Any, long: bool = False) -> _T:
        """Run a blocking call (keychain, file I/O) on a worker thread and await it.

        `long=True` (imports, exports, backups) uses a separate thread, so short calls
        such as key lookups never queue behind it.
        """
        import asyncio

        executor = self._long_executor if long else self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, func, *args)

    async def shutdown(self) -> None:
        """Save a reply in flight as stopped, stop tasks, servers and connections.

        Safe to call twice. Cancelled tasks get `TASKS_EXIT_WAIT` seconds to clean up;
        MCP servers are then stopped and awaited to the end (their own shutdown is
        bounded), so no child process outlives the window.
        """
        import asyncio

        self._closed = True
        if self._run is not None:
            self._run.finalize_stopped()
        if self._tool_loop is not None:
            self._tool_loop.finalize_stopped()
        tasks: list[asyncio.Future[Any]] = [
            t for t in (self._task, *self._aux_tasks) if t is not None
        ]
        for task in tasks:
            task.cancel()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=TASKS_EXIT_WAIT)
            for task in pending:
                log.warning("A task did not stop within %.0f s at exit: %r",
                            TASKS_EXIT_WAIT, task)
        closing: list[Awaitable[Any]] = list(self._closing_tasks)
        if self._registry is not None and self._registry.mcp is not None:
            # MCP servers are child processes: stop them with the app.
            closing.append(self._registry.mcp.aclose())
        for client in self.ctx.drop_endpoint_clients():
            closing.append(client.aclose())
        for outcome in await asyncio.gather(*closing, return_exceptions=True):
            if isinstance(outcome, BaseException):
                log.warning("Clean-up at exit failed", exc_info=outcome)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._long_executor.shutdown(wait=False, cancel_futures=True)


def _report_failure(task: asyncio.Future[Any]) -> None:
    """Done callback: hand a task's unexpected exception to the loop's exception handler."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is None:
        return
    # The handler logs it with the traceback (and in the window, shows it); calling it
    # here rather than at garbage collection reports it while the user is still there.
    task.get_loop().call_exception_handler(
        {"message": "A background task failed", "exception": exc, "future": task}
    )


def usage_line(msg: Message, info: ModelInfo | None = None) -> str:
    """'model · 1,234 tokens · $0.0012' for the status bar; '' when nothing is known.

    With the model's prices known, cached prompt tokens also show what caching saved.
    """
    parts: list[str] = []
    if msg.model:
        parts.append(msg.model + (f" via {msg.provider}" if msg.provider else ""))
    if msg.usage is not None:
        u = msg.usage
        parts.append(f"{u.prompt_tokens:,} in / {u.completion_tokens:,} out tokens")
        if u.cached_tokens:
            cached = f"{u.cached_tokens:,} cached"
            if info is not None and info.prompt_price and info.input_cache_read_price is not None:
                saved = u.cached_tokens * (info.prompt_price - info.input_cache_read_price)
                if saved > 0:
                    cached += f", saved {money(saved)}"
            parts.append(cached)
        if u.cost is not None:
            parts.append(f"${u.cost:.6f}" if u.cost < 0.01 else f"${u.cost:.4f}")
    if msg.status.value != "complete":
        parts.append(msg.status.value)
    return " · ".join(parts)


def money(cost: float | None) -> str:
    """$0.0012 style: enough digits for tiny per-request costs."""
    if cost is None:
        return "$?"
    return f"${cost:.4f}" if cost >= 0.01 or cost == 0 else f"${cost:.6f}"


def _warm_renderer() -> None:
    from app.core.markdown_render import warm_up

    warm_up()
