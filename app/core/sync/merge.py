"""Merging received ops: by uid, idempotent, in any order, last writer wins.

Rules (docs/sync.md, "How changes merge"):
- Each entity keeps the clock `(timestamp ms, device id)` of the state it holds. A
  received state replaces it only when its clock is greater; equal or older ones are
  ignored, so applying an op twice, or ops in another order, ends in the same state.
- A deletion is final: once an entity is deleted (tombstone), no later state revives it.
  Changes to a deleted conversation's messages are dropped.
- An op referring to something not here yet (a reply whose prompt comes from a device not
  read yet) is parked and applied as soon as that arrives.
- Ops of a kind this Parley does not know (from a newer Parley) are parked until it does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from app.core.sync.entities import KINDS, ApplyContext, EntityKind, Missing, clear_ref_states
from app.core.sync.journal import CLOCK_KEY
from app.core.sync.segments import Op


class BadOp(Exception):
    """An op whose state cannot be stored (wrong fields or values)."""


def _park(conn: sqlite3.Connection, op: Op, wait_kind: str, wait_uid: str) -> None:
    old = conn.execute(
        "SELECT op FROM sync_parked WHERE kind = ? AND uid = ?", (op.kind, op.uid)
    ).fetchone()
    if old is not None:
        parked = Op.from_json(old[0])
        if (parked.ts, parked.device) >= (op.ts, op.device):
            return
    conn.execute(
        "INSERT OR REPLACE INTO sync_parked (kind, uid, op, wait_kind, wait_uid) "
        "VALUES (?, ?, ?, ?, ?)",
        (op.kind, op.uid, op.to_json(), wait_kind, wait_uid),
    )


def apply_op(ctx: ApplyContext, op: Op) -> bool:
    """Apply one op; True when it changed something or was parked, False when ignored."""
    conn = ctx.conn
    kind = KINDS.get(op.kind)
    if kind is None:
        _park(conn, op, "", "")
        return True
    if op.data is None or not kind.stages:
        ctx.flush()
    clock = ctx.clock(op.kind, op.uid)
    if clock is not None and clock[2]:
        return False  # deleted for good
    if op.data is None:
        ctx.set_clock(op.kind, op.uid, op.ts, op.device, deleted=True)
        ctx.tombstones.clear()
        kind.delete(ctx, op.uid)
        for dead_kind, dead_uid in ctx.tombstones:
            ctx.set_clock(dead_kind, dead_uid, op.ts, op.device, deleted=True)
        conn.execute("DELETE FROM sync_parked WHERE kind = ? AND uid = ?", (op.kind, op.uid))
        return True
    data, state = op.data, None
    if kind.by_field:
        merged = _merge_fields(conn, op, kind)
        if merged is None:
            return False
        data, state = merged
    elif clock is not None and (clock[0], clock[1]) >= (op.ts, op.device):
        return False
    ctx.cleared_refs.clear()
    try:
        kind.put(ctx, op.uid, data)
    except Missing as missing:
        waited = ctx.clock(missing.kind, missing.uid)
        if waited is not None and waited[2]:
            return False  # what it belongs to was deleted: so is this change
        _park(conn, op, missing.kind, missing.uid)
        return True
    except (KeyError, TypeError, ValueError, sqlite3.IntegrityError) as exc:
        raise BadOp(f"{op.kind} {op.uid}: {exc}") from exc
    ts, device = (op.ts, op.device) if clock is None else max((clock[0], clock[1]),
                                                                (op.ts, op.device))
    ctx.set_clock(op.kind, op.uid, ts, device, deleted=False, state=state)
    clear_ref_states(conn, ctx.cleared_refs)
    return True


def _merge_fields(
    conn: sqlite3.Connection, op: Op, kind: EntityKind
) -> tuple[dict[str, Any], str] | None:
    """For kinds merged field by field: the state to store (each field from whichever
    side has the later clock for it) and its clocks; None when nothing here changes.

    A field changed here since this device last sent it (a rename while the round runs)
    keeps its local value: it is sent with a newer clock next round.
    """
    assert op.data is not None
    row = conn.execute(
        "SELECT state FROM sync_clock WHERE kind = ? AND uid = ?", (op.kind, op.uid)
    ).fetchone()
    known: dict[str, Any] = json.loads(row[0]) if row is not None and row[0] else {}
    clocks = op.data.get(CLOCK_KEY)
    if not isinstance(clocks, dict):
        raise BadOp(f"{op.kind} {op.uid}: the clocks of its fields are missing")
    here = kind.read(conn, op.uid) if known else None
    current = here[1] if isinstance(here, tuple) else {}
    state = dict(known)
    unsent: dict[str, Any] = {}
    changed = False
    for name, value in op.data.items():
        if name == CLOCK_KEY:
            continue
        clock = clocks.get(name)
        theirs = (int(clock[0]), str(clock[1])) if isinstance(clock, list) and len(
            clock) == 2 else (op.ts, op.device)
        had = known.get(name)
        if had is not None and name in current and current[name] != had[0]:
            unsent[name] = current[name]
            continue
        if had is None or theirs > (int(had[1]), str(had[2])):
            state[name] = [value, *theirs]
            changed = True
    if not changed:
        return None
    values = {name: entry[0] for name, entry in state.items()}
    values.update(unsent)
    return values, json.dumps(state, ensure_ascii=False)


def apply_parked(ctx: ApplyContext) -> int:
    """Apply parked ops whose wait is over (and what they unblock); returns how many left
    the shelf."""
    conn = ctx.conn
    total = 0
    while True:
        ctx.flush()
        rows = conn.execute(
            "SELECT p.kind, p.uid, p.op FROM sync_parked p WHERE "
            "(p.wait_kind = '' AND p.kind IN (SELECT value FROM json_each(?))) OR EXISTS "
            "(SELECT 1 FROM sync_clock c WHERE c.kind = p.wait_kind AND c.uid = p.wait_uid)",
            (json.dumps(list(KINDS)),),
        ).fetchall()
        if not rows:
            return total
        before = conn.execute("SELECT count(*) FROM sync_parked").fetchone()[0]
        for kind, uid, text in rows:
            conn.execute("DELETE FROM sync_parked WHERE kind = ? AND uid = ?", (kind, uid))
            apply_op(ctx, Op.from_json(text))
        after = conn.execute("SELECT count(*) FROM sync_parked").fetchone()[0]
        # An op parked again on something still missing would come back forever: go
        # round only while the shelf shrinks (what left it may unblock others).
        if after >= before:
            return total
        total += before - after


def apply_ops(ctx: ApplyContext, ops: Iterable[Op]) -> int:
    """Apply a segment's ops, then whatever they unblocked; returns how many changed things."""
    ctx.conn.execute("UPDATE sync_state SET applying = 1 WHERE id = 1")
    ops = list(ops)
    try:
        ctx.prefetch(((op.kind, op.uid) for op in ops), (
            uid for op in ops if op.kind == "message"
            for uid in (op.uid, (op.data or {}).get("parent")) if isinstance(uid, str)))
        applied = sum(apply_op(ctx, op) for op in ops)
        ctx.flush()
        apply_parked(ctx)
        ctx.flush()
    except (sqlite3.IntegrityError, KeyError, TypeError, ValueError) as exc:
        # Raised while storing staged rows: the segment holds something unstorable.
        raise BadOp(str(exc)) from exc
    finally:
        ctx.conn.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
    return applied
