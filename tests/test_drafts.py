"""Drafts: the unsent message of each conversation (and of the new chat) is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.core.config import database_path
from app.core.context import AppContext
from app.core.domain import Role
from app.core.history import Store
from app.core.history.drafts import Draft, DraftWriter, get_draft, save_draft
from app.core.history.migrations import MIGRATIONS
from app.main import Parley, build
from tests.conftest import run_in_qt
from tests.fake_openrouter import FakeOpenRouter

# ---- storage ---------------------------------------------------------------------------


def test_a_draft_is_stored_per_conversation_and_for_the_new_chat(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.sqlite3") as store:
        conv = store.create_conversation("Chat")
        save_draft(store, Draft(conv.id, "half a question"))
        save_draft(store, Draft(None, "a new chat's start", ["/tmp/a.png"]))
        save_draft(store, Draft(None, "a new chat's start, edited"))
        assert get_draft(store, conv.id) == Draft(conv.id, "half a question")
        assert get_draft(store, None) == Draft(None, "a new chat's start, edited")
        save_draft(store, Draft(conv.id, "   "))  # nothing left worth keeping
        assert get_draft(store, conv.id) is None
        with store.reading("count") as conn:
            assert conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1


def test_deleting_a_conversation_deletes_its_draft(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.sqlite3") as store:
        kept = store.create_conversation("Kept")
        gone = store.create_conversation("Gone")
        save_draft(store, Draft(kept.id, "stays"))
        save_draft(store, Draft(gone.id, "goes"))
        store.trash_conversation(gone.id)
        assert get_draft(store, gone.id) is not None  # Undo still brings it back
        store.purge_trashed()
        assert get_draft(store, gone.id) is None
        assert get_draft(store, kept.id) == Draft(kept.id, "stays")
        save_draft(store, Draft(gone.id, "typed after the delete"))
        assert get_draft(store, gone.id) is None


def test_the_writer_thread_writes_in_order_and_closes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        conv = store.create_conversation("Chat")
        writer = DraftWriter(path)
        for text in ("h", "he", "hel", "hello"):
            writer.save(Draft(conv.id, text))
        writer.close()
        writer.save(Draft(conv.id, "after close"))  # ignored, never raises
        assert get_draft(store, conv.id) == Draft(conv.id, "hello")


def test_upgrading_to_drafts_keeps_every_conversation(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with Store.open(path, migrations=MIGRATIONS[:7]) as old:
        conv = old.create_conversation("Older chat")
        old.add_message(conv.id, Role.USER, "an old question")
        assert old.schema_version == 7
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert [c.title for c in store.list_conversations()] == ["Older chat"]
        assert [m.content for m in store.get_messages(conv.id)] == ["an old question"]
        assert get_draft(store, conv.id) is None
        save_draft(store, Draft(conv.id, "new"))
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT text FROM drafts").fetchall() == [("new",)]
    finally:
        con.close()


# ---- the window ------------------------------------------------------------------------


def _open(qtbot: Any) -> Parley:
    app = build(AppContext.open())
    app.start()
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    return app


def _close(qtbot: Any, app: Parley) -> None:
    app.window.close()
    run_in_qt(qtbot, app.controller.shutdown())
    app.ctx.store.close()


def _type(qtbot: Any, app: Parley, text: str) -> None:
    qtbot.keyClicks(app.window.composer.edit, text)


def _shown(app: Parley) -> str:
    return app.window.composer.edit.toPlainText()


def test_drafts_follow_the_conversations_and_survive_a_restart(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    with Store.open(database_path()) as store:
        first = store.create_conversation("First")
        second = store.create_conversation("Second")
    app = _open(qtbot)
    _type(qtbot, app, "a new chat, half typed")
    app.controller.open_conversation(first.id)
    assert _shown(app) == ""
    _type(qtbot, app, "about the first")
    app.controller.open_conversation(second.id)
    assert _shown(app) == ""
    app.controller.open_conversation(first.id)
    assert _shown(app) == "about the first"
    app.controller.new_conversation()
    assert _shown(app) == "a new chat, half typed"
    app.controller.open_conversation(first.id)
    _close(qtbot, app)

    again = _open(qtbot)
    # The window comes back on the conversation it showed, with its draft.
    assert again.controller.current is not None and again.controller.current.id == first.id
    assert _shown(again) == "about the first"
    again.controller.new_conversation()
    assert _shown(again) == "a new chat, half typed"
    again.controller.open_conversation(second.id)
    assert _shown(again) == ""
    _close(qtbot, again)


def test_sending_clears_the_draft_it_came_from(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    app = _open(qtbot)
    _type(qtbot, app, "hello there")
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not app.controller.busy, timeout=10000)
    sent_in = app.controller.current
    assert sent_in is not None
    assert _shown(app) == ""
    app.controller.new_conversation()
    assert _shown(app) == ""  # the sent prompt is not left behind as the new chat's draft
    _close(qtbot, app)
    with Store.open(database_path()) as store:
        assert get_draft(store, None) is None
        assert get_draft(store, sent_in.id) is None
        assert next(m.content for m in store.get_messages(sent_in.id)) == "hello there"


def test_a_deleted_conversation_takes_its_draft_along(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    with Store.open(database_path()) as store:
        conv = store.create_conversation("Doomed")
    app = _open(qtbot)
    app.controller.open_conversation(conv.id)
    _type(qtbot, app, "never sent")
    app.controller.delete_conversation(conv.id)
    assert _shown(app) == ""  # the new chat shows its own (empty) draft
    app.window.close()
    run_in_qt(qtbot, app.controller.shutdown())
    app.ctx.store.purge_trashed()  # what the app does at exit
    app.ctx.store.close()
    with Store.open(database_path()) as store:
        assert get_draft(store, conv.id) is None
        assert get_draft(store, None) is None


def test_files_attached_to_a_draft_come_back_with_it(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes to send later\n", encoding="utf-8")
    with Store.open(database_path()) as store:
        first = store.create_conversation("First")
        other = store.create_conversation("Other")
    app = _open(qtbot)
    app.controller.open_conversation(first.id)
    app.window.composer.add_files([notes])
    _type(qtbot, app, "see the file")
    tray = app.window.composer.tray
    qtbot.waitUntil(lambda: len(tray.attachments()) == 1, timeout=5000)
    app.controller.open_conversation(other.id)
    assert tray.chips == []
    app.controller.open_conversation(first.id)
    assert _shown(app) == "see the file"
    qtbot.waitUntil(lambda: len(tray.attachments()) == 1, timeout=5000)
    assert tray.paths() == [notes]
    _close(qtbot, app)

    again = _open(qtbot)
    assert _shown(again) == "see the file"
    tray = again.window.composer.tray
    qtbot.waitUntil(lambda: len(tray.attachments()) == 1, timeout=5000)
    assert tray.attachments()[0].name == "notes.txt"
    # A file deleted meanwhile is left out of the draft, not an error.
    again.controller.open_conversation(other.id)
    notes.unlink()
    again.controller.open_conversation(first.id)
    assert tray.chips == []
    _close(qtbot, again)
    with Store.open(database_path()) as store:
        assert get_draft(store, first.id) == Draft(first.id, "see the file")


def test_a_draft_reaches_the_file_soon_after_typing_stops_without_quitting(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    app = _open(qtbot)
    _type(qtbot, app, "kept even if Parley crashes now")
    # Another connection, as the next start after a crash would read it.
    with Store.open(database_path()) as other:
        qtbot.waitUntil(lambda: get_draft(other, None) is not None, timeout=5000)
        assert get_draft(other, None) == Draft(None, "kept even if Parley crashes now")
    _close(qtbot, app)
