"""Sync rounds from a thread of their own, with a database connection of their own.

SQLite connections belong to the thread that opened them, so a window that syncs on a
worker thread keeps one `SyncSession` there: it opens the history on first use and
closes it at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.history import Store
    from app.core.sync.service import RoundReport


class SyncSession:
    """Runs rounds for one history database; use it from one thread only."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._store: Store | None = None

    def run(self, folder: str | Path) -> RoundReport:
        """One round through `folder`, with the passphrase from the environment or the
        keychain; SyncError, StorageError or SecretStoreError with a sentence on failure."""
        from app.core.history import Store
        from app.core.sync.passphrase import get_passphrase
        from app.core.sync.service import run_round

        if self._store is None:
            self._store = Store.open(self.db_path)
        return run_round(self._store, Path(folder), get_passphrase())

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        store, self._store = self._store, None
        if store is not None:
            store.close()
