"""The glue between widgets and core: owns the reply task, history calls and model list.

Widgets never touch SQLite or httpx; they call this controller and listen to its signals.
It owns every asyncio task it starts (strong references), cancels them on Stop and at
shutdown, and restores the UI state in `finally`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.context import AppContext
from app.core.domain import Conversation, Message
from app.core.errors import AuthError, ParleyError, PaymentRequired

if TYPE_CHECKING:
    from app.core.chat import ReplyRun
    from app.core.search import SearchHit

    # httpx is imported only when the first request is made, after the window is shown.
    from app.core.client import KeyInfo, ModelInfo
    from app.core.events import StreamEvent

log = logging.getLogger(__name__)

#: how often a streaming reply is pushed to the view (~60 frames a second)
FRAME_MS = 16


def error_kind(exc: BaseException) -> str:
    """A short tag the window uses to offer the right way out."""
    if isinstance(exc, AuthError):
        return "auth"
    if isinstance(exc, PaymentRequired):
        return "credits"
    return "error"


class ChatController(QObject):
    conversationsChanged = Signal()
    #: (Conversation | None, list[Message]) — None: an empty new chat
    conversationOpened = Signal(object, object)
    #: a stored message to show at the end of the open conversation
    messageAppended = Signal(object)
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

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current: Conversation | None = None
        self.model = ctx.settings.default_model
        self.models: list[ModelInfo] = []
        self._task: asyncio.Task[None] | None = None
        self._run: ReplyRun | None = None
        self._aux_tasks: set[asyncio.Task[Any]] = set()
        # A plain thread pool, not qasync's default QThread executor: its threads must
        # not outlive the QApplication.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-bg")
        self._dirty = False
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._push_progress)

    # ---- conversations -------------------------------------------------------------

    def conversations(self) -> list[Conversation]:
        return self.ctx.store.list_conversations()

    def open_conversation(self, conversation_id: int) -> None:
        if self.current is not None and self.current.id == conversation_id:
            return
        conv = self.ctx.store.get_conversation(conversation_id)
        if conv is None:
            self.statusMessage.emit(self.tr("That conversation no longer exists."))
            self.conversationsChanged.emit()
            return
        self.current = conv
        if conv.model:
            self.set_model(conv.model)
        self.conversationOpened.emit(conv, self.ctx.store.get_messages(conv.id))

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
        self.conversationsChanged.emit()

    def delete_conversation(self, conversation_id: int) -> None:
        if self.current is not None and self.current.id == conversation_id:
            if self.busy:
                self.stop()
            self.current = None
            self.conversationOpened.emit(None, [])
        self.ctx.store.delete_conversation(conversation_id)
        self.conversationsChanged.emit()

    def search(self, query: str) -> list[SearchHit]:
        """Full-text search over every conversation, best matches first."""
        from app.core.search import search

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
        self._spawn(self._load_models())

    async def _load_models(self) -> None:
        # Import the HTTP stack in a worker thread: it takes a noticeable fraction of a
        # second, which would otherwise freeze the window right after it appears.
        await asyncio.get_running_loop().run_in_executor(
            self._executor, importlib.import_module, "app.core.client"
        )
        try:
            models = await self.ctx.client().list_models()
        except ParleyError as exc:
            self.statusMessage.emit(
                self.tr("Could not load the model list: {error}").format(error=exc)
            )
            return
        self.models = models
        self.modelsLoaded.emit(models)

    # ---- sending -------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None

    def send(self, text: str) -> bool:
        """Store the prompt and start streaming the reply. False if nothing was sent."""
        if self.busy or not text.strip():
            return False
        # Imported on first send: the stream machinery is not needed to show the window.
        from app.core.chat import ReplyRun, begin_exchange, title_from_prompt

        store = self.ctx.store
        try:
            if self.current is None:
                self.current = store.create_conversation(title_from_prompt(text), self.model)
                self.conversationOpened.emit(self.current, [])
            exchange = begin_exchange(store, self.current.id, text, model=self.model)
            client = self.ctx.client()
        except ParleyError as exc:
            self.errorRaised.emit(str(exc), exc.hint, error_kind(exc))
            return False
        self.conversationsChanged.emit()
        self.messageAppended.emit(exchange.user_message)
        self.messageAppended.emit(exchange.reply)
        run = ReplyRun(store, client, exchange.reply, exchange.payload, on_events=self._on_events)
        self._run = run
        self._task = asyncio.ensure_future(self._drive(run))
        self._frame.start()
        self.busyChanged.emit(True)
        self.statusMessage.emit(self.tr("Waiting for {model}…").format(model=self.model))
        return True

    def stop(self) -> None:
        """Cancel the reply task: its `async with` closes the connection right away."""
        if self._task is not None:
            self._task.cancel()

    def _on_events(self, events: list[StreamEvent]) -> None:
        # Called for every network read; drawing waits for the next frame tick.
        self._dirty = True

    def _push_progress(self) -> None:
        run = self._run
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
                self.usageChanged.emit(usage_line(final))
            self.busyChanged.emit(False)
            self.conversationsChanged.emit()
            if run.status.value == "stopped":
                self.statusMessage.emit(self.tr("Stopped. The partial reply was kept."))
            elif run.status.value == "complete":
                self.statusMessage.emit("")

    # ---- key -----------------------------------------------------------------------

    async def test_key(self, base_url: str, api_key: str | None) -> KeyInfo:
        """GET /key with the given key (not yet saved); raises ParleyError."""
        client = self.ctx.client_for(base_url, api_key)
        try:
            return await client.key_info()
        finally:
            await client.aclose()

    def settings_changed(self) -> None:
        """Settings or the key changed: use a new client from now on."""
        old = self.ctx.drop_client()
        if old is not None:
            self._spawn(old.aclose())
        self.refresh_models()

    # ---- lifecycle -----------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._aux_tasks.add(task)
        task.add_done_callback(self._aux_tasks.discard)

    async def shutdown(self) -> None:
        """Save a reply in flight as stopped, close connections. Safe to call twice."""
        if self._run is not None:
            self._run.finalize_stopped()
        tasks = [t for t in (self._task, *self._aux_tasks) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait(tasks, timeout=2.0)
        client = self.ctx.drop_client()
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)


def usage_line(msg: Message) -> str:
    """'model · 1,234 tokens · $0.0012' for the status bar; '' when nothing is known."""
    parts: list[str] = []
    if msg.model:
        parts.append(msg.model + (f" via {msg.provider}" if msg.provider else ""))
    if msg.usage is not None:
        u = msg.usage
        parts.append(f"{u.prompt_tokens:,} in / {u.completion_tokens:,} out tokens")
        if u.cost is not None:
            parts.append(f"${u.cost:.6f}" if u.cost < 0.01 else f"${u.cost:.4f}")
    if msg.status.value != "complete":
        parts.append(msg.status.value)
    return " · ".join(parts)
