"""KeyStore against in-memory and fake keyring backends: the real keychain is never touched."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import cast

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend

from app.core import secrets
from app.core.config import ENV_API_KEY
from app.core.errors import InsecureKeyringError, SecretStoreError
from app.core.secrets import (
    DEFAULT_ACCOUNT,
    SERVICE,
    BackendInfo,
    KeyStatus,
    KeyStore,
    backend_info,
    mask_key,
)
from tests.memory_keyring import MemoryKeyring, use_memory_keyring

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
OTHER_KEY = "sk-or-v1-" + "fedcba9876543210" * 4


@pytest.fixture(autouse=True)
def memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    with use_memory_keyring() as store:
        yield store


def _leaks(text: str, key: str = KEY) -> bool:
    return key in text


def _full_error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + repr(exc.args)


# --- fakes -----------------------------------------------------------------------------------


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plaintext file backend, but keeps everything in memory."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class EncryptedKeyring(MemoryKeyring):
    pass


EncryptedKeyring.__module__ = "keyrings.alt.file"


class RegistryKeyring(MemoryKeyring):
    pass


RegistryKeyring.__module__ = "keyrings.alt.Windows"


class FileBackedKeyring(MemoryKeyring):
    """A third-party backend outside keyrings.alt whose name says it writes a file."""


FileBackedKeyring.__module__ = "somevendor.store"


class Keyring(MemoryKeyring):
    """Poses as keyring's Secret Service backend to check the display name."""


Keyring.__module__ = "keyring.backends.SecretService"


class FailingKeyring(MemoryKeyring):
    """Raises the given exception from every operation."""

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class EchoingKeyring(MemoryKeyring):
    """A badly behaved backend whose error message repeats the password it was given."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password!r} for {username}")


def make_chainer(*backends: KeyringBackend) -> ChainerBackend:
    # ChainerBackend.backends is a class property that discovers installed backends;
    # shadow it with a fixed list (already in priority order).
    fixed = type("FixedChainer", (ChainerBackend,), {"backends": list(backends)})
    return cast(ChainerBackend, fixed())


# --- round trip ------------------------------------------------------------------------------


def test_set_get_delete_round_trip(memory: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.get_key() is None
    assert store.source() == "none"

    store.set_key(f"  {KEY}\n")  # pasted with whitespace: stored stripped
    assert memory.store == {(SERVICE, DEFAULT_ACCOUNT): KEY}
    assert store.get_key() == KEY
    assert store.source() == "keychain"

    store.set_key(OTHER_KEY)  # replaces
    assert store.get_key() == OTHER_KEY

    assert store.delete_key() is True
    assert store.get_key() is None
    assert store.source() == "none"
    assert memory.store == {}
    assert store.delete_key() is False  # missing is fine


def test_accounts_are_separate(memory: MemoryKeyring) -> None:
    KeyStore().set_key(KEY)
    KeyStore("local").set_key(OTHER_KEY)
    assert KeyStore().get_key() == KEY
    assert KeyStore("local").get_key() == OTHER_KEY
    assert memory.store[(SERVICE, "local")] == OTHER_KEY


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_key_is_refused(memory: MemoryKeyring, blank: str) -> None:
    with pytest.raises(SecretStoreError, match="empty"):
        KeyStore().set_key(blank)
    assert memory.store == {}


# --- environment -----------------------------------------------------------------------------


def test_env_wins_and_is_never_written(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_API_KEY, KEY)
    store = KeyStore()
    assert store.get_key() == KEY
    assert store.source() == "env"
    status = store.status()
    assert status.source == "env"
    assert status.masked == mask_key(KEY)
    assert status.describe().startswith(f"API key: {mask_key(KEY)} from ${ENV_API_KEY} ")
    assert "not set" not in status.describe()
    assert store.delete_key() is False
    assert memory.store == {}  # nothing read from the environment ended up in the keychain


def test_env_overrides_keychain(memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    KeyStore().set_key(OTHER_KEY)
    monkeypatch.setenv(ENV_API_KEY, f" {KEY} ")
    assert KeyStore().get_key() == KEY
    assert KeyStore().source() == "env"
    assert memory.store == {(SERVICE, DEFAULT_ACCOUNT): OTHER_KEY}


def test_blank_env_is_ignored(memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "  ")
    assert KeyStore().get_key() is None
    assert KeyStore().source() == "none"
    KeyStore().set_key(KEY)
    assert KeyStore().source() == "keychain"


def test_env_only_applies_to_default_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, KEY)
    other = KeyStore("local")
    assert other.get_key() is None
    assert other.source() == "none"
    assert other.status().source == "none"


# --- never show the key ----------------------------------------------------------------------


def test_status_and_describe_never_contain_the_key(memory: MemoryKeyring) -> None:
    store = KeyStore()
    store.set_key(KEY)
    status = store.status()
    assert status == KeyStatus(
        "keychain", BackendInfo(status.backend.name, True, ""), mask_key(KEY)
    )
    assert status.backend.secure
    text = status.describe()
    assert "stored in the system keychain" in text
    assert mask_key(KEY) in text
    for rendered in (text, repr(status), str(status), repr(store), repr(memory)):
        assert not _leaks(rendered)
    assert not any(_leaks(str(v)) for v in vars(status).values())
    assert not hasattr(store, "__dict__")  # slots only: nowhere to keep a copy of the key


def test_describe_without_key() -> None:
    text = KeyStore().status().describe()
    assert "not set" in text
    assert "parley key set" in text
    assert "Problem" not in text


def test_mask_key() -> None:
    assert mask_key(KEY) == "sk-or-v1-…cdef"
    assert mask_key("sk-or-v1-" + "a" * 58 + "c0ffee") == "sk-or-v1-…ffee"
    assert mask_key("sk-proj-" + "x" * 40 + "1234") == "sk-proj-…1234"
    assert mask_key("abcdefghijklmnopqrstuvwxyz") == "abc…wxyz"
    assert mask_key("") == ""
    for short in ("abc", "sk-or-v1-abcd", "sk-or-v1-0123456789a", "0123456789abcdef"):
        masked = mask_key(short)
        assert masked == "********"
        assert short not in masked


# --- insecure and missing backends -----------------------------------------------------------


@pytest.mark.parametrize("backend_cls", [fail.Keyring, null.Keyring])
def test_missing_backends(backend_cls: type[KeyringBackend]) -> None:
    keyring.set_keyring(backend_cls())
    info = backend_info()
    assert info == BackendInfo("none", False, info.problem)
    assert info.problem.startswith("No system keychain is available:")
    assert ENV_API_KEY in info.problem

    store = KeyStore()
    assert store.get_key() is None
    assert store.source() == "none"
    assert store.delete_key() is False
    with pytest.raises(InsecureKeyringError) as excinfo:
        store.set_key(KEY)
    assert "not saved" in str(excinfo.value)
    assert not _leaks(_full_error_text(excinfo.value))

    status = store.status()
    assert status.source == "none"
    assert "Problem: No system keychain is available" in status.describe()


def test_null_backend_says_keyring_is_disabled() -> None:
    keyring.set_keyring(null.Keyring())
    assert "disabled" in backend_info().problem


@pytest.mark.parametrize(
    ("backend_cls", "wording"),
    [
        (PlaintextKeyring, "plaintext file"),
        (EncryptedKeyring, "file on disk"),
        (RegistryKeyring, "keyrings.alt"),
        (FileBackedKeyring, "file on disk"),
    ],
)
def test_insecure_backends_are_refused(backend_cls: type[MemoryKeyring], wording: str) -> None:
    insecure = backend_cls()
    keyring.set_keyring(insecure)
    info = backend_info()
    assert not info.secure
    assert backend_cls.__name__ in info.name
    assert "would store the key" in info.problem
    assert wording in info.problem
    assert "keyrings.alt" in info.problem  # says what to uninstall

    store = KeyStore()
    with pytest.raises(InsecureKeyringError) as excinfo:
        store.set_key(KEY)
    assert insecure.store == {}
    assert not _leaks(_full_error_text(excinfo.value))

    # Something another tool left there is not used either: we never read insecure stores.
    insecure.store[(SERVICE, DEFAULT_ACCOUNT)] = KEY
    assert store.get_key() is None
    assert store.source() == "none"
    assert store.status().source == "none"
    assert store.delete_key() is False
    assert insecure.store == {(SERVICE, DEFAULT_ACCOUNT): KEY}


def test_insecure_backend_with_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(PlaintextKeyring())
    monkeypatch.setenv(ENV_API_KEY, KEY)
    status = KeyStore().status()
    assert status.source == "env"
    assert not status.backend.secure
    assert "Problem:" in status.describe()
    assert not _leaks(status.describe())


def test_known_backend_names() -> None:
    keyring.set_keyring(Keyring())
    assert backend_info() == BackendInfo("Secret Service (GNOME Keyring / KWallet)", True, "")


def test_unknown_third_party_backend_is_trusted(memory: MemoryKeyring) -> None:
    info = backend_info()
    assert info.secure
    assert info.problem == ""
    assert "MemoryKeyring" in info.name


def test_keyring_failing_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> KeyringBackend:
        raise ImportError("No module named 'nosuch'")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    info = backend_info()
    assert not info.secure
    assert "PYTHON_KEYRING_BACKEND" in info.problem
    with pytest.raises(InsecureKeyringError):
        KeyStore().set_key(KEY)
    assert KeyStore().get_key() is None


# --- chainer ---------------------------------------------------------------------------------


def test_chainer_with_fail_and_memory_uses_memory() -> None:
    inner = MemoryKeyring()
    keyring.set_keyring(make_chainer(fail.Keyring(), inner))
    info = backend_info()
    assert info.secure
    assert "MemoryKeyring" in info.name
    store = KeyStore()
    store.set_key(KEY)
    assert inner.store == {(SERVICE, DEFAULT_ACCOUNT): KEY}
    assert store.get_key() == KEY
    assert store.delete_key() is True
    assert inner.store == {}


def test_chainer_never_writes_to_its_insecure_member() -> None:
    plaintext, secure = PlaintextKeyring(), MemoryKeyring()
    keyring.set_keyring(make_chainer(plaintext, secure))
    assert backend_info().secure
    store = KeyStore()
    store.set_key(KEY)
    assert plaintext.store == {}
    assert secure.store == {(SERVICE, DEFAULT_ACCOUNT): KEY}
    # A key in the plaintext member is not read either.
    plaintext.store[(SERVICE, "local")] = OTHER_KEY
    assert KeyStore("local").get_key() is None


def test_chainer_without_secure_member() -> None:
    plaintext = PlaintextKeyring()
    keyring.set_keyring(make_chainer(fail.Keyring(), plaintext))
    info = backend_info()
    assert not info.secure
    assert "plaintext file" in info.problem
    with pytest.raises(InsecureKeyringError):
        KeyStore().set_key(KEY)
    assert plaintext.store == {}


def test_empty_chainer_is_no_keychain() -> None:
    keyring.set_keyring(make_chainer())
    info = backend_info()
    assert info.name == "none"
    assert info.problem.startswith("No system keychain is available:")
    assert "Keychain: none (not usable)." in KeyStore().status().describe()


# --- backend errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (keyring.errors.KeyringError("D-Bus went away"), "D-Bus went away"),
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "locked"),
        (keyring.errors.InitError("Failed to create the collection"), "could not be opened"),
        (RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"), "ServiceUnknown"),
    ],
)
def test_read_failure_is_actionable(exc: Exception, expected: str) -> None:
    keyring.set_keyring(FailingKeyring(exc))
    store = KeyStore()
    with pytest.raises(SecretStoreError) as excinfo:
        store.get_key()
    message = str(excinfo.value)
    assert not isinstance(excinfo.value, InsecureKeyringError)
    assert "read the API key" in message
    assert expected in message
    assert ENV_API_KEY in message
    assert excinfo.value.hint
    assert excinfo.value.__cause__ is exc  # kept for debugging: it holds no key here

    with pytest.raises(SecretStoreError):
        store.source()
    with pytest.raises(SecretStoreError):
        store.delete_key()

    # status() reports the problem instead of raising, for the settings dialog
    status = store.status()
    assert status.source == "none"
    assert expected in status.backend.problem
    assert "Problem:" in status.describe()


def test_write_failure_is_actionable_and_keyless() -> None:
    keyring.set_keyring(FailingKeyring(keyring.errors.PasswordSetError("Cancelled by user")))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().set_key(KEY)
    assert not isinstance(excinfo.value, InsecureKeyringError)
    assert "save the API key" in str(excinfo.value)
    assert "Cancelled by user" in str(excinfo.value)
    assert not _leaks(_full_error_text(excinfo.value))


def test_backend_echoing_the_key_is_redacted() -> None:
    keyring.set_keyring(EchoingKeyring())
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().set_key(KEY)
    err = excinfo.value
    assert "PasswordSetError" in str(err)
    assert mask_key(KEY) in str(err)
    # Neither the message nor anything chained to it carries the key.
    assert err.__cause__ is None
    assert err.__context__ is None
    assert not _leaks(_full_error_text(err))


def test_secrets_module_has_no_qt() -> None:
    assert "PySide6" not in vars(secrets)


def test_a_key_with_characters_no_key_has_is_not_stored() -> None:
    with pytest.raises(SecretStoreError, match="cannot have") as info:
        KeyStore().set_key("sk-or-v1-tést 0000")
    assert "tést" not in str(info.value)
    assert KeyStore().get_key() is None


@pytest.mark.parametrize("odd", [" ", "\x7f", "\x1f", "\u00a0"], ids=["space", "DEL", "US", "nbsp"])
def test_a_key_with_a_character_just_outside_printable_ascii_is_not_stored(odd: str) -> None:
    with pytest.raises(SecretStoreError, match="cannot have"):
        KeyStore().set_key(f"local-secret-{odd}0000")
    assert KeyStore().get_key() is None


def test_a_key_may_use_every_printable_ascii_character() -> None:
    # "!" and "~" are the first and last of them; custom endpoints' keys use any.
    key = "".join(chr(c) for c in range(33, 127))
    KeyStore().set_key(key)
    assert KeyStore().get_key() == key


# --- what the user reads -----------------------------------------------------------------------


def test_describe_says_whether_the_keychain_is_usable() -> None:
    assert "Keychain: " in KeyStore().status().describe()
    assert "(secure)." in KeyStore().status().describe()
    keyring.set_keyring(PlaintextKeyring())
    assert "(not usable)." in KeyStore().status().describe()


def test_mask_key_boundary() -> None:
    # prefix + 12 hidden + 4 shown is the shortest key that keeps its prefix and tail
    assert mask_key("sk-or-v1-" + "a" * 12 + "wxyz") == "sk-or-v1-…wxyz"
    assert mask_key("sk-or-v1-" + "a" * 11 + "wxyz") == "********"


@pytest.mark.parametrize(
    ("platform", "wording", "absent"),
    [
        ("linux", "GNOME Keyring or KWallet", "no usable backend"),
        ("darwin", "keyring found no usable backend", "D-Bus"),
    ],
)
def test_missing_keychain_advice_fits_the_platform(
    monkeypatch: pytest.MonkeyPatch, platform: str, wording: str, absent: str
) -> None:
    monkeypatch.setattr(secrets.sys, "platform", platform)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(fail.Keyring())
    problem = backend_info().problem
    assert wording in problem
    assert absent not in problem
    assert problem.endswith("($PYTHON_KEYRING_BACKEND is set to keyring.backends.fail.Keyring.)")


def test_long_backend_message_is_shortened() -> None:
    long_text = "word " * 100
    keyring.set_keyring(FailingKeyring(keyring.errors.KeyringError(long_text)))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().get_key()
    shown = " ".join(long_text.split())[:199] + "…"
    assert f"KeyringError: {shown}." in str(excinfo.value)


def test_backend_message_of_exactly_200_characters_is_whole() -> None:
    text = "x" * 200
    keyring.set_keyring(FailingKeyring(keyring.errors.KeyringError(text)))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().get_key()
    assert f"KeyringError: {text}. " in str(excinfo.value)


def test_short_backend_message_is_shown_whole() -> None:
    keyring.set_keyring(FailingKeyring(keyring.errors.KeyringError("locked")))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().get_key()
    assert "KeyringError: locked. " in str(excinfo.value)
    assert "…" not in str(excinfo.value)


def test_write_failure_keeps_the_backend_error_for_the_log() -> None:
    failure = keyring.errors.PasswordSetError("Cancelled by user")
    keyring.set_keyring(FailingKeyring(failure))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().set_key(KEY)
    assert excinfo.value.__cause__ is failure


class _Unprintable:
    """An argument whose repr fails, so nobody can tell whether it holds the key."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class _OpaqueError(keyring.errors.PasswordSetError):
    def __str__(self) -> str:
        return "the keychain refused"


def test_backend_error_that_cannot_be_inspected_is_not_chained() -> None:
    keyring.set_keyring(FailingKeyring(_OpaqueError(_Unprintable(KEY))))
    with pytest.raises(SecretStoreError) as excinfo:
        KeyStore().set_key(KEY)
    assert "the keychain refused" in str(excinfo.value)
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__context__ is None
