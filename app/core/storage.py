"""Conversation history in one SQLite file that belongs to the user (schema: docs/storage.md).

Every write commits before it returns, so a crash or a power cut loses at most the text
that had not been handed to the store yet. Errors raise `StorageError` (or
`DatabaseDamagedError`) with a message that says what failed and what to do; nothing
is swallowed, and a damaged or foreign file is never replaced or deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

from app.core.domain import Conversation, Message, MessageStatus, Role, Usage
from app.core.errors import DatabaseDamagedError, StorageError

__all__ = [
    "INTERRUPTED_ERROR",
    "MIGRATIONS",
    "Migration",
    "Store",
]

#: error text given to replies whose process died while they streamed
INTERRUPTED_ERROR = "Interrupted: Parley closed before the reply finished."

#: a title that is empty after trimming becomes this, so every chat stays clickable
UNTITLED = "Untitled"

BACKUP_DIR_NAME = "backups"

_BUSY_TIMEOUT_MS = 5000

# Primary SQLite result codes (the low byte of an extended code).
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_NOTADB = 26


class Migration(NamedTuple):
    """One ordered, named schema change; `version` counts up from 1 without gaps."""

    version: int
    name: str
    sql: str


_V1_INITIAL = """
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL DEFAULT 'New chat',
    created_at  REAL    NOT NULL,
    updated_at  REAL    NOT NULL,
    model       TEXT
);

-- The sidebar lists chats by latest activity.
CREATE INDEX conversations_by_activity ON conversations (updated_at);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL
                      REFERENCES conversations (id) ON DELETE CASCADE,
    -- The message this one answers or follows; NULL for the first one. Deleting a
    -- message that others build on fails instead of silently dropping its replies.
    parent_id         INTEGER REFERENCES messages (id),
    role              TEXT    NOT NULL
                      CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content           TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT 'complete'
                      CHECK (status IN ('complete', 'streaming', 'stopped', 'error')),
    created_at        REAL    NOT NULL,
    updated_at        REAL    NOT NULL,
    model             TEXT,
    provider          TEXT,
    finish_reason     TEXT,
    -- Usage: all NULL when the endpoint reported none.
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    total_tokens      INTEGER,
    cost              REAL,
    cached_tokens     INTEGER,
    reasoning_tokens  INTEGER,
    error             TEXT,
    reasoning         TEXT    NOT NULL DEFAULT '',
    generation_id     TEXT,
    extra             TEXT    NOT NULL DEFAULT '{}'
);

-- Opening a chat reads its messages in id order.
CREATE INDEX messages_by_conversation ON messages (conversation_id);
-- Lets SQLite check the parent_id foreign key without scanning every message.
CREATE INDEX messages_by_parent ON messages (parent_id) WHERE parent_id IS NOT NULL;
-- Start-up looks for replies left streaming by a crash; this keeps that instant.
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

-- A branch never crosses chats.
CREATE TRIGGER messages_parent_same_conversation
BEFORE INSERT ON messages
WHEN NEW.parent_id IS NOT NULL
 AND (SELECT conversation_id FROM messages WHERE id = NEW.parent_id)
     IS NOT NEW.conversation_id
BEGIN
    SELECT RAISE(ABORT, 'parent message belongs to another conversation');
END;
"""

#: Parley's schema history. Append only: never edit or reorder a released migration.
MIGRATIONS: tuple[Migration, ...] = (Migration(1, "initial", _V1_INITIAL),)

_MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, status, created_at, updated_at, "
    "model, provider, finish_reason, prompt_tokens, completion_tokens, total_tokens, "
    "cost, cached_tokens, reasoning_tokens, error, reasoning, generation_id, extra"
)

_CONVERSATION_SELECT = (
    "SELECT c.id, c.title, c.created_at, c.updated_at, c.model, "
    "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) "
    "FROM conversations c"
)


def _check_migrations(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(
                f"migration {migration.name!r} has version {migration.version}, "
                f"expected {expected}: versions must count up from 1 without gaps"
            )


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping triggers and quoted semicolons whole."""
    statements: list[str] = []
    buffer = ""
    parts = script.split(";")
    for index, part in enumerate(parts):
        buffer += part
        if index < len(parts) - 1:
            buffer += ";"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer)
            buffer = ""
    if buffer.strip():
        statements.append(buffer)  # incomplete: let SQLite report the syntax error
    return [s for s in statements if s.strip(" \t\r\n;")]


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _damaged(path: Path, exc: sqlite3.Error) -> DatabaseDamagedError:
    backups = path.parent / BACKUP_DIR_NAME
    return DatabaseDamagedError(
        f"The history database {path} is damaged or is not a SQLite database ({exc}). "
        f"Parley has not changed it. Quit Parley, then either restore a copy from {backups} "
        f"or move the file somewhere else so that Parley can start a new one.",
        hint="Restore a backup or move the damaged file aside.",
    )


def _wrap(path: Path, what: str, exc: sqlite3.Error) -> StorageError:
    code = _primary_code(exc)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _damaged(path, exc)
    if code == _SQLITE_FULL:
        return StorageError(
            f"Could not {what}: the disk holding {path} is full.",
            hint="Free some disk space and try again.",
        )
    return StorageError(f"Could not {what} in {path}: {exc}.")


def _copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """Write a consistent, self-contained copy of `source` to `dest` (atomically replaced)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # A copy must stand alone: no -wal file needed next to it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    os.replace(partial, dest)


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
    )


def _conversation_from_row(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        title=row[1],
        created_at=row[2],
        updated_at=row[3],
        model=row[4],
        message_count=row[5],
    )


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

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path, *, migrations: Sequence[Migration] = MIGRATIONS) -> Self:
        """Open (or create) the database at `path`, backing it up and migrating it if needed."""
        path = Path(path)
        _check_migrations(migrations)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Could not create the folder for {path}: {exc}.") from exc
        try:
            conn = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise _wrap(path, "open the history database", exc) from exc
        try:
            cls._prepare(path, conn, migrations)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    @staticmethod
    def _prepare(path: Path, conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
        latest = len(migrations)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Reading the header and the schema first: a damaged or foreign file is
            # refused before anything (such as switching to WAL) could write to it.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.Error as exc:
            raise _wrap(path, "read the history database", exc) from exc
        if version > latest:
            raise StorageError(
                f"The history database {path} was written by a newer Parley "
                f"(schema version {version}; this Parley knows up to {latest}). "
                f"Parley has not changed it. Upgrade Parley to open it.",
                hint="Upgrade Parley.",
            )
        if version == 0 and objects:
            raise StorageError(
                f"{path} is a SQLite database, but not one made by Parley. "
                f"Parley has not changed it. Move it aside or point PARLEY_HOME elsewhere.",
            )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise _wrap(path, "set up the history database", exc) from exc
        if version == latest:
            return
        backup: Path | None = None
        if version > 0:
            backup = Store._backup_before_migration(path, conn, latest)
        for migration in migrations[version:]:
            Store._apply(path, conn, migration, backup)

    @staticmethod
    def _backup_before_migration(path: Path, conn: sqlite3.Connection, target: int) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = path.parent / BACKUP_DIR_NAME
        dest = folder / f"{path.name}.before-v{target}-{stamp}.bak"
        counter = 1
        while dest.exists():
            counter += 1
            dest = folder / f"{path.name}.before-v{target}-{stamp}-{counter}.bak"
        try:
            _copy_database(conn, dest)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(
                f"Could not back up {path} to {dest} before upgrading its schema: {exc}. "
                f"The database was not changed.",
                hint="Free some disk space, then start Parley again.",
            ) from exc
        return dest

    @staticmethod
    def _apply(
        path: Path, conn: sqlite3.Connection, migration: Migration, backup: Path | None
    ) -> None:
        # Foreign keys go off for the migration (SQLite's documented procedure for table
        # rebuilds: a DROP TABLE would otherwise cascade) and are checked before COMMIT.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= migration.version:
                    conn.execute("ROLLBACK")  # another Parley got here first
                    return
                for statement in _split_sql(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
                )
                conn.execute(
                    "INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) "
                    "VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
                broken = conn.execute("PRAGMA foreign_key_check").fetchmany(3)
                if broken:
                    raise sqlite3.IntegrityError(f"foreign key check failed: {broken}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            if _primary_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                raise _damaged(path, exc) from exc
            where = (
                f"A copy taken before the upgrade is at {backup}."
                if backup is not None
                else "No backup was needed: the database was new."
            )
            raise StorageError(
                f"Upgrading {path} to schema version {migration.version} "
                f"({migration.name!r}) failed: {exc}. The change was rolled back and the "
                f"database is unchanged by it. {where}",
                hint="Report this problem; your data was not changed.",
            ) from exc
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

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

    # ------------------------------------------------------------------ conversations

    def create_conversation(
        self, title: str = "New chat", model: str | None = None
    ) -> Conversation:
        """Create an empty conversation."""
        now = time.time()
        title = _clean_title(title)
        with self._writing("create a conversation") as conn:
            cursor = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, model) "
                "VALUES (?, ?, ?, ?)",
                (title, now, now, model),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return Conversation(id=new_id, title=title, created_at=now, updated_at=now, model=model)

    def list_conversations(self, limit: int | None = None, offset: int = 0) -> list[Conversation]:
        """Conversations with the most recent activity first, with their message counts."""
        with self._reading("list the conversations") as conn:
            rows = conn.execute(
                f"{_CONVERSATION_SELECT} ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?",
                (-1 if limit is None else limit, offset),
            ).fetchall()
        return [_conversation_from_row(row) for row in rows]

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
        parent_id: int | None = None,
    ) -> Message:
        """Append a message and mark the conversation active; on disk when this returns."""
        now = time.time()
        role = Role(role)
        status = MessageStatus(status)
        with self._writing("save the message") as conn:
            cursor = conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            self._require(cursor.rowcount, "conversation", conversation_id)
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, parent_id, role, content, status, "
                "created_at, updated_at, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, parent_id, role.value, content, status.value, now, now, model),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return Message(
            id=new_id,
            conversation_id=conversation_id,
            role=role,
            content=content,
            status=status,
            created_at=now,
            updated_at=now,
            model=model,
            parent_id=parent_id,
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
            put("status", MessageStatus(status).value)
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
        return [_message_from_row(row) for row in rows]

    def get_message(self, message_id: int) -> Message | None:
        """One message, or None when it does not exist."""
        with self._reading("read a message") as conn:
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        return None if row is None else _message_from_row(row)

    def mark_interrupted_streams(self) -> int:
        """Mark replies left 'streaming' by a previous run as stopped; returns how many."""
        with self._writing("mark interrupted replies") as conn:
            cursor = conn.execute(
                "UPDATE messages SET status = 'stopped', error = ? WHERE status = 'streaming'",
                (INTERRUPTED_ERROR,),
            )
            return cursor.rowcount

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
                    conversations = self.list_conversations()
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

    def backup_to(self, dest: Path) -> None:
        """Write a consistent, standalone copy of the database to `dest` while it is open."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise StorageError(f"Cannot back up {self.path} onto itself.")
        try:
            _copy_database(self._connection(), dest)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"Could not back up {self.path} to {dest}: {exc}.") from exc

    def check_integrity(self) -> list[str]:
        """Run SQLite's quick_check; an empty list means no damage was found."""
        with self._reading("check the database") as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems
