"""Storage tests on real SQLite files: round trips, ordering, durability, migrations, damage."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.domain import MessageStatus, Role, Usage
from app.core.errors import DatabaseDamagedError, StorageError
from app.core.history import INTERRUPTED_ERROR, MIGRATIONS, Migration, Store, migrations


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as s:
        yield s


def _tick() -> None:
    # time.time() can repeat within a fast test on coarse clocks; ordering needs it to move.
    time.sleep(0.002)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# A hypothetical next migration, appended to the real ones.
NEXT = len(MIGRATIONS) + 1


def _v2(sql: str = "ALTER TABLE conversations ADD COLUMN test_flag INTEGER NOT NULL DEFAULT 0"):
    return (*MIGRATIONS, Migration(NEXT, "add test flag", sql))


# ---------------------------------------------------------------- conversations


def test_create_and_get_conversation(store: Store) -> None:
    conv = store.create_conversation("  Trip\nplanning  ", model="openai/gpt-4o")
    assert conv.title == "Trip planning"
    assert conv.model == "openai/gpt-4o"
    assert conv.message_count == 0
    assert conv.created_at == conv.updated_at
    got = store.get_conversation(conv.id)
    assert got == conv
    assert store.get_conversation(9999) is None
    assert store.create_conversation().title == "New chat"


def test_list_orders_by_activity_and_counts(store: Store) -> None:
    a = store.create_conversation("a")
    _tick()
    b = store.create_conversation("b")
    _tick()
    c = store.create_conversation("c")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]

    _tick()
    store.add_message(a.id, Role.USER, "hello")
    _tick()
    store.add_message(a.id, Role.ASSISTANT, "hi")
    listed = store.list_conversations()
    assert [x.title for x in listed] == ["a", "c", "b"]
    assert [x.message_count for x in listed] == [2, 0, 0]

    # A streaming update counts as activity too.
    _tick()
    m = store.add_message(b.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    _tick()
    store.add_message(c.id, Role.USER, "later")
    _tick()
    store.update_message(m.id, content="chunk")
    assert [x.title for x in store.list_conversations()] == ["b", "c", "a"]

    assert [x.title for x in store.list_conversations(limit=2)] == ["b", "c"]
    assert [x.title for x in store.list_conversations(limit=2, offset=1)] == ["c", "a"]
    assert [x.title for x in store.list_conversations(offset=2)] == ["a"]


def test_rename_and_set_model(store: Store) -> None:
    conv = store.create_conversation("old")
    _tick()
    other = store.create_conversation("other")
    store.rename_conversation(conv.id, "  new   name ")
    store.set_conversation_model(conv.id, "anthropic/claude-sonnet-4")
    got = store.get_conversation(conv.id)
    assert got is not None
    assert got.title == "new name"
    assert got.model == "anthropic/claude-sonnet-4"
    # Renaming is not activity: the order stays.
    assert [x.id for x in store.list_conversations()] == [other.id, conv.id]

    store.rename_conversation(conv.id, "   ")
    store.set_conversation_model(conv.id, None)
    got = store.get_conversation(conv.id)
    assert got is not None
    assert got.title == "Untitled"
    assert got.model is None

    with pytest.raises(StorageError, match="does not exist"):
        store.rename_conversation(9999, "x")
    with pytest.raises(StorageError, match="does not exist"):
        store.set_conversation_model(9999, "x")


def test_delete_cascades(store: Store, db_path: Path) -> None:
    keep = store.create_conversation("keep")
    store.add_message(keep.id, Role.USER, "stay")
    gone = store.create_conversation("gone")
    first = store.add_message(gone.id, Role.USER, "q")
    reply = store.add_message(gone.id, Role.ASSISTANT, "a", parent_id=first.id)
    store.add_message(gone.id, Role.USER, "q2", parent_id=reply.id)

    store.delete_conversation(gone.id)
    store.delete_conversation(gone.id)  # deleting twice is harmless

    assert store.get_conversation(gone.id) is None
    assert store.get_messages(gone.id) == []
    assert store.get_message(first.id) is None
    assert [c.id for c in store.list_conversations()] == [keep.id]
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    finally:
        raw.close()


# ---------------------------------------------------------------- messages


def test_message_round_trip_every_field(store: Store) -> None:
    conv = store.create_conversation()
    system = store.add_message(conv.id, Role.SYSTEM, "Be brief.")
    user = store.add_message(conv.id, Role.USER, "Héllo 👋 'quotes' \"and\" ;", parent_id=system.id)
    reply = store.add_message(
        conv.id,
        Role.ASSISTANT,
        "",
        status=MessageStatus.STREAMING,
        model="openrouter/auto",
        parent_id=user.id,
    )
    assert reply.status is MessageStatus.STREAMING
    assert store.get_message(reply.id) == reply

    usage = Usage(
        prompt_tokens=12,
        completion_tokens=34,
        total_tokens=46,
        cost=0.000123,
        cached_tokens=5,
        reasoning_tokens=7,
    )
    extra = {
        "annotations": [{"type": "url_citation", "url": "https://example.com"}],
        "tool_calls": [],
        "nested": {"ünïcode": "✓", "n": 1.5, "none": None},
    }
    store.update_message(
        reply.id,
        content="The answer.",
        status=MessageStatus.COMPLETE,
        reasoning="Thinking about it…",
        model="openai/gpt-4o-2024-08-06",
        provider="OpenAI",
        finish_reason="stop",
        usage=usage,
        error="none really",
        generation_id="gen-123",
        extra=extra,
    )
    got = store.get_message(reply.id)
    assert got is not None
    assert got.id == reply.id
    assert got.conversation_id == conv.id
    assert got.parent_id == user.id
    assert got.role is Role.ASSISTANT
    assert got.content == "The answer."
    assert got.status is MessageStatus.COMPLETE
    assert got.reasoning == "Thinking about it…"
    assert got.model == "openai/gpt-4o-2024-08-06"
    assert got.provider == "OpenAI"
    assert got.finish_reason == "stop"
    assert got.usage == usage
    assert got.error == "none really"
    assert got.generation_id == "gen-123"
    assert got.extra == extra
    assert got.created_at == reply.created_at
    assert got.updated_at >= reply.updated_at

    messages = store.get_messages(conv.id)
    assert [m.id for m in messages] == [system.id, user.id, reply.id]
    assert messages[1].content == "Héllo 👋 'quotes' \"and\" ;"
    assert messages[1].usage is None
    assert messages[1].extra == {}
    assert messages[1].reasoning == ""
    assert messages[2] == got


def test_usage_without_cost_and_zero_usage(store: Store) -> None:
    conv = store.create_conversation()
    m = store.add_message(conv.id, Role.ASSISTANT, "x")
    store.update_message(m.id, usage=Usage(prompt_tokens=1, completion_tokens=2, total_tokens=3))
    got = store.get_message(m.id)
    assert got is not None
    assert got.usage == Usage(1, 2, 3, None, 0, 0)
    store.update_message(m.id, usage=Usage())
    got = store.get_message(m.id)
    assert got is not None
    assert got.usage == Usage()  # reported as zero is not the same as not reported


@pytest.mark.parametrize("status", list(MessageStatus))
def test_every_status_round_trips(store: Store, status: MessageStatus) -> None:
    conv = store.create_conversation()
    m = store.add_message(conv.id, Role.ASSISTANT, "t", status=status)
    got = store.get_message(m.id)
    assert got is not None
    assert got.status is status
    store.update_message(m.id, status=status)
    got = store.get_message(m.id)
    assert got is not None
    assert got.status is status


def test_update_only_changes_given_fields(store: Store) -> None:
    conv = store.create_conversation()
    m = store.add_message(conv.id, Role.ASSISTANT, "start", model="m1")
    store.update_message(m.id, provider="P", error="boom", extra={"a": 1})
    store.update_message(m.id, content="more")
    got = store.get_message(m.id)
    assert got is not None
    assert (got.content, got.model, got.provider, got.error, got.extra) == (
        "more",
        "m1",
        "P",
        "boom",
        {"a": 1},
    )
    store.update_message(m.id)  # nothing to change: no write, no error
    with pytest.raises(StorageError, match="does not exist"):
        store.update_message(9999, content="x")


def test_streaming_updates_keep_latest_content(store: Store, db_path: Path) -> None:
    conv = store.create_conversation()
    user = store.add_message(conv.id, Role.USER, "Tell me a story")
    reply = store.add_message(
        conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING, parent_id=user.id
    )
    text = ""
    for i in range(200):
        text += f"word{i} "
        store.update_message(reply.id, content=text)
    got = store.get_message(reply.id)
    assert got is not None
    assert got.content == text
    assert got.status is MessageStatus.STREAMING
    # Committed: another connection (another process) sees the latest text.
    raw = sqlite3.connect(db_path)
    try:
        row = raw.execute("SELECT content FROM messages WHERE id = ?", (reply.id,)).fetchone()
    finally:
        raw.close()
    assert row[0] == text


def test_add_message_is_committed_before_returning(store: Store, db_path: Path) -> None:
    conv = store.create_conversation()
    m = store.add_message(conv.id, Role.USER, "on disk first")
    raw = sqlite3.connect(db_path)
    try:
        row = raw.execute("SELECT content FROM messages WHERE id = ?", (m.id,)).fetchone()
    finally:
        raw.close()
    assert row == ("on disk first",)


def test_add_message_to_missing_conversation_fails_loudly(store: Store) -> None:
    with pytest.raises(StorageError, match="conversation 4242 does not exist"):
        store.add_message(4242, Role.USER, "lost?")
    assert store.list_conversations() == []


def test_parent_must_be_in_same_conversation(store: Store) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    m = store.add_message(a.id, Role.USER, "a")
    with pytest.raises(StorageError, match="another conversation"):
        store.add_message(b.id, Role.USER, "b", parent_id=m.id)
    with pytest.raises(StorageError):
        store.add_message(a.id, Role.USER, "b", parent_id=99999)


def test_unserializable_extra_raises(store: Store) -> None:
    conv = store.create_conversation()
    m = store.add_message(conv.id, Role.ASSISTANT, "x")
    with pytest.raises(StorageError, match="JSON"):
        store.update_message(m.id, extra={"bad": object()})
    got = store.get_message(m.id)
    assert got is not None
    assert got.extra == {}


def test_mark_interrupted_streams(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation()
        done = s.add_message(conv.id, Role.ASSISTANT, "done")
        s1 = s.add_message(conv.id, Role.ASSISTANT, "partial one", status=MessageStatus.STREAMING)
        s2 = s.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        stopped = s.add_message(conv.id, Role.ASSISTANT, "x", status=MessageStatus.STOPPED)
    # The process "died"; next start-up:
    with Store.open(db_path) as s:
        assert s.mark_interrupted_streams() == 2
        assert s.mark_interrupted_streams() == 0
        by_id = {m.id: m for m in s.get_messages(conv.id)}
    assert by_id[s1.id].status is MessageStatus.STOPPED
    assert by_id[s1.id].content == "partial one"
    assert by_id[s1.id].error == INTERRUPTED_ERROR
    assert by_id[s2.id].status is MessageStatus.STOPPED
    assert by_id[done.id].status is MessageStatus.COMPLETE
    assert by_id[done.id].error is None
    assert by_id[stopped.id].error is None


# ---------------------------------------------------------------- connection and durability


def test_pragmas(store: Store) -> None:
    conn = store._conn
    assert conn is not None
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert store.schema_version == len(MIGRATIONS)
    assert store.check_integrity() == []


def test_schema_migrations_table_records_history(store: Store, db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    try:
        rows = raw.execute("SELECT version, name FROM schema_migrations").fetchall()
        assert rows == [(m.version, m.name) for m in MIGRATIONS]
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        raw.close()


def test_reopen_sees_everything(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation("durable", model="m")
        user = s.add_message(conv.id, Role.USER, "q")
        reply = s.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        s.update_message(
            reply.id,
            content="answer",
            status=MessageStatus.COMPLETE,
            usage=Usage(1, 2, 3, 0.5, 0, 0),
            extra={"k": ["v"]},
        )
        before = s.export_conversations()
    with Store.open(db_path) as s:
        after = s.export_conversations()
    assert after == before
    ((got_conv, got_messages),) = after
    assert got_conv.title == "durable"
    assert got_conv.message_count == 2
    assert [m.id for m in got_messages] == [user.id, reply.id]
    assert got_messages[1].content == "answer"
    # A clean close leaves a single self-contained file.
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_use_after_close_raises(db_path: Path) -> None:
    s = Store.open(db_path)
    s.close()
    s.close()
    with pytest.raises(StorageError, match="closed"):
        s.list_conversations()


def test_export_conversations(store: Store) -> None:
    a = store.create_conversation("a")
    store.add_message(a.id, Role.USER, "1")
    _tick()
    b = store.create_conversation("b")
    store.add_message(b.id, Role.USER, "2")
    store.add_message(b.id, Role.ASSISTANT, "3")
    everything = store.export_conversations()
    assert [(c.title, [m.content for m in ms]) for c, ms in everything] == [
        ("b", ["2", "3"]),
        ("a", ["1"]),
    ]
    chosen = store.export_conversations([a.id, b.id])
    assert [c.title for c, _ in chosen] == ["a", "b"]
    assert store.export_conversations([]) == []
    with pytest.raises(StorageError, match="777"):
        store.export_conversations([a.id, 777])
    # The store stays usable after a failed export.
    store.add_message(a.id, Role.USER, "still fine")


def test_backup_to(store: Store, tmp_path: Path) -> None:
    conv = store.create_conversation("backed up")
    store.add_message(conv.id, Role.USER, "precious")
    dest = tmp_path / "elsewhere" / "copy.sqlite3"
    store.backup_to(dest)
    store.add_message(conv.id, Role.USER, "after the backup")

    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.sqlite3"]
    with Store.open(dest) as copy:
        ((got_conv, messages),) = copy.export_conversations()
        assert got_conv.title == "backed up"
        assert [m.content for m in messages] == ["precious"]
    with pytest.raises(StorageError, match="onto itself"):
        store.backup_to(store.path)


# ---------------------------------------------------------------- migrations


def test_new_database_is_not_backed_up(db_path: Path) -> None:
    with Store.open(db_path, migrations=_v2()) as s:
        assert s.schema_version == NEXT
    assert not (db_path.parent / "backups").exists()


def test_migration_backs_up_first(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation("old data")
        s.add_message(conv.id, Role.USER, "from v1")

    with Store.open(db_path, migrations=_v2()) as s:
        assert s.schema_version == NEXT
        assert [c.title for c in s.list_conversations()] == ["old data"]

    backups = list((db_path.parent / "backups").iterdir())
    assert len(backups) == 1
    backup = backups[0]
    assert backup.name.startswith(f"history.sqlite3.before-v{NEXT}-")
    assert backup.name.endswith(".bak")
    raw = sqlite3.connect(backup)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == NEXT - 1
        assert raw.execute("SELECT content FROM messages").fetchall() == [("from v1",)]
        columns = [r[1] for r in raw.execute("PRAGMA table_info(conversations)")]
        assert "test_flag" not in columns
    finally:
        raw.close()

    raw = sqlite3.connect(db_path)
    try:
        columns = [r[1] for r in raw.execute("PRAGMA table_info(conversations)")]
        assert "test_flag" in columns
        assert raw.execute("SELECT version, name FROM schema_migrations").fetchall() == [
            *((m.version, m.name) for m in MIGRATIONS),
            (NEXT, "add test flag"),
        ]
    finally:
        raw.close()

    # Already migrated: no second backup.
    with Store.open(db_path, migrations=_v2()):
        pass
    assert len(list((db_path.parent / "backups").iterdir())) == 1


def test_failing_migration_rolls_back(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation("keep me")
        s.add_message(conv.id, Role.USER, "safe")

    # The first statement succeeds, the second fails: the whole migration must vanish.
    bad = _v2(
        "ALTER TABLE conversations ADD COLUMN test_flag INTEGER;\n"
        "UPDATE conversations SET title = 'clobbered';\n"
        "CREATE TABLE broken (;"
    )
    with pytest.raises(StorageError) as info:
        Store.open(db_path, migrations=bad)
    message = str(info.value)
    assert f"version {NEXT}" in message
    assert "rolled back" in message
    (backup,) = (db_path.parent / "backups").iterdir()
    assert str(backup) in message

    with Store.open(db_path) as s:
        assert s.schema_version == NEXT - 1
        ((got, messages),) = s.export_conversations()
        assert got.title == "keep me"
        assert [m.content for m in messages] == ["safe"]
    raw = sqlite3.connect(db_path)
    try:
        columns = [r[1] for r in raw.execute("PRAGMA table_info(conversations)")]
    finally:
        raw.close()
    assert "test_flag" not in columns


def test_migration_breaking_foreign_keys_is_refused(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation()
        s.add_message(conv.id, Role.USER, "orphan me")
    with pytest.raises(StorageError, match="foreign key"):
        Store.open(db_path, migrations=_v2("DELETE FROM conversations"))
    with Store.open(db_path) as s:
        assert len(s.export_conversations()[0][1]) == 1


def test_database_from_the_future_is_refused_untouched(db_path: Path) -> None:
    with Store.open(db_path, migrations=_v2()) as s:
        s.create_conversation("from the future")
    before = _snapshot(db_path.parent)

    with pytest.raises(StorageError, match="Upgrade Parley") as info:
        Store.open(db_path)
    assert not isinstance(info.value, DatabaseDamagedError)
    assert str(db_path) in str(info.value)
    assert _snapshot(db_path.parent) == before
    assert not (db_path.parent / "backups").exists()


def test_bad_migration_list_is_a_programming_error(db_path: Path) -> None:
    with pytest.raises(ValueError, match="count up"):
        Store.open(db_path, migrations=(Migration(2, "skipped one", "SELECT 1"),))


def test_sql_splitter_keeps_triggers_and_strings_whole() -> None:
    script = """
    CREATE TABLE t (x TEXT); -- trailing; comment
    INSERT INTO t VALUES ('a;b');
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET x = x || ';' WHERE rowid = NEW.rowid;
    END;
    """
    statements = migrations._split_sql(script)
    assert len(statements) == 3  # the comment after the first ';' rides with the second
    conn = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO t VALUES ('c')")
        assert conn.execute("SELECT x FROM t").fetchall() == [("a;b",), ("c;",)]
    finally:
        conn.close()


# ---------------------------------------------------------------- damaged and foreign files


def test_garbage_file_is_refused_and_untouched(db_path: Path) -> None:
    garbage = b"this is not a database, it is a shopping list\n" * 100
    db_path.write_bytes(garbage)
    with pytest.raises(DatabaseDamagedError) as info:
        Store.open(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert "backups" in message
    assert "move" in message
    assert db_path.read_bytes() == garbage
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_corrupt_database_is_refused_and_untouched(db_path: Path) -> None:
    with Store.open(db_path) as s:
        s.create_conversation("soon damaged")
    data = bytearray(db_path.read_bytes())
    # Scribble over the schema table on page 1, past the 100-byte file header.
    data[100:600] = b"\xff" * 500
    db_path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamagedError, match="damaged"):
        Store.open(db_path)
    assert db_path.read_bytes() == bytes(data)


def test_foreign_sqlite_database_is_refused(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE recipes (name TEXT)")
    raw.commit()
    raw.close()
    before = db_path.read_bytes()
    with pytest.raises(StorageError, match="not one made by Parley"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def _open_in_unwritable_folder() -> str:
    """Try to open a history in a folder this user may not write to; what Parley said."""
    base = Path(tempfile.mkdtemp(prefix="parley-ro-"))
    try:
        # The same user can make a history next door: only the permission differs.
        Store.open(base / "ok" / "history.sqlite3").close()
        folder = base / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            Store.open(folder / "history.sqlite3").close()
        except StorageError as exc:
            return f"StorageError: {exc}"
        finally:
            folder.chmod(0o700)
        return "opened"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_unprivileged_user(fn: Callable[[], str]) -> str:
    """Run `fn` in a forked child that has dropped root for the user "nobody"."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, fn().encode())
            status = 0
        except BaseException as exc:
            with contextlib.suppress(BaseException):
                os.write(write_end, f"child failed: {exc!r}".encode())
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read().decode()
    os.waitpid(pid, 0)
    return said


def test_unwritable_location_raises_storage_error() -> None:
    if not hasattr(os, "geteuid"):
        if os.environ.get("CI") == "true":
            pytest.fail("no POSIX permissions to test an unwritable folder with")
        pytest.skip("needs POSIX permissions")
    # Root may write anywhere: drop to an unprivileged user so that the check is real.
    said = (
        _as_unprivileged_user(_open_in_unwritable_folder)
        if os.geteuid() == 0
        else _open_in_unwritable_folder()
    )
    # The message names the folder and the way out, not SQLite's "unable to open".
    assert said.startswith("StorageError: Parley cannot write to "), said
    assert "check its permissions" in said and "PARLEY_HOME" in said


def test_directory_instead_of_file_raises_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="Could not"):
        Store.open(tmp_path)


def test_core_storage_does_not_import_qt() -> None:
    code = "import sys, app.core.history.store; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_an_attachment_reads_back_as_it_was_stored(store: Store) -> None:
    from app.core.domain import Attachment, AttachmentKind

    photo = Attachment(sha256="a" * 64, name="photo.png", mime="image/png", size=1234,
                       kind=AttachmentKind.IMAGE, sent_sha256="b" * 64, width=640, height=480)
    paper = Attachment(sha256="c" * 64, name="paper.pdf", mime="application/pdf", size=99,
                       kind=AttachmentKind.PDF, pages=3)
    conv = store.create_conversation("files")
    store.add_message(conv.id, Role.USER, "look", attachments=[photo, paper])
    (prompt,) = store.get_thread(conv.id)
    assert prompt.attachments == [photo, paper]


def test_the_branch_shown_is_remembered_and_moves_when_it_is_deleted(store: Store) -> None:
    conv = store.create_conversation("branches")
    prompt = store.add_message(conv.id, Role.USER, "q")
    first = store.add_message(conv.id, Role.ASSISTANT, "one", model="m/first")
    second = store.new_reply_sibling(first.id)
    # Regenerating without naming a model keeps the reply's model.
    assert second.model == "m/first"
    store.select_branch(first.id)
    got = store.get_conversation(conv.id)
    assert got is not None and got.active_leaf_id == first.id
    store.delete_message(first.id)
    assert [m.id for m in store.get_thread(conv.id)] == [prompt.id, second.id]
    got = store.get_conversation(conv.id)
    assert got is not None and got.active_leaf_id == second.id
