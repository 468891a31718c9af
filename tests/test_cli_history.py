"""`parley search / import / export / backup / restore / prompts` as real subprocesses."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.domain import Role
from app.core.history import MIGRATIONS, Store
from tests.test_import_export import chatgpt_sample

ROOT = Path(__file__).resolve().parents[1]


def parley(*args: str, env: dict[str, str], stdin: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


@pytest.fixture
def env(isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


def _seed(home: Path) -> None:
    with Store.open(home / "history.sqlite3") as s:
        conv = s.create_conversation("Garden notes")
        s.add_message(conv.id, Role.USER, "When should I prune the apple tree?")
        s.add_message(conv.id, Role.ASSISTANT, "Prune apple trees in late winter.")


def test_search_prints_bracketed_snippets(env: dict[str, str], isolated_home: Path) -> None:
    _seed(isolated_home)
    res = parley("search", "apple", env=env)
    assert res.returncode == 0, res.stderr
    assert "Garden notes" in res.stdout
    assert "[apple]" in res.stdout and "user" in res.stdout and "assistant" in res.stdout
    res = parley("search", 'foo"bar OR (', env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "No matches.\n"
    res = parley("search", "prun*", "--limit", "1", env=env)
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 2  # one hit: its heading and its snippet


def test_import_and_export(env: dict[str, str], isolated_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "conversations.json"
    f.write_text(json.dumps(chatgpt_sample()))
    res = parley("import", str(f), env=env)
    assert res.returncode == 0, res.stderr
    assert "1 new conversation(s), 5 new message(s)" in res.stdout
    res = parley("import", str(f), "--format", "chatgpt", env=env)
    assert "0 new conversation(s), 0 new message(s)" in res.stdout
    assert "5 message(s) were already here" in res.stdout

    exported = parley("export", env=env)
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(exported.stdout)
    assert doc["version"] == 2 and len(doc["conversations"][0]["messages"]) == 5
    md = parley("export", "--format", "md", env=env)
    assert "Only the branch shown" in md.stdout

    (tmp_path / "bad.json").write_text("{ nope")
    res = parley("import", str(tmp_path / "bad.json"), env=env)
    assert res.returncode == 1
    assert "not valid JSON" in res.stderr and "Nothing was imported" in res.stderr


def test_backup_and_restore(env: dict[str, str], isolated_home: Path, tmp_path: Path) -> None:
    _seed(isolated_home)
    res = parley("backup", env=env)
    assert res.returncode == 0, res.stderr
    default = Path(res.stdout.strip())
    assert default.parent == isolated_home / "backups"
    assert default.name.startswith("parley-") and default.suffix == ".sqlite3"
    chosen = tmp_path / "mine.sqlite3"
    assert parley("backup", str(chosen), env=env).stdout.strip() == str(chosen)

    from app.core.history.backups import check_backup, latest_backup

    assert check_backup(chosen) == len(MIGRATIONS)
    assert latest_backup(isolated_home) == default

    with Store.open(isolated_home / "history.sqlite3") as s:
        s.create_conversation("made after the backup")
    res = parley("restore", str(chosen), env=env)
    assert res.returncode == 0, res.stderr
    assert "previous database was moved to" in res.stdout
    with Store.open(isolated_home / "history.sqlite3") as s:
        assert [c.title for c in s.list_conversations()] == ["Garden notes"]
    moved = [p for p in (isolated_home / "backups").iterdir() if "before-restore" in p.name]
    assert len(moved) == 1
    raw = sqlite3.connect(moved[0])
    try:
        assert raw.execute("SELECT count(*) FROM conversations").fetchone()[0] == 2
    finally:
        raw.close()

    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    res = parley("restore", str(junk), env=env)
    assert res.returncode == 1
    assert "parley:" in res.stderr
    with Store.open(isolated_home / "history.sqlite3") as s:
        assert [c.title for c in s.list_conversations()] == ["Garden notes"]


def test_prompts_commands(env: dict[str, str]) -> None:
    res = parley("prompts", "add", "--title", "Summarize", "--tags", "work,daily", "-",
                 env=env, stdin="Summarize {{ text }} in {{n}} bullets.\n")
    assert res.returncode == 0, res.stderr
    assert "Added prompt 1: Summarize" in res.stdout
    res = parley("prompts", "add", "--title", "Pirate", "--system", "Talk like a pirate.",
                 env=env)
    assert res.returncode == 0, res.stderr
    listed = parley("prompts", "list", env=env).stdout
    assert "Pirate" in listed and "Summarize  [work, daily]" in listed
    only = parley("prompts", "list", "--search", "pirate", env=env).stdout
    assert "Pirate" in only and "Summarize" not in only
    shown = parley("prompts", "show", "summarize", env=env)
    assert shown.returncode == 0
    assert "variables: text, n" in shown.stdout
    assert "Summarize {{ text }} in {{n}} bullets." in shown.stdout
    assert "system prompt" in parley("prompts", "show", "2", env=env).stdout
    missing = parley("prompts", "show", "nope", env=env)
    assert missing.returncode == 2 and "no prompt" in missing.stderr
