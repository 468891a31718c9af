"""Unsent messages: one draft per conversation, and one for the new chat not stored yet.

A draft is the text typed in the message box (and the files attached to it, as paths)
that was not sent. The window keeps drafts in memory while it runs and writes them here,
debounced, through a `DraftWriter`: its own connection on its own thread, so typing never
waits for the disk. Deleting a conversation deletes its draft (ON DELETE CASCADE).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import ParleyError, StorageError

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from app.core.history.store import Store

__all__ = ["Draft", "DraftWriter", "delete_draft", "get_draft", "save_draft"]

log = logging.getLogger(__name__)

#: how long closing waits for the last writes to reach the file
FLUSH_WAIT = 5.0


@dataclass(frozen=True)
class Draft:
    """What was typed and attached but not sent, in one conversation (None: the new chat)."""

    conversation_id: int | None
    text: str = ""
    attachments: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing worth keeping: no text beyond whitespace and no files."""
        return not self.text.strip() and not self.attachments


def _where(conversation_id: int | None) -> tuple[str, tuple[int, ...]]:
    if conversation_id is None:
        return "conversation_id IS NULL", ()
    return "conversation_id = ?", (conversation_id,)


def _paths(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def get_draft(store: Store, conversation_id: int | None) -> Draft | None:
    """The stored draft of a conversation (None: the new chat), or None when there is none."""
    where, args = _where(conversation_id)
    with store.reading("read the draft") as conn:
        row = conn.execute(
            f"SELECT text, attachments FROM drafts WHERE {where}", args
        ).fetchone()
    if row is None:
        return None
    return Draft(conversation_id, str(row[0]), _paths(row[1]))


def save_draft(store: Store, draft: Draft) -> None:
    """Store the draft, replacing the one before; an empty draft deletes it.

    A draft of a conversation that no longer exists is not stored (nothing to come back to).
    """
    if draft.empty:
        delete_draft(store, draft.conversation_id)
        return
    where, args = _where(draft.conversation_id)
    attachments = json.dumps(list(draft.attachments), ensure_ascii=False)
    with store.transaction("save the draft") as conn:
        if draft.conversation_id is not None and conn.execute(
            "SELECT 1 FROM conversations WHERE id = ?", (draft.conversation_id,)
        ).fetchone() is None:
            return
        updated = conn.execute(
            f"UPDATE drafts SET text = ?, attachments = ?, updated_at = ? WHERE {where}",
            (draft.text, attachments, time.time(), *args),
        ).rowcount
        if not updated:
            conn.execute(
                "INSERT INTO drafts (conversation_id, text, attachments, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (draft.conversation_id, draft.text, attachments, time.time()),
            )


def delete_draft(store: Store, conversation_id: int | None) -> None:
    """Forget the draft of a conversation (None: the new chat)."""
    where, args = _where(conversation_id)
    with store.transaction("delete the draft") as conn:
        conn.execute(f"DELETE FROM drafts WHERE {where}", args)


class DraftWriter:
    """Writes drafts on a thread of its own, in the order they were given.

    The thread opens its own connection to the database on first use (a connection stays
    on its thread); `close` waits for the writes still queued and closes it.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        # Made at the first draft: the window opens without loading concurrent.futures.
        self._pool: ThreadPoolExecutor | None = None
        self._store: Store | None = None
        self._last: Future[None] | None = None
        self._closed = False

    @property
    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-drafts")
        return self._pool

    def _connection(self) -> Store:
        if self._store is None:
            from app.core.history.jobs import worker_store

            self._store = worker_store(self.db_path, threading.Event())
        return self._store

    def _write(self, draft: Draft) -> None:
        try:
            save_draft(self._connection(), draft)
        except ParleyError as exc:
            # A lost draft is a nuisance, not worth an error in the user's face.
            log.warning("A draft could not be saved: %s", exc)

    def save(self, draft: Draft) -> None:
        """Queue the draft for writing (an empty one deletes the stored draft)."""
        if self._closed:
            return
        self._last = self._executor.submit(self._write, draft)

    def flush(self, timeout: float = FLUSH_WAIT) -> None:
        """Wait until every draft queued so far is written."""
        last = self._last
        if last is not None:
            with contextlib.suppress(Exception):
                last.result(timeout=timeout)

    def close(self) -> None:
        """Write what is queued, then close the connection and the thread. Safe twice."""
        if self._closed:
            return
        self._closed = True

        def close_store() -> None:
            store, self._store = self._store, None
            if store is not None:
                with contextlib.suppress(StorageError):
                    store.close()

        if self._pool is None:
            return  # nothing was ever written: no thread, no connection
        with contextlib.suppress(Exception):
            self._pool.submit(close_store).result(timeout=FLUSH_WAIT)
        self._pool.shutdown(wait=False)

