"""History in the window: search (Ctrl+K) and opening a result at its message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.domain import Role
from app.main import Parley
from app.ui.search_dialog import SearchDialog, snippet_html
from tests.fake_openrouter import FakeOpenRouter
from tests.test_gui import close_app, open_app


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def add_conversation(app: Parley, title: str, texts: list[str]) -> list[int]:
    store = app.ctx.store
    conv = store.create_conversation(title)
    ids = []
    for i, text in enumerate(texts):
        ids.append(store.add_message(conv.id, Role.USER if i % 2 == 0 else Role.ASSISTANT,
                                     text).id)
    return ids


def test_snippet_highlight_escapes_html() -> None:
    out = snippet_html("a <b>x</b> \x02match\x03 end")
    assert "&lt;b&gt;x&lt;/b&gt;" in out
    assert ">match</b>" in out


def test_ctrl_k_searches_and_opens_the_conversation_at_the_message(
    gui: Parley, qtbot: Any
) -> None:
    add_conversation(gui, "Cooking", ["How do I make risotto?", "Stir the rice slowly."])
    ids = add_conversation(gui, "Databases",
                           ["What is a write-ahead log?", "SQLite's WAL keeps readers going.",
                            *[f"filler message {i}" for i in range(30)]])
    gui.sidebar.refresh()
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, SearchDialog) and w.isVisible())
    qtbot.keyClicks(dialog.field, "write-ahead")
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=2000)
    first = dialog.results.itemWidget(dialog.results.item(0))
    assert "Databases" in first.text()
    assert "<b " in first.text()  # the match is highlighted
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert gui.controller.current is not None
    assert gui.controller.current.title == "Databases"
    assert ids[0] in gui.window.chat.views or gui.window.chat.currentWidget() is not None


def test_search_with_no_match_and_hostile_syntax(gui: Parley, qtbot: Any) -> None:
    add_conversation(gui, "Notes", ["plain words here"])
    dialog = SearchDialog(gui.controller.search, gui.window)
    qtbot.addWidget(dialog)
    for text in ['foo"bar OR (', "NEAR(", "*", "zzzz-nothing"]:
        dialog.field.setText(text)
        dialog.run_search()
        assert dialog.results.count() == 0
        assert dialog.summary.text() in ("No matches.", "")
    dialog.field.setText("plain")
    dialog.run_search()
    assert dialog.results.count() == 1


def test_long_list_loads_in_pages_and_updates_one_row(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from app.ui.conversation_list import PAGE
    from tests.fake_openrouter import text_stream
    from tests.test_gui import send

    store = gui.ctx.store
    ids = [store.create_conversation(f"chat {i}").id for i in range(PAGE * 2 + 10)]
    gui.sidebar.refresh()
    model = gui.window.sidebar.model
    assert model.rowCount() == PAGE
    assert model.total == len(ids)
    assert model.conversation(0).title == f"chat {len(ids) - 1}"
    gui.window.sidebar.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > PAGE, timeout=2000)

    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    gui.controller.open_conversation(ids[5])
    fake.enqueue(text_stream("ok"))
    send(qtbot, gui, "bump")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    assert model.conversation(0).id == ids[5]  # moved to the top
    assert resets == []  # without reloading the list
    assert gui.window.sidebar.current_id() == ids[5]


def test_pin_archive_tags_and_delete_with_undo(gui: Parley, qtbot: Any) -> None:
    store = gui.ctx.store
    a = store.create_conversation("alpha").id
    b = store.create_conversation("beta").id
    c = store.create_conversation("gamma").id
    gui.sidebar.refresh()
    sidebar, model = gui.window.sidebar, gui.window.sidebar.model
    def titles() -> list[str]:
        return [model.data(model.index(i)) for i in range(model.rowCount())]

    assert titles() == ["gamma", "beta", "alpha"]

    gui.controller.set_pinned(a, True)
    assert titles()[0] == "📌 alpha"

    gui.controller.set_archived(b, True)
    assert "beta" not in titles()
    sidebar.filter_box.setCurrentIndex(sidebar.filter_box.findText("Archived"))
    sidebar.filterChanged.emit()
    assert titles() == ["beta"]
    sidebar.filter_box.setCurrentIndex(0)
    sidebar.filterChanged.emit()

    gui.controller.set_tags(c, ["work", "sql"])
    index = sidebar.filter_box.findText("#work (1)")
    assert index > 0
    sidebar.filter_box.setCurrentIndex(index)
    sidebar.filterChanged.emit()
    assert titles() == ["gamma"]
    sidebar.filter_box.setCurrentIndex(0)
    sidebar.filterChanged.emit()

    # delete: gone at once, Undo brings it back
    gui.controller.open_conversation(c)
    sidebar.view.setCurrentIndex(model.index(titles().index("gamma")))
    sidebar.delete_action.trigger()
    assert "gamma" not in titles()
    assert gui.controller.current is None
    undo = gui.window._undo_button
    assert undo is not None and undo.isVisible()
    undo.click()
    assert "gamma" in titles()
    assert gui.controller.current is not None and gui.controller.current.id == c
    # deleting again without undo: emptied from the trash when Parley closes
    gui.controller.delete_conversation(c)
    close_app(qtbot, gui)
    from app.core.context import AppContext

    again = AppContext.open()
    try:
        again.store.purge_trashed()
        assert again.store.get_conversation(c) is None
    finally:
        again.store.close()


def test_regenerate_and_edit_add_versions_and_arrows_switch(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from tests.fake_openrouter import text_stream
    from tests.test_gui import chat_requests, reply_views, send, visible_text

    fake.enqueue(text_stream("first answer"))
    send(qtbot, gui, "question")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    first_reply = reply_views(gui)[0].message.id

    fake.enqueue(text_stream("second answer"))
    gui.window.chat.regenerateRequested.emit(first_reply)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    # the same prompt was sent again, without the old reply
    assert [m["content"] for m in chat_requests(fake)[-1].json()["messages"]] == ["question"]
    views = reply_views(gui)
    assert len(views) == 1
    assert "second answer" in visible_text(views[0])
    second_reply = views[0].message.id
    assert gui.window.chat._branch_info[second_reply] == (1, 2)

    gui.window.chat.branchRequested.emit(second_reply, -1)
    assert "first answer" in visible_text(reply_views(gui)[0])
    gui.window.chat.branchRequested.emit(first_reply, +1)
    assert "second answer" in visible_text(reply_views(gui)[0])

    # edit the prompt: a new version of the question with its own reply
    user_id = next(v.message.id for v in gui.window.chat.views.values()
                   if v.message.role.value == "user")
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        lambda *a, **k: ("question, rephrased", True))
    fake.enqueue(text_stream("third answer"))
    gui.window.chat.editRequested.emit(user_id)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    assert chat_requests(fake)[-1].json()["messages"][-1]["content"] == "question, rephrased"
    store = gui.ctx.store
    conv_id = gui.controller.current.id  # type: ignore[union-attr]
    # nothing was destroyed: both prompts and all three replies are stored
    contents = sorted(m.content for m in store.get_messages(conv_id))
    assert contents == sorted(["question", "question, rephrased", "first answer",
                               "second answer", "third answer"])
    thread = [m.content for m in store.get_thread(conv_id)]
    assert thread == ["question, rephrased", "third answer"]

    # delete one message on request (it has no followers: the reply)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    third = reply_views(gui)[0].message.id
    gui.window.chat.deleteRequested.emit(third)
    assert store.get_message(third) is None
    assert len(store.get_messages(conv_id)) == 4


def test_import_export_and_backup_from_the_window(
    gui: Parley, qtbot: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json as _json

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    add_conversation(gui, "Worth keeping", ["a question", "an answer"])
    out = tmp_path / "all.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    gui.window.export_all_action.trigger()
    qtbot.waitUntil(lambda: gui.files.job is None, timeout=5000)
    doc = _json.loads(out.read_text())
    assert [c["title"] for c in doc["conversations"]] == ["Worth keeping"]

    # importing our own export adds nothing; a hostile file is refused, nothing changes
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    gui.window.import_action.trigger()
    qtbot.waitUntil(lambda: gui.files.job is None, timeout=5000)
    assert gui.ctx.store.count_conversations() == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "parley-export", "conversations": [{"messages": 5}]}')
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: warnings.append(self.text()))
    gui.files.import_path(bad)
    qtbot.waitUntil(lambda: gui.files.job is None, timeout=5000)
    assert warnings and gui.ctx.store.count_conversations() == 1

    gui.window.backup_action.trigger()
    qtbot.waitUntil(lambda: gui.files.job is None, timeout=5000)
    backups = list((gui.ctx.store.path.parent / "backups").glob("parley-*.sqlite3"))
    assert len(backups) == 1
    assert "Backup written" in gui.window.statusBar().currentMessage()


def test_prompt_library_from_the_window_sets_a_system_preset(
    gui: Parley, qtbot: Any
) -> None:
    from app.ui.prompt_library import PromptLibrary

    gui.prompts.create("Pirate", "Talk like a pirate.", tags=[], favourite=False,
                       is_system=True)
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, PromptLibrary) and w.isVisible())
    dialog.systemPresetChosen.emit("Talk like a pirate.")
    assert gui.controller.options().system_prompt == "Talk like a pirate."
    dialog.close()


def test_window_exports_keep_each_conversations_options(
    gui: Parley, qtbot: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export All and Export Conversation (JSON) carry the chat's saved options, as
    `parley export` does, so an import restores the conversation as it was."""
    import json as _json

    from PySide6.QtWidgets import QFileDialog

    add_conversation(gui, "Tuned", ["a question", "an answer"])
    conv = gui.ctx.store.list_conversations()[0]
    gui.ctx.store.set_options(conv.id, {"temperature": 0.2, "system_prompt": "Be terse."})

    everything = tmp_path / "all.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(everything), ""))
    gui.window.export_all_action.trigger()
    qtbot.waitUntil(lambda: gui.files.job is None, timeout=5000)
    [exported] = _json.loads(everything.read_text())["conversations"]
    assert exported["options"] == {"temperature": 0.2, "system_prompt": "Be terse."}

    gui.controller.open_conversation(conv.id)
    one = tmp_path / "one.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(one), "Parley JSON (*.json)"))
    gui.window.export_action.trigger()
    [exported] = _json.loads(one.read_text())["conversations"]
    assert exported["options"] == {"temperature": 0.2, "system_prompt": "Be terse."}
