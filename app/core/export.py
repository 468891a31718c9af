"""Export history as lossless JSON or readable Markdown. Never includes secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.core.domain import Conversation, Message, MessageStatus, Role

EXPORT_FORMAT = "parley-export"
EXPORT_VERSION = 1


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds")


def message_to_dict(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        "parent_id": msg.parent_id,
        "role": msg.role.value,
        "content": msg.content,
        "status": msg.status.value,
        "created_at": _iso(msg.created_at),
        "updated_at": _iso(msg.updated_at),
        "model": msg.model,
        "provider": msg.provider,
        "finish_reason": msg.finish_reason,
        "usage": msg.usage.to_dict() if msg.usage else None,
        "error": msg.error,
        "reasoning": msg.reasoning or None,
        "generation_id": msg.generation_id,
        "extra": msg.extra or None,
    }


def conversation_to_dict(conv: Conversation, messages: list[Message]) -> dict[str, Any]:
    return {
        "id": conv.id,
        "title": conv.title,
        "created_at": _iso(conv.created_at),
        "updated_at": _iso(conv.updated_at),
        "model": conv.model,
        "messages": [message_to_dict(m) for m in messages],
    }


def to_json(items: list[tuple[Conversation, list[Message]]]) -> str:
    """Lossless JSON document of the given conversations."""
    doc = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "conversations": [conversation_to_dict(c, msgs) for c, msgs in items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


_ROLE_LABEL = {
    Role.SYSTEM: "System",
    Role.USER: "You",
    Role.ASSISTANT: "Assistant",
    Role.TOOL: "Tool",
}


def to_markdown(items: list[tuple[Conversation, list[Message]]]) -> str:
    """Readable Markdown: one section per conversation, one block per message."""
    out: list[str] = []
    for conv, messages in items:
        out.append(f"# {conv.title}\n")
        out.append(f"_{_iso(conv.created_at)} · {len(messages)} messages_\n")
        for msg in messages:
            label = _ROLE_LABEL.get(msg.role, msg.role.value)
            meta: list[str] = []
            if msg.model and msg.role is Role.ASSISTANT:
                meta.append(msg.model)
            if msg.status is not MessageStatus.COMPLETE:
                meta.append(msg.status.value)
            if msg.usage and msg.usage.cost is not None:
                meta.append(f"${msg.usage.cost:.6f}")
            suffix = f" ({', '.join(meta)})" if meta else ""
            out.append(f"## {label}{suffix}\n")
            if msg.reasoning:
                quoted = "\n".join("> " + line for line in msg.reasoning.splitlines())
                out.append(f"> **Reasoning**\n>\n{quoted}\n")
            out.append(msg.content.rstrip() + "\n" if msg.content else "_(no text)_\n")
            if msg.error:
                out.append(f"> ⚠ {msg.error}\n")
        out.append("")
    return "\n".join(out)
