"""What is synced, one small handler per kind of entity.

A handler reads an entity's current state by its stable uid (for sending), and writes a
received state or deletion (for merging). Local integer ids never leave the device:
references between entities travel as uids (a message names its conversation's uid and
its parent's uid). To sync a new kind of entity, write its three functions, register an
`EntityKind` in `KINDS`, and add a migration with triggers that put `(kind, uid)` into
`sync_outbox` (docs/sync.md, "Adding a kind of entity").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

#: returned by `read` for an entity that exists but must not be sent yet (a reply still
#: streaming): it is captured again once it is final
NOT_YET: Final = "not yet"


class Missing(Exception):
    """A received change refers to an entity that is not here (yet)."""

    def __init__(self, kind: str, uid: str) -> None:
        super().__init__(f"{kind} {uid} is not here yet")
        self.kind = kind
        self.uid = uid


@dataclass
class ApplyContext:
    """What handlers need while applying received changes inside one transaction.

    New messages are staged and stored together by `flush`: SQLite's full-text index
    writes its pending terms at the end of every statement, so one INSERT of a whole
    segment's messages costs a fraction of one INSERT per message. A large batch (a
    first sync) is stored with the per-row search and usage triggers suspended and
    indexed and added up set-wise, in the same transaction.
    """

    conn: sqlite3.Connection
    #: called with every attachment hash a received message refers to
    want_blob: Callable[[str], None] = lambda _sha: None
    #: (kind, uid) of entities deleted as a consequence (a deleted message's replies)
    tombstones: list[tuple[str, str]] = field(default_factory=list)
    #: (kind, uid, field) of received references to a folder deleted for good: stored as
    #: none, and the synced state records none (`merge.apply_op` writes the state last)
    cleared_refs: list[tuple[str, str, str]] = field(default_factory=list)
    _ids: dict[tuple[str, str], int] = field(default_factory=dict)
    _staged: list[tuple[Any, ...]] = field(default_factory=list)
    _staged_attachments: list[tuple[Any, ...]] = field(default_factory=list)
    _staged_ids: dict[str, int] = field(default_factory=dict)
    _next_id: int = 0
    #: message uids known not to be stored (looked up for a whole segment at once)
    _absent: set[str] = field(default_factory=set)
    #: (kind, uid) -> (ts, device, deleted) or None: the clocks of a segment's entities
    _clocks: dict[tuple[str, str], tuple[int, str, bool] | None] = field(default_factory=dict)
    #: clocks of staged messages, written with them by `flush`
    _staged_clocks: list[tuple[str, str, int, str]] = field(default_factory=list)

    def prefetch(self, keys: Iterable[tuple[str, str]], message_uids: Iterable[str]) -> None:
        """Look up, in a few statements, the clocks of these entities and the local ids
        of these messages, instead of one lookup per op."""
        by_kind: dict[str, list[str]] = {}
        for kind, uid in keys:
            by_kind.setdefault(kind, []).append(uid)
            self._clocks[(kind, uid)] = None
        for kind, uids in by_kind.items():
            for uid, ts, device, deleted in self.conn.execute(
                "SELECT uid, ts, device, deleted FROM sync_clock WHERE kind = ? AND uid IN "
                "(SELECT value FROM json_each(?))", (kind, json.dumps(uids)),
            ):
                self._clocks[(kind, str(uid))] = (int(ts), str(device), bool(deleted))
        wanted = set(message_uids)
        for uid, row_id in self.conn.execute(
            "SELECT uid, id FROM messages WHERE uid IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(wanted)),),
        ):
            self._ids[("messages", str(uid))] = int(row_id)
            wanted.discard(str(uid))
        self._absent |= wanted

    def clock(self, kind: str, uid: str) -> tuple[int, str, bool] | None:
        """(ts, device, deleted) of the state held for an entity; None when never seen."""
        key = (kind, uid)
        if key in self._clocks:
            return self._clocks[key]
        row = self.conn.execute(
            "SELECT ts, device, deleted FROM sync_clock WHERE kind = ? AND uid = ?", key
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), bool(row[2]))

    def set_clock(self, kind: str, uid: str, ts: int, device: str, *, deleted: bool,
                  state: str | None = None) -> None:
        """Record the clock of the state now held (a staged message's with the message)."""
        self._clocks[(kind, uid)] = (ts, device, deleted)
        if not deleted and state is None and uid in self._staged_ids:
            self._staged_clocks.append((kind, uid, ts, device))
            return
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_clock (kind, uid, ts, device, deleted, state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, uid, ts, device, int(deleted), state),
        )

    def local_id(self, table: str, uid: str) -> int | None:
        """The local row id of `uid` in `table` (conversations or messages), or None."""
        if table == "messages" and uid in self._staged_ids:
            return self._staged_ids[uid]
        key = (table, uid)
        found = self._ids.get(key)
        if found is not None:
            return found
        if table == "messages" and uid in self._absent:
            return None
        row = self.conn.execute(f"SELECT id FROM {table} WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            return None
        if len(self._ids) > 50_000:  # bounded: a first sync streams millions of ops
            self._ids.clear()
        self._ids[key] = int(row[0])
        return int(row[0])

    def forget(self, table: str, uid: str) -> None:
        """Drop a remembered id (its row was deleted)."""
        self._ids.pop((table, uid), None)

    def forget_all(self) -> None:
        """Drop every remembered id (rows were deleted in cascade)."""
        self._ids.clear()

    def stage_message(
        self, uid: str, row: tuple[Any, ...], attachments: list[list[Any]]
    ) -> int:
        """Queue a new message (`row`: conversation_id, parent_id, then _MSG_FIELDS);
        returns the id it will have."""
        if not self._staged:
            self._next_id = int(self.conn.execute(
                "SELECT coalesce(max(id), 0) + 1 FROM messages").fetchone()[0])
        new_id = self._next_id
        self._next_id += 1
        self._staged.append((new_id, uid, *row))
        self._staged_attachments.extend(
            (new_id, pos, *att) for pos, att in enumerate(attachments))
        self._staged_ids[uid] = new_id
        self._absent.discard(uid)
        return new_id

    def flush(self) -> None:
        """Store the staged messages (parents first) and show any a conversation waits for."""
        if not self._staged:
            return
        conn = self.conn
        columns = f"id, uid, conversation_id, parent_id, {', '.join(_MSG_FIELDS)}"
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS sync_stage ({columns})")
        conn.executemany(
            f"INSERT INTO temp.sync_stage VALUES ({', '.join('?' for _ in self._staged[0])})",
            self._staged,
        )
        suspended = _suspend_triggers(conn) if len(self._staged) >= BULK_MIN else None
        conn.execute(
            f"INSERT INTO main.messages ({columns}) SELECT {columns} FROM temp.sync_stage "
            "ORDER BY id"
        )
        if suspended is not None:
            for statement in _BULK_INDEX:
                conn.execute(statement)
            for sql in suspended:
                conn.execute(sql)
        conn.execute("DELETE FROM temp.sync_stage")
        if self._staged_clocks:
            conn.executemany(
                "INSERT OR REPLACE INTO sync_clock (kind, uid, ts, device, deleted, state) "
                "VALUES (?, ?, ?, ?, 0, NULL)",
                sorted(self._staged_clocks),
            )
            self._staged_clocks.clear()
        if self._staged_attachments:
            conn.executemany(
                f"INSERT INTO message_attachments (message_id, position, "
                f"{', '.join(_ATT_FIELDS)}) VALUES (?, ?, {', '.join('?' for _ in _ATT_FIELDS)})",
                self._staged_attachments,
            )
        _show_waiting_leaves(conn, list(self._staged_ids))
        self._ids.update((("messages", uid), i) for uid, i in self._staged_ids.items())
        self._staged.clear()
        self._staged_attachments.clear()
        self._staged_ids.clear()


#: staged messages from which `flush` stores them with the per-row search and usage
#: triggers suspended, and indexes and adds them up in a few set-wise statements
BULK_MIN = 200

#: triggers on a new message that `_BULK_INDEX` stands in for (the sync capture trigger
#: does nothing while changes are being applied)
_BULK_TRIGGERS = ("messages_fts_insert", "usage_daily_insert",
                  "usage_conversation_daily_insert", "sync_message_insert")

# What those triggers do for every row of temp.sync_stage (statuses there are never
# 'streaming'), written once per set; kept equal to migrations 4, 7 and 10.
_COUNTS = ("m.role = 'assistant' AND m.status <> 'streaming' AND (m.status <> 'error' OR "
           "m.cost IS NOT NULL OR m.prompt_tokens IS NOT NULL OR "
           "m.completion_tokens IS NOT NULL)")
_BULK_INDEX = (
    "INSERT INTO main.messages_fts (rowid, content, reasoning) "
    "SELECT id, content, reasoning FROM temp.sync_stage WHERE status <> 'streaming' "
    "ORDER BY id",
    "INSERT INTO main.usage_daily SELECT date(m.created_at, 'unixepoch', 'localtime'), "
    "coalesce(m.model, 'unknown model'), coalesce(c.endpoint, 'openrouter'), count(*), "
    "count(m.cost), coalesce(sum(m.cost), 0), sum(coalesce(m.prompt_tokens, 0)), "
    "sum(coalesce(m.completion_tokens, 0)), sum(coalesce(m.reasoning_tokens, 0)), "
    "sum(coalesce(m.cached_tokens, 0)) "
    "FROM temp.sync_stage m JOIN main.conversations c ON c.id = m.conversation_id "
    f"WHERE {_COUNTS} GROUP BY 1, 2, 3 "
    "ON CONFLICT DO UPDATE SET replies = replies + excluded.replies, "
    "priced = priced + excluded.priced, cost = cost + excluded.cost, "
    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = completion_tokens + excluded.completion_tokens, "
    "reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, "
    "cached_tokens = cached_tokens + excluded.cached_tokens",
    "INSERT INTO main.usage_conversation_daily "
    "SELECT date(m.created_at, 'unixepoch', 'localtime'), m.conversation_id, count(*), "
    "count(m.cost), coalesce(sum(m.cost), 0) FROM temp.sync_stage m "
    f"WHERE {_COUNTS} GROUP BY 1, 2 "
    "ON CONFLICT DO UPDATE SET replies = replies + excluded.replies, "
    "priced = priced + excluded.priced, cost = cost + excluded.cost",
)


def _suspend_triggers(conn: sqlite3.Connection) -> list[str] | None:
    """Drop the per-row triggers `_BULK_INDEX` stands in for; returns the statements
    that create them again (None, and nothing dropped, when they are not all there).

    Only inside the merge transaction: they are back before it commits, and a rollback
    brings them back too, so no other connection ever sees the schema without them.
    """
    rows = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
        "AND name IN (SELECT value FROM json_each(?))",
        (json.dumps(_BULK_TRIGGERS),),
    ).fetchall()
    if len(rows) != len(_BULK_TRIGGERS):
        return None  # not the schema `_BULK_INDEX` was written for: row by row then
    for name, _sql in rows:
        conn.execute(f'DROP TRIGGER main."{name}"')
    return [str(sql) for _name, sql in rows]


def _show_waiting_leaves(conn: sqlite3.Connection, uids: list[str]) -> None:
    """Conversations received earlier may be waiting for one of these messages to show
    it, unless the branch shown has changed since (here or on another device)."""
    waiting = conn.execute(
        "SELECT w.conversation_uid, w.leaf_uid, json_extract(c.state, '$.leaf[0]') "
        "FROM sync_leaf_wanted w LEFT JOIN sync_clock c ON c.kind = 'conversation' "
        "AND c.uid = w.conversation_uid "
        "WHERE w.leaf_uid IN (SELECT value FROM json_each(?))",
        (json.dumps(uids),),
    ).fetchall()
    for conversation_uid, leaf_uid, shown in waiting:
        if shown == leaf_uid:
            conn.execute(
                "UPDATE conversations SET active_leaf_id = (SELECT m.id FROM messages m "
                "WHERE m.uid = ? AND m.conversation_id = conversations.id) WHERE uid = ?",
                (leaf_uid, conversation_uid),
            )
        conn.execute("DELETE FROM sync_leaf_wanted WHERE conversation_uid = ?",
                     (conversation_uid,))


Reader = Callable[[sqlite3.Connection, str], "tuple[Any, dict[str, Any]] | str | None"]


@dataclass(frozen=True)
class EntityKind:
    """How one kind of entity is read, written and deleted by uid."""

    name: str
    #: ops of a segment are written in this order (a conversation before its messages)
    order: int
    #: (sort key within the kind, state) | NOT_YET | None when the entity is gone
    read: Reader
    put: Callable[[ApplyContext, str, dict[str, Any]], None]
    delete: Callable[[ApplyContext, str], None]
    #: SQL listing every uid of this kind, oldest first: captured when sync is switched on
    all_uids_sql: str
    #: merged field by field, each field with its own clock (edits of different fields on
    #: two devices both survive); otherwise the whole state is one value
    by_field: bool = False
    #: `put` may stage new rows in the context (`ApplyContext.flush` stores them); any
    #: other op is applied after a flush
    stages: bool = False


# ---------------------------------------------------------------- conversations

_CONV_FIELDS = ("title", "created_at", "updated_at", "model", "pinned", "archived", "tags",
                "options", "endpoint")


def _read_conversation(conn: sqlite3.Connection, uid: str) -> tuple[Any, dict[str, Any]] | None:
    row = conn.execute(
        f"SELECT c.id, {', '.join('c.' + f for f in _CONV_FIELDS)}, "
        # A branch received but not here yet is still the branch shown.
        "coalesce((SELECT m.uid FROM messages m WHERE m.id = c.active_leaf_id), "
        "(SELECT w.leaf_uid FROM sync_leaf_wanted w WHERE w.conversation_uid = c.uid)), "
        # Likewise a folder received but not here yet is still the chat's folder.
        "coalesce(c.folder_id, (SELECT f.folder_uid FROM sync_folder_wanted f "
        "WHERE f.kind = 'conversation' AND f.uid = c.uid)) "
        "FROM conversations c WHERE c.uid = ?",
        (uid,),
    ).fetchone()
    if row is None:
        return None
    data = dict(zip(_CONV_FIELDS, row[1:-2], strict=True))
    data["leaf"] = row[-2]
    data["folder"] = row[-1]
    return row[0], data


def _put_conversation(ctx: ApplyContext, uid: str, data: dict[str, Any]) -> None:
    conn = ctx.conn
    values = [data[f] for f in _CONV_FIELDS]
    conv_id = ctx.local_id("conversations", uid)
    if conv_id is None:
        cursor = conn.execute(
            f"INSERT INTO conversations (uid, {', '.join(_CONV_FIELDS)}) "
            f"VALUES (?, {', '.join('?' for _ in _CONV_FIELDS)})",
            (uid, *values),
        )
        conv_id = cursor.lastrowid
        assert conv_id is not None
    else:
        conn.execute(
            f"UPDATE conversations SET {', '.join(f + ' = ?' for f in _CONV_FIELDS)} "
            "WHERE id = ?",
            (*values, conv_id),
        )
    leaf_uid = data.get("leaf")
    leaf_id = None
    if leaf_uid is not None:
        row = conn.execute(
            "SELECT id FROM messages WHERE uid = ? AND conversation_id = ?", (leaf_uid, conv_id)
        ).fetchone()
        leaf_id = None if row is None else int(row[0])
    conn.execute("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (leaf_id, conv_id))
    if leaf_uid is not None and leaf_id is None:
        # The message shown last has not arrived yet: show it once it does.
        conn.execute(
            "INSERT OR REPLACE INTO sync_leaf_wanted (conversation_uid, leaf_uid) VALUES (?, ?)",
            (uid, leaf_uid),
        )
    else:
        conn.execute("DELETE FROM sync_leaf_wanted WHERE conversation_uid = ?", (uid,))
    if "folder" in data:  # absent in states sent before folders synced
        folder_uid = _folder_ref(ctx, "conversation", uid, "folder", data["folder"])
        conn.execute("UPDATE conversations SET folder_id = ? WHERE id = ?", (folder_uid, conv_id))


def _delete_conversation(ctx: ApplyContext, uid: str) -> None:
    ctx.conn.execute("DELETE FROM conversations WHERE uid = ?", (uid,))
    ctx.conn.execute("DELETE FROM sync_leaf_wanted WHERE conversation_uid = ?", (uid,))
    ctx.conn.execute("DELETE FROM sync_folder_wanted WHERE kind = 'conversation' AND uid = ?",
                     (uid,))
    ctx.forget_all()


# ---------------------------------------------------------------- messages

_MSG_FIELDS = ("role", "content", "status", "created_at", "updated_at", "model", "provider",
               "finish_reason", "prompt_tokens", "completion_tokens", "total_tokens", "cost",
               "cached_tokens", "reasoning_tokens", "error", "reasoning", "generation_id",
               "extra")
_ATT_FIELDS = ("sha256", "sent_sha256", "name", "mime", "size", "kind", "width", "height",
               "pages")


def _read_message(conn: sqlite3.Connection, uid: str) -> tuple[Any, dict[str, Any]] | str | None:
    row = conn.execute(
        f"SELECT m.id, c.uid, p.uid, {', '.join('m.' + f for f in _MSG_FIELDS)} "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "LEFT JOIN messages p ON p.id = m.parent_id WHERE m.uid = ?",
        (uid,),
    ).fetchone()
    if row is None:
        return None
    data = dict(zip(_MSG_FIELDS, row[3:], strict=True))
    if data["status"] == "streaming":
        return NOT_YET
    data["conversation"] = row[1]
    data["parent"] = row[2]
    attachments = conn.execute(
        f"SELECT {', '.join(_ATT_FIELDS)} FROM message_attachments WHERE message_id = ? "
        "ORDER BY position",
        (row[0],),
    ).fetchall()
    if attachments:
        data["attachments"] = [list(a) for a in attachments]
    return row[0], data


def message_blobs(data: dict[str, Any]) -> Iterable[str]:
    """Hashes of the attachment files a message state refers to (sent files and images)."""
    for att in data.get("attachments") or ():
        yield from (h for h in att[:2] if isinstance(h, str) and h)
    extra = data.get("extra")
    if isinstance(extra, str) and '"images"' in extra:
        try:
            images = json.loads(extra).get("images")
        except (ValueError, AttributeError):
            return
        if isinstance(images, list):
            for entry in images:
                if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                    yield entry["sha256"]


def _put_message(ctx: ApplyContext, uid: str, data: dict[str, Any]) -> None:
    conn = ctx.conn
    conv_uid = data["conversation"]
    conv_id = ctx.local_id("conversations", conv_uid)
    if conv_id is None:
        raise Missing("conversation", conv_uid)
    parent_id = None
    if data.get("parent") is not None:
        parent_id = ctx.local_id("messages", data["parent"])
        if parent_id is None:
            raise Missing("message", data["parent"])
    values = [data[f] for f in _MSG_FIELDS]
    if values[2] == "streaming":  # never sent; a peer's bug must not leave a reply spinning
        values[2] = "stopped"
    msg_id = ctx.local_id("messages", uid)
    attachments = data.get("attachments") or []
    for sha in message_blobs(data):
        ctx.want_blob(sha)
    if msg_id is None:
        ctx.stage_message(uid, (conv_id, parent_id, *values), attachments)
        return
    ctx.flush()  # it may be a staged one
    conn.execute(
        f"UPDATE messages SET {', '.join(f + ' = ?' for f in _MSG_FIELDS)}, writer = NULL "
        "WHERE id = ?",
        (*values, msg_id),
    )
    had = [list(r) for r in conn.execute(
        f"SELECT {', '.join(_ATT_FIELDS)} FROM message_attachments WHERE message_id = ? "
        "ORDER BY position", (msg_id,))]
    if [list(a) for a in attachments] != had:
        conn.execute("DELETE FROM message_attachments WHERE message_id = ?", (msg_id,))
        conn.executemany(
            f"INSERT INTO message_attachments (message_id, position, {', '.join(_ATT_FIELDS)}) "
            f"VALUES (?, ?, {', '.join('?' for _ in _ATT_FIELDS)})",
            [(msg_id, pos, *att) for pos, att in enumerate(attachments)],
        )
    _show_waiting_leaves(conn, [uid])


def _delete_message(ctx: ApplyContext, uid: str) -> None:
    conn = ctx.conn
    msg_id = ctx.local_id("messages", uid)
    if msg_id is None:
        return
    # Replies built on it go with it (as on the device that deleted it).
    rows = conn.execute(
        "WITH RECURSIVE sub(id, depth) AS (SELECT ?, 0 UNION ALL "
        "SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id "
        "WHERE sub.depth < 1000000) SELECT sub.id, m.uid FROM sub JOIN messages m "
        "ON m.id = sub.id ORDER BY sub.depth DESC",
        (msg_id,),
    ).fetchall()
    for row_id, row_uid in rows:
        conn.execute("DELETE FROM messages WHERE id = ?", (row_id,))
        ctx.forget("messages", row_uid)
        if row_uid != uid:
            ctx.tombstones.append(("message", row_uid))


# ---------------------------------------------------------------- folders

# `collapsed` is left out: whether the sidebar shows a folder open is a view of one
# computer, like the size of its window.
_FOLDER_FIELDS = ("name", "position", "defaults", "created_at", "updated_at")


def _folder_ref(ctx: ApplyContext, kind: str, uid: str, field_name: str,
                folder_uid: Any) -> str | None:
    """The folder id to store for a received reference to a folder.

    A folder that is not here yet is stored as none and remembered in
    `sync_folder_wanted` (it is filled in when the folder arrives); a folder deleted for
    good is none, and the synced state says so too, so every device ends the same
    whichever arrived first.
    """
    conn = ctx.conn
    conn.execute("DELETE FROM sync_folder_wanted WHERE kind = ? AND uid = ?", (kind, uid))
    if folder_uid is None:
        return None
    if not isinstance(folder_uid, str):
        raise TypeError(f"a folder id must be text, not {folder_uid!r}")
    if conn.execute("SELECT 1 FROM folders WHERE id = ?", (folder_uid,)).fetchone():
        return folder_uid
    gone = conn.execute(
        "SELECT deleted FROM sync_clock WHERE kind = 'folder' AND uid = ?", (folder_uid,)
    ).fetchone()
    if gone is not None and gone[0]:
        ctx.cleared_refs.append((kind, uid, field_name))
        return None
    conn.execute(
        "INSERT INTO sync_folder_wanted (kind, uid, folder_uid) VALUES (?, ?, ?)",
        (kind, uid, folder_uid),
    )
    return None


def clear_ref_states(conn: sqlite3.Connection, refs: Iterable[tuple[str, str, str]]) -> None:
    """Record in the synced states that these references now point at no folder (theirs
    was deleted): the value changes, its clock does not, as on every other device."""
    for kind, uid, field_name in refs:
        conn.execute(
            "UPDATE sync_clock SET state = json_set(state, ?, json('null')) "
            "WHERE kind = ? AND uid = ? AND json_type(state, ?) IS NOT NULL",
            (f"$.{field_name}[0]", kind, uid, f"$.{field_name}"),
        )


def _read_folder(conn: sqlite3.Connection, uid: str) -> tuple[Any, dict[str, Any]] | None:
    row = conn.execute(
        f"SELECT {', '.join('f.' + f for f in _FOLDER_FIELDS)}, "
        "coalesce(f.parent_id, (SELECT w.folder_uid FROM sync_folder_wanted w "
        "WHERE w.kind = 'folder' AND w.uid = f.id)) FROM folders f WHERE f.id = ?",
        (uid,),
    ).fetchone()
    if row is None:
        return None
    data = dict(zip(_FOLDER_FIELDS, row[:-1], strict=True))
    data["parent"] = row[-1]
    # Top-level folders first, so a batch creates parents before their sub-folders.
    return (row[-1] is not None, row[3], uid), data


def _put_folder(ctx: ApplyContext, uid: str, data: dict[str, Any]) -> None:
    conn = ctx.conn
    values = [data[f] for f in _FOLDER_FIELDS]
    parent = data.get("parent")
    parent_id = None if parent == uid else _folder_ref(ctx, "folder", uid, "parent", parent)
    cursor = conn.execute(
        f"UPDATE folders SET {', '.join(f + ' = ?' for f in _FOLDER_FIELDS)}, parent_id = ? "
        "WHERE id = ?",
        (*values, parent_id, uid),
    )
    if cursor.rowcount == 0:
        conn.execute(
            f"INSERT INTO folders (id, {', '.join(_FOLDER_FIELDS)}, parent_id) "
            f"VALUES (?, {', '.join('?' for _ in _FOLDER_FIELDS)}, ?)",
            (uid, *values, parent_id),
        )
        # Chats and folders received before it, waiting to be filed in it.
        for kind, table, column in (("conversation", "conversations", "uid"),
                                    ("folder", "folders", "id")):
            ref = "folder_id" if kind == "conversation" else "parent_id"
            conn.execute(
                f"UPDATE {table} SET {ref} = ? WHERE {ref} IS NULL AND {column} IN "
                "(SELECT uid FROM sync_folder_wanted WHERE kind = ? AND folder_uid = ?)",
                (uid, kind, uid),
            )
        conn.execute("DELETE FROM sync_folder_wanted WHERE folder_uid = ?", (uid,))


def _delete_folder(ctx: ApplyContext, uid: str) -> None:
    conn = ctx.conn
    # What is filed in it here moves out (sub-folders to the top level): the device that
    # deleted it sent the deletions of the sub-folders it knew, and a folder made in it
    # meanwhile on another device is kept, the same on every device.
    refs = [("conversation", str(r[0]), "folder") for r in conn.execute(
        "SELECT uid FROM conversations WHERE folder_id = ? AND uid IS NOT NULL", (uid,))]
    refs += [("folder", str(r[0]), "parent") for r in conn.execute(
        "SELECT id FROM folders WHERE parent_id = ?", (uid,))]
    refs += [(str(r[0]), str(r[1]), "folder" if r[0] == "conversation" else "parent")
             for r in conn.execute(
                 "SELECT kind, uid FROM sync_folder_wanted WHERE folder_uid = ?", (uid,))]
    conn.execute("UPDATE conversations SET folder_id = NULL WHERE folder_id = ?", (uid,))
    conn.execute("UPDATE folders SET parent_id = NULL WHERE parent_id = ?", (uid,))
    conn.execute("DELETE FROM sync_folder_wanted WHERE folder_uid = ? OR "
                 "(kind = 'folder' AND uid = ?)", (uid, uid))
    conn.execute("DELETE FROM folders WHERE id = ?", (uid,))
    clear_ref_states(conn, refs)


# ---------------------------------------------------------------- prompts

_PROMPT_FIELDS = ("title", "body", "tags", "favourite", "is_system", "created_at", "updated_at")


def _read_prompt(conn: sqlite3.Connection, uid: str) -> tuple[Any, dict[str, Any]] | None:
    row = conn.execute(
        f"SELECT id, {', '.join(_PROMPT_FIELDS)} FROM prompts WHERE uid = ?", (uid,)
    ).fetchone()
    if row is None:
        return None
    return row[0], dict(zip(_PROMPT_FIELDS, row[1:], strict=True))


def _put_prompt(ctx: ApplyContext, uid: str, data: dict[str, Any]) -> None:
    values = [data[f] for f in _PROMPT_FIELDS]
    cursor = ctx.conn.execute(
        f"UPDATE prompts SET {', '.join(f + ' = ?' for f in _PROMPT_FIELDS)} WHERE uid = ?",
        (*values, uid),
    )
    if cursor.rowcount == 0:
        ctx.conn.execute(
            f"INSERT INTO prompts (uid, {', '.join(_PROMPT_FIELDS)}) "
            f"VALUES (?, {', '.join('?' for _ in _PROMPT_FIELDS)})",
            (uid, *values),
        )


def _delete_prompt(ctx: ApplyContext, uid: str) -> None:
    ctx.conn.execute("DELETE FROM prompts WHERE uid = ?", (uid,))


KINDS: dict[str, EntityKind] = {
    kind.name: kind
    for kind in (
        EntityKind("folder", -1, _read_folder, _put_folder, _delete_folder,
                   "SELECT id AS uid FROM folders ORDER BY parent_id IS NOT NULL, created_at",
                   by_field=True),
        EntityKind("conversation", 0, _read_conversation, _put_conversation,
                   _delete_conversation, "SELECT uid FROM conversations ORDER BY id",
                   by_field=True),
        EntityKind("message", 1, _read_message, _put_message, _delete_message,
                   "SELECT uid FROM messages WHERE status <> 'streaming' ORDER BY id",
                   stages=True),
        EntityKind("prompt", 2, _read_prompt, _put_prompt, _delete_prompt,
                   "SELECT uid FROM prompts ORDER BY id"),
    )
}
