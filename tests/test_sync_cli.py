"""`parley sync` as real subprocesses: two data folders sharing one sync folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.domain import Role
from app.core.history import Store

ROOT = Path(__file__).resolve().parents[1]


def parley(*args: str, home: Path, passphrase: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PARLEY_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("PARLEY_SYNC_PASSPHRASE", None)
    if passphrase is not None:
        env["PARLEY_SYNC_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path, Path]:
    shared = tmp_path / "Syncthing"
    shared.mkdir()
    return tmp_path / "laptop", tmp_path / "desktop", shared


def test_sync_without_a_folder_says_how_to_set_one(homes: tuple[Path, Path, Path]) -> None:
    laptop, _desktop, _shared = homes
    res = parley("sync", home=laptop)
    assert res.returncode == 1
    assert "no sync folder is set" in res.stderr and "--folder" in res.stderr
    res = parley("sync", "status", home=laptop)
    assert res.returncode == 1 and "no sync folder is set" in res.stderr


def test_a_chat_round_trips_between_two_data_folders(homes: tuple[Path, Path, Path]) -> None:
    laptop, desktop, shared = homes
    with Store.open(laptop / "history.sqlite3") as store:
        conv = store.create_conversation("Made on the laptop")
        store.add_message(conv.id, Role.USER, "hello from the laptop")

    res = parley("sync", "--folder", str(shared), home=laptop, passphrase="pw")
    assert res.returncode == 0, res.stderr
    assert "sent 2 change(s)" in res.stdout
    res = parley("sync", "--folder", str(shared), home=desktop, passphrase="pw")
    assert res.returncode == 0, res.stderr
    assert "received 2 change(s)" in res.stdout

    # The folder is remembered: plain `parley sync` from now on.
    with Store.open(desktop / "history.sqlite3") as store:
        [conv] = store.list_conversations()
        store.rename_conversation(conv.id, "Renamed on the desktop")
    assert parley("sync", home=desktop, passphrase="pw").returncode == 0
    assert parley("sync", home=laptop, passphrase="pw").returncode == 0
    out = json.loads(parley("export", home=laptop).stdout)
    assert [c["title"] for c in out["conversations"]] == ["Renamed on the desktop"]

    res = parley("sync", "status", home=laptop, passphrase="pw")
    assert res.returncode == 0, res.stderr
    assert "Devices (2):" in res.stdout and "this computer" in res.stdout
    assert "0 segment(s) pending" in res.stdout


def test_a_wrong_passphrase_exits_1_with_a_sentence(homes: tuple[Path, Path, Path]) -> None:
    laptop, desktop, shared = homes
    assert parley("sync", "--folder", str(shared), home=laptop, passphrase="right").returncode == 0
    res = parley("sync", "--folder", str(shared), home=desktop, passphrase="wrong")
    assert res.returncode == 1
    assert "passphrase is wrong" in res.stderr and "Traceback" not in res.stderr


def test_a_folder_that_does_not_exist_is_refused(homes: tuple[Path, Path, Path]) -> None:
    laptop, _desktop, shared = homes
    res = parley("sync", "--folder", str(shared / "missing"), home=laptop)
    assert res.returncode == 1 and "does not exist" in res.stderr
