"""Exercise KeyStore against a real Secret Service and print one JSON line with the results.

Run by tests/test_secret_service.py inside a private D-Bus session with a throw-away
gnome-keyring-daemon and a temporary HOME; never run it against your own session, it
writes and deletes an item under service "parley".
"""

from __future__ import annotations

import json
import os
import secrets as random_source
import sys
import traceback
from pathlib import Path
from typing import Any

import keyring
import secretstorage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.secrets import DEFAULT_ACCOUNT, SERVICE, KeyStore, backend_info, mask_key


def _items(key: str) -> list[dict[str, Any]]:
    """What the Secret Service itself holds for Parley, read without keyring."""
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        found = []
        for item in collection.search_items({"service": SERVICE, "username": DEFAULT_ACCOUNT}):
            found.append(
                {
                    "label": item.get_label(),
                    "attributes": item.get_attributes(),
                    "secret_matches": item.get_secret() == key.encode(),
                }
            )
        return found
    finally:
        connection.close()


def _files_containing(root: Path, needle: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                hits.append(str(path.relative_to(root)))
        except OSError:
            continue
    return hits


def _cli_round_trip() -> dict[str, Any]:
    """`parley key set/status/delete` as a user runs them, against the same keychain."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    key = "test-key-" + random_source.token_hex(16)

    def parley(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args], input=stdin, capture_output=True,
            text=True, cwd=root, timeout=60, check=False,
        )

    set_run = parley("key", "set", stdin=key + "\n")
    stored = KeyStore().get_key() == key
    status = parley("key", "status")
    delete = parley("key", "delete")
    return {
        "set_rc": set_run.returncode,
        "stored": stored,
        "status_rc": status.returncode,
        "status_names_keychain": "Secret Service" in status.stdout,
        "status_shows_mask": mask_key(key) in status.stdout,
        "leaks": any(key in r.stdout + r.stderr for r in (set_run, status, delete)),
        "delete_rc": delete.returncode,
        "gone": KeyStore().get_key() is None,
    }


def main() -> int:
    result: dict[str, Any] = {"ok": False, "env_key_set": "OPENROUTER_API_KEY" in os.environ}
    key = "test-key-" + random_source.token_hex(16)
    result["masked"] = mask_key(key)
    try:
        result["keyring_backend"] = f"{type(keyring.get_keyring()).__module__}"
        info = backend_info()
        result["backend"] = {"name": info.name, "secure": info.secure, "problem": info.problem}

        store = KeyStore()
        result["before"] = {"get": store.get_key(), "source": store.source()}

        store.set_key(key)
        got = store.get_key()
        status = store.status()
        result["after_set"] = {
            "round_trip": got == key,
            "source": store.source(),
            "status_source": status.source,
            "status_masked": status.masked,
            "describe_leaks": key in status.describe() or key in repr(status),
            "items": _items(key),
            "plaintext_files": _files_containing(Path.home(), key.encode()),
        }

        result["after_delete"] = {
            "deleted": store.delete_key(),
            "get": store.get_key(),
            "source": store.source(),
            "deleted_again": store.delete_key(),
            "items": _items(key),
        }
        result["cli"] = _cli_round_trip()
        result["ok"] = True
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    line = json.dumps(result)
    if key in line:  # never print the key, even in a test
        line = json.dumps({"ok": False, "error": "probe output contained the key"})
    print(line)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
