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
    gui.refresh_sidebar()
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
