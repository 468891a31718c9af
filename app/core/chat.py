"""One exchange with a model: store the prompt, stream the reply, keep every word.

Shared by the GUI controller and the CLI. The order of writes is the durability contract:
the user's message is committed before the request goes out, the reply is saved while it
streams (at most `SAVE_INTERVAL` apart) and finally with its status, whatever happens:
complete, stopped (cancelled) or error.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.domain import Attachment, AttachmentKind, Message, MessageStatus, Role
from app.core.errors import ApiError, AttachmentError, ParleyError, StreamError
from app.core.events import ReplyAccumulator, StreamEvent

if TYPE_CHECKING:
    from app.core.attachments import AttachmentFiles
    from app.core.client import ChatClient, RetryCallback, RetryPolicy
    from app.core.history import Store
    from app.core.options import ConversationOptions
    from app.core.requests import ChatRequest

#: seconds between saves of a streaming reply (DESIGN: at least once a second)
SAVE_INTERVAL = 0.5

@dataclass
class Exchange:
    """What `begin_exchange` stored: the prompt, the placeholder reply, the request body."""

    user_message: Message
    reply: Message
    payload: dict[str, Any]


def history_messages(
    messages: list[Message], files: AttachmentFiles | None = None
) -> list[dict[str, Any]]:
    """The API `messages` array for a stored conversation.

    A user message with attachments becomes content parts (`user_content`), their bytes
    read from `files`; earlier attachments are sent again, as part of the conversation.

    Failed replies with no text are left out (they only record that something went
    wrong); partial replies that were stopped are kept so the model sees what it said.

    Tool use: an assistant message carries its `tool_calls` (from `extra`) and each `tool`
    message its `tool_call_id`. The API rejects a call without a result and a result
    without its call, so only calls answered by a stored tool message are sent (a loop
    stopped half-way leaves some unanswered), and orphaned results are left out.
    """
    answered = {
        msg.extra.get("tool_call_id")
        for msg in messages
        if msg.role is Role.TOOL and msg.status is not MessageStatus.STREAMING
    }
    answered.discard(None)
    sent_calls: set[str] = set()
    out: list[dict[str, Any]] = []
    for msg in messages:
        if msg.role is Role.TOOL:
            call_id = msg.extra.get("tool_call_id")
            if msg.status is MessageStatus.STREAMING or call_id not in sent_calls:
                continue
            out.append({"role": "tool", "tool_call_id": call_id, "content": msg.content})
            continue
        calls = _answered_calls(msg, answered) if msg.role is Role.ASSISTANT else []
        if (
            msg.role is Role.ASSISTANT
            and not msg.content
            and msg.status is not MessageStatus.COMPLETE
            and not calls
        ):
            continue
        if msg.role is Role.ASSISTANT and msg.status is MessageStatus.STREAMING:
            continue
        if calls:
            sent_calls.update(call["id"] for call in calls)
            out.append({"role": "assistant", "content": msg.content or None,
                        "tool_calls": calls})
            continue
        if msg.role is Role.ASSISTANT and not msg.content and msg.extra.get("tool_calls"):
            continue  # only unanswered calls and no text: nothing to say
        if msg.role is Role.USER and msg.attachments:
            out.append({"role": "user", "content": user_content(msg, files)})
            continue
        entry: dict[str, Any] = {"role": msg.role.value, "content": msg.content}
        parsed = _file_annotations(msg) if msg.role is Role.ASSISTANT else []
        if parsed:
            # OpenRouter's parse of an attached PDF: sent back, it is not parsed (nor
            # charged) again.
            entry["annotations"] = parsed
        out.append(entry)
    return out


def _file_annotations(msg: Message) -> list[dict[str, Any]]:
    raw = msg.extra.get("annotations")
    if not isinstance(raw, list):
        return []
    return [a for a in raw if isinstance(a, dict) and a.get("type") == "file"]


_AUDIO_FORMATS = {"audio/wav": "wav", "audio/mpeg": "mp3"}


def user_content(msg: Message, files: AttachmentFiles | None) -> list[dict[str, Any]]:
    """The content parts of a prompt with attachments: its text, then each file in order
    (images as data URLs, PDFs as `file` parts, text files inlined, audio as input_audio)."""
    from app.core.attachments import check_message_total
    from app.core.errors import AttachmentError

    if files is None:
        raise AttachmentError(
            "This conversation has attachments, but Parley was not told where their files "
            "are; nothing was sent. Please report this."
        )
    check_message_total(msg.attachments)
    parts: list[dict[str, Any]] = []
    if msg.content:
        parts.append({"type": "text", "text": msg.content})
    for attachment in msg.attachments:
        kind = AttachmentKind(attachment.kind)
        if kind is AttachmentKind.IMAGE:
            sent = attachment.sent_sha256
            # The downscaled copy is a JPEG or a PNG, whatever the original was.
            data = files.read(sent or attachment.sha256)
            mime = _image_mime(data) if sent else attachment.mime
            parts.append({"type": "image_url", "image_url": {"url": _data_url(mime, data)}})
        elif kind is AttachmentKind.PDF:
            data = files.read(attachment.sha256)
            parts.append({"type": "file", "file": {
                "filename": attachment.name,
                "file_data": _data_url("application/pdf", data),
            }})
        elif kind is AttachmentKind.AUDIO:
            data = files.read(attachment.sha256)
            parts.append({"type": "input_audio", "input_audio": {
                "data": base64.b64encode(data).decode("ascii"),
                "format": _AUDIO_FORMATS.get(attachment.mime, "wav"),
            }})
        else:
            text = files.read(attachment.sha256).decode("utf-8", errors="replace")
            fence = _fence_for(text)
            parts.append({"type": "text",
                          "text": f"{attachment.name}:\n{fence}\n{text}\n{fence}"})
    if not parts:
        parts.append({"type": "text", "text": ""})
    return parts


def has_pdf(messages: list[Message]) -> bool:
    """True when a prompt in `messages` carries a PDF (the request needs the file-parser)."""
    return any(
        a.kind == AttachmentKind.PDF
        for m in messages if m.role is Role.USER for a in m.attachments
    )


def _data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def _fence_for(text: str) -> str:
    """A code fence longer than any backtick run in `text`, so the file cannot close it."""
    longest = 0
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _answered_calls(msg: Message, answered: set[Any]) -> list[dict[str, Any]]:
    """The message's tool calls (API shape) that have a stored result."""
    raw = msg.extra.get("tool_calls")
    if not isinstance(raw, list):
        return []
    calls: list[dict[str, Any]] = []
    for call in raw:
        if not isinstance(call, dict) or call.get("id") not in answered:
            continue
        function = call.get("function") or {}
        calls.append({
            "id": call["id"],
            "type": "function",
            "function": {"name": str(function.get("name") or ""),
                         "arguments": str(function.get("arguments") or "")},
        })
    return calls


def build_payload(
    model: str,
    messages: list[Message],
    options: dict[str, Any] | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
) -> dict[str, Any]:
    """Request body for `messages` (see `app.core.requests.build_payload`)."""
    from app.core.requests import build_payload as build

    return build(model, messages, options, conversation_options, endpoint_kind)


def as_request(
    request: ChatRequest | None,
    *,
    model: str | None,
    options: dict[str, Any] | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
) -> ChatRequest:
    """`request`, or one made from loose arguments (endpoint of that kind, default URL)."""
    if request is not None:
        return request
    from app.core.config import DEFAULT_BASE_URL
    from app.core.endpoints import DEFAULT_ENDPOINT, Endpoint
    from app.core.options import ConversationOptions
    from app.core.requests import ChatRequest

    if model is None:
        raise TypeError("a request or a model is required")
    opts = conversation_options if conversation_options is not None else ConversationOptions()
    if endpoint_kind == "openai":
        endpoint = Endpoint("custom", DEFAULT_BASE_URL, "openai")
    else:
        endpoint = Endpoint(DEFAULT_ENDPOINT, DEFAULT_BASE_URL, "openrouter")
    return ChatRequest(endpoint, model, opts, options)


def begin_exchange(
    store: Store,
    conversation_id: int,
    prompt: str,
    *,
    request: ChatRequest | None = None,
    model: str | None = None,
    options: dict[str, Any] | None = None,
    system: str | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
    attachments: Sequence[Attachment] = (),
) -> Exchange:
    """Commit the prompt (with its `attachments`, and an optional system message) and a
    placeholder for the reply.

    The request comes from `app.core.requests.resolve_request`; the loose `model` /
    `options` / `conversation_options` / `endpoint_kind` arguments build a plain one.
    Attachments too large together, or whose files are missing, raise AttachmentError
    before anything is stored or sent.
    """
    from app.core.attachments import AttachmentFiles, check_message_total

    req = as_request(request, model=model, options=options,
                     conversation_options=conversation_options, endpoint_kind=endpoint_kind)
    if req.files is None:
        req.files = AttachmentFiles.in_data_dir(store.path.parent)
    if attachments:
        check_message_total(attachments)
        for attachment in attachments:
            for digest in (attachment.sha256, attachment.sent_sha256):
                if digest and not req.files.has(digest):
                    req.files.read(digest)  # raises the "missing" sentence
    if system:
        store.add_message(conversation_id, Role.SYSTEM, system)
    user = store.add_message(conversation_id, Role.USER, prompt, attachments=attachments)
    # Only the branch on screen goes out (the prompt above continues it).
    messages = store.get_thread(conversation_id)
    payload = req.payload(messages)
    reply = store.add_message(
        conversation_id, Role.ASSISTANT, "", status=MessageStatus.STREAMING, model=req.model,
        parent_id=user.id,
    )
    store.set_conversation_model(conversation_id, req.model)
    return Exchange(user, reply, payload)


@dataclass
class ReplyRun:
    """Streams one reply into storage. Owned by whoever owns the asyncio task running it.

    `finalize_stopped()` is synchronous and idempotent so an owner shutting down can save
    the partial reply even if the cancelled task never gets to run again.
    """

    store: Store
    client: ChatClient
    reply: Message
    payload: dict[str, Any]
    on_events: Callable[[list[StreamEvent]], None] | None = None
    #: retry 429/503 before the first byte (None: fail at once); waits are announced
    retry: RetryPolicy | None = None
    on_retry: RetryCallback | None = None
    acc: ReplyAccumulator = field(default_factory=ReplyAccumulator)
    status: MessageStatus = MessageStatus.STREAMING
    error: ParleyError | None = None
    #: where generated images go (None: the attachment store next to the database)
    files: AttachmentFiles | None = None
    #: a generated image that could not be stored (disk full...); the reply is kept
    image_error: AttachmentError | None = None
    _last_save: float = 0.0
    _saved_len: int = 0

    async def run(self) -> MessageStatus:
        """Stream and store; returns the final status. Re-raises CancelledError."""
        self._last_save = time.monotonic()
        try:
            await self.client.stream_chat(
                self.payload, self._handle, retry=self.retry, on_retry=self.on_retry
            )
            if self.acc.error is not None:
                err = self.acc.error
                code = f" ({err.code})" if err.code not in (None, "") else ""
                raise StreamError(
                    f"The provider stopped with an error{code}: {err.message}", code=err.code
                )
            if not self.acc.done and self.acc.finish_reason is None:
                raise StreamError(
                    "The stream ended before the reply was finished (no end marker). "
                    "The partial reply was kept."
                )
        except asyncio.CancelledError:
            self.finalize_stopped()
            raise
        except ApiError as exc:
            explained = _explain_unsupported_input(exc, self.payload)
            self._finalize(MessageStatus.ERROR, explained)
            if explained is exc:
                raise
            raise explained from exc
        except Exception as exc:
            # A bug must not lose the reply either; report it like any other failure. Its
            # text may quote a header or a server's answer, so it is redacted, and the
            # original is not chained (a printed traceback would show it unredacted).
            detail = self.client.redact(str(exc))
            wrapped = ApiError(
                f"Unexpected error while streaming ({type(exc).__name__}: {detail}). "
                "The partial reply was kept; please report this."
            )
            self._finalize(MessageStatus.ERROR, wrapped)
            raise wrapped from None
        self._finalize(MessageStatus.COMPLETE, None)
        return self.status

    def finalize_stopped(self) -> None:
        """Save the partial reply as stopped (no-op once the run has a final status)."""
        self._finalize(MessageStatus.STOPPED, None)

    def _handle(self, events: list[StreamEvent]) -> None:
        apply = self.acc.apply
        for event in events:
            apply(event)
        if self.acc.images_pending:
            # Images are rare and costly to lose: store one (and the text so far) at once,
            # so a crash right after it arrived still finds it in history.
            self._store_images()
            self._last_save = time.monotonic()
            self._save_progress(with_extra=True)
        if self.on_events is not None:
            self.on_events(events)
        now = time.monotonic()
        if now - self._last_save >= SAVE_INTERVAL:
            self._last_save = now
            self._save_progress()

    def _attachment_files(self) -> AttachmentFiles:
        if self.files is None:
            from app.core.attachments import AttachmentFiles

            # The store's database lives in the data folder, next to the attachments.
            self.files = AttachmentFiles.in_data_dir(self.store.path.parent)
        return self.files

    def _store_images(self) -> None:
        """Put pending generated images in the attachment store; a failure is kept in
        `image_error` and never stops the reply (its text must still be saved)."""
        try:
            self.acc.store_images(self._attachment_files().put)
        except AttachmentError as exc:
            # Not retried on every chunk: a full disk stays full for this reply.
            self.acc.drop_pending_images()
            if self.image_error is None:
                self.image_error = exc

    def _save_progress(self, *, with_extra: bool = False) -> None:
        text = self.acc.text
        reasoning = self.acc.reasoning
        if len(text) + len(reasoning) == self._saved_len and not with_extra:
            return
        self._saved_len = len(text) + len(reasoning)
        if with_extra:
            self.store.update_message(self.reply.id, content=text, reasoning=reasoning,
                                      extra=self.acc.extra())
        else:
            self.store.update_message(self.reply.id, content=text, reasoning=reasoning)

    def _finalize(self, status: MessageStatus, error: ParleyError | None) -> None:
        if self.status is not MessageStatus.STREAMING:
            return
        self.status = status
        self.error = error
        acc = self.acc
        self._store_images()
        error_text = str(error) if error is not None else None
        self.store.update_message(
            self.reply.id,
            content=acc.text,
            reasoning=acc.reasoning,
            status=status,
            model=acc.model or self.reply.model,
            provider=acc.provider,
            finish_reason=acc.finish_reason,
            usage=acc.usage,
            error=error_text,
            generation_id=acc.generation_id,
            extra=acc.extra(),
        )


def _explain_unsupported_input(exc: ApiError, payload: dict[str, Any]) -> ApiError:
    """OpenRouter's 404 for an input the model cannot take, as a sentence that names the
    model and suggests one that can (from the cached catalog); other errors unchanged."""
    from app.core.errors import HttpStatusError

    if not isinstance(exc, HttpStatusError) or exc.status != 404:
        return exc
    from app.core.attachments import unsupported_input_message
    from app.core.models_cache import load_cached

    model = str(payload.get("model") or "This model")
    catalog = None
    if _UNSUPPORTED_HINT in (exc.details.message or "").lower():
        catalog = load_cached()  # only OpenRouter sends this answer
    explained = unsupported_input_message(
        exc.details.message, model, catalog.models if catalog is not None else None)
    if explained is None:
        return exc
    message, hint = explained
    return type(exc)(message, exc.details, hint=hint)


_UNSUPPORTED_HINT = "no endpoints found that support"


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    """A first title from the opening prompt: its first line, cut at a word."""
    line = " ".join(prompt.strip().split())
    if len(line) <= limit:
        return line or "New chat"
    cut = line[:limit].rsplit(" ", 1)[0]
    return (cut or line[:limit]) + "…"
