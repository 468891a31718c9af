"""The keychain as a dialog sees it: read once on a worker thread, then answered from memory.

A keychain call can wait on D-Bus for an unlock prompt; a dialog calling it on the GUI
thread would freeze the window for as long. `PrefetchedKeys.read` runs on the worker
thread before the dialog opens; removing the key is handed back to run there too.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.errors import ParleyError
from app.core.secrets import KeyStatus, KeyStore


class PrefetchedKeys(KeyStore):
    """A KeyStore whose reads were done in advance and whose delete runs elsewhere."""

    def __init__(
        self,
        keys: KeyStore,
        status: KeyStatus,
        key: str | None,
        delete_later: Callable[[KeyStore], None],
    ) -> None:
        super().__init__(keys.account)
        self._keys = keys
        self._status = status
        self._key = key
        self._delete_later = delete_later

    @classmethod
    def read(cls, keys: KeyStore, delete_later: Callable[[KeyStore], None]) -> PrefetchedKeys:
        """Read the status and key now (call on a worker thread)."""
        status = keys.status()
        try:
            key = keys.get_key()
        except ParleyError:
            key = None  # the status already carries the problem for the dialog
        return cls(keys, status, key, delete_later)

    def status(self) -> KeyStatus:
        """The status read when the dialog was prepared."""
        return self._status

    def get_key(self) -> str | None:
        """The key read when the dialog was prepared (None once removed)."""
        return self._key

    def delete_key(self) -> bool:
        """Remove the stored key on the worker thread; errors are shown when it fails."""
        if self._status.source != "keychain":
            return False
        self._key = None
        self._delete_later(self._keys)
        return True
