"""Domain types shared by storage, the chat service, the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class MessageStatus(StrEnum):
    #: user messages and finished replies
    COMPLETE = "complete"
    #: a reply still arriving (or one whose process died: shown as interrupted)
    STREAMING = "streaming"
    #: the user pressed Stop or closed the app; the partial text is kept
    STOPPED = "stopped"
    #: the request or the stream failed; the partial text, if any, is kept
    ERROR = "error"


class AttachmentKind(StrEnum):
    """What a file is, decided by its content (not only its name)."""

    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"
    AUDIO = "audio"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a prompt (images a model returns are kept in `extra["images"]`).

    The bytes live once in the data folder's content-addressed store
    (`app.core.attachments.AttachmentFiles`), named by their SHA-256; a message only refers
    to them, so the same screenshot sent three times is stored once.
    """

    #: SHA-256 (hex) of the original bytes: what the user sees, opens and exports
    sha256: str
    #: the file name shown (and sent, for PDFs and text files)
    name: str
    #: image/png, image/jpeg, image/webp, image/gif, application/pdf, text/plain,
    #: audio/wav, audio/mpeg
    mime: str
    #: size of the original in bytes
    size: int
    kind: AttachmentKind
    #: SHA-256 of a smaller copy sent instead of the original (large photos are downscaled);
    #: None when the original itself is sent
    sent_sha256: str | None = None
    width: int | None = None
    height: int | None = None
    #: pages of a PDF, when known
    pages: int | None = None


@dataclass
class Usage:
    """Token counts and cost of one reply, as the endpoint reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    #: OpenRouter credits (USD); None when the endpoint does not report cost
    cost: float | None = None
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cost": self.cost,
            "cached_tokens": self.cached_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        cost = data.get("cost")
        return cls(
            prompt_tokens=int(data.get("prompt_tokens") or 0),
            completion_tokens=int(data.get("completion_tokens") or 0),
            total_tokens=int(data.get("total_tokens") or 0),
            cost=float(cost) if isinstance(cost, int | float) else None,
            cached_tokens=int(data.get("cached_tokens") or 0),
            reasoning_tokens=int(data.get("reasoning_tokens") or 0),
        )


@dataclass
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    #: model last used in this conversation (None: the default model)
    model: str | None = None
    message_count: int = 0
    #: stable id across databases (uuid4 hex): what import/export match on
    uid: str = ""
    pinned: bool = False
    archived: bool = False
    #: user labels, in the order the user gave them, without duplicates
    tags: list[str] = field(default_factory=list)
    #: when it was moved to the trash (soft delete); None when not in the trash
    trashed_at: float | None = None
    #: last message of the branch shown; None means "the newest leaf"
    active_leaf_id: int | None = None
    #: the endpoint (Settings name) it talks to; None: the built-in "openrouter"
    endpoint: str | None = None
    #: the folder it is filed in (`folders.id`); None: not in a folder
    folder_id: str | None = None


@dataclass
class Message:
    id: int
    conversation_id: int
    role: Role
    content: str
    status: MessageStatus = MessageStatus.COMPLETE
    created_at: float = 0.0
    updated_at: float = 0.0
    #: the model that actually answered (may differ from the one asked, with fallbacks)
    model: str | None = None
    provider: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    #: a readable description of what went wrong, for status ERROR
    error: str | None = None
    reasoning: str = ""
    generation_id: str | None = None
    parent_id: int | None = None
    #: everything else the stream carried: annotations, tool_calls, reasoning_details
    extra: dict[str, Any] = field(default_factory=dict)
    #: stable id across databases (uuid4 hex): what import/export match on
    uid: str = ""
    #: files sent with a prompt, or images a model returned, in order
    attachments: list[Attachment] = field(default_factory=list)
