"""The sync passphrase: `$PARLEY_SYNC_PASSPHRASE` first (read-only), else the OS keychain.

Stored like the API key (app/core/secrets.py): only in a real system keychain, never in a
file, a log line or an exception message.
"""

from __future__ import annotations

import os
from typing import Literal

from app.core.errors import InsecureKeyringError, SecretStoreError

ENV_SYNC_PASSPHRASE = "PARLEY_SYNC_PASSPHRASE"
#: keychain account under the service "parley"
ACCOUNT = "sync-passphrase"

Source = Literal["env", "keychain", "none"]


def _env() -> str | None:
    return os.environ.get(ENV_SYNC_PASSPHRASE) or None


def _failure(action: str, exc: Exception) -> SecretStoreError:
    # The backend's own message is left out: it could echo what was being stored.
    return SecretStoreError(
        f"Could not {action} the sync passphrase: the system keychain reported "
        f"{type(exc).__name__}. Check that it is running and unlocked, or set "
        f"${ENV_SYNC_PASSPHRASE} in the environment instead.",
        hint=f"Unlock the keychain, or set ${ENV_SYNC_PASSPHRASE}.",
    )


def get_passphrase() -> str | None:
    """The passphrase to use: the environment's, else the keychain's, else None."""
    env = _env()
    if env is not None:
        return env
    from app.core.secrets import SERVICE, _resolve

    _info, backend = _resolve()
    if backend is None:
        return None
    try:
        return backend.get_password(SERVICE, ACCOUNT) or None
    except Exception as exc:
        raise _failure("read", exc) from None


def source() -> Source:
    """Where `get_passphrase` takes the passphrase from."""
    if _env() is not None:
        return "env"
    return "keychain" if get_passphrase() else "none"


def set_passphrase(passphrase: str) -> None:
    """Keep `passphrase` in the keychain; refuses insecure or missing keychains."""
    if not passphrase:
        raise SecretStoreError("The sync passphrase is empty; nothing was saved.")
    from app.core.secrets import SERVICE, _resolve

    info, backend = _resolve()
    if backend is None:
        raise InsecureKeyringError(
            f"The sync passphrase was not saved. {info.problem}",
            hint=f"Fix the keychain, or set ${ENV_SYNC_PASSPHRASE}.",
        )
    try:
        backend.set_password(SERVICE, ACCOUNT, passphrase)
    except Exception as exc:
        raise _failure("save", exc) from None


def delete_passphrase() -> bool:
    """Remove the passphrase from the keychain; True when one was there."""
    from app.core.secrets import SERVICE, _resolve

    _info, backend = _resolve()
    if backend is None:
        return False
    try:
        if backend.get_password(SERVICE, ACCOUNT) is None:
            return False
        backend.delete_password(SERVICE, ACCOUNT)
    except Exception as exc:
        raise _failure("delete", exc) from None
    return True
