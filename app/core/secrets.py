"""The API key: read from $OPENROUTER_API_KEY or the OS keychain, stored only in the keychain.

`keyring` picks its backend silently, and with `keyrings.alt` installed that can be a
plaintext file in the home folder. Parley looks at the backend before every write and
refuses anything that is not a real system keychain (Secret Service, macOS Keychain,
Windows Credential Locker, or a third-party backend that is not file-based). The key is
never put in an exception message, a log line or a repr; messages use `mask_key` at most.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from app.core.config import ENV_API_KEY
from app.core.errors import InsecureKeyringError, SecretStoreError
from app.core.key_format import key_problem

SERVICE = "parley"
DEFAULT_ACCOUNT = "openrouter"

Source = Literal["env", "keychain", "none"]

_T = TypeVar("_T")

#: display names of the backends that ship with keyring, by "module.Class"
_KNOWN_NAMES = {
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret.Keyring": "Secret Service via libsecret (GNOME Keyring / KWallet)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}

#: words in a backend's module or class name that mean "stores secrets in a file"
_FILE_BASED = re.compile(r"plain|file")

#: vendor prefixes that carry no secret and help a user recognise which key is stored
_KEY_PREFIXES = ("sk-or-v1-", "sk-or-", "sk-ant-", "sk-proj-", "sk-")
_MASK_MIN_HIDDEN = 12
_MASK_TAIL = 4
_FULL_MASK = "********"

_ENV_HINT = f"or set ${ENV_API_KEY} in the environment instead"


@dataclass(frozen=True)
class BackendInfo:
    """What keyring would use, and whether Parley is willing to store the key there."""

    name: str
    secure: bool
    #: "" when the keychain is usable; else a sentence saying what is wrong and what to do
    problem: str


@dataclass(frozen=True)
class KeyStatus:
    """Where the key comes from, for `parley key status` and the settings dialog."""

    source: Source
    backend: BackendInfo
    #: e.g. "sk-or-v1-…ffee", or "" when there is no key; never the whole key
    masked: str

    def describe(self) -> str:
        """A few human-readable lines; safe to print (the key is masked)."""
        if self.source == "env":
            key_line = (
                f"API key: {self.masked} from ${ENV_API_KEY} "
                "(it overrides the keychain and Parley never saves it)."
            )
        elif self.source == "keychain":
            key_line = f"API key: {self.masked} stored in the system keychain."
        else:
            key_line = (
                f"API key: not set. Run `parley key set` or open Settings, or set ${ENV_API_KEY}."
            )
        verdict = "secure" if self.backend.secure else "not usable"
        lines = [key_line, f"Keychain: {self.backend.name} ({verdict})."]
        if self.backend.problem:
            lines.append(f"Problem: {self.backend.problem}")
        return "\n".join(lines)


def mask_key(key: str) -> str:
    """Keep a recognisable prefix and the last 4 characters; short keys are fully masked."""
    key = key.strip()
    if not key:
        return ""
    prefix = next((p for p in _KEY_PREFIXES if key.startswith(p)), key[:3])
    if len(key) < len(prefix) + _MASK_TAIL + _MASK_MIN_HIDDEN:
        return _FULL_MASK
    return f"{prefix}…{key[-_MASK_TAIL:]}"


def _qualified(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _display_name(backend: KeyringBackend) -> str:
    qualified = _qualified(backend)
    known = _KNOWN_NAMES.get(qualified)
    if known:
        return known
    cls = type(backend)
    return f"{cls.__qualname__} ({cls.__module__})"


def _is_missing(backend: KeyringBackend) -> bool:
    return isinstance(backend, fail.Keyring | null.Keyring)


def _is_insecure(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if module == "keyrings.alt" or module.startswith("keyrings.alt."):
        return True
    return bool(_FILE_BASED.search(_qualified(backend).lower()))


def _chained(backend: KeyringBackend) -> list[KeyringBackend]:
    # ChainerBackend.backends is a class property that re-discovers backends; read it once.
    try:
        inner = list(getattr(backend, "backends", []))
    except Exception:
        return []
    return [b for b in inner if isinstance(b, KeyringBackend)]


def _env_backend_note() -> str:
    configured = os.environ.get("PYTHON_KEYRING_BACKEND")
    return f" ($PYTHON_KEYRING_BACKEND is set to {configured}.)" if configured else ""


def _no_keychain_problem(backend: KeyringBackend | None) -> str:
    if isinstance(backend, null.Keyring):
        return (
            "No system keychain is available: keyring is disabled (its null backend is "
            "configured, e.g. by `keyring --disable`, keyringrc.cfg or $PYTHON_KEYRING_BACKEND). "
            f"Remove that setting, {_ENV_HINT}." + _env_backend_note()
        )
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        no_bus = (
            " No D-Bus session bus was found ($DBUS_SESSION_BUS_ADDRESS is not set), "
            "as happens over SSH or in a container."
            if not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            else ""
        )
        return (
            "No system keychain is available: keyring found no Secret Service "
            "(GNOME Keyring or KWallet) on the D-Bus session bus." + no_bus + " Install "
            "gnome-keyring or KWallet, make sure it runs and is unlocked in your desktop "
            f"session, {_ENV_HINT}." + _env_backend_note()
        )
    return (
        "No system keychain is available: keyring found no usable backend. Check that "
        f"keyring is installed completely for this Python, {_ENV_HINT}." + _env_backend_note()
    )


def _insecure_problem(name: str, backend: KeyringBackend) -> str:
    qualified = _qualified(backend).lower()
    if "plain" in qualified:
        where = "in a plaintext file"
    elif "file" in qualified:
        where = "in a file on disk instead of the system keychain"
    else:
        where = "outside the system keychain (keyrings.alt backends are not secure)"
    return (
        f"The keyring backend in use, {name}, would store the key {where}, so Parley "
        "will not use it. Uninstall keyrings.alt (`pip uninstall keyrings.alt`) or remove "
        "that backend from your keyring configuration, install and unlock GNOME Keyring or "
        f"KWallet, {_ENV_HINT}." + _env_backend_note()
    )


def _classify(backend: KeyringBackend) -> tuple[BackendInfo, KeyringBackend | None]:
    """The verdict on one backend and, when secure, the backend Parley talks to."""
    if isinstance(backend, chainer.ChainerBackend):
        inner = _chained(backend)
        verdicts = [_classify(b) for b in inner]
        for info, usable in verdicts:
            if usable is not None:
                # Talk to the secure backend directly: the chainer would fall through to
                # the next one (possibly a plaintext file) when the first refuses a write.
                return info, usable
        for info, _ in verdicts:
            if info.name != "none":
                return info, None
        return BackendInfo("none", False, _no_keychain_problem(None)), None
    if _is_missing(backend):
        return BackendInfo("none", False, _no_keychain_problem(backend)), None
    name = _display_name(backend)
    if _is_insecure(backend):
        return BackendInfo(name, False, _insecure_problem(name, backend)), None
    return BackendInfo(name, True, ""), backend


def _resolve() -> tuple[BackendInfo, KeyringBackend | None]:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        # e.g. $PYTHON_KEYRING_BACKEND names a class that does not exist
        problem = (
            f"keyring could not load its backend ({type(exc).__name__}: {_short(str(exc))}). "
            f"Check $PYTHON_KEYRING_BACKEND and keyringrc.cfg, {_ENV_HINT}."
        )
        return BackendInfo("none", False, problem), None
    return _classify(backend)


def backend_info() -> BackendInfo:
    """Which keychain keyring would use and whether Parley will store the key there."""
    return _resolve()[0]


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mentions(exc: BaseException | None, secret: str) -> bool:
    """True when the exception chain carries the secret in its message or arguments."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            if secret in str(exc) or secret in repr(exc.args):
                return True
        except Exception:
            return True  # can't tell: assume the worst
        exc = exc.__cause__ or exc.__context__
    return False


def _store_error(exc: Exception, action: str, name: str, secret: str | None) -> SecretStoreError:
    detail = _short(str(exc)) or type(exc).__name__
    if secret:
        detail = detail.replace(secret, mask_key(secret))
    kind = type(exc).__name__.lower()
    if isinstance(exc, keyring.errors.KeyringLocked) or "locked" in kind or "dismiss" in kind:
        return SecretStoreError(
            f"Could not {action}: the system keychain ({name}) is locked and was not unlocked "
            f"({detail}). Unlock it (log in to GNOME Keyring, open KWallet, or unlock the "
            f"keychain) and try again, {_ENV_HINT}.",
            hint=f"Unlock the keychain, or set ${ENV_API_KEY}.",
        )
    if isinstance(exc, keyring.errors.InitError | keyring.errors.NoKeyringError):
        return SecretStoreError(
            f"Could not {action}: the system keychain ({name}) could not be opened ({detail}). "
            "Make sure the keychain service is running and, on Linux, that a D-Bus session "
            f"bus is available ($DBUS_SESSION_BUS_ADDRESS), {_ENV_HINT}.",
            hint=f"Start the keychain, or set ${ENV_API_KEY}.",
        )
    return SecretStoreError(
        f"Could not {action}: the system keychain ({name}) reported "
        f"{type(exc).__name__}: {detail}. Check that it is running and unlocked, {_ENV_HINT}.",
        hint=f"Check the keychain, or set ${ENV_API_KEY}.",
    )


class KeyStore:
    """The API key of one account: $OPENROUTER_API_KEY first, then the OS keychain.

    Holds no copy of the key: every call asks the environment or the keychain.
    """

    __slots__ = ("_account",)

    def __init__(self, account: str = DEFAULT_ACCOUNT) -> None:
        self._account = account

    @property
    def account(self) -> str:
        return self._account

    def __repr__(self) -> str:
        return f"KeyStore(account={self._account!r})"

    def _env_key(self) -> str | None:
        # Only the default account maps to the environment: other accounts (other endpoints)
        # must not silently pick up the OpenRouter key.
        if self._account != DEFAULT_ACCOUNT:
            return None
        value = os.environ.get(ENV_API_KEY, "").strip()
        return value or None

    def _guard(
        self, info: BackendInfo, action: str, op: Callable[[], _T], secret: str | None = None
    ) -> _T:
        failure: Exception
        try:
            return op()
        except Exception as exc:
            failure = exc
        # Raised outside the `except` block so that, when the backend's own exception
        # echoes the key, nothing links to it (no __cause__, no __context__).
        err = _store_error(failure, action, info.name, secret)
        if secret and _mentions(failure, secret):
            raise err from None
        raise err from failure

    def _read_keychain(self) -> str | None:
        info, backend = _resolve()
        if backend is None:
            return None  # nothing is ever stored in an insecure or missing backend
        value = self._guard(
            info,
            "read the API key",
            lambda: backend.get_password(SERVICE, self._account),
        )
        return value or None

    def get_key(self) -> str | None:
        """$OPENROUTER_API_KEY when set (default account), else the keychain's key, else None."""
        return self._env_key() or self._read_keychain()

    def source(self) -> Source:
        """Where `get_key` would take the key from."""
        if self._env_key():
            return "env"
        return "keychain" if self._read_keychain() else "none"

    def set_key(self, key: str) -> None:
        """Store the key in the OS keychain; refuses insecure or missing backends.

        Only ever writes the value passed in: the environment's key is never copied anywhere.
        """
        key = key.strip()
        if not key:
            raise SecretStoreError("The API key is empty; nothing was saved.")
        problem = key_problem(key)
        if problem:
            raise SecretStoreError(f"{problem} Nothing was saved.",
                                   hint="Copy the key again from your provider's page.")
        info, backend = _resolve()
        if backend is None:
            raise InsecureKeyringError(
                f"The API key was not saved. {info.problem}",
                hint=f"Fix the keychain, or set ${ENV_API_KEY}.",
            )
        self._guard(
            info,
            "save the API key",
            lambda: backend.set_password(SERVICE, self._account, key),
            secret=key,
        )

    def delete_key(self) -> bool:
        """Remove the key from the keychain; True if one was there. Never touches the env."""
        info, backend = _resolve()
        if backend is None:
            return False
        existing = self._guard(
            info,
            "read the API key",
            lambda: backend.get_password(SERVICE, self._account),
        )
        if existing is None:
            return False
        self._guard(
            info,
            "delete the API key",
            lambda: backend.delete_password(SERVICE, self._account),
            secret=existing,
        )
        return True

    def status(self) -> KeyStatus:
        """Where the key comes from and what the keychain looks like; never raises for it."""
        info, backend = _resolve()
        env = self._env_key()
        if env:
            return KeyStatus("env", info, mask_key(env))
        if backend is None:
            return KeyStatus("none", info, "")
        try:
            stored = self._guard(
                info,
                "read the API key",
                lambda: backend.get_password(SERVICE, self._account),
            )
        except SecretStoreError as err:
            return KeyStatus("none", replace(info, problem=str(err)), "")
        if not stored:
            return KeyStatus("none", info, "")
        return KeyStatus("keychain", info, mask_key(stored))
