"""Capturing local changes: the outbox the triggers fill, turned into ops with clocks.

Triggers (migration 10) record the uid of every conversation, message and prompt changed
by anything that writes the database: the window, `parley ask`, imports. When sync is
switched on, everything already there is recorded once. Each op gets a clock
`(timestamp in ms, device)` later than any clock this device has seen for the entity, so
a change made here after merging another device's change wins over it on every device,
whatever the two computers' clocks say.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from app.core.history.store import Store
from app.core.sync.entities import KINDS, EntityKind
from app.core.sync.layout import new_device_id
from app.core.sync.segments import Op

#: outbox entries turned into one segment at most
CHUNK = 2000


def now_ms() -> int:
    """The wall clock in milliseconds (the timestamp part of a clock)."""
    return int(time.time() * 1000)


def device_id(store: Store) -> str:
    """This database's device id, made on first use and kept in the database."""
    with store.transaction("set up sync") as conn:
        row = conn.execute("SELECT device_id FROM sync_state WHERE id = 1").fetchone()
        if row[0]:
            return str(row[0])
        device = new_device_id()
        conn.execute("UPDATE sync_state SET device_id = ? WHERE id = 1", (device,))
        return device


def start_capture(store: Store) -> bool:
    """Switch change capture on; the first time, record everything already stored.

    Returns True when capture was just switched on.
    """
    with store.transaction("start recording changes to sync") as conn:
        if conn.execute("SELECT capturing FROM sync_state WHERE id = 1").fetchone()[0]:
            return False
        for kind in KINDS.values():
            conn.execute(
                f"INSERT INTO sync_outbox (kind, uid) SELECT ?, uid FROM ({kind.all_uids_sql})"
                " WHERE uid IS NOT NULL",
                (kind.name,),
            )
        conn.execute("UPDATE sync_state SET capturing = 1 WHERE id = 1")
        return True


def pending_count(store: Store) -> int:
    """How many entities have local changes not yet written to the sync folder."""
    with store.reading("count the changes to sync") as conn:
        return int(conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT kind, uid FROM sync_outbox)"
        ).fetchone()[0])


#: key of a by-field state that holds each field's clock: {"field": [ts, device]}
CLOCK_KEY = "_clock"


def _local_op(
    conn: sqlite3.Connection, kind: EntityKind, uid: str, data: dict[str, Any] | None,
    device: str,
) -> Op | None:
    """The op for an entity's current state (None: deleted); None when there is nothing
    to send. Records the op's clock as the one this device holds."""
    row = conn.execute(
        "SELECT ts, deleted, state FROM sync_clock WHERE kind = ? AND uid = ?", (kind.name, uid)
    ).fetchone()
    now = now_ms()
    if row is not None and row[1]:
        return None  # deleted everywhere already: deletions are final
    after = now if row is None else max(now, int(row[0]) + 1)
    state: dict[str, Any] | None = None
    if data is None:
        op = Op(kind.name, uid, after, device, None)
    elif kind.by_field:
        known: dict[str, Any] = json.loads(row[2]) if row is not None and row[2] else {}
        clocks: dict[str, list[Any]] = {}
        state = dict(known)
        for name, value in data.items():
            had = known.get(name)
            if had is not None and had[0] == value:
                clocks[name] = [had[1], had[2]]
            else:
                ts = now if had is None else max(now, int(had[1]) + 1)
                clocks[name] = [ts, device]
                state[name] = [value, ts, device]
        if state == known:
            return None  # nothing changed that other devices do not have
        top = max((c[0], c[1]) for c in clocks.values())
        op = Op(kind.name, uid, int(top[0]), str(top[1]), {**data, CLOCK_KEY: clocks})
    else:
        op = Op(kind.name, uid, after, device, data)
    conn.execute(
        "INSERT OR REPLACE INTO sync_clock (kind, uid, ts, device, deleted, state) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (kind.name, uid, op.ts, op.device, int(data is None),
         None if state is None else json.dumps(state, ensure_ascii=False)),
    )
    return op


def send_changes(
    store: Store, device: str, write: Callable[[sqlite3.Connection, list[Op]], None]
) -> int:
    """Turn the local changes into batches of ops and hand each to `write` (which puts it
    in the folder); returns how many ops were sent.

    Each batch is prepared, written and marked as sent in one transaction: if `write`
    fails, nothing of the batch counts as sent and it goes out again next time.
    """
    with store.reading("read the changes to sync") as conn:
        row = conn.execute("SELECT max(seq) FROM sync_outbox").fetchone()
    last = row[0]
    if last is None:
        return 0
    after = 0
    sent = 0
    while True:
        with store.transaction("send the changes to sync") as conn:
            rows = conn.execute(
                "SELECT seq, kind, uid FROM sync_outbox WHERE seq > ? AND seq <= ? "
                "ORDER BY seq LIMIT ?",
                (after, last, CHUNK),
            ).fetchall()
            if not rows:
                return sent
            after = int(rows[-1][0])
            ops = _batch(conn, device, [(str(k), str(u)) for _s, k, u in rows])
            if ops:
                write(conn, ops)
                sent += len(ops)
            conn.execute("DELETE FROM sync_outbox WHERE seq <= ?", (after,))


def _batch(conn: sqlite3.Connection, device: str, entries: list[tuple[str, str]]) -> list[Op]:
    """The ops for these outbox entries: each entity once, a conversation before its
    messages, messages parents first (local ids grow), deletions last."""
    seen: set[tuple[str, str]] = set()
    keyed: list[tuple[tuple[int, Any], Op]] = []
    deletions: list[Op] = []
    for kind_name, uid in entries:
        if (kind_name, uid) in seen or kind_name not in KINDS:
            continue
        seen.add((kind_name, uid))
        kind = KINDS[kind_name]
        state = kind.read(conn, uid)
        if isinstance(state, str):  # NOT_YET
            continue
        data = None if state is None else state[1]
        op = _local_op(conn, kind, uid, data, device)
        if op is None:
            continue
        if state is None:
            deletions.append(op)
        else:
            keyed.append(((kind.order, state[0]), op))
    keyed.sort(key=lambda item: item[0])
    return [op for _key, op in keyed] + deletions
