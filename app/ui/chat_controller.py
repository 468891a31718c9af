"""The glue between widgets and core: owns the reply task, history calls and model list.

Widgets never touch SQLite or httpx; they call this controller and listen to its signals.
It owns every asyncio task it starts (strong references), cancels them on Stop and at
shutdown, and restores the UI state in `finally`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.context import AppContext
from app.core.domain import Attachment, Conversation, Message
from app.core.errors import ApiError, AuthError, ParleyError, PaymentRequired
from app.core.finish import money, usage_line

__all__ = ["ChatController", "error_kind", "money", "usage_line"]

if TYPE_CHECKING:
    # asyncio loads with the event loop, after the window has been painted.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from PySide6.QtGui import QImage

    from app.core.attachments import AttachmentFiles
    from app.core.chat import Exchange, ReplyRun

    # httpx is imported only when the first request is made, after the window is shown.
    from app.core.client import ChatClient, KeyInfo, ModelInfo
    from app.core.compare import Comparison
    from app.core.context_budget import ContextEstimate
    from app.core.endpoints import Endpoint
    from app.core.events import StreamEvent
    from app.core.finish import RunSummary
    from app.core.history.search import SearchHit
    from app.core.models_cache import ModelCatalog
    from app.core.options import ConversationOptions
    from app.core.requests import ChatRequest
    from app.core.tools.loop import (
        ApprovalChoice,
        ToolCall,
        ToolCallOutcome,
        ToolLoop,
    )
    from app.core.tools.registry import ToolRegistry
    from app.core.usage import BudgetStatus, Dashboard, UsageRange

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: how long shutdown waits for cancelled tasks to finish their clean-up
TASKS_EXIT_WAIT = 2.0

#: how often a streaming reply is pushed to the view (~30 frames a second: smooth for
#: text, and half the repaints of 60 fps, which dominate the cost of a long reply)
FRAME_MS = 33
#: what the chat view showed of a comparison's conversation when it started: the thread a
#: new prompt is added to, the thread holding the compared reply, or another conversation
Shown = Literal["prompt", "thread"] | None


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
    #: the markdown renderer and common code lexers are loaded: code can be highlighted
    rendererWarm = Signal()
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
    #: (message id, every image of the reply so far, as in extra["images"]) — emitted on
    #: the frame tick when new images arrived
    replyImages = Signal(int, object)
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
    #: a sentence when a budget's 80% / 100% threshold is crossed, "" when none is
    budgetWarning = Signal(str)
    #: a comparison started: the Comparison (its columns: model, reply...)
    compareStarted = Signal(object)
    #: (column index, text so far) while a comparison streams, at most once a frame
    compareProgress = Signal(int, str)
    #: (column index, Column) when one column ended (complete, error or stopped)
    compareColumnFinished = Signal(int, object)
    #: every column of the comparison ended
    compareFinished = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current: Conversation | None = None
        self.model = ctx.settings.default_model
        self.models: list[ModelInfo] = []
        self.catalog: ModelCatalog | None = None
        # Options of a chat not stored yet: the defaults from Settings until it is.
        self.pending_options: ConversationOptions | None = None
        #: the folder the next new chat is filed in (set by `new_conversation`)
        self.pending_folder_id: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._run: ReplyRun | None = None
        #: background work (model list, titles, credit, warm-up...): cancelled at exit
        self._aux_tasks: set[asyncio.Future[Any]] = set()
        #: clean-up (closing clients and MCP servers): awaited to the end at exit, never
        #: cancelled, or a child process could be left behind
        self._closing_tasks: set[asyncio.Future[Any]] = set()
        #: worker threads, made on first use (see `_pool`)
        self._pools: dict[bool, ThreadPoolExecutor] = {}
        self._closed = False
        self._tool_loop: ToolLoop | None = None
        self._registry: ToolRegistry | None = None
        self._dirty = False
        #: (reply id, how many of its images the window was given)
        self._images_shown: tuple[int, int] = (0, 0)
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._push_progress)
        self._comparison: Comparison | None = None
        self._compare_dirty: set[int] = set()
        #: asked (with the budget sentence) before sending over budget when Settings say
        #: so; the composition root sets a dialog, True sends
        self.confirm_over_budget: Callable[[str], bool] = lambda _message: True

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
        self.pending_folder_id = None
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

        return self._start_branch(lambda request: begin_regenerate(
            self.ctx.store, reply_id, request=request))

    def edit_message(self, message_id: int, new_text: str) -> bool:
        """Send an edited prompt as a new version; the original and its replies stay."""
        if self.busy or self.current is None or not new_text.strip():
            return False
        from app.core.branches import begin_edit

        return self._start_branch(lambda request: begin_edit(
            self.ctx.store, message_id, new_text, request=request))

    def _start_branch(self, begin: Any) -> bool:
        try:
            request = self.request()
            exchange = begin(request)
            client = self.ctx.client_for_endpoint(request.endpoint)
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        assert self.current is not None
        self._show(self.current)
        self._start_run(exchange, client, request)
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

    def new_conversation(self, folder_id: str | None = None) -> None:
        """Show an empty chat; it is stored when its first message is sent.

        Made in a folder, it is filed there and starts with the folder's model and
        options (system prompt, tools...) laid over the defaults in Settings.
        """
        from app.core.history.folders import new_chat_in

        self.current = None
        settings = self.ctx.settings
        if folder_id is None and self.pending_folder_id is None:
            self.set_model(settings.default_model)
        else:
            model, options, self.pending_folder_id = new_chat_in(
                self.ctx.store, folder_id, settings.default_model, settings.default_options)
            self.set_model(model)
            # Leaving a folder's new chat for a plain one drops the folder's options too.
            self.pending_options = options if self.pending_folder_id else None
        self.conversationOpened.emit(None, [])

    # ---- context -------------------------------------------------------------------

    def context_estimate(self) -> ContextEstimate:
        """How much of the model's context the open chat fills (the draft not counted)."""
        from app.core.context_budget import estimate, visible_to_model

        options = self.options()
        messages = self._messages_of(self.current) if self.current is not None else []
        sent = visible_to_model(messages, options.first_sent_message)
        info = self.model_info()
        return estimate(sent, info.context_length if info else None,
                        system_prompt=options.system_prompt,
                        measured_after=options.hidden_at_message)

    def hide_oldest_turns(self) -> int:
        """Leave the oldest turns out of requests until the chat fits 80 % of the model's
        context (the last turn always goes); returns how many messages are left out."""
        from app.core.context_budget import first_kept_for, visible_to_model

        info = self.model_info()
        if self.current is None or info is None or not info.context_length:
            return 0
        messages = self._messages_of(self.current)
        first = first_kept_for(messages, info.context_length)
        if first is None:
            return 0
        options = self.options()
        options.first_sent_message = first
        options.hidden_at_message = messages[-1].id
        self.set_options(options)
        hidden = len(messages) - len(visible_to_model(messages, first))
        self.statusMessage.emit(self.tr(
            "{n} older messages are left out of requests; they stay in the chat.").format(
            n=hidden))
        return hidden

    def send_all_turns(self) -> None:
        """Send every turn again (undo `hide_oldest_turns`)."""
        options = self.options()
        options.first_sent_message = None
        options.hidden_at_message = None
        self.set_options(options)

    def enable_middle_out(self) -> None:
        """Let OpenRouter compress the middle of this chat when it does not fit."""
        options = self.options()
        options.middle_out = True
        self.set_options(options)
        self.statusMessage.emit(self.tr(
            "Middle-out is on: OpenRouter drops messages from the middle when the chat "
            "does not fit the model."))

    def start_summary_chat(self) -> bool:
        """Ask the model for a summary of the open chat, then open a new chat that starts
        from it (as its system prompt). False when there is nothing to summarise."""
        if self.current is None or self.busy:
            return False
        self.spawn(self._summary_chat(self.current))
        return True

    async def _summary_chat(self, conv: Conversation) -> None:
        from app.core.context_budget import SUMMARY_INSTRUCTION, summary_intro
        from app.core.events import ReplyAccumulator

        self.statusMessage.emit(self.tr("Writing a summary of this chat…"))
        request = self.request()
        options = request.options
        messages = self._messages_of(conv)
        payload = request.payload(messages)
        payload["messages"].append({"role": "user", "content": SUMMARY_INSTRUCTION})
        payload.pop("tools", None)
        acc = ReplyAccumulator()

        def on_events(events: list[StreamEvent]) -> None:
            for event in events:
                acc.apply(event)

        try:
            client = self.ctx.client_for_endpoint(request.endpoint)
            await client.stream_chat(payload, on_events)
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return
        summary = acc.text.strip()
        if not summary:
            self.statusMessage.emit(self.tr("The model returned no summary; nothing changed."))
            return
        fresh = options.clone()
        fresh.first_sent_message = None
        fresh.hidden_at_message = None
        intro = summary_intro(conv.title, summary)
        fresh.system_prompt = f"{fresh.system_prompt}\n\n{intro}" if fresh.system_prompt \
            else intro
        model = self.model
        self.new_conversation()
        self.set_model(model)
        self.pending_options = fresh
        self.statusMessage.emit(self.tr(
            "New chat: it starts from a summary of “{title}” (in its system prompt).").format(
            title=conv.title))

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

    #: the one model-list load in flight; a new refresh cancels it
    _models_task: asyncio.Task[None] | None = None
    #: bumped by every refresh, so a load that finishes late knows it is stale
    _models_generation = 0

    def refresh_models(self) -> None:
        """Load the model list again, replacing any load still in flight."""
        if self._closed:
            return
        import asyncio

        old = self._models_task
        if old is not None and not old.done():
            old.cancel()
        self._models_generation += 1
        task = asyncio.ensure_future(self._load_models(self._models_generation))
        self._models_task = task
        self._aux_tasks.add(task)
        task.add_done_callback(self._aux_tasks.discard)

    async def _load_models(self, generation: int = 0) -> None:
        """Show the cached model list at once, then refresh it from the endpoint."""
        import asyncio

        def stale() -> bool:
            # Settings changed (the client was closed on purpose), a newer load started,
            # or the window is closing: this load's outcome is no longer the user's concern.
            return self._closed or generation != self._models_generation

        # Import the HTTP stack in a worker thread: it takes a noticeable fraction of a
        # second, which would otherwise freeze the window right after it appears.
        running = asyncio.get_running_loop()
        await running.run_in_executor(
            self._pool(), importlib.import_module, "app.core.models_cache"
        )
        # The request path too, so the first send does not stall the window while it loads.
        self._spawn(running.run_in_executor(self._pool(), warm_up_send_path))
        from app.core import models_cache

        if stale():
            return
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
            if stale():
                return
            if cached is None:
                self.statusMessage.emit(
                    self.tr("Could not load the model list: {error}").format(error=exc)
                )
            else:
                self.statusMessage.emit(
                    self.tr("Offline: showing the saved model list ({error})").format(error=exc)
                )
            return
        except RuntimeError:
            # httpx refuses requests on a client closed by a settings change.
            if stale():
                return
            raise
        if stale():
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
        """The open conversation's endpoint (a new chat: the current one in Settings).

        A conversation whose endpoint was removed shows the current one here; sending in
        it fails with a message naming the missing endpoint (see `request`)."""
        from app.core.endpoints import find_endpoint
        from app.core.requests import conversation_endpoint

        if self.current is not None:
            try:
                return conversation_endpoint(self.ctx.settings, self.current)
            except ParleyError:
                pass
        return find_endpoint(self.ctx.settings)

    def _client(self) -> ChatClient:
        return self.ctx.client_for_endpoint(self.endpoint())

    def request(self) -> ChatRequest:
        """The request for the next reply: the one request path with the chosen model."""
        from app.core.requests import Overrides, resolve_request

        current = self.current
        if current is not None:
            # Re-read: the endpoint may have been moved since the chat was opened.
            current = self.ctx.store.get_conversation(current.id) or current
        return resolve_request(
            self.ctx.settings, self.ctx.store, current, Overrides(model=self.model),
            options=self.options() if current is None else None,
        )

    def endpoint_choices(self) -> tuple[list[str], str | None]:
        """The configured endpoints (built-in first) and the open chat's endpoint (None:
        no stored chat is open), for Conversation > Move to Endpoint."""
        names = [e.name for e in self.ctx.endpoints()]
        if self.current is None:
            return names, None
        return names, self.current.endpoint or "openrouter"

    def move_to_endpoint(self, name: str) -> bool:
        """Move the open conversation to the endpoint `name` (its key and kind from now on)."""
        from app.core.requests import endpoint_named

        if self.current is None or self.busy:
            return False
        try:
            endpoint = endpoint_named(self.ctx.settings, name)
            self.ctx.store.set_conversation_endpoint(self.current.id, endpoint.name)
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        self.current.endpoint = endpoint.name
        self.conversationUpdated.emit(self.current.id)
        self.refresh_models()  # the model list of the endpoint it talks to now
        self.statusMessage.emit(
            self.tr("This chat now uses the endpoint {name}.").format(name=endpoint.name))
        return True

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
                self.ctx.settings_service.save()
            except ParleyError as exc:
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

    def send(self, text: str, attachments: Sequence[Attachment] = ()) -> bool:
        """Store the prompt (with the files attached, already ingested) and start streaming
        the reply. False if nothing was sent."""
        if self.busy or not (text.strip() or attachments) or not self.budget_allows():
            return False
        # Imported on first send: the stream machinery is not needed to show the window.
        from app.core.chat import begin_exchange, title_from_prompt

        store = self.ctx.store
        try:
            request = self.request()
            client = self.ctx.client_for_endpoint(request.endpoint)
            if self.current is None:
                self.current = store.create_conversation(
                    title_from_prompt(text), self.model, endpoint=request.endpoint.name,
                    folder_id=self.pending_folder_id)
                self.pending_folder_id = None
                store.set_options(self.current.id, request.options.to_dict())
                self.pending_options = None
                self.conversationOpened.emit(self.current, [])
            exchange = begin_exchange(store, self.current.id, text, request=request,
                                      attachments=attachments)
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        self.conversationUpdated.emit(self.current.id)
        self.messageAppended.emit(exchange.user_message)
        self.messageAppended.emit(exchange.reply)
        self._start_run(exchange, client, request)
        return True

    def _start_run(self, exchange: Exchange, client: ChatClient, request: ChatRequest) -> None:
        import asyncio

        from app.core.chat import ReplyRun
        from app.core.client import RetryPolicy

        if request.options.tools_enabled():
            self._start_tool_loop(exchange, client, request)
            return
        store = self.ctx.store
        run = ReplyRun(
            store, client, exchange.reply, exchange.payload, on_events=self._on_events,
            retry=RetryPolicy(), on_retry=self._on_retry,
        )
        self._run = run
        self._task = asyncio.ensure_future(self._drive(run, request, client))
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
        self._push_compare()
        run = self._run if self._tool_loop is None else self._tool_loop.run
        if run is None or not self._dirty:
            return
        self._dirty = False
        self.replyProgress.emit(run.reply.id, run.acc.text, run.acc.reasoning)
        images = run.acc.images
        shown_id, shown = self._images_shown
        if images and (shown_id != run.reply.id or shown < len(images)):
            self._images_shown = (run.reply.id, len(images))
            self.replyImages.emit(run.reply.id, [dict(entry) for entry in images])

    async def _drive(self, run: ReplyRun, request: ChatRequest, client: ChatClient) -> None:
        try:
            await run.run()
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
        finally:
            self._frame.stop()
            self._task = None
            self._run = None
            self.busyChanged.emit(False)
            self._finish(request, client, [run.reply.id])

    # ---- after a reply -------------------------------------------------------------

    def _finish(self, request: ChatRequest, client: ChatClient, reply_ids: list[int]) -> None:
        """Present a finished run (core's `finish_run`), then its slow part in the background."""
        from app.core.finish import finish_run

        if not reply_ids:
            return
        store = self.ctx.store
        first = store.get_message(reply_ids[0])
        info = self.model_info(first.model if first is not None and first.model else None)
        summary = finish_run(store, request, reply_ids, info=info)
        final = summary.reply
        if final is not None:
            self.replyFinished.emit(final)
            self.conversationUpdated.emit(final.conversation_id)
        self.usageChanged.emit(summary.usage_line)
        status = summary.status.value
        if status == "stopped":
            self.statusMessage.emit(self.tr("Stopped. The partial reply was kept."))
        elif status == "complete":
            self.statusMessage.emit("")
        if summary.structured is not None:
            self._check_structured(summary.structured)
        if summary.warning:
            self.statusMessage.emit("⚠ " + summary.warning)
        if not self._closed:
            self.update_totals()
            self._spawn(self._after_reply(request, client, summary))

    def _check_structured(self, verdict: dict[str, Any]) -> None:
        """Say whether the reply matches the schema (core stored the verdict)."""
        problems = list(verdict.get("problems") or [])
        if problems:
            self.statusMessage.emit(
                self.tr("⚠ The reply does not match the schema: {problems}").format(
                    problems="; ".join(problems[:3]))
            )
        else:
            self.statusMessage.emit(self.tr("✓ The reply matches the schema."))

    async def _after_reply(
        self, request: ChatRequest, client: ChatClient, summary: RunSummary
    ) -> None:
        """Title after the first exchange, the real cost of a stopped reply, credit left."""
        from app.core.finish import after_run

        await after_run(self.ctx.store, client, self.ctx.settings, request, summary)
        if summary.title and summary.reply is not None:
            conv_id = summary.reply.conversation_id
            if self.current is not None and self.current.id == conv_id:
                self.current.title = summary.title
            self.conversationUpdated.emit(conv_id)
        if summary.cost is not None:
            self._check_stopped_cost(summary)
        if not request.endpoint.is_openrouter or self._closed:
            return
        try:
            info = await client.key_info()
        except ParleyError:
            return  # the credit line is a courtesy; errors were shown with the reply
        self.creditChanged.emit(info.describe())

    def _check_stopped_cost(self, summary: RunSummary) -> None:
        """Show what a stopped reply really cost (core stored it on the message)."""
        cost = summary.cost
        if cost is None:
            return
        if summary.reply is not None:
            self.replyFinished.emit(summary.reply)
            self.usageChanged.emit(summary.usage_line)
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

    # ---- tools ---------------------------------------------------------------------

    def registry(self) -> ToolRegistry:
        """The tools on offer: MCP servers from Settings (started when first used)."""
        if self._registry is None:
            from app.core.tools.mcp import McpManager
            from app.core.tools.registry import ToolRegistry

            self._registry = ToolRegistry(McpManager.from_settings(self.ctx.settings))
        return self._registry

    def tools_changed(self) -> None:
        """The MCP server list changed in Settings: the next request starts the new ones;
        the old servers stop once no running request uses them."""
        registry, self._registry = self._registry, None
        if registry is not None and registry.mcp is not None:
            self._close_when_idle([registry.mcp.aclose])

    def _start_tool_loop(
        self, exchange: Exchange, client: ChatClient, request: ChatRequest
    ) -> None:
        import asyncio

        from app.core.approvals import approvals_for
        from app.core.client import RetryPolicy
        from app.core.tools.loop import ToolLoop

        conv_id = exchange.reply.conversation_id
        reply_ids = [exchange.reply.id]

        def reply_started(message: Message) -> None:
            if message.id not in reply_ids:
                reply_ids.append(message.id)
            self.messageAppended.emit(message)

        loop = ToolLoop.from_settings(
            self.ctx.settings, self.ctx.store, client, self.registry(),
            approve=self._approve,
            # "Always allow" is stored with the conversation, so it survives restarts.
            approvals=approvals_for(self.ctx.store, conv_id),
            on_events=self._on_events,
            on_reply_start=reply_started,
            on_tool_start=self._on_tool_start,
            on_tool_end=self._on_tool_end,
            retry=RetryPolicy(), on_retry=self._on_retry,
        )
        self._tool_loop = loop
        self._task = asyncio.ensure_future(
            self._drive_tools(loop, exchange, request, client, reply_ids)
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
        if choice == "always":
            from app.core.approvals import remember_always

            try:
                remember_always(self.ctx.store, call.conversation_id, call.name)
            except ParleyError as exc:
                self.statusMessage.emit(str(exc))  # allowed for this run all the same
            return "always"
        return "once" if choice == "once" else "deny"

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
        self, loop: ToolLoop, exchange: Exchange, request: ChatRequest, client: ChatClient,
        reply_ids: list[int],
    ) -> None:
        result = None
        try:
            result = await loop.continue_exchange(exchange, request=request)
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
            self._finish(request, client, reply_ids)
        if result is not None:
            if result.problems:
                self.statusMessage.emit("⚠ " + "; ".join(
                    f"{name}: {why}" for name, why in result.problems.items()))
            elif result.stopped == "step_limit":
                self.statusMessage.emit(self.tr(
                    "Stopped after {n} tool steps (the limit in Settings).").format(
                        n=result.steps))

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
        self.check_budget()

    async def usage_dashboard(self, span: UsageRange, stack: str) -> Dashboard:
        """The Usage window's figures, added up on the file thread with its own connection."""
        from app.core.usage import dashboard_in_worker

        return await self.run_blocking(dashboard_in_worker, self.ctx.store.path, span,
                                       stack, self.ctx.settings, long=True)

    async def openrouter_credit(self) -> KeyInfo | None:
        """GET /key on the OpenRouter endpoint (what the status bar shows after a reply);
        None when there is no OpenRouter endpoint or it cannot say."""
        from app.core.endpoints import list_endpoints

        endpoint = next((e for e in list_endpoints(self.ctx.settings) if e.is_openrouter), None)
        if endpoint is None:
            return None
        try:
            return await self.ctx.client_for_endpoint(endpoint).key_info()
        except ParleyError:
            return None

    def check_budget(self) -> BudgetStatus | None:
        """Emit `budgetWarning` for the budgets in Settings; None when there are none."""
        settings = self.ctx.settings
        if settings.monthly_budget is None and settings.daily_budget is None:
            self.budgetWarning.emit("")
            return None
        from app.core.usage import budget_status

        try:
            status = budget_status(self.ctx.store, settings)
        except ParleyError:
            return None  # a warning that cannot be computed must not stop the user
        self.budgetWarning.emit(status.message())
        return status

    def budget_allows(self) -> bool:
        """Before a send: warn past a threshold; over budget, ask when Settings say so."""
        status = self.check_budget()
        if status is None or not status.needs_confirmation:
            return True
        return self.confirm_over_budget(status.message())

    # ---- key -----------------------------------------------------------------------

    async def test_key(self, base_url: str, api_key: str | None) -> KeyInfo:
        """GET /key with the given key (not yet saved); raises ParleyError."""
        client = self.ctx.client_for(base_url, api_key)
        try:
            return await client.key_info()
        finally:
            await client.aclose()

    def settings_changed(self) -> None:
        """Settings or the key changed: the next request uses new clients; the old ones
        close once no running request uses them (a reply in flight completes)."""
        old = self.ctx.drop_endpoint_clients()
        if old:
            self._close_when_idle([client.aclose for client in old])
        self.refresh_models()
        self.check_budget()

    def _close_when_idle(self, closers: list[Callable[[], Awaitable[None]]]) -> None:
        """Close old clients or servers once the tasks running now have ended (the reply,
        titles, the model list); tasks started later use the new ones."""
        import asyncio

        running = [t for t in (self._task, *self._aux_tasks) if t is not None and not t.done()]

        async def close_later() -> None:
            try:
                if running:
                    await asyncio.wait(running)
            finally:
                # Also when cancelled at shutdown: connections and servers must not leak.
                for close in closers:
                    with contextlib.suppress(Exception):
                        await close()

        # Clean-up work: awaited at exit, never cancelled half-way.
        self._spawn(close_later(), closing=True)

    # ---- attachments -----------------------------------------------------------------

    def attachment_files(self) -> AttachmentFiles:
        """The content-addressed store of attached and generated files."""
        from app.core.attachments import AttachmentFiles

        return AttachmentFiles.in_data_dir(self.ctx.store.path.parent)

    def attachment_path(self, sha256: str) -> Path:
        """Where the stored bytes with this hash live."""
        return self.attachment_files().path(sha256)

    async def ingest_attachment(
        self, source: Path | bytes, name: str
    ) -> tuple[Attachment, QImage]:
        """Read, check and store a file (or pasted bytes) on a worker thread, with a chip
        thumbnail made there too; AttachmentError naming the file when it cannot be sent."""
        from app.core.attachments import ingest_bytes, ingest_file

        files = self.attachment_files()
        max_side = self.ctx.settings.image_max_side

        def work() -> tuple[Attachment, QImage]:
            from PySide6.QtGui import QImage

            from app.core.domain import AttachmentKind
            from app.ui.attachment_chips import CHIP_THUMB, thumbnail

            if isinstance(source, bytes):
                attachment = ingest_bytes(source, name, files, max_side=max_side)
            else:
                attachment = ingest_file(source, files, max_side=max_side)
            image = QImage()
            if attachment.kind is AttachmentKind.IMAGE:
                image = thumbnail(files.path(attachment.sent_sha256 or attachment.sha256),
                                  CHIP_THUMB)
            return attachment, image

        return await self.run_blocking(work)

    def attachment_warnings(self, attachments: Sequence[Attachment]) -> list[str]:
        """Sentences for the kinds of file the chosen model cannot read ([] when unknown)."""
        from app.core.attachments import capability_warnings

        info = self.model_info()
        modalities = info.input_modalities if info is not None and info.input_modalities \
            else None
        return capability_warnings(attachments, modalities, self.model)

    async def fetch_image(self, url: str) -> bytes:
        """Download a remote generated image the user asked to see (size-capped)."""
        from app.core.remote_images import fetch_image

        return await fetch_image(url)

    # ---- comparing models ----------------------------------------------------------

    def compare(self, text: str, models: Sequence[str]) -> bool:
        """Send `text` to 2-4 models at once, in the open chat (or a new one); every reply is
        kept as a sibling branch. False (after saying why) if nothing was sent."""
        if self.busy or not text.strip() or not self.budget_allows():
            return False
        from app.core.compare import begin_compare

        conv_id = self.current.id if self.current is not None else None
        return self._start_compare(
            lambda: begin_compare(self.ctx.store, self.ctx.settings, conv_id, text, models),
            new_prompt=True)

    def compare_with(self, message_id: int, models: Sequence[str]) -> bool:
        """"Compare with…": answer an existing reply's prompt with other models too; their
        replies become siblings of it. False (after saying why) if nothing was sent."""
        if self.busy or not self.budget_allows():
            return False
        from app.core.compare import compare_with

        return self._start_compare(
            lambda: compare_with(self.ctx.store, self.ctx.settings, message_id, models),
            new_prompt=False)

    def models_favourites_first(self, models: Sequence[ModelInfo] | None = None) -> list[ModelInfo]:
        """The model list with the models starred in the model browser first (same order)."""
        favourites = set(self.ctx.settings.favourite_models)
        items = list(self.models if models is None else models)
        return ([m for m in items if m.id in favourites]
                + [m for m in items if m.id not in favourites])

    def prompt_of(self, reply_id: int) -> str:
        """The text of the prompt a reply answers ("" when it has none)."""
        reply = self.ctx.store.get_message(reply_id)
        if reply is None or reply.parent_id is None:
            return ""
        prompt = self.ctx.store.get_message(reply.parent_id)
        return prompt.content if prompt is not None else ""

    def _start_compare(self, begin: Callable[[], Comparison], *, new_prompt: bool) -> bool:
        import asyncio

        store = self.ctx.store
        shown = self.current.id if self.current is not None else None
        try:
            comparison = begin()
            for col in comparison.columns:
                self.ctx.client_for_endpoint(col.request.endpoint)  # a missing key, now
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        self.current = store.get_conversation(comparison.conversation_id)
        self._comparison = comparison
        self.compareStarted.emit(comparison)
        # Where the chat view stands: the messages shown so far stay as they are drawn.
        shown_before: Shown = None
        if shown == comparison.conversation_id:
            shown_before = "prompt" if new_prompt else "thread"
        self._task = asyncio.ensure_future(self._drive_compare(comparison, shown_before))
        self._task.add_done_callback(_report_failure)
        self._frame.start()
        self.busyChanged.emit(True)
        self.conversationsChanged.emit()
        return True

    def stop_compare_column(self, index: int) -> None:
        """Stop one column of the running comparison (its connection closes)."""
        if self._comparison is not None:
            self._comparison.stop(index)

    def continue_with(self, reply_id: int) -> None:
        """Make this compared reply the branch shown; follow-ups continue it only."""
        from app.core.compare import continue_with

        try:
            continue_with(self.ctx.store, reply_id)
        except ParleyError as exc:
            self.statusMessage.emit(str(exc))
            return
        msg = self.ctx.store.get_message(reply_id)
        conv = self.ctx.store.get_conversation(msg.conversation_id) if msg else None
        if conv is None:
            return
        self.current = conv
        if conv.model:
            self.set_model(conv.model)
        self._show(conv)

    def _on_compare_events(self, index: int, events: list[StreamEvent]) -> None:
        self._compare_dirty.add(index)

    def _push_compare(self) -> None:
        comparison = self._comparison
        if comparison is None or not self._compare_dirty:
            return
        for index in sorted(self._compare_dirty):
            self.compareProgress.emit(index, comparison.columns[index].text)
        self._compare_dirty.clear()

    async def _drive_compare(self, comparison: Comparison, shown_before: Shown) -> None:
        def done(index: int, col: Any) -> None:
            self._compare_dirty.discard(index)
            self.compareColumnFinished.emit(index, col)

        try:
            await comparison.run(
                lambda request: self.ctx.client_for_endpoint(request.endpoint),
                on_events=self._on_compare_events, on_column_done=done,
                on_retry=self._on_retry, close_clients=False)
        finally:
            self._frame.stop()
            self._task = None
            self._comparison = None
            self.busyChanged.emit(False)
            self.compareFinished.emit(comparison)
            if self.current is not None and self.current.id == comparison.conversation_id:
                self._show_compared(self.current, comparison, shown_before)
            self.conversationUpdated.emit(comparison.conversation_id)
            self.update_totals()

    def _show_compared(
        self, conv: Conversation, comparison: Comparison, shown_before: Shown
    ) -> None:
        """Show a finished comparison in the chat view. When the view already shows this
        conversation only what is new is drawn (rebuilding every message shown froze the
        window for as long as a long conversation takes to draw)."""
        thread = self._messages_of(conv)
        prompt = comparison.user_message
        if shown_before == "prompt" and len(thread) >= 2 and thread[-2].id == prompt.id:
            # A new prompt after the messages shown, and the reply chosen for it.
            self.messageAppended.emit(thread[-2])
            self.messageAppended.emit(thread[-1])
        elif shown_before != "thread" or all(m.id != prompt.id for m in thread):
            self.conversationOpened.emit(conv, thread)
        # "Compare with…" leaves the shown branch as it was: only its switchers change.
        self.branchesChanged.emit(self.ctx.store.alternatives(conv.id))

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

    def warm_up_renderer(self) -> None:
        """Load the markdown renderer and common code lexers on a worker thread (the first
        code block would otherwise stall the window while its lexer is built), then say so
        with `rendererWarm`: code shown plain until then gets highlighted."""

        async def warm() -> None:
            # Imported on the worker thread too: loading markdown-it takes ~45 ms.
            render = await self.run_blocking(
                importlib.import_module, "app.core.markdown_render", long=True)
            # A language at a time: quitting meanwhile waits for one step, not all of them.
            for lang in render.WARM_LANGUAGES:
                if self._closed:
                    return
                await self.run_blocking(render.warm_up_language, lang, long=True)
            render.mark_warm()
            self.rendererWarm.emit()

        self._spawn(warm())

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

        return await asyncio.get_running_loop().run_in_executor(self._pool(long), func, *args)

    def _pool(self, long: bool = False) -> ThreadPoolExecutor:
        """The thread for short blocking calls, or (`long`) the one for imports, exports and
        backups: a key lookup must never wait behind a 1 GB import. Plain thread pools, not
        qasync's QThread executor (its threads must not outlive the QApplication), made on
        first use: concurrent.futures is not needed to show the window."""
        pool = self._pools.get(long)
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="parley-files" if long else "parley-bg")
            self._pools[long] = pool
        return pool

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
        if self._comparison is not None:
            self._comparison.finalize_stopped()
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
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)


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


#: Qt-free modules the first send imports; loaded on a worker thread after start-up
SEND_PATH_MODULES = (
    "app.core.chat",
    "app.core.requests",
    "app.core.finish",
    "app.core.events",
    "app.core.sse",
    "app.core.branches",
    "app.core.usage",
    "app.core.approvals",
    "app.core.tools.registry",
    "app.core.tools.loop",
    "app.core.think",
    "app.core.key_format",
    # httpx loads these at the first request: anyio's asyncio backend alone stalls ~15 ms
    "anyio._backends._asyncio",
    "httpcore._async.http11",
    "h11",
)


def warm_up_send_path() -> None:
    """Import the request path (on a worker thread, after start-up)."""
    for name in SEND_PATH_MODULES:
        importlib.import_module(name)

