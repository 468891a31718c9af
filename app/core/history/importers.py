"""Import history: Parley's own JSON export and ChatGPT's `conversations.json`.

Files are untrusted. Everything is parsed and checked before the database is touched
(types, sizes, counts, nesting, parent links without cycles), then written in ONE
transaction: a file is imported completely or not at all, and any problem raises
`ImportFileError` with the place in the file that is wrong.

Imports are idempotent: conversations and messages are matched on their stable `uid`
(Parley exports carry them; for ChatGPT they are derived from ChatGPT's own ids with
uuid5). Importing the same file twice adds nothing; a conversation that is already here
gets only the messages it lacks, and keeps its local title, flags and branch choice.

ChatGPT: the `mapping` node tree is kept, branches included. System messages, hidden
nodes, tool/browsing output and nodes with no text are skipped; their children are
attached to the nearest kept ancestor. `current_node` becomes the branch shown.
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from app.core.domain import Attachment, AttachmentKind
from app.core.errors import ImportFileError

if TYPE_CHECKING:
    import sqlite3

    from app.core.history import Store

__all__ = [
    "ImportReport",
    "detect_format",
    "import_chatgpt",
    "import_data",
    "import_file",
    "import_parley",
    "load_file",
    "read_import_bytes",
]

Format = Literal["parley", "chatgpt"]

# Limits far above any real history, low enough that a hostile file cannot exhaust memory
# or time on the GUI thread's import.
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_CONVERSATIONS = 100_000
MAX_MESSAGES = 2_000_000
MAX_MESSAGES_PER_CONVERSATION = 100_000
MAX_TEXT_CHARS = 16 * 1024 * 1024
MAX_SHORT_CHARS = 10_000
MAX_TAGS = 200
MAX_FOLDERS = 10_000
MAX_EXTRA_DEPTH = 32
MAX_EXTRA_CHARS = 8 * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 100
#: SQLite stores integers in 64 bits; larger ones cannot be written
SQLITE_INT_MIN = -(2**63)
SQLITE_INT_MAX = 2**63 - 1

_NAMESPACE = uuid.UUID("5b0f4c1e-7d1a-4f57-9a0a-2f9d6c1b7e11")
_ROLES = ("system", "user", "assistant", "tool")
_STATUSES = ("complete", "streaming", "stopped", "error")


@dataclass
class ImportReport:
    """What an import did."""

    format: str
    conversations_added: int = 0
    #: already present; received the messages they lacked
    conversations_merged: int = 0
    #: already present with every message: nothing to do
    conversations_unchanged: int = 0
    messages_added: int = 0
    #: already present (same uid)
    messages_skipped: int = 0
    #: ChatGPT nodes left out: system, hidden, tool output, empty
    nodes_skipped: int = 0

    def describe(self) -> str:
        """One paragraph for people."""
        parts = [
            f"Imported {self.format} file: {self.conversations_added} new conversation(s), "
            f"{self.messages_added} new message(s).",
            f"{self.conversations_merged} existing conversation(s) received missing messages; "
            f"{self.conversations_unchanged} were already complete; "
            f"{self.messages_skipped} message(s) were already here.",
        ]
        if self.nodes_skipped:
            parts.append(
                f"{self.nodes_skipped} system, hidden, tool or empty node(s) were left out."
            )
        return "\n".join(parts)


@dataclass
class _Msg:
    uid: str
    parent_uid: str | None
    role: str
    content: str
    created: float
    updated: float
    status: str = "complete"
    model: str | None = None
    provider: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    error: str | None = None
    reasoning: str = ""
    generation_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: decoded bytes of embedded generated images, by their position in extra["images"]
    image_data: dict[int, bytes] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class _Conv:
    uid: str
    title: str
    created: float
    updated: float
    messages: list[_Msg]
    model: str | None = None
    pinned: bool = False
    archived: bool = False
    tags: list[str] = field(default_factory=list)
    trashed_at: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    active_leaf_uid: str | None = None
    endpoint: str | None = None
    folder_id: str | None = None


@dataclass
class _Folder:
    id: str
    parent_id: str | None
    name: str
    position: int
    collapsed: bool
    defaults: dict[str, Any]
    created: float
    updated: float


# ---------------------------------------------------------------- reading and checking


def _fail(where: str, problem: str) -> ImportFileError:
    return ImportFileError(f"Cannot import this file: {where}: {problem}. Nothing was imported.")


def read_import_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file to import: regular files only, at most `limit` bytes.

    Symlinks are followed to what they point at; devices (/dev/zero), named pipes and
    folders are refused before reading, and the file is opened without blocking so a
    pipe cannot hang the import. Raises ImportFileError.
    """
    from app.core.regular_files import FileRefused, read_regular_file

    path = Path(path)
    try:
        return read_regular_file(path, limit)
    except FileRefused as refused:
        if refused.not_a_file is not None:
            raise ImportFileError(
                f"Cannot import {path}: it is {refused.not_a_file}, not a file. Choose an "
                "exported JSON file. Nothing was imported."
            ) from None
        if refused.size is not None:
            raise ImportFileError(
                f"Cannot import {path}: it is larger than the {limit / 2**20:,.0f} MB Parley "
                "accepts. Nothing was imported."
            ) from None
        raise ImportFileError(f"Cannot read {path}: {refused.reason}.") from None


def load_file(path: Path, limit: int = MAX_FILE_BYTES) -> Any:
    """Read and parse a JSON file to import; anything unusable raises ImportFileError."""
    return parse_json(read_import_bytes(path, limit), str(path))


def parse_json(raw: bytes | str, name: str = "the file") -> Any:
    """Parse JSON text; not JSON, not UTF-8 or absurdly nested raises ImportFileError."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Cannot import {name}: it is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}). Nothing was imported."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Cannot import {name}: it is not UTF-8 text. Nothing was imported."
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(
            f"Cannot import {name}: its JSON is nested too deeply. Nothing was imported."
        ) from exc


def detect_format(data: Any) -> Format:
    """"parley" for a Parley export, "chatgpt" for ChatGPT's conversations.json."""
    if isinstance(data, dict) and data.get("format") == "parley-export":
        return "parley"
    if isinstance(data, list) and (
        not data or (isinstance(data[0], dict) and "mapping" in data[0])
    ):
        return "chatgpt"
    raise ImportFileError(
        "Cannot import this file: it is neither a Parley export (JSON from "
        "`parley export`) nor ChatGPT's conversations.json. Nothing was imported."
    )


def _text(value: Any, where: str, *, limit: int = MAX_TEXT_CHARS, optional: bool = False,
          default: str = "") -> str:
    if value is None:
        if optional:
            return default
        raise _fail(where, "missing text")
    if not isinstance(value, str):
        raise _fail(where, f"expected text, found {type(value).__name__}")
    if len(value) > limit:
        raise _fail(where, f"text of {len(value):,} characters exceeds the limit of {limit:,}")
    if "\x00" in value:
        raise _fail(where, "text contains a NUL character")
    return value


def _opt_short(value: Any, where: str) -> str | None:
    if value is None:
        return None
    return _text(value, where, limit=MAX_SHORT_CHARS)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"expected a number, found {type(value).__name__}")
    if isinstance(value, int) and not 0 <= value < 10**11:
        raise _fail(where, "not a plausible Unix time")  # before float(): 10**400 overflows
    number = float(value)
    if not math.isfinite(number) or not 0 <= number < 1e11:
        raise _fail(where, "not a plausible Unix time")
    return number


def _stored_number(value: Any, where: str) -> int | float | None:
    """A number SQLite can store: integers within 64 bits, finite floats; else fails."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, "expected a number")
    if isinstance(value, int) and not SQLITE_INT_MIN <= value <= SQLITE_INT_MAX:
        raise _fail(where, f"the number {value} is outside the range Parley can store "
                           f"({SQLITE_INT_MIN} to {SQLITE_INT_MAX})")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, "the number is not finite")
    return value


def _timestamp(obj: dict[str, Any], key: str, where: str, default: float) -> float:
    """`<key>_ts` (Unix seconds) when present, else the ISO `<key>_at`, else default."""
    ts = obj.get(f"{key}_ts")
    if ts is not None:
        return _number(ts, f"{where}.{key}_ts")
    iso = obj.get(f"{key}_at")
    if iso is None:
        return default
    text = _text(iso, f"{where}.{key}_at", limit=100)
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError as exc:
        raise _fail(f"{where}.{key}_at", "not an ISO 8601 time") from exc


def _check_json_value(value: Any, where: str) -> None:
    """Reject nesting deeper than MAX_EXTRA_DEPTH (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_EXTRA_DEPTH:
            raise _fail(where, f"nested deeper than {MAX_EXTRA_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(where, f"expected an object, found {type(value).__name__}")
    _check_json_value(value, where)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_EXTRA_CHARS:
        raise _fail(where, "object too large")
    return value


def _uid(value: Any, where: str) -> str:
    text = _text(value, where, limit=64)
    if not text or not all(ch.isalnum() or ch in "-_" for ch in text):
        raise _fail(where, "not a valid uid")
    return text


def _derived_uid(*parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "\x1f".join(parts)).hex


def _ordered(messages: list[_Msg], where: str) -> list[_Msg]:
    """Messages with every parent before its children; unknown parents and cycles fail."""
    by_uid: dict[str, _Msg] = {}
    for msg in messages:
        if msg.uid in by_uid:
            raise _fail(where, f"message uid {msg.uid} appears twice")
        by_uid[msg.uid] = msg
    children: dict[str | None, list[_Msg]] = {}
    for msg in messages:
        if msg.parent_uid is not None and msg.parent_uid not in by_uid:
            raise _fail(where, f"message {msg.uid} follows a message that is not in the file")
        children.setdefault(msg.parent_uid, []).append(msg)
    # Keep the file's order when parents already come first (a Parley export always
    # does), so ids keep the original order; otherwise rebuild one.
    seen: set[str] = set()
    for msg in messages:
        if msg.parent_uid is not None and msg.parent_uid not in seen:
            break
        seen.add(msg.uid)
    else:
        return list(messages)
    # Breadth first from the roots: a message whose parent links loop back never gets
    # reached, which is how cycles show up.
    ordered: list[tuple[int, float, int, _Msg]] = []
    queue = deque((0, m) for m in children.get(None, []))
    while queue:
        depth, msg = queue.popleft()
        ordered.append((depth, msg.created, len(ordered), msg))
        queue.extend((depth + 1, c) for c in children.get(msg.uid, []))
    if len(ordered) != len(messages):
        raise _fail(where, "the messages' parent links form a cycle")
    # Parents first; within a level by time, so ids grow with time as they do in Parley.
    ordered.sort(key=lambda item: item[:3])
    return [item[3] for item in ordered]


class _Budget:
    def __init__(self) -> None:
        self.messages = 0

    def take(self, count: int, where: str) -> None:
        if count > MAX_MESSAGES_PER_CONVERSATION:
            raise _fail(where, f"more than {MAX_MESSAGES_PER_CONVERSATION:,} messages")
        self.messages += count
        if self.messages > MAX_MESSAGES:
            raise _fail(where, f"more than {MAX_MESSAGES:,} messages in the file")


def _list(value: Any, where: str, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"expected a list, found {type(value).__name__}")
    if len(value) > limit:
        raise _fail(where, f"{len(value):,} items, more than the limit of {limit:,}")
    return value


# ---------------------------------------------------------------- Parley format


def _parse_parley(data: Any, blobs: dict[str, bytes] | None = None) -> list[_Conv]:
    blobs = {} if blobs is None else blobs
    if not isinstance(data, dict) or data.get("format") != "parley-export":
        raise _fail("the top level", "not a Parley export")
    version = data.get("version")
    if version not in (1, 2):
        raise _fail("version", f"unknown Parley export version {version!r}")
    items = _list(data.get("conversations"), "conversations", MAX_CONVERSATIONS)
    budget = _Budget()
    now = time.time()
    out: list[_Conv] = []
    for ci, raw in enumerate(items):
        where = f"conversations[{ci}]"
        if not isinstance(raw, dict):
            raise _fail(where, "expected an object")
        created = _timestamp(raw, "created", where, now)
        title = _text(raw.get("title"), f"{where}.title", limit=MAX_SHORT_CHARS, optional=True,
                      default="Imported chat")
        if raw.get("uid") is not None:
            cuid = _uid(raw.get("uid"), f"{where}.uid")
        else:  # a version 1 export: stable as long as the file is the same
            cuid = _derived_uid("parley-v1", str(raw.get("id")), repr(created), title)
        raw_messages = _list(raw.get("messages", []), f"{where}.messages",
                             MAX_MESSAGES_PER_CONVERSATION)
        budget.take(len(raw_messages), where)
        by_file_id: dict[int, str] = {}
        messages: list[_Msg] = []
        for mi, rm in enumerate(raw_messages):
            mwhere = f"{where}.messages[{mi}]"
            if not isinstance(rm, dict):
                raise _fail(mwhere, "expected an object")
            messages.append(_parse_parley_message(
                rm, mwhere, conv_uid=cuid, conv_created=created, by_file_id=by_file_id,
                previous=messages, blobs=blobs,
            ))
        tags_raw = _list(raw.get("tags", []), f"{where}.tags", MAX_TAGS)
        tags = [_text(t, f"{where}.tags", limit=200) for t in tags_raw]
        trashed = raw.get("trashed_ts")
        leaf = raw.get("active_leaf_uid")
        conv = _Conv(
            uid=cuid,
            title=title,
            created=created,
            updated=_timestamp(raw, "updated", where, created),
            messages=_ordered(messages, where),
            model=_opt_short(raw.get("model"), f"{where}.model"),
            endpoint=_opt_short(raw.get("endpoint"), f"{where}.endpoint"),
            pinned=bool(raw.get("pinned", False)),
            archived=bool(raw.get("archived", False)),
            tags=tags,
            trashed_at=None if trashed is None else _number(trashed, f"{where}.trashed_ts"),
            options=_object(raw.get("options"), f"{where}.options"),
            active_leaf_uid=None if leaf is None else _uid(leaf, f"{where}.active_leaf_uid"),
            folder_id=None if raw.get("folder_id") is None
            else _uid(raw.get("folder_id"), f"{where}.folder_id"),
        )
        out.append(conv)
    return out


def _parse_folders(data: dict[str, Any]) -> list[_Folder]:
    """The file's folders (none in files written before Parley had folders)."""
    now = time.time()
    out: list[_Folder] = []
    for fi, raw in enumerate(_list(data.get("folders", []), "folders", MAX_FOLDERS)):
        where = f"folders[{fi}]"
        if not isinstance(raw, dict):
            raise _fail(where, "expected an object")
        position = raw.get("position", 0)
        if isinstance(position, bool) or not isinstance(position, int):
            raise _fail(f"{where}.position", "expected a whole number")
        created = _timestamp(raw, "created", where, now)
        out.append(_Folder(
            id=_uid(raw.get("id"), f"{where}.id"),
            parent_id=None if raw.get("parent_id") is None
            else _uid(raw.get("parent_id"), f"{where}.parent_id"),
            name=_text(raw.get("name"), f"{where}.name", limit=MAX_SHORT_CHARS, optional=True,
                       default="Imported folder"),
            position=position,
            collapsed=bool(raw.get("collapsed", False)),
            defaults=_object(raw.get("defaults"), f"{where}.defaults"),
            created=created,
            updated=_timestamp(raw, "updated", where, created),
        ))
    return out


def _parse_parley_message(
    rm: dict[str, Any],
    where: str,
    *,
    conv_uid: str,
    conv_created: float,
    by_file_id: dict[int, str],
    previous: list[_Msg],
    blobs: dict[str, bytes],
) -> _Msg:
    file_id = rm.get("id")
    if rm.get("uid") is not None:
        uid = _uid(rm.get("uid"), f"{where}.uid")
    else:
        uid = _derived_uid(conv_uid, "message", str(file_id), str(len(previous)))
    if isinstance(file_id, int) and not isinstance(file_id, bool):
        by_file_id[file_id] = uid
    if rm.get("parent_uid") is not None:
        parent: str | None = _uid(rm.get("parent_uid"), f"{where}.parent_uid")
    elif rm.get("parent_id") is not None:
        parent_id = rm.get("parent_id")
        if not isinstance(parent_id, int) or parent_id not in by_file_id:
            raise _fail(f"{where}.parent_id", "refers to no earlier message of the conversation")
        parent = by_file_id[parent_id]
    else:
        # Version 1 saved prompts without a parent: they follow the message before them.
        parent = previous[-1].uid if previous and "parent_uid" not in rm else None
    role = rm.get("role")
    if role not in _ROLES:
        raise _fail(f"{where}.role", f"unknown role {role!r}")
    status = rm.get("status", "complete")
    if status not in _STATUSES:
        raise _fail(f"{where}.status", f"unknown status {status!r}")
    if status == "streaming":
        status = "stopped"  # it can never finish now
    created = _timestamp(rm, "created", where, conv_created)
    usage = rm.get("usage")
    if usage is not None:
        usage = _object(usage, f"{where}.usage")
        for key, value in usage.items():
            _stored_number(value, f"{where}.usage.{key}")
    return _Msg(
        uid=uid,
        parent_uid=parent,
        role=str(role),
        content=_text(rm.get("content"), f"{where}.content", optional=True),
        created=created,
        updated=_timestamp(rm, "updated", where, created),
        status=str(status),
        model=_opt_short(rm.get("model"), f"{where}.model"),
        provider=_opt_short(rm.get("provider"), f"{where}.provider"),
        finish_reason=_opt_short(rm.get("finish_reason"), f"{where}.finish_reason"),
        usage=usage,
        error=_text(rm.get("error"), f"{where}.error", optional=True) or None,
        reasoning=_text(rm.get("reasoning"), f"{where}.reasoning", optional=True),
        generation_id=_opt_short(rm.get("generation_id"), f"{where}.generation_id"),
        **_parley_extra(rm.get("extra"), f"{where}.extra"),
        attachments=[
            _parse_attachment(item, f"{where}.attachments[{i}]", blobs)
            for i, item in enumerate(_list(rm.get("attachments") or [], f"{where}.attachments",
                                           MAX_ATTACHMENTS_PER_MESSAGE))
        ],
    )


def _data_url_bytes(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("data:") or "," not in value:
        raise _fail(where, "is not a data URL")
    header, _, payload = value.partition(",")
    if not header.endswith(";base64"):
        raise _fail(where, "is not a base64 data URL")
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise _fail(where, "is not valid base64") from exc


def _parse_attachment(item: Any, where: str, blobs: dict[str, bytes]) -> Attachment:
    """An exported attachment; its embedded bytes go to `blobs` (hash -> bytes), checked
    against the hashes the file names."""
    from app.core.attachments import sha256_hex

    obj = _object(item, where)
    kind = obj.get("kind")
    if kind not in {k.value for k in AttachmentKind}:
        raise _fail(f"{where}.kind", f"unknown kind {kind!r}")
    hashes: dict[str, str | None] = {}
    for key, url_key in (("sha256", "data_url"), ("sent_sha256", "sent_data_url")):
        digest = obj.get(key)
        if digest is not None and not (
            isinstance(digest, str) and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)
        ):
            raise _fail(f"{where}.{key}", "is not a SHA-256 hash")
        if obj.get(url_key) is not None:
            data = _data_url_bytes(obj.get(url_key), f"{where}.{url_key}")
            if digest is not None and sha256_hex(data) != digest:
                raise _fail(f"{where}.{url_key}", "does not match its hash (damaged file?)")
            digest = sha256_hex(data)
            blobs[digest] = data
        hashes[key] = digest
    original = hashes["sha256"]
    if original is None:
        raise _fail(f"{where}.sha256", "is missing")

    def count(key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**62:
            raise _fail(f"{where}.{key}", "is not a whole number")
        return value

    size = count("size")
    return Attachment(
        sha256=original,
        name=_text(obj.get("name"), f"{where}.name", limit=MAX_SHORT_CHARS) or "attachment",
        mime=_text(obj.get("mime"), f"{where}.mime", limit=200),
        size=len(blobs[original]) if original in blobs else (size or 0),
        kind=AttachmentKind(kind),
        sent_sha256=hashes["sent_sha256"],
        width=count("width"),
        height=count("height"),
        pages=count("pages"),
    )


def _parley_extra(raw: Any, where: str) -> dict[str, Any]:
    """`extra` and the bytes of its embedded generated images (checked like a streamed
    image: strict base64, really an image, within the size limit)."""
    images = raw.get("images") if isinstance(raw, dict) else None
    if images is None:
        return {"extra": _object(raw, where)}
    extra = _object({k: v for k, v in raw.items() if k != "images"}, where)
    if not isinstance(images, list):
        raise _fail(f"{where}.images", "expected a list")
    from app.core.images import ImageRejected, decode_data_url, is_remote_url

    entries: list[dict[str, Any]] = []
    data: dict[int, bytes] = {}
    for n, entry in enumerate(images):
        at = f"{where}.images[{n}]"
        if not isinstance(entry, dict):
            raise _fail(at, "expected an object")
        url, sha, mime = entry.get("data_url"), entry.get("sha256"), entry.get("mime")
        if isinstance(url, str):
            try:
                blob, info = decode_data_url(url)
            except ImageRejected as exc:
                raise _fail(at, f"the embedded image cannot be used: {exc}") from None
            # The facts come from the bytes, not from the file.
            data[len(entries)] = blob
            entries.append({"sha256": "", "mime": info.mime, "size": len(blob),
                            "width": info.width, "height": info.height})
        elif isinstance(sha, str) and isinstance(mime, str):
            if re.fullmatch(r"[0-9a-f]{64}", sha) is None:
                raise _fail(f"{at}.sha256", "not the hash of an image")
            entries.append(_object(entry, at))
        elif isinstance(entry.get("url"), str) and is_remote_url(entry["url"]):
            entries.append({"url": entry["url"]})
        else:
            raise _fail(at, "neither an embedded image, a stored one nor an image link")
    extra["images"] = entries
    return {"extra": extra, "image_data": data}


# ---------------------------------------------------------------- ChatGPT format


def _chatgpt_text(message: dict[str, Any], where: str) -> str:
    content = message.get("content")
    if not isinstance(content, dict):
        return ""
    kind = content.get("content_type")
    if kind in ("text", "multimodal_text"):
        parts = _list(content.get("parts", []), f"{where}.content.parts", 10_000)
        texts = [_text(p, f"{where}.content.parts") for p in parts if isinstance(p, str)]
        text = "\n".join(t for t in texts if t)
    elif kind == "code":
        code = _text(content.get("text"), f"{where}.content.text", optional=True)
        language = content.get("language")
        fence = language if isinstance(language, str) and language.isalnum() else ""
        text = f"```{fence}\n{code}\n```" if code.strip() else ""
    else:
        return ""  # thoughts, browsing results, images alone...
    if len(text) > MAX_TEXT_CHARS:
        raise _fail(where, "text too long")
    return text


def _parse_chatgpt(data: Any) -> tuple[list[_Conv], int]:
    items = _list(data, "the top level", MAX_CONVERSATIONS)
    budget = _Budget()
    now = time.time()
    out: list[_Conv] = []
    skipped = 0
    for ci, raw in enumerate(items):
        where = f"conversation {ci}"
        if not isinstance(raw, dict):
            raise _fail(where, "expected an object")
        mapping = raw.get("mapping")
        if not isinstance(mapping, dict):
            raise _fail(f"{where}.mapping", "expected an object of message nodes")
        budget.take(len(mapping), where)
        cid = raw.get("conversation_id", raw.get("id"))
        title = _text(raw.get("title"), f"{where}.title", limit=MAX_SHORT_CHARS, optional=True,
                      default="") or "Imported from ChatGPT"
        ctime = raw.get("create_time")
        created = now if ctime is None else _number(ctime, f"{where}.create_time")
        utime = raw.get("update_time")
        updated = created if utime is None else _number(utime, f"{where}.update_time")
        if cid is None:
            cid = _derived_uid("chatgpt-untitled", title, repr(created))
        cid = _text(cid, f"{where}.id", limit=200)
        conv_uid = _derived_uid("chatgpt", "conversation", cid)

        parents: dict[str, str | None] = {}
        kept: dict[str, _Msg] = {}
        for node_id, node in mapping.items():
            nwhere = f"{where}.mapping[{node_id[:40]!r}]"
            _text(node_id, nwhere, limit=200)
            if not isinstance(node, dict):
                raise _fail(nwhere, "expected an object")
            parent = node.get("parent")
            if parent is not None:
                parent = _text(parent, f"{nwhere}.parent", limit=200)
                if parent not in mapping:
                    parent = None  # a dangling link: start a root rather than lose the text
            parents[node_id] = parent
            msg = _chatgpt_message(node.get("message"), nwhere, cid, node_id, created)
            if msg is None:
                skipped += 1
            else:
                kept[node_id] = msg

        # Nearest kept ancestor of every node, walking parent links (cycles refused).
        nearest: dict[str, str | None] = {}
        for start in mapping:
            trail: list[str] = []
            on_trail: set[str] = set()
            current: str | None = start
            while current is not None and current not in nearest:
                if current in on_trail:
                    raise _fail(where, "the message tree's parent links form a cycle")
                on_trail.add(current)
                trail.append(current)
                current = parents[current]
            found = None if current is None else (
                current if current in kept else nearest[current]
            )
            for node_id in reversed(trail):
                nearest[node_id] = found
                if node_id in kept:
                    found = node_id
        for node_id, msg in kept.items():
            parent = parents[node_id]
            anchor = None if parent is None else (parent if parent in kept else nearest[parent])
            msg.parent_uid = None if anchor is None else kept[anchor].uid
        current_node = raw.get("current_node")
        leaf: str | None = None
        if isinstance(current_node, str) and current_node in mapping:
            anchor = current_node if current_node in kept else nearest.get(current_node)
            leaf = None if anchor is None else kept[anchor].uid
        out.append(_Conv(
            uid=conv_uid,
            title=" ".join(title.split()) or "Imported from ChatGPT",
            created=created,
            updated=updated,
            messages=_ordered(sorted(kept.values(), key=lambda m: m.created), where),
            model=None,
            archived=bool(raw.get("is_archived", False)),
            active_leaf_uid=leaf,
            options={},
            tags=[],
            pinned=False,
            trashed_at=None,
        ))
    return out, skipped


def _chatgpt_message(
    message: Any, where: str, cid: str, node_id: str, default_time: float
) -> _Msg | None:
    if message is None:
        return None
    if not isinstance(message, dict):
        raise _fail(f"{where}.message", "expected an object")
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    if role not in ("user", "assistant"):
        return None  # system prompts, tool and browsing output
    metadata = message.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    if metadata.get("is_visually_hidden_from_conversation"):
        return None
    text = _chatgpt_text(message, where)
    if not text.strip():
        return None
    ctime = message.get("create_time")
    created = default_time if ctime is None else _number(ctime, f"{where}.create_time")
    slug = metadata.get("model_slug")
    extra: dict[str, Any] = {"chatgpt": {"node_id": node_id}}
    return _Msg(
        uid=_derived_uid("chatgpt", "message", cid, node_id),
        parent_uid=None,
        role=str(role),
        content=text,
        created=created,
        updated=created,
        model=slug if isinstance(slug, str) and role == "assistant" and len(slug) < 200
        else None,
        extra=extra,
    )


# ---------------------------------------------------------------- writing


def _store_images(store: Store, conversations: list[_Conv]) -> None:
    """Put embedded generated images in the attachment store (once per content) and refer
    to them by hash. Done before the database transaction: bytes nobody refers to after a
    failed import are removed by the next garbage collection."""
    files = None
    for conv in conversations:
        for msg in conv.messages:
            if not msg.image_data:
                continue
            if files is None:
                from app.core.attachments import AttachmentFiles

                files = AttachmentFiles.in_data_dir(store.path.parent)
            for index, blob in msg.image_data.items():
                msg.extra["images"][index]["sha256"] = files.put(blob)
            msg.image_data = {}


def _write_folders(conn: sqlite3.Connection, folders: list[_Folder]) -> set[str]:
    """Add the file's folders that are not here yet (a folder already here keeps its
    name and settings); returns the ids conversations may be filed in."""
    from app.core.history.folders import MAX_NAME, FolderDefaults

    for folder in sorted(folders, key=lambda f: f.parent_id is not None):
        if conn.execute("SELECT 1 FROM folders WHERE id = ?", (folder.id,)).fetchone():
            continue
        parent = folder.parent_id
        if parent is not None:
            row = conn.execute("SELECT parent_id FROM folders WHERE id = ?", (parent,)).fetchone()
            # Folders nest one level: a parent that is missing or itself nested (a
            # hand-made file) leaves the folder at the top level.
            if row is None or row[0] is not None:
                parent = None
        defaults = FolderDefaults.from_dict(folder.defaults).to_dict()
        conn.execute(
            "INSERT INTO folders (id, parent_id, name, position, collapsed, defaults, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (folder.id, parent, " ".join(folder.name.split())[:MAX_NAME] or "Imported folder",
             folder.position, int(folder.collapsed), json.dumps(defaults, ensure_ascii=False),
             folder.created, folder.updated),
        )
    return {str(r[0]) for r in conn.execute("SELECT id FROM folders")}


def _write(
    store: Store,
    conversations: list[_Conv],
    report: ImportReport,
    blobs: dict[str, bytes] | None = None,
    folders: list[_Folder] | None = None,
) -> ImportReport:
    from app.core.attachments import AttachmentFiles
    from app.core.errors import AttachmentError
    from app.core.history.store import clean_tags

    # Bytes first (content-addressed, so a file already here is not written again); if the
    # import then fails, they are unreferenced and garbage collection takes them.
    try:
        _store_images(store, conversations)
        if blobs:
            files = AttachmentFiles.in_data_dir(store.path.parent)
            for data in blobs.values():
                files.put(data)
    except AttachmentError as exc:
        raise ImportFileError(f"{exc} Nothing was imported.") from exc
    with store.transaction("import the file") as conn:
        known = _write_folders(conn, folders or [])
        for conv in conversations:
            if conv.folder_id not in known:
                conv.folder_id = None
            _write_conversation(conn, conv, report, clean_tags)
    return report


def _write_conversation(
    conn: sqlite3.Connection,
    conv: _Conv,
    report: ImportReport,
    clean_tags: Callable[[list[str]], list[str]],
) -> None:
    row = conn.execute("SELECT id FROM conversations WHERE uid = ?", (conv.uid,)).fetchone()
    is_new = row is None
    if is_new:
        cursor = conn.execute(
            "INSERT INTO conversations (uid, title, created_at, updated_at, model, pinned, "
            "archived, tags, trashed_at, options, endpoint, folder_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conv.uid, " ".join(conv.title.split()) or "Untitled", conv.created,
                conv.updated, conv.model, int(conv.pinned), int(conv.archived),
                json.dumps(clean_tags(conv.tags), ensure_ascii=False), conv.trashed_at,
                json.dumps(conv.options, ensure_ascii=False), conv.endpoint, conv.folder_id,
            ),
        )
        conv_id = cursor.lastrowid
        assert conv_id is not None
    else:
        conv_id = int(row[0])
    ids: dict[str, int] = {}
    added = 0
    for msg in conv.messages:
        found = conn.execute(
            "SELECT id, conversation_id FROM messages WHERE uid = ?", (msg.uid,)
        ).fetchone()
        if found is not None:
            if found[1] != conv_id:
                raise _fail(
                    f"conversation {conv.title!r}",
                    f"message {msg.uid} already belongs to another conversation here",
                )
            ids[msg.uid] = int(found[0])
            report.messages_skipped += 1
            continue
        usage = msg.usage or {}
        cursor = conn.execute(
            "INSERT INTO messages (uid, conversation_id, parent_id, role, content, status, "
            "created_at, updated_at, model, provider, finish_reason, prompt_tokens, "
            "completion_tokens, total_tokens, cost, cached_tokens, reasoning_tokens, error, "
            "reasoning, generation_id, extra) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                msg.uid, conv_id, None if msg.parent_uid is None else ids[msg.parent_uid],
                msg.role, msg.content, msg.status, msg.created, msg.updated, msg.model,
                msg.provider, msg.finish_reason,
                usage.get("prompt_tokens"), usage.get("completion_tokens"),
                usage.get("total_tokens"), usage.get("cost"), usage.get("cached_tokens"),
                usage.get("reasoning_tokens"), msg.error, msg.reasoning, msg.generation_id,
                json.dumps(msg.extra, ensure_ascii=False),
            ),
        )
        assert cursor.lastrowid is not None
        ids[msg.uid] = cursor.lastrowid
        if msg.attachments:
            from app.core.history.store import _insert_attachments

            _insert_attachments(conn, cursor.lastrowid, msg.attachments)
        added += 1
    report.messages_added += added
    if is_new:
        report.conversations_added += 1
        if conv.active_leaf_uid is not None and conv.active_leaf_uid in ids:
            conn.execute(
                "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                (ids[conv.active_leaf_uid], conv_id),
            )
    elif added:
        report.conversations_merged += 1
        from app.core.history import Store

        # The branch shown grew in the file: keep showing it, now to its new end.
        leaf = conn.execute(
            "SELECT active_leaf_id FROM conversations WHERE id = ?", (conv_id,)
        ).fetchone()[0]
        if leaf is not None:
            conn.execute(
                "UPDATE conversations SET active_leaf_id = ?, "
                "updated_at = max(updated_at, ?) WHERE id = ?",
                (Store._newest_leaf_under(conn, leaf), conv.updated, conv_id),
            )
    else:
        report.conversations_unchanged += 1


# ---------------------------------------------------------------- entry points


def import_parley(store: Store, data: Any) -> ImportReport:
    """Import a parsed Parley export (all or nothing; idempotent by uid)."""
    blobs: dict[str, bytes] = {}
    conversations = _parse_parley(data, blobs)
    return _write(store, conversations, ImportReport("Parley"), blobs, _parse_folders(data))


def import_chatgpt(store: Store, data: Any) -> ImportReport:
    """Import ChatGPT's parsed conversations.json (all or nothing; idempotent)."""
    conversations, skipped = _parse_chatgpt(data)
    return _write(store, conversations, ImportReport("ChatGPT", nodes_skipped=skipped))


def import_data(store: Store, data: Any, fmt: Format | None = None) -> ImportReport:
    """Import parsed JSON, detecting its format unless `fmt` is given."""
    fmt = fmt or detect_format(data)
    try:
        if fmt == "parley":
            return import_parley(store, data)
        return import_chatgpt(store, data)
    except RecursionError as exc:  # pragma: no cover - checks above are iterative
        raise ImportFileError("Cannot import this file: it is nested too deeply.") from exc


def import_file(store: Store, path: Path, fmt: Format | None = None) -> ImportReport:
    """Read, check and import a file; raises ImportFileError and changes nothing on error."""
    return import_data(store, load_file(path), fmt)
