"""Export history as lossless JSON or readable Markdown. Never includes secrets.

JSON (format "parley-export", version 2) holds every branch: each message carries its
`uid` and its parent's `parent_uid`, so `app.core.history.importers.import_parley` rebuilds the
same tree and importing a file twice adds nothing. Timestamps are given twice: ISO 8601
(UTC, for people) and `*_ts` Unix seconds (exact). Markdown shows the branch on screen.

Folders go along: a top-level `folders` list (each with its stable `id`, `parent_id`,
`name`, `position`, `collapsed` and `defaults`) and a `folder_id` on each conversation.
Files written before folders existed have neither and import as before.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.core.domain import Attachment, Conversation, Message, MessageStatus, Role
from app.core.errors import AttachmentError
from app.core.think import answer_and_reasoning

if TYPE_CHECKING:
    from app.core.attachments import AttachmentFiles
    from app.core.history.folders import Folder
    from app.core.history.store import Store

EXPORT_FORMAT = "parley-export"
EXPORT_VERSION = 2


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds")


def _export_extra(extra: dict[str, Any], files: AttachmentFiles | None) -> dict[str, Any]:
    """`extra` with each stored generated image's bytes embedded as a `data_url`, so one
    file restores the conversation completely (an image whose bytes are gone stays a bare
    reference)."""
    images = extra.get("images")
    if files is None or not isinstance(images, list):
        return extra
    from app.core.errors import AttachmentError
    from app.core.images import data_url

    embedded: list[Any] = []
    for entry in images:
        out = entry
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and isinstance(
            entry.get("mime"), str
        ):
            try:
                out = {**entry, "data_url": data_url(files.read(entry["sha256"]),
                                                     entry["mime"])}
            except AttachmentError:
                out = entry  # the bytes are gone: keep the reference, as in the database
        embedded.append(out)
    return {**extra, "images": embedded}


def data_url(mime: str, data: bytes) -> str:
    """`data:<mime>;base64,...` for `data` (how exports carry attachment bytes)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _read_or_none(files: AttachmentFiles | None, digest: str | None) -> bytes | None:
    if files is None or digest is None:
        return None
    try:
        return files.read(digest)
    except AttachmentError:
        return None  # missing bytes: the export still names the file and its hash


def attachment_to_dict(a: Attachment, files: AttachmentFiles | None) -> dict[str, Any]:
    """An attachment with its bytes embedded as data URLs (original, and the copy sent)."""
    out: dict[str, Any] = {
        "name": a.name, "mime": a.mime, "size": a.size, "kind": a.kind.value,
        "sha256": a.sha256, "sent_sha256": a.sent_sha256,
        "width": a.width, "height": a.height, "pages": a.pages,
    }
    original = _read_or_none(files, a.sha256)
    if original is not None:
        out["data_url"] = data_url(a.mime, original)
    sent = _read_or_none(files, a.sent_sha256)
    if sent is not None:
        out["sent_data_url"] = data_url(
            "image/png" if sent.startswith(b"\x89PNG") else "image/jpeg", sent)
    return out


def message_to_dict(
    msg: Message, parent_uid: str | None = None, files: AttachmentFiles | None = None
) -> dict[str, Any]:
    # A <think> block at the start of a reply is reasoning, as the window shows it.
    content, reasoning = answer_and_reasoning(
        msg.content, msg.reasoning, from_user=msg.role is Role.USER
    )
    out = {
        "id": msg.id,
        "uid": msg.uid,
        "parent_id": msg.parent_id,
        "parent_uid": parent_uid,
        "role": msg.role.value,
        "content": content,
        "status": msg.status.value,
        "created_at": _iso(msg.created_at),
        "created_ts": msg.created_at,
        "updated_at": _iso(msg.updated_at),
        "updated_ts": msg.updated_at,
        "model": msg.model,
        "provider": msg.provider,
        "finish_reason": msg.finish_reason,
        "usage": msg.usage.to_dict() if msg.usage else None,
        "error": msg.error,
        "reasoning": reasoning or None,
        "generation_id": msg.generation_id,
        "extra": _export_extra(msg.extra, files) or None,
    }
    if msg.attachments:
        out["attachments"] = [attachment_to_dict(a, files) for a in msg.attachments]
    return out


def conversation_to_dict(
    conv: Conversation, messages: list[Message], options: dict[str, Any] | None = None,
    files: AttachmentFiles | None = None,
) -> dict[str, Any]:
    uids = {m.id: m.uid for m in messages}
    leaf = active_leaf(conv, messages)
    return {
        "id": conv.id,
        "uid": conv.uid,
        "title": conv.title,
        "created_at": _iso(conv.created_at),
        "created_ts": conv.created_at,
        "updated_at": _iso(conv.updated_at),
        "updated_ts": conv.updated_at,
        "model": conv.model,
        "endpoint": conv.endpoint,
        "folder_id": conv.folder_id,
        "pinned": conv.pinned,
        "archived": conv.archived,
        "tags": list(conv.tags),
        "trashed_ts": conv.trashed_at,
        "options": options or {},
        "active_leaf_uid": uids.get(leaf) if leaf is not None else None,
        "messages": [
            message_to_dict(m, uids.get(m.parent_id) if m.parent_id is not None else None,
                            files)
            for m in messages
        ],
    }


def folder_to_dict(folder: Folder) -> dict[str, Any]:
    """One folder as exported."""
    return {
        "id": folder.id,
        "parent_id": folder.parent_id,
        "name": folder.name,
        "position": folder.position,
        "collapsed": folder.collapsed,
        "defaults": folder.defaults.to_dict(),
        "created_ts": folder.created_at,
        "updated_ts": folder.updated_at,
    }


def to_json(
    items: list[tuple[Conversation, list[Message]]],
    options: dict[int, dict[str, Any]] | None = None,
    files: AttachmentFiles | None = None,
    folders: list[Folder] | None = None,
) -> str:
    """Lossless JSON document of the given conversations, every branch included.

    `options` maps conversation ids to their saved request options (`Store.get_options`);
    with `files`, attachments and generated images are embedded as data URLs, so the file
    alone restores a conversation completely. `folders` are written as they are given.
    """
    options = options or {}
    doc = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "folders": [folder_to_dict(f) for f in folders or []],
        "conversations": [
            conversation_to_dict(c, msgs, options.get(c.id), files) for c, msgs in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def export_json(store: Store, ids: list[int] | None = None, *,
                folder_id: str | None = None) -> str:
    """Lossless JSON of stored conversations (all, or `ids`) with their saved options and
    the folders they are in; `folder_id` exports that folder's chats and sub-folders.

    The one way every front end (window, CLI, background export) writes a Parley export.
    """
    from app.core.attachments import AttachmentFiles
    from app.core.history.folders import list_folders

    if folder_id is not None:
        from app.core.history.folders import folder_conversation_ids

        ids = folder_conversation_ids(store, folder_id)
    items = store.export_conversations(ids)
    folders = list_folders(store)
    if ids is not None:
        # Only the folders the chosen conversations are in (with their parents).
        by_id = {f.id: f for f in folders}
        wanted = {str(c.folder_id) for c, _ in items if c.folder_id in by_id}
        if folder_id is not None:
            wanted |= {f.id for f in folders if folder_id in (f.id, f.parent_id)}
        wanted |= {p for f in list(wanted) if (p := by_id[f].parent_id) is not None}
        folders = [f for f in folders if f.id in wanted]
    return to_json(items, {conv.id: store.get_options(conv.id) for conv, _ in items},
                   AttachmentFiles.in_data_dir(store.path.parent), folders)


_ROLE_LABEL = {
    Role.SYSTEM: "System",
    Role.USER: "You",
    Role.ASSISTANT: "Assistant",
    Role.TOOL: "Tool",
}


def active_leaf(conv: Conversation, messages: list[Message]) -> int | None:
    """The id ending the branch on screen: the saved one, else the newest leaf."""
    ids = {m.id for m in messages}
    if conv.active_leaf_id in ids:
        return conv.active_leaf_id
    parents = {m.parent_id for m in messages}
    leaves = [m for m in messages if m.id not in parents]
    if not leaves:
        return None
    return max(leaves, key=lambda m: (m.created_at, m.id)).id


def active_path(conv: Conversation, messages: list[Message]) -> list[Message]:
    """The messages of the branch on screen, root first (what `Store.get_thread` returns)."""
    by_id = {m.id: m for m in messages}
    path: list[Message] = []
    seen: set[int] = set()
    current = active_leaf(conv, messages)
    while current is not None and current in by_id and current not in seen:
        seen.add(current)
        path.append(by_id[current])
        current = by_id[current].parent_id
    path.reverse()
    return path


def _image_labels(msg: Message) -> str:
    """The generated images of a message, named ("[image 1: png, 512×512]"), one a line."""
    from app.core.images import describe_image, stored_images

    images = stored_images(msg.extra)
    return "  \n".join(describe_image(entry, n) for n, entry in enumerate(images, 1))


def to_markdown(items: list[tuple[Conversation, list[Message]]]) -> str:
    """Readable Markdown: one section per conversation (the branch on screen only)."""
    out: list[str] = []
    for conv, all_messages in items:
        messages = active_path(conv, all_messages)
        out.append(f"# {conv.title}\n")
        out.append(f"_{_iso(conv.created_at)} · {len(messages)} messages_\n")
        hidden = len(all_messages) - len(messages)
        if hidden:
            out.append(
                f"_Only the branch shown in Parley is printed; {hidden} more message(s) on "
                "other branches are in the JSON export._\n"
            )
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
            content, reasoning = answer_and_reasoning(
                msg.content, msg.reasoning, from_user=msg.role is Role.USER
            )
            if reasoning:
                quoted = "\n".join("> " + line for line in reasoning.splitlines())
                out.append(f"> **Reasoning**\n>\n{quoted}\n")
            images = _image_labels(msg)
            if content or not (images or msg.attachments):
                out.append(content.rstrip() + "\n" if content else "_(no text)_\n")
            for attachment in msg.attachments:
                out.append(f"- 📎 {_attachment_line(attachment)}")
            if msg.attachments:
                out.append("")
            if images:
                out.append(images + "\n")
            if msg.error:
                out.append(f"> ⚠ {msg.error}\n")
        out.append("")
    return "\n".join(out)


def _attachment_line(a: Attachment) -> str:
    """`name (PDF, 12 pages, 1.2 MB)` for the Markdown export."""
    details = [a.kind.value.upper() if a.kind.value == "pdf" else a.kind.value]
    if a.width and a.height:
        details.append(f"{a.width}×{a.height}")
    if a.pages:
        details.append(f"{a.pages} page{'s' if a.pages != 1 else ''}")
    size = f"{a.size / 2**20:.1f} MB" if a.size >= 2**20 else f"{max(1, round(a.size / 1024))} KB"
    details.append(size)
    name = a.name.replace("`", "'")
    return f"`{name}` ({', '.join(details)})"
