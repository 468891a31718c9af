"""Conversation history in one SQLite file that belongs to the user (schema: docs/storage.md).

Every write commits before it returns, so a crash or a power cut loses at most the text
that had not been handed to the store yet. Errors raise `StorageError` (or
`DatabaseDamagedError`) with a message that says what failed and what to do; nothing
is swallowed, and a damaged or foreign file is never replaced or deleted.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self

from app.core.attachments import AttachmentFiles
from app.core.domain import (
    Attachment,
    AttachmentKind,
    Conversation,
    Message,
    MessageStatus,
    Role,
    Usage,
)
from app.core.errors import StorageError
from app.core.history.db import _copy_database, _wrap, open_database
from app.core.history.migrations import MIGRATIONS, Migration
from app.core.history.writers import WriterLock, sweep, writer_alive, writers_dir

__all__ = [
    "INTERRUPTED_ERROR",
    "Store",
]

#: error text given to replies whose process died while they streamed
INTERRUPTED_ERROR = "Interrupted: Parley closed before the reply finished."

#: a title that is empty after trimming becomes this, so every chat stays clickable
UNTITLED = "Untitled"

_MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, status, created_at, updated_at, "
    "model, provider, finish_reason, prompt_tokens, completion_tokens, total_tokens, "
    "cost, cached_tokens, reasoning_tokens, error, reasoning, generation_id, extra, uid"
)

_M_COLUMNS = ", ".join(f"m.{c.strip()}" for c in _MESSAGE_COLUMNS.split(","))

_CONVERSATION_SELECT = (
    "SELECT c.id, c.title, c.created_at, c.updated_at, c.model, "
    "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id), "
    "c.uid, c.pinned, c.archived, c.tags, c.trashed_at, c.active_leaf_id, c.endpoint, "
    "c.folder_id FROM conversations c"
)

#: the sidebar's rows: everything `_conversation_from_row` reads except the message count
#: (0), which would cost a scan of every conversation's messages on each refresh
_SIDEBAR_SELECT = (
    "SELECT c.id, c.title, c.created_at, c.updated_at, c.model, 0, "
    "c.uid, c.pinned, c.archived, c.tags, c.trashed_at, c.active_leaf_id, c.endpoint, "
    "c.folder_id FROM conversations c"
)

_ATTACHMENT_COLUMNS = (
    "message_id, position, sha256, sent_sha256, name, mime, size, kind, width, height, pages"
)

#: a recursive walk never goes deeper than this (protects against hand-made cycles)
MAX_THREAD_DEPTH = 1_000_000


class _Follow(Enum):
    ACTIVE_PATH = "follow the active path"


#: default `parent_id` of `Store.add_message`: the message continues the branch on screen
FOLLOW_ACTIVE: Final = _Follow.ACTIVE_PATH


def new_uid() -> str:
    """A fresh stable id: uuid4 as 32 hex digits."""
    import uuid  # here: with the platform module it pulls in, ~3 ms of every start-up

    return uuid.uuid4().hex


def _usage_from_row(row: Sequence[Any]) -> Usage | None:
    prompt, completion, total, cost, cached, reasoning = row
    if prompt is None and completion is None and total is None and cost is None:
        return None
    return Usage(
        prompt_tokens=prompt or 0,
        completion_tokens=completion or 0,
        total_tokens=total or 0,
        cost=cost,
        cached_tokens=cached or 0,
        reasoning_tokens=reasoning or 0,
    )


def _extra_from_text(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        # Hand-edited and unparsable: keep it visible instead of dropping it.
        return {"_unparsed": text}
    return value if isinstance(value, dict) else {"_value": value}


def _message_from_row(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        conversation_id=row[1],
        parent_id=row[2],
        role=Role(row[3]),
        content=row[4],
        status=MessageStatus(row[5]),
        created_at=row[6],
        updated_at=row[7],
        model=row[8],
        provider=row[9],
        finish_reason=row[10],
        usage=_usage_from_row(row[11:17]),
        error=row[17],
        reasoning=row[18] or "",
        generation_id=row[19],
        extra=_extra_from_text(row[20]),
        uid=row[21] or "",
    )


def _attachment_from_row(row: Sequence[Any]) -> Attachment:
    # row: _ATTACHMENT_COLUMNS without message_id and position
    return Attachment(
        sha256=row[0], sent_sha256=row[1], name=row[2], mime=row[3], size=int(row[4]),
        kind=AttachmentKind(row[5]), width=row[6], height=row[7], pages=row[8],
    )


def _insert_attachments(
    conn: sqlite3.Connection, message_id: int, attachments: Sequence[Attachment]
) -> None:
    conn.executemany(
        f"INSERT INTO message_attachments ({_ATTACHMENT_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (message_id, position, a.sha256, a.sent_sha256, a.name, a.mime, a.size,
             AttachmentKind(a.kind).value, a.width, a.height, a.pages)
            for position, a in enumerate(attachments)
        ],
    )


def _load_attachments(conn: sqlite3.Connection, messages: list[Message]) -> list[Message]:
    """Fill in `attachments` of every message with one query for the whole list."""
    if not messages:
        return messages
    by_id = {m.id: m for m in messages}
    rows = conn.execute(
        f"SELECT {_ATTACHMENT_COLUMNS} FROM message_attachments "
        "WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, position",
        (json.dumps(list(by_id)),),
    ).fetchall()
    for row in rows:
        by_id[row[0]].attachments.append(_attachment_from_row(row[2:]))
    return messages


def referenced_hashes(conn: sqlite3.Connection) -> set[str]:
    """The attachment hashes a history database refers to (any schema version)."""
    refs: set[str] = set()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "message_attachments" in tables:
        refs.update(
            str(h)
            for row in conn.execute("SELECT sha256, sent_sha256 FROM message_attachments")
            for h in row if h
        )
    for (value,) in conn.execute(
        "SELECT json_extract(i.value, '$.sha256') "
        "FROM messages m, json_each(m.extra, '$.images') i "
        "WHERE m.extra LIKE '%\"images\"%' AND json_valid(m.extra) "
        "AND json_type(m.extra, '$.images') = 'array' AND i.type = 'object'"
    ):
        if isinstance(value, str) and value:
            refs.add(value)
    return refs


def _conversation_from_row(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        title=row[1],
        created_at=row[2],
        updated_at=row[3],
        model=row[4],
        message_count=row[5],
        uid=row[6] or "",
        pinned=bool(row[7]),
        archived=bool(row[8]),
        tags=_tags_from_text(row[9]),
        trashed_at=row[10],
        active_leaf_id=row[11],
        endpoint=row[12],
        folder_id=row[13],
    )


def _tags_from_text(text: str | None) -> list[str]:
    if not text or text == "[]":  # most conversations: no JSON to parse
        return []
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(t) for t in value] if isinstance(value, list) else []


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags trimmed to one line, blanks dropped, duplicates removed, first spelling kept."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = " ".join(str(raw).split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def _clean_title(title: str) -> str:
    # Titles are one line; generated ones often arrive with newlines or padding.
    return " ".join(title.split()) or UNTITLED


def _dump_extra(extra: dict[str, Any]) -> str:
    try:
        return json.dumps(extra, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"Could not save the message's extra data as JSON: {exc}.") from exc


class Store:
    """Parley's history database: one SQLite connection, used from the GUI thread only."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        """Use `Store.open()`; this only wraps an already prepared connection."""
        self.path = path
        self._conn: sqlite3.Connection | None = connection
        # Taken with the first streaming reply, held until close (see writers.py).
        self._writer: WriterLock | None = None

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> Self:
        """Open (or create) the database at `path`, backing it up and migrating it if needed."""
        path = Path(path)
        return cls(path, open_database(path, migrations))

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards. Safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA optimize")  # cheap upkeep of query-planner statistics
            conn.close()
        except sqlite3.Error as exc:
            raise _wrap(self.path, "close the history database", exc) from exc
        finally:
            # Replies still 'streaming' now have no writer: the next start marks them.
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open database (PRAGMA user_version)."""
        with self._reading("read the schema version") as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ helpers

    def _writer_id(self) -> str:
        """This store's writer id, locking its file in the data folder on first use."""
        if self._writer is None:
            try:
                self._writer = WriterLock.acquire(writers_dir(self.path.parent))
            except OSError as exc:
                raise StorageError(
                    f"Could not create a lock file in {writers_dir(self.path.parent)}: {exc}.",
                    hint="Check that the Parley data folder is writable.",
                ) from exc
        return self._writer.id

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"The history database {self.path} is already closed.")
        return self._conn

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed before the block's caller returns."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Load the schema as it is now, under the write lock. Another Parley's
                # `PRAGMA optimize` (ANALYZE) changes the schema cookie, and SQLite (3.40)
                # then reloaded the schema while compiling the first statement's triggers
                # and failed with "no such table: conversations". Nothing can change the
                # schema again before this transaction ends.
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _wrap(self.path, what, exc) from exc

    @contextlib.contextmanager
    def _reading(self, what: str) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise _wrap(self.path, what, exc) from exc

    def transaction(self, what: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction for other core modules (import, prompts): all or nothing.

        `what` completes "Could not ..." in the error raised when SQLite fails. Any
        exception inside the block rolls everything back.
        """
        return self._writing(what)

    def reading(self, what: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """The connection for reads by other core modules (search, prompts)."""
        return self._reading(what)

    # ------------------------------------------------------------------ conversations

    def create_conversation(
        self,
        title: str = "New chat",
        model: str | None = None,
        endpoint: str | None = None,
        *,
        folder_id: str | None = None,
    ) -> Conversation:
        """Create an empty conversation (talking to `endpoint`; None: the built-in one),
        filed in the folder `folder_id` when given."""
        now = time.time()
        title = _clean_title(title)
        uid = new_uid()
        with self._writing("create a conversation") as conn:
            columns = "title, created_at, updated_at, model, uid, endpoint"
            values: tuple[Any, ...] = (title, now, now, model, uid, endpoint)
            if folder_id is not None:
                # Named only when given: the same call works on a database opened at an
                # older schema version (upgrade tests and tools build those).
                if conn.execute(
                    "SELECT 1 FROM folders WHERE id = ?", (folder_id,)
                ).fetchone() is None:
                    raise StorageError(
                        "The folder for the new chat no longer exists. Choose another folder."
                    )
                columns += ", folder_id"
                values += (folder_id,)
            cursor = conn.execute(
                f"INSERT INTO conversations ({columns}) "
                f"VALUES ({', '.join('?' * len(values))})",
                values,
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return Conversation(
            id=new_id, title=title, created_at=now, updated_at=now, model=model, uid=uid,
            endpoint=endpoint, folder_id=folder_id,
        )

    @staticmethod
    def _list_filter(
        archived: bool | None, tag: str | None, include_trashed: bool
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if not include_trashed:
            clauses.append("c.trashed_at IS NULL")
        if archived is not None:
            clauses.append("c.archived = ?")
            params.append(int(archived))
        if tag is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value = ?)")
            params.append(tag)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_conversations(
        self,
        limit: int | None = None,
        offset: int = 0,
        *,
        archived: bool | None = False,
        tag: str | None = None,
        include_trashed: bool = False,
    ) -> list[Conversation]:
        """The sidebar: pinned first, then the most recent activity first, with message counts.

        `archived`: False (default) hides archived chats, True lists only them, None both.
        Trashed chats are left out unless `include_trashed` (see `list_trashed`).
        """
        where, params = self._list_filter(archived, tag, include_trashed)
        with self._reading("list the conversations") as conn:
            rows = conn.execute(
                f"{_CONVERSATION_SELECT}{where} "
                "ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?",
                (*params, -1 if limit is None else limit, offset),
            ).fetchall()
        return [_conversation_from_row(row) for row in rows]

    def sidebar_conversations(
        self, *, archived: bool | None = False, tag: str | None = None
    ) -> list[Conversation]:
        """Every conversation the sidebar shows for a filter, in `list_conversations` order,
        without message counts (`message_count` is 0): cheap enough for all of them at once."""
        where, params = self._list_filter(archived, tag, False)
        with self._reading("list the conversations") as conn:
            rows = conn.execute(
                f"{_SIDEBAR_SELECT}{where} "
                "ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC",
                params,
            ).fetchall()
        return [_conversation_from_row(row) for row in rows]

    def count_conversations(
        self,
        *,
        archived: bool | None = False,
        tag: str | None = None,
        include_trashed: bool = False,
    ) -> int:
        """How many conversations `list_conversations` with the same filters would return."""
        where, params = self._list_filter(archived, tag, include_trashed)
        with self._reading("count the conversations") as conn:
            row = conn.execute(f"SELECT count(*) FROM conversations c{where}", params).fetchone()
        return int(row[0])

    def list_trashed(self) -> list[Conversation]:
        """Conversations in the trash, most recently trashed first."""
        with self._reading("list the trash") as conn:
            rows = conn.execute(
                f"{_CONVERSATION_SELECT} WHERE c.trashed_at IS NOT NULL "
                "ORDER BY c.trashed_at DESC, c.id DESC"
            ).fetchall()
        return [_conversation_from_row(row) for row in rows]

    def _set_column(self, conversation_id: int, column: str, value: Any, what: str) -> None:
        with self._writing(what) as conn:
            cursor = conn.execute(
                f"UPDATE conversations SET {column} = ? WHERE id = ?", (value, conversation_id)
            )
            self._require(cursor.rowcount, "conversation", conversation_id)

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pin to the top of the list, or unpin. Not an activity."""
        self._set_column(conversation_id, "pinned", int(pinned), "pin the conversation")

    def set_archived(self, conversation_id: int, archived: bool) -> None:
        """Move out of (or back into) the main list. Not an activity."""
        self._set_column(conversation_id, "archived", int(archived), "archive the conversation")

    def set_tags(self, conversation_id: int, tags: Iterable[str]) -> list[str]:
        """Replace the tags (cleaned by `clean_tags`); returns what was stored."""
        cleaned = clean_tags(tags)
        self._set_column(
            conversation_id, "tags", json.dumps(cleaned, ensure_ascii=False), "save the tags"
        )
        return cleaned

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use outside the trash with how many conversations carry it, A-Z."""
        with self._reading("list the tags") as conn:
            rows = conn.execute(
                "SELECT t.value, count(*) FROM conversations c, json_each(c.tags) t "
                "WHERE c.trashed_at IS NULL AND t.type = 'text' "
                "GROUP BY t.value ORDER BY lower(t.value), t.value"
            ).fetchall()
        return [(str(name), int(count)) for name, count in rows]

    def trash_conversation(self, conversation_id: int) -> None:
        """Soft delete: hide it from lists and search until restored or purged."""
        self._set_column(conversation_id, "trashed_at", time.time(), "move it to the trash")

    def restore_conversation(self, conversation_id: int) -> None:
        """Take a conversation out of the trash."""
        self._set_column(conversation_id, "trashed_at", None, "restore the conversation")

    def purge_trashed(self, older_than_seconds: float = 0.0) -> int:
        """Delete for good what has been in the trash at least that long; returns how many.

        Then the attachment files no message refers to any more are removed (the Undo
        window is over for them too).
        """
        cutoff = time.time() - older_than_seconds
        with self._writing("empty the trash") as conn:
            cursor = conn.execute(
                "DELETE FROM conversations WHERE trashed_at IS NOT NULL AND trashed_at <= ?",
                (cutoff,),
            )
            purged = cursor.rowcount
        with contextlib.suppress(OSError):  # a folder we cannot list now is tried next time
            self.collect_attachment_garbage(AttachmentFiles.in_data_dir(self.path.parent))
        return purged

    def get_options(self, conversation_id: int) -> dict[str, Any]:
        """The conversation's saved request options ({} when none or missing)."""
        with self._reading("read the conversation's options") as conn:
            row = conn.execute(
                "SELECT options FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return {} if row is None else _extra_from_text(row[0])

    def set_options(self, conversation_id: int, options: dict[str, Any]) -> None:
        """Replace the conversation's request options (a JSON-serializable dict)."""
        if not isinstance(options, dict):
            raise StorageError("Conversation options must be a JSON object (a dict).")
        self._set_column(conversation_id, "options", _dump_extra(options), "save the options")

    def usage_totals(
        self, conversation_id: int | None = None, since: float | None = None
    ) -> Usage:
        """Summed tokens and cost of replies (trash included: it was spent), optionally
        of one conversation and/or since a Unix time. `cost` is None when none reported it."""
        clauses = ["role = 'assistant'"]
        params: list[Any] = []
        if conversation_id is not None:
            clauses.append("conversation_id = ?")
            params.append(conversation_id)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(since)
        with self._reading("add up the usage") as conn:
            row = conn.execute(
                "SELECT total(prompt_tokens), total(completion_tokens), total(total_tokens), "
                "sum(cost), total(cached_tokens), total(reasoning_tokens) FROM messages "
                f"WHERE {' AND '.join(clauses)}",
                params,
            ).fetchone()
        return Usage(
            prompt_tokens=int(row[0]),
            completion_tokens=int(row[1]),
            total_tokens=int(row[2]),
            cost=None if row[3] is None else float(row[3]),
            cached_tokens=int(row[4]),
            reasoning_tokens=int(row[5]),
        )

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """One conversation, or None when it does not exist."""
        with self._reading("read a conversation") as conn:
            row = conn.execute(
                f"{_CONVERSATION_SELECT} WHERE c.id = ?", (conversation_id,)
            ).fetchone()
        return None if row is None else _conversation_from_row(row)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Set the title (trimmed to one line; blank becomes "Untitled"). Not an activity."""
        with self._writing("rename the conversation") as conn:
            cursor = conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ?",
                (_clean_title(title), conversation_id),
            )
            self._require(cursor.rowcount, "conversation", conversation_id)

    def set_conversation_model(self, conversation_id: int, model: str | None) -> None:
        """Remember the model chosen for this conversation (None: the default model)."""
        with self._writing("save the conversation's model") as conn:
            cursor = conn.execute(
                "UPDATE conversations SET model = ? WHERE id = ?", (model, conversation_id)
            )
            self._require(cursor.rowcount, "conversation", conversation_id)

    def set_conversation_endpoint(self, conversation_id: int, endpoint: str | None) -> None:
        """Move the conversation to another endpoint (None: the built-in one)."""
        with self._writing("save the conversation's endpoint") as conn:
            cursor = conn.execute(
                "UPDATE conversations SET endpoint = ? WHERE id = ?", (endpoint, conversation_id)
            )
            self._require(cursor.rowcount, "conversation", conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation and all its messages; deleting a missing one is a no-op."""
        with self._writing("delete the conversation") as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    @staticmethod
    def _require(rowcount: int, kind: str, item_id: int) -> None:
        if rowcount == 0:
            # Raised inside the transaction, so it is rolled back.
            raise StorageError(f"The {kind} {item_id} does not exist (was it deleted?).")

    # ------------------------------------------------------------------ messages

    def add_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = MessageStatus.COMPLETE,
        model: str | None = None,
        parent_id: int | Literal[_Follow.ACTIVE_PATH] | None = FOLLOW_ACTIVE,
        attachments: Sequence[Attachment] = (),
    ) -> Message:
        """Add a message, make it the end of the branch shown, and mark the conversation
        active; on disk when this returns (with its `attachments`, in the same transaction).

        `parent_id` defaults to the last message of the branch shown (`FOLLOW_ACTIVE`), so
        plain appends continue the conversation; None starts a new root (a first message).
        """
        now = time.time()
        role = Role(role)
        status = MessageStatus(status)
        uid = new_uid()
        writer = self._writer_id() if status is MessageStatus.STREAMING else None
        with self._writing("save the message") as conn:
            cursor = conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            self._require(cursor.rowcount, "conversation", conversation_id)
            parent = (
                self._leaf_id(conn, conversation_id) if parent_id is FOLLOW_ACTIVE else parent_id
            )
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, status, "
                "created_at, updated_at, model, uid, writer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, parent, role.value, content, status.value, now, now, model,
                 uid, writer),
            )
            new_id = cursor.lastrowid
            assert new_id is not None
            if attachments:
                _insert_attachments(conn, new_id, attachments)
            conn.execute(
                "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                (new_id, conversation_id),
            )
        return Message(
            id=new_id,
            conversation_id=conversation_id,
            role=role,
            content=content,
            status=status,
            created_at=now,
            updated_at=now,
            model=model,
            parent_id=parent,
            uid=uid,
            attachments=list(attachments),
        )

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        status: MessageStatus | None = None,
        reasoning: str | None = None,
        model: str | None = None,
        provider: str | None = None,
        finish_reason: str | None = None,
        usage: Usage | None = None,
        error: str | None = None,
        generation_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Change the given fields (None leaves a field alone; `extra` replaces the whole dict).

        Called about once a second while a reply streams: two UPDATEs, no reads, one commit.
        """
        assignments: list[str] = []
        values: list[Any] = []

        def put(column: str, value: Any) -> None:
            assignments.append(f"{column} = ?")
            values.append(value)

        if content is not None:
            put("content", content)
        if status is not None:
            status = MessageStatus(status)
            put("status", status.value)
            if status is MessageStatus.STREAMING:
                put("writer", self._writer_id())
            else:
                put("writer", None)
                if error is None:
                    # A final status from the live writer overrides an "interrupted" mark
                    # that another process put on the reply while it was still arriving.
                    assignments.append("error = nullif(error, ?)")
                    values.append(INTERRUPTED_ERROR)
        if reasoning is not None:
            put("reasoning", reasoning)
        if model is not None:
            put("model", model)
        if provider is not None:
            put("provider", provider)
        if finish_reason is not None:
            put("finish_reason", finish_reason)
        if usage is not None:
            put("prompt_tokens", usage.prompt_tokens)
            put("completion_tokens", usage.completion_tokens)
            put("total_tokens", usage.total_tokens)
            put("cost", usage.cost)
            put("cached_tokens", usage.cached_tokens)
            put("reasoning_tokens", usage.reasoning_tokens)
        if error is not None:
            put("error", error)
        if generation_id is not None:
            put("generation_id", generation_id)
        if extra is not None:
            put("extra", _dump_extra(extra))
        if not assignments:
            return
        now = time.time()
        put("updated_at", now)
        with self._writing("save the reply") as conn:
            cursor = conn.execute(
                f"UPDATE messages SET {', '.join(assignments)} WHERE id = ?",
                (*values, message_id),
            )
            self._require(cursor.rowcount, "message", message_id)
            conn.execute(
                "UPDATE conversations SET updated_at = ? "
                "WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
                (now, message_id),
            )

    def get_messages(self, conversation_id: int) -> list[Message]:
        """All messages of a conversation, oldest first."""
        with self._reading("read the messages") as conn:
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
            return _load_attachments(conn, [_message_from_row(row) for row in rows])

    def get_message(self, message_id: int) -> Message | None:
        """One message, or None when it does not exist."""
        with self._reading("read a message") as conn:
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            return None if row is None else _load_attachments(conn, [_message_from_row(row)])[0]

    # ------------------------------------------------------------------ branches
    #
    # Messages form a tree through parent_id. A conversation shows one path through it,
    # from its root to `conversations.active_leaf_id` (NULL: the newest leaf). Edit and
    # regenerate add siblings; nothing is overwritten.

    @staticmethod
    def _leaf_id(conn: sqlite3.Connection, conversation_id: int) -> int | None:
        row = conn.execute(
            "SELECT active_leaf_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
        row = conn.execute(
            "SELECT m.id FROM messages m WHERE m.conversation_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM messages c WHERE c.parent_id = m.id) "
            "ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _newest_leaf_under(conn: sqlite3.Connection, message_id: int) -> int | None:
        row = conn.execute(
            "WITH RECURSIVE sub(id, depth) AS (SELECT ?, 0 UNION ALL "
            "SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id "
            "WHERE sub.depth < ?) "
            "SELECT sub.id FROM sub JOIN messages m ON m.id = sub.id "
            "WHERE NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_id = sub.id) "
            "ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            (message_id, MAX_THREAD_DEPTH),
        ).fetchone()
        return None if row is None else int(row[0])

    def path_to(self, message_id: int) -> list[Message]:
        """The messages from the root down to `message_id` (inclusive), oldest first."""
        with self._reading("read the conversation's branch") as conn:
            return self._path_to(conn, message_id)

    @staticmethod
    def _path_to(conn: sqlite3.Connection, message_id: int) -> list[Message]:
        rows = conn.execute(
            "WITH RECURSIVE path(id, depth) AS (SELECT ?, 0 UNION ALL "
            "SELECT m.parent_id, path.depth + 1 FROM messages m JOIN path ON m.id = path.id "
            "WHERE m.parent_id IS NOT NULL AND path.depth < ?) "
            f"SELECT {_M_COLUMNS} FROM path JOIN messages m ON m.id = path.id "
            "ORDER BY path.depth DESC",
            (message_id, MAX_THREAD_DEPTH),
        ).fetchall()
        return _load_attachments(conn, [_message_from_row(row) for row in rows])

    def get_thread(self, conversation_id: int) -> list[Message]:
        """The branch shown: root to the active leaf (or the newest leaf), oldest first."""
        with self._reading("read the conversation") as conn:
            leaf = self._leaf_id(conn, conversation_id)
            return [] if leaf is None else self._path_to(conn, leaf)

    def siblings(self, message_id: int) -> list[Message]:
        """The message and its alternatives (same parent), oldest first: "2 / 3" in the UI."""
        with self._reading("read the alternatives") as conn:
            row = conn.execute(
                "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise StorageError(f"The message {message_id} does not exist (was it deleted?).")
            conversation_id, parent_id = row
            if parent_id is None:
                rows = conn.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? "
                    "AND parent_id IS NULL ORDER BY created_at, id",
                    (conversation_id,),
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? "
                    "ORDER BY created_at, id",
                    (parent_id,),
                ).fetchall()
            return _load_attachments(conn, [_message_from_row(r) for r in rows])

    def alternatives(self, conversation_id: int) -> dict[int, tuple[int, int]]:
        """For every message that has other versions: id -> (0-based index, count).

        One query for the whole conversation, so a long chat's "2 / 3" switchers cost one
        round trip rather than one per message.
        """
        with self._reading("read the alternatives") as conn:
            rows = conn.execute(
                "SELECT id, parent_id FROM messages WHERE conversation_id = ? "
                "ORDER BY created_at, id",
                (conversation_id,),
            ).fetchall()
        groups: dict[int | None, list[int]] = {}
        for message_id, parent_id in rows:
            groups.setdefault(parent_id, []).append(message_id)
        out: dict[int, tuple[int, int]] = {}
        for ids in groups.values():
            if len(ids) > 1:
                for index, message_id in enumerate(ids):
                    out[message_id] = (index, len(ids))
        return out

    def children(self, message_id: int) -> list[Message]:
        """Messages that follow this one directly (its replies or next prompts), oldest first."""
        with self._reading("read the replies") as conn:
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? "
                "ORDER BY created_at, id",
                (message_id,),
            ).fetchall()
            return _load_attachments(conn, [_message_from_row(r) for r in rows])

    def select_branch(self, message_id: int) -> int:
        """Show the branch through `message_id`: its newest leaf becomes active (returned).

        Not an activity: the conversation keeps its place in the list.
        """
        with self._writing("switch branches") as conn:
            row = conn.execute(
                "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise StorageError(f"The message {message_id} does not exist (was it deleted?).")
            leaf = self._newest_leaf_under(conn, message_id)
            conn.execute(
                "UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (leaf, row[0])
            )
        assert leaf is not None
        return leaf

    def _require_message(self, message_id: int) -> Message:
        msg = self.get_message(message_id)
        if msg is None:
            raise StorageError(f"The message {message_id} does not exist (was it deleted?).")
        return msg

    def edit_message(self, message_id: int, new_content: str) -> Message:
        """Add an edited copy as a sibling (same parent, same role) and show it.

        The original and everything after it stay, one branch away.
        """
        original = self._require_message(message_id)
        # The files go with the edited prompt: editing the text does not detach them.
        return self.add_message(
            original.conversation_id, original.role, new_content, parent_id=original.parent_id,
            attachments=original.attachments,
        )

    def new_reply_sibling(self, reply_id: int, *, model: str | None = None) -> Message:
        """Regenerate: an empty streaming reply beside `reply_id` (same prompt), shown.

        Build the request from `path_to(new.parent_id)`; `app.core.branches.begin_regenerate`
        does both.
        """
        original = self._require_message(reply_id)
        if original.role is not Role.ASSISTANT:
            raise StorageError(f"The message {reply_id} is not a reply; only replies regenerate.")
        return self.add_message(
            original.conversation_id,
            Role.ASSISTANT,
            "",
            status=MessageStatus.STREAMING,
            model=model or original.model,
            parent_id=original.parent_id,
        )

    def delete_message(self, message_id: int, *, with_descendants: bool = False) -> int:
        """Delete a message on the user's explicit request; returns how many were deleted.

        A message that others follow (replies, later turns, other branches below it) is
        only deleted together with all of them, and only when `with_descendants` is True;
        otherwise StorageError says how many would go. If the branch shown is removed, the
        newest remaining branch under the deleted message's parent is shown. A missing
        message is a no-op (0).
        """
        with self._writing("delete the message") as conn:
            row = conn.execute(
                "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return 0
            conversation_id, parent_id = row
            ids = [
                int(r[0])
                for r in conn.execute(
                    "WITH RECURSIVE sub(id, depth) AS (SELECT ?, 0 UNION ALL "
                    "SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id "
                    "WHERE sub.depth < ?) SELECT id FROM sub",
                    (message_id, MAX_THREAD_DEPTH),
                )
            ]
            if len(ids) > 1 and not with_descendants:
                raise StorageError(
                    f"The message {message_id} has {len(ids) - 1} later message(s) built on it. "
                    "Delete them together explicitly, or keep the message."
                )
            active = conn.execute(
                "SELECT active_leaf_id FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()[0]
            conn.executemany("DELETE FROM messages WHERE id = ?", [(i,) for i in reversed(ids)])
            if active is None or active in ids:
                leaf = None if parent_id is None else self._newest_leaf_under(conn, parent_id)
                conn.execute(
                    "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                    (leaf, conversation_id),
                )
            return len(ids)

    def mark_interrupted_streams(self) -> int:
        """Mark replies left 'streaming' by a process that is gone as stopped; returns how many.

        A reply another live process (`parley ask`, a second window) is still writing is
        left alone: its writer's lock file is still locked. Replies that name no writer
        (saved by an older Parley) count as interrupted.
        """
        folder = writers_dir(self.path.parent)
        own = None if self._writer is None else self._writer.id
        with self._writing("mark interrupted replies") as conn:
            writers = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT writer FROM messages WHERE status = 'streaming'"
                )
            ]
            marked = 0
            for writer in writers:
                if writer is not None and (writer == own or writer_alive(folder, writer)):
                    continue
                cursor = conn.execute(
                    "UPDATE messages SET status = 'stopped', error = ?, writer = NULL "
                    "WHERE status = 'streaming' AND writer IS ?",
                    (INTERRUPTED_ERROR, writer),
                )
                marked += cursor.rowcount
        # Lock files of processes that died; whatever they left is marked above.
        sweep(folder)
        return marked

    # ------------------------------------------------------------------ attachments

    def referenced_attachment_hashes(self) -> set[str]:
        """Every attachment hash a message refers to (trash included): the files sent with
        prompts, their downscaled copies, and images replies carry in `extra["images"]`."""
        with self._reading("list the attachments in use") as conn:
            return referenced_hashes(conn)

    def collect_attachment_garbage(
        self, files: AttachmentFiles, *, older_than_seconds: float = 86_400.0
    ) -> int:
        """Remove stored files no message refers to; returns how many went.

        Files written in the last `older_than_seconds` stay: they may be attached in a
        composer (or by another process) and not sent yet.
        """
        return files.collect_garbage(
            self.referenced_attachment_hashes(), older_than_seconds=older_than_seconds
        )

    # ------------------------------------------------------------------ export and backup

    def export_conversations(
        self, conversation_ids: list[int] | None = None
    ) -> list[tuple[Conversation, list[Message]]]:
        """Conversations with their messages, read as one consistent snapshot.

        None exports everything, most recent activity first; otherwise the given order.
        A missing id raises StorageError.
        """
        conn = self._connection()
        try:
            conn.execute("BEGIN")
            try:
                if conversation_ids is None:
                    conversations = self.list_conversations(archived=None, include_trashed=True)
                    conversations.sort(key=lambda c: (c.updated_at, c.id), reverse=True)
                else:
                    conversations = []
                    missing = []
                    for conversation_id in conversation_ids:
                        found = self.get_conversation(conversation_id)
                        if found is None:
                            missing.append(conversation_id)
                        else:
                            conversations.append(found)
                    if missing:
                        names = ", ".join(str(m) for m in missing)
                        raise StorageError(f"No conversation with id {names} to export.")
                result = [(c, self.get_messages(c.id)) for c in conversations]
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _wrap(self.path, "read the conversations to export", exc) from exc
        return result

    def backup_to(self, dest: Path, *, overwrite: bool = True) -> Path:
        """Write a consistent, standalone copy of the database to `dest` while it is open.

        Returns the file written: without `overwrite`, an existing `dest` is kept and the
        copy goes to the first free name `stem-2.ext`, `stem-3.ext`...
        """
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise StorageError(f"Cannot back up {self.path} onto itself.")
        try:
            return _copy_database(self._connection(), dest, overwrite=overwrite)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"Could not back up {self.path} to {dest}: {exc}.") from exc

    def check_integrity(self) -> list[str]:
        """Run SQLite's quick_check; an empty list means no damage was found."""
        with self._reading("check the database") as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems
