"""An in-memory keyring backend so tests never touch the real keychain.

Install it with `use_memory_keyring()` (a context manager that restores whatever keyring
had before) or directly with `keyring.set_keyring(MemoryKeyring())`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Keeps passwords in a dict keyed by (service, username)."""

    # Negative: keyring registers every backend subclass, and this one must never be
    # picked (or chained) by keyring's own detection; tests install it explicitly.
    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError("No such password!") from None

    def __repr__(self) -> str:
        # Names only: a test failure must not print stored secrets.
        return f"MemoryKeyring(entries={sorted(self.store)!r})"


@contextmanager
def use_memory_keyring() -> Iterator[MemoryKeyring]:
    """Make a fresh MemoryKeyring keyring's backend for the duration of the block."""
    # Read the private slot rather than get_keyring(): that would run backend detection
    # (and talk to D-Bus) just to be able to put it back.
    previous = keyring.core._keyring_backend
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.core._keyring_backend = previous
