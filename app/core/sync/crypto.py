"""Sealing what goes into the sync folder: AES-256-GCM with a passphrase, checksums without.

The key is derived from the passphrase with scrypt and a random salt kept in the folder's
`folder.json`, so every device that knows the passphrase derives the same key and nothing
secret is ever written. `folder.json` also holds a sealed known text: a wrong passphrase is
recognised before anything is read or imported.

Every sealed file names what it is in its associated data (`aad`): a segment cannot be
passed off as another device's or another number, and a blob cannot be swapped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import SyncError

FORMAT = "parley-sync"
VERSION = 1

_MAGIC_PLAIN = b"PSYNC1P"
_MAGIC_SEALED = b"PSYNC1E"
_NONCE_BYTES = 12
_CHECK_TEXT = b"parley-sync passphrase check"
#: scrypt cost: about 32 MiB and a tenth of a second, once per process and folder
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}

# The derived key of the last (folder salt, passphrase) seen: a window runs a round every
# few minutes and should not pay for scrypt each time.
_KEY_CACHE: dict[tuple[bytes, str], bytes] = {}


class Unreadable(Exception):
    """A file's checksum or authentication tag does not match: corrupt or tampered."""


@dataclass(frozen=True)
class Codec:
    """Seals and opens files of one sync folder; `key` None means plaintext with checksums."""

    key: bytes | None

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def seal(self, data: bytes, aad: bytes) -> bytes:
        """`data` authenticated (and encrypted when there is a key), bound to `aad`."""
        if self.key is None:
            return _MAGIC_PLAIN + hashlib.sha256(aad + b"\0" + data).digest() + data
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(_NONCE_BYTES)
        return _MAGIC_SEALED + nonce + AESGCM(self.key).encrypt(nonce, data, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        """The data sealed by `seal`; Unreadable when it is corrupt, truncated or forged."""
        if self.key is None:
            if not blob.startswith(_MAGIC_PLAIN):
                raise Unreadable("not a plaintext Parley sync file")
            digest, data = blob[7:39], blob[39:]
            if len(digest) != 32 or not hmac.compare_digest(
                digest, hashlib.sha256(aad + b"\0" + data).digest()
            ):
                raise Unreadable("checksum mismatch")
            return data
        if not blob.startswith(_MAGIC_SEALED):
            raise Unreadable("not an encrypted Parley sync file")
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce, body = blob[7 : 7 + _NONCE_BYTES], blob[7 + _NONCE_BYTES :]
        try:
            return AESGCM(self.key).decrypt(nonce, body, aad)
        except (InvalidTag, ValueError) as exc:
            raise Unreadable("authentication failed") from exc

    def blob_name(self, sha256: str) -> str:
        """The file name of an attachment in the folder: its hash, or a keyed hash of it
        when encrypted (so the folder does not reveal which known files it holds)."""
        if self.key is None:
            return sha256
        return hmac.new(self.key, b"blob:" + sha256.encode(), hashlib.sha256).hexdigest()


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    cached = _KEY_CACHE.get((salt, passphrase))
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    key = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(
        passphrase.encode("utf-8")
    )
    _KEY_CACHE.clear()
    _KEY_CACHE[(salt, passphrase)] = key
    return key


def _new_folder_doc(passphrase: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if passphrase is None:
        doc["encryption"] = "none"
        return doc
    salt = os.urandom(16)
    key = _derive(passphrase, salt, _SCRYPT)
    doc.update(
        encryption="aes-256-gcm",
        kdf={"name": "scrypt", **_SCRYPT, "salt": base64.b64encode(salt).decode("ascii")},
        check=base64.b64encode(Codec(key).seal(_CHECK_TEXT, b"check")).decode("ascii"),
    )
    return doc


def open_folder(folder_file: Path, passphrase: str | None) -> Codec:
    """The codec of the folder described by `folder_file`, creating it on first use.

    SyncError (with a sentence) when the folder is encrypted and no or a wrong passphrase
    is given, when a passphrase is given for a plaintext folder, or when it is unreadable.
    """
    from app.core.regular_files import write_file_atomically

    where = folder_file.parent.parent
    if not folder_file.exists():
        doc = _new_folder_doc(passphrase)
        try:
            write_file_atomically(folder_file, json.dumps(doc, indent=1).encode(), replace=False)
        except OSError as exc:
            raise SyncError(
                f"Could not set up the sync folder {where}: {exc.strerror or exc}. "
                "Check that it exists and that you can write to it."
            ) from exc
    try:
        doc = json.loads(folder_file.read_bytes())
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not a Parley sync folder")
    except (OSError, ValueError) as exc:
        raise SyncError(
            f"The sync folder {where} has an unreadable {folder_file.name} ({exc}). "
            "Wait until the sync tool has finished copying it, or choose another folder."
        ) from exc
    if not isinstance(doc.get("version"), int) or doc["version"] > VERSION:
        raise SyncError(
            f"The sync folder {where} was set up by a newer Parley. Upgrade Parley on this "
            "computer to sync with it."
        )
    if doc.get("encryption") == "none":
        if passphrase is not None:
            raise SyncError(
                f"The sync folder {where} is not encrypted, but a sync passphrase is set. "
                "Remove the passphrase to sync with it, or choose an empty folder to start "
                "an encrypted one."
            )
        return Codec(None)
    if passphrase is None:
        raise SyncError(
            f"The sync folder {where} is encrypted. Enter its passphrase in Settings > Sync "
            "or set $PARLEY_SYNC_PASSPHRASE; nothing was imported."
        )
    try:
        kdf = doc["kdf"]
        salt = base64.b64decode(kdf["salt"])
        params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
        check = base64.b64decode(doc["check"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError(
            f"The sync folder {where} has a damaged {folder_file.name}: its key settings "
            "cannot be read. Restore that file from another computer's sync folder."
        ) from exc
    codec = Codec(_derive(passphrase, salt, params))
    try:
        if codec.open(check, b"check") != _CHECK_TEXT:
            raise Unreadable("check text differs")
    except Unreadable:
        raise SyncError(
            f"The sync passphrase is wrong for the folder {where}: nothing was imported. "
            "Enter the passphrase used on your other computers."
        ) from None
    return codec
