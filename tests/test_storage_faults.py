"""Storage faults met for real: damaged files, a read-only data folder, a full disk.

Each runs the real `parley` command (and the window's start path) in a child process and
expects one clear paragraph, exit status 1, no traceback, and the history file untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.domain import Role
from app.core.errors import StorageError
from app.core.history import Store

REPO = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))

#: the window's start path with its fatal dialog replaced by printing the dialog's text
WINDOW_START = (
    "import sys, app.main as m\n"
    "m._fatal = lambda title, text: (print(title), print(text), 1)[2]\n"
    "sys.exit(m.run_gui())\n"
)


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI must be able to run this fault test)")
    pytest.skip(reason)


def _make_history(home: Path, chats: int = 50) -> Path:
    path = home / "history.sqlite3"
    with Store.open(path) as store:
        conv = store.create_conversation("Kept safe")
        store.add_message(conv.id, Role.USER, "hello " * 200)
        for i in range(chats):
            other = store.create_conversation(f"chat {i}")
            store.add_message(other.id, Role.USER, f"message {i} " * 500)
    return path


def _digest(path: Path) -> str | None:
    """The file's hash; None when there is no file (and none may appear)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _unprivileged_prefix() -> list[str]:
    """Run a child without root's power to ignore file permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        _skip_or_fail("running as root and setpriv is not installed to drop privileges")
    # Root without capabilities obeys file permissions like any user.
    return [str(setpriv), "--bounding-set=-all", "--inh-caps=-all"]


def _run(home: Path, args: list[str], prefix: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env["PARLEY_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([*prefix, sys.executable, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@contextlib.contextmanager
def _tiny_disk(where: Path) -> Iterator[Path]:
    """A 1 MB tmpfs: a real file system that fills up."""
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        _skip_or_fail("a full disk needs root to mount a small tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        _skip_or_fail(f"this sandbox does not allow mounting a tmpfs: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> None:
    """Write until the file system says it is full."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb", buffering=0) as fh:
        while True:
            fh.write(b"\0" * 4096)


FAULTS = ["random-bytes", "truncated", "read-only-folder", "read-only-new-folder", "full-disk"]


@pytest.fixture(params=FAULTS)
def fault(request: Any, tmp_path: Path) -> Iterator[tuple[str, Path, list[str], list[str]]]:
    """(name, data folder, child prefix, words the message must contain)."""
    name = request.param
    prefix: list[str] = []
    if name == "full-disk":
        with _tiny_disk(tmp_path / "disk") as home:
            _make_history(home, chats=0)
            _fill(home)
            yield name, home, prefix, [f"The disk holding {home} is full", "free some space"]
        return
    home = tmp_path / "home"
    home.mkdir()
    db = _make_history(home)
    if name == "read-only-new-folder":  # SQLite cannot even create the file
        db.unlink()
        prefix = _unprivileged_prefix()
        home.chmod(0o555)
        words = [f"Parley cannot write to {home}", "check its permissions"]
    elif name == "random-bytes":
        db.write_bytes(os.urandom(64 * 1024))
        words = ["is damaged or is not a SQLite database", "Parley has not changed it"]
    elif name == "truncated":
        with open(db, "r+b") as fh:
            fh.truncate(db.stat().st_size // 3)
        words = ["is damaged or is not a SQLite database", "Parley has not changed it"]
    else:
        prefix = _unprivileged_prefix()
        home.chmod(0o555)
        db.chmod(0o444)
        words = [f"Parley cannot write to {home}", "check its permissions"]
    try:
        yield name, home, prefix, words
    finally:
        home.chmod(0o755)


def test_cli_reports_storage_faults_in_one_paragraph(
    fault: tuple[str, Path, list[str], list[str]]
) -> None:
    _name, home, prefix, words = fault
    db = home / "history.sqlite3"
    before = _digest(db)
    result = _run(home, ["-m", "app", "search", "hello"], prefix)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("parley: ")
    assert len(lines) <= 2, result.stderr  # the sentence, and at most a hint under it
    for word in words:
        assert word in lines[0]
    assert "disk I/O error" not in lines[0].split("(")[0]
    assert _digest(db) == before


def test_window_says_what_is_wrong_instead_of_crashing(
    fault: tuple[str, Path, list[str], list[str]]
) -> None:
    _name, home, prefix, words = fault
    db = home / "history.sqlite3"
    before = _digest(db)
    result = _run(home, ["-c", WINDOW_START], prefix)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    title, _, text = result.stdout.partition("\n")
    assert title == "History could not be opened"
    for word in words:
        assert word in text
    assert "No backup was found" in text
    assert _digest(db) == before


def test_a_full_disk_while_parley_runs_names_the_disk(tmp_path: Path) -> None:
    with _tiny_disk(tmp_path / "disk") as home, Store.open(home / "history.sqlite3") as store:
        conv = store.create_conversation("Filling")
        _fill(home)
        with pytest.raises(StorageError, match=f"The disk holding {home} is full"):
            store.add_message(conv.id, Role.USER, "x" * 65536)
