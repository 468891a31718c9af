"""The sidebar: date groups, the title filter, folders in the tree, drag and drop, folder
defaults for new chats, and the names screen readers announce (offscreen)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.core.domain import Conversation
from app.core.history import folders as folder_store
from app.core.history.folders import Folder, FolderDefaults
from app.main import Parley
from app.ui.conversation_list import ConversationList
from app.ui.search_dialog import SearchDialog
from app.ui.sidebar.delegate import SidebarDelegate
from app.ui.sidebar.groups import date_group
from app.ui.sidebar.model import (
    MIME_CONVERSATIONS,
    PAGE,
    ConversationListModel,
    GroupRole,
    SubtitleRole,
)
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, close_app, open_app, send


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


@pytest.fixture
def english() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def ts(*args: int) -> float:
    return dt.datetime(*args).timestamp()  # local time, as the sidebar shows


# ---- date groups ------------------------------------------------------------------------


def test_date_groups_at_day_and_month_edges(english: None) -> None:
    now = ts(2026, 11, 24, 0, 10)  # ten past midnight on a Tuesday
    assert date_group(ts(2026, 11, 24, 0, 0), now) == "Today"
    assert date_group(ts(2026, 11, 25, 9, 0), now) == "Today"  # a clock that ran ahead
    assert date_group(ts(2026, 11, 23, 23, 59), now) == "Yesterday"
    assert date_group(ts(2026, 11, 23, 0, 0), now) == "Yesterday"
    assert date_group(ts(2026, 11, 22, 23, 59), now) == "Previous 7 days"
    assert date_group(ts(2026, 11, 17, 0, 0), now) == "Previous 7 days"
    assert date_group(ts(2026, 11, 16, 23, 59), now) == "This month"
    assert date_group(ts(2026, 11, 1, 0, 0), now) == "This month"
    assert date_group(ts(2026, 10, 31, 23, 59), now) == "October 2026"
    assert date_group(ts(2025, 11, 24, 12, 0), now) == "November 2025"
    # Early in a month, "Previous 7 days" reaches into the month before.
    early = ts(2026, 12, 2, 8, 0)
    assert date_group(ts(2026, 11, 28, 8, 0), early) == "Previous 7 days"
    assert date_group(ts(2026, 11, 20, 8, 0), early) == "November 2026"


def conv(cid: int, title: str, when: float, **kw: Any) -> Conversation:
    return Conversation(cid, title, when, when, **kw)


def test_headings_sit_above_the_first_row_of_each_group_and_pinned_come_first(
    english: None,
) -> None:
    now = ts(2026, 11, 24, 12, 0)
    model = ConversationListModel(clock=lambda: now)
    rows = [conv(9, "pinned old", ts(2026, 1, 5, 10), pinned=True),
            conv(1, "a", ts(2026, 11, 24, 11), model="acme/fast"),
            conv(2, "b", ts(2026, 11, 24, 9)),
            conv(3, "c", ts(2026, 11, 23, 20)),
            conv(4, "d", ts(2026, 10, 2, 20))]
    model.set_data([], rows)
    headings = [model.data(model.index(r), GroupRole) for r in range(model.rowCount())]
    assert headings == ["Pinned", "Today", "", "Yesterday", "October 2026"]
    assert model.data(model.index(1), SubtitleRole) == "acme/fast · 1 h ago"
    assert model.data(model.index(0)) == "📌 pinned old"


# ---- the filter ---------------------------------------------------------------------------


def test_typing_filters_titles_flat_and_clearing_brings_back_the_folders(qtbot: Any) -> None:
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    work = Folder("f" * 32, "Work")
    rows = [conv(i, f"chat {i}" + (" budget" if i % 3 == 0 else ""), 1000.0 + i,
                 folder_id=work.id if i % 2 else None) for i in range(30, 0, -1)]
    sidebar.set_rows([work], rows, None)
    model = sidebar.model
    assert model.data(model.index(0)) == "Work"  # the folder, then chats in no folder
    assert model.rowCount() == 1 + 15
    qtbot.keyClicks(sidebar.search_field, "BUDG")
    assert sidebar.active_view() is sidebar.filter_view
    matches = sidebar.filter_model
    titles = [matches.data(matches.index(r)) for r in range(matches.rowCount())]
    assert titles == [f"chat {i} budget" for i in range(30, 0, -1) if i % 3 == 0]
    assert all(not matches.hasChildren(matches.index(r)) for r in range(matches.rowCount()))
    # Picking a match opens it.
    opened: list[int] = []
    sidebar.selected.connect(opened.append)
    sidebar.filter_view.setCurrentIndex(matches.index(1))
    assert opened == [27]
    sidebar.search_field.clear()
    assert sidebar.active_view() is sidebar.view
    assert model.data(model.index(0)) == "Work"
    assert model.rowCount(model.index(0)) == 15
    assert sidebar.current_id() == 27


def test_enter_in_the_filter_opens_full_text_search_with_the_text(
    gui: Parley, qtbot: Any
) -> None:
    qtbot.keyClicks(gui.window.sidebar.search_field, "risotto")
    qtbot.keyClick(gui.window.sidebar.search_field, Qt.Key.Key_Return)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, SearchDialog) and w.isVisible())
    assert dialog.field.text() == "risotto"
    dialog.close()


def test_the_filter_covers_conversations_not_loaded_yet(qtbot: Any) -> None:
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    rows = [conv(i, f"chat {i}", float(i)) for i in range(PAGE * 3, 0, -1)]
    sidebar.set_rows([], rows, None)
    assert sidebar.model.rowCount() == PAGE
    sidebar.search_field.setText("chat 7")  # chat 7, 70-79, 700...: most on later pages
    matches = sidebar.filter_model
    titles = {matches.data(matches.index(r)) for r in range(matches.rowCount())}
    assert "chat 7" in titles and "chat 79" in titles


# ---- folders in the window ------------------------------------------------------------------


def folder_rows(app: Parley, folder_id: str) -> list[str]:
    model = app.window.sidebar.model
    parent = model.folder_index(folder_id)
    return [model.data(model.index(r, 0, parent)) for r in range(model.rowCount(parent))]


def test_dropping_conversations_on_a_folder_files_them_and_back_out(
    gui: Parley, qtbot: Any
) -> None:
    store = gui.ctx.store
    folder = folder_store.create_folder(store, "Project")
    a = store.create_conversation("alpha")
    b = store.create_conversation("beta")
    gui.sidebar.refresh()
    sidebar, model = gui.window.sidebar, gui.window.sidebar.model
    # The mime data the view itself produces when the user drags the two rows.
    mime = model.mimeData([model.index_of(a.id), model.index_of(b.id)])
    assert json.loads(bytes(mime.data(MIME_CONVERSATIONS).data())) == [a.id, b.id]
    target = model.folder_index(folder.id)
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    assert {c.folder_id for c in store.list_conversations()} == {folder.id}
    sidebar.view.expand(model.folder_index(folder.id))
    assert folder_rows(gui, folder.id) == ["beta", "alpha"]
    assert model.data(model.folder_index(folder.id), Qt.ItemDataRole.ToolTipRole).endswith(
        "2 conversations")
    # Dragged out onto the empty list below: in no folder again.
    mime = model.mimeData([model.index_of(a.id)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert store.get_conversation(a.id).folder_id is None  # type: ignore[union-attr]
    assert folder_rows(gui, folder.id) == ["beta"]
    assert model.conversation(1).title == "alpha"  # after the folder row


def test_a_real_drag_and_drop_onto_a_folder(gui: Parley, qtbot: Any) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    store = gui.ctx.store
    folder = folder_store.create_folder(store, "Inbox")
    chat = store.create_conversation("to file")
    gui.sidebar.refresh()
    view, model = gui.window.sidebar.view, gui.window.sidebar.model
    mime = model.mimeData([model.index_of(chat.id)])
    pos = view.visualRect(model.folder_index(folder.id)).center()
    move, left, none = (Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)
    # The events a drag delivers to the view's viewport (QDrag.exec needs a real mouse).
    for event in (QDragEnterEvent(pos, move, mime, left, none),
                  QDragMoveEvent(pos, move, mime, left, none),
                  QDropEvent(QPointF(pos), move, mime, left, none)):
        QApplication.sendEvent(view.viewport(), event)
    assert store.get_conversation(chat.id).folder_id == folder.id  # type: ignore[union-attr]
    view.expand(model.folder_index(folder.id))
    assert folder_rows(gui, folder.id) == ["to file"]


def test_move_to_folder_from_the_menu_for_keyboard_users(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gui.ctx.store
    top = folder_store.create_folder(store, "Clients")
    sub = folder_store.create_folder(store, "Acme", parent_id=top.id)
    chat = store.create_conversation("kickoff")
    gui.sidebar.refresh()
    sidebar = gui.window.sidebar
    assert [label for label, _ in sidebar.folder_choices()] == [
        "No folder", "Clients", "    ↳ Acme"]
    sidebar.select(chat.id)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("    ↳ Acme", True))
    sidebar.move_action.trigger()
    assert store.get_conversation(chat.id).folder_id == sub.id  # type: ignore[union-attr]
    # It stays selected, inside the opened sub-folder.
    assert sidebar.current_id() == chat.id
    assert sidebar.view.isExpanded(sidebar.model.folder_index(sub.id))


def test_collapsed_folders_stay_collapsed_after_a_restart(gui: Parley, qtbot: Any) -> None:
    store = gui.ctx.store
    folder = folder_store.create_folder(store, "Archive of ideas")
    store.create_conversation("idea", folder_id=folder.id)
    gui.sidebar.refresh()
    view, model = gui.window.sidebar.view, gui.window.sidebar.model
    index = model.folder_index(folder.id)
    assert view.isExpanded(index)
    view.collapse(index)
    close_app(qtbot, gui)
    again = open_app(qtbot)
    try:
        model = again.window.sidebar.model
        assert not again.window.sidebar.view.isExpanded(model.folder_index(folder.id))
        again.window.sidebar.view.expand(model.folder_index(folder.id))
        assert folder_store.get_folder(again.ctx.store, folder.id).collapsed is False  # type: ignore[union-attr]
    finally:
        close_app(qtbot, again)


def test_create_rename_and_delete_a_folder_from_the_sidebar(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gui.ctx.store
    sidebar = gui.window.sidebar
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Research", True))
    sidebar.new_folder_button.click()
    (folder,) = folder_store.list_folders(store)
    assert folder.name == "Research"
    index = sidebar.model.folder_index(folder.id)
    assert sidebar.view.currentIndex() == index
    assert sidebar.model.setData(index, "Reading list")
    assert folder_store.get_folder(store, folder.id).name == "Reading list"  # type: ignore[union-attr]
    kept = store.create_conversation("paper notes", folder_id=folder.id)
    gui.sidebar.refresh()
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    sidebar.view.setCurrentIndex(sidebar.model.folder_index(folder.id))
    sidebar.delete_action.trigger()
    assert "1 conversations move out of it" in asked[0]
    assert folder_store.list_folders(store) == []
    assert store.get_conversation(kept.id).folder_id is None  # type: ignore[union-attr]
    assert sidebar.model.conversation(0).title == "paper notes"


def test_a_new_chat_in_a_folder_is_filed_there_with_its_defaults(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    store = gui.ctx.store
    folder = folder_store.create_folder(store, "Translator")
    folder_store.set_defaults(store, folder.id, FolderDefaults(
        model="acme/translator", options={"system_prompt": "Translate to German.",
                                          "temperature": 0.1}))
    gui.sidebar.refresh()
    sidebar = gui.window.sidebar
    sidebar.view.setCurrentIndex(sidebar.model.folder_index(folder.id))
    sidebar.new_button.click()
    fake.enqueue(text_stream("Hallo"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    body = chat_requests(fake)[-1].json()
    assert body["model"] == "acme/translator"
    assert body["messages"][0] == {"role": "system", "content": "Translate to German."}
    assert body["temperature"] == 0.1
    current = gui.controller.current
    assert current is not None and current.folder_id == folder.id
    assert folder_rows(gui, folder.id) == ["hello"]
    # Ctrl+N with that chat open: the next one goes to the same folder.
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert gui.controller.pending_folder_id == folder.id
    assert gui.controller.model == "acme/translator"
    # A new chat outside any folder drops the folder's settings.
    sidebar.view.setCurrentIndex(QModelIndex())
    gui.sidebar.new_chat()
    assert gui.controller.pending_folder_id is None
    assert gui.controller.options().system_prompt is None


def test_folder_settings_dialog_saves_the_defaults(gui: Parley, qtbot: Any) -> None:
    store = gui.ctx.store
    folder = folder_store.create_folder(store, "Code review")
    gui.sidebar.refresh()
    sidebar = gui.window.sidebar
    sidebar.view.setCurrentIndex(sidebar.model.folder_index(folder.id))
    sidebar.folder_settings_action.trigger()
    dialog = gui.sidebar.folder_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.model_box.setCurrentText("acme/coder")  # type: ignore[attr-defined]
    dialog.system_prompt.setPlainText("Review the diff.")  # type: ignore[attr-defined]
    dialog.accept()
    saved = folder_store.get_folder(store, folder.id)
    assert saved is not None
    assert saved.defaults == FolderDefaults(model="acme/coder",
                                            options={"system_prompt": "Review the diff."})


def test_new_controls_have_accessible_names_and_tooltips(gui: Parley, qtbot: Any) -> None:
    sidebar = gui.window.sidebar
    for widget in (sidebar.search_field, sidebar.new_button, sidebar.new_folder_button,
                   sidebar.filter_box):
        assert widget.accessibleName(), widget
        assert widget.toolTip(), widget
    from app.ui.sidebar.folder_dialog import FolderDialog

    dialog = FolderDialog(Folder("a" * 32, "X"), model_ids=["m/1"], parent=gui.window)
    qtbot.addWidget(dialog)
    for widget in (dialog.name_edit, dialog.model_box, dialog.system_prompt,
                   dialog.options_button, dialog.copy_button):
        assert widget.accessibleName(), widget
        assert widget.toolTip(), widget
    # Rows announce their title and the subtle line.
    store = gui.ctx.store
    chat = store.create_conversation("Weekly plan", model="acme/m")
    gui.sidebar.refresh()
    index = sidebar.model.index_of(chat.id)
    assert sidebar.model.data(index, Qt.ItemDataRole.AccessibleTextRole) == "Weekly plan"
    assert "acme/m" in sidebar.model.data(index, Qt.ItemDataRole.AccessibleDescriptionRole)


def test_rows_in_folders_never_need_a_horizontal_scrollbar(qtbot: Any) -> None:
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    long = "A very long title that keeps going " * 6
    top = Folder("t" * 32, "A folder with a long name that does not fit " * 3)
    sub = Folder("s" * 32, "Sub", parent_id=top.id)
    rows = [conv(1, long, 5.0, folder_id=sub.id), conv(2, long, 4.0)]
    sidebar.set_rows([top, sub], rows, 1)
    sidebar.resize(200, 400)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    qtbot.wait(20)
    view = sidebar.view
    assert sidebar.current_id() == 1  # its folders opened to show it
    assert view.horizontalScrollBar().maximum() == 0
    inner = sidebar.model.index_of(1)
    assert view.visualRect(inner).right() <= view.viewport().width()


def test_keyboard_the_menu_key_down_from_the_filter_and_esc(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QAction, QContextMenuEvent

    store = gui.ctx.store
    folder_store.create_folder(store, "Later")
    first = store.create_conversation("first")
    second = store.create_conversation("second")
    gui.sidebar.refresh()
    sidebar = gui.window.sidebar
    # Down from the filter field goes into the matches, Esc empties the field.
    qtbot.keyClicks(sidebar.search_field, "sec")
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is sidebar.filter_view
    assert sidebar.current_id() == second.id
    sidebar.search_field.setFocus()
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Escape)
    assert sidebar.search_field.text() == ""
    assert sidebar.active_view() is sidebar.view
    # The Menu key opens the current row's menu, with Move to Folder… in it.
    shown: list[list[str]] = []

    class Menu:  # records what the menu would offer instead of running its event loop
        def __init__(self, _parent: Any) -> None:
            self.actions: list[Any] = []

        def addAction(self, action: Any) -> Any:
            self.actions.append(QAction(action) if isinstance(action, str) else action)
            return self.actions[-1]

        def addSeparator(self) -> None:
            pass

        def exec(self, *_args: Any) -> None:
            shown.append([a.text() for a in self.actions])

    monkeypatch.setattr("app.ui.conversation_list.QMenu", Menu)
    sidebar.select(first.id)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), QPoint(0, 0))
    QApplication.sendEvent(sidebar.view, event)
    assert shown and "Move to Folder…" in shown[0] and "Rename" in shown[0]
    assert sidebar.current_id() == first.id


def test_a_folder_nested_deeper_by_hand_shows_at_the_top_level(qtbot: Any) -> None:
    top = Folder("t" * 32, "Top")
    sub = Folder("s" * 32, "Sub", parent_id=top.id)
    deep = Folder("d" * 32, "Deep", parent_id=sub.id)
    model = ConversationListModel()
    model.set_data([top, sub, deep], [conv(1, "in deep", 1.0, folder_id=deep.id)])
    index = model.folder_index(deep.id)
    assert not model.parent(index).isValid()
    assert model.data(model.index(index.row())) == "Deep"
    assert model.data(model.index(0, 0, index)) == "in deep"


# ---- long lists ---------------------------------------------------------------------------


def big_sidebar(qtbot: Any, folders: int = 40, per_folder: int = 30,
                loose: int = PAGE * 2) -> tuple[ConversationList, list[Any]]:
    """A shown sidebar with every folder open and more loose chats than one page; the
    row painter counts the rows it is asked to measure."""
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    measured: list[Any] = []

    class Counting(SidebarDelegate):
        def sizeHint(self, option: Any, index: Any) -> Any:
            measured.append(index.row())
            return super().sizeHint(option, index)

    for view in (sidebar.view, sidebar.filter_view):
        view.setItemDelegate(Counting(view))
    tops = [Folder(f"{n:032x}", f"Folder {n}") for n in range(1, folders + 1)]
    rows = [conv(i, f"filed chat {i}", 10_000.0 + i, folder_id=tops[i % folders].id)
            for i in range(folders * per_folder, 0, -1)]
    rows += [conv(100_000 + i, f"loose chat {i}", float(i)) for i in range(loose, 0, -1)]
    sidebar.resize(280, 600)
    with qtbot.waitExposed(sidebar):
        sidebar.show()
    sidebar.set_rows(tops, rows, None)
    qtbot.wait(50)
    return sidebar, measured


def test_a_tree_with_every_folder_open_measures_only_the_rows_on_screen(qtbot: Any) -> None:
    sidebar, measured = big_sidebar(qtbot)
    model, view = sidebar.model, sidebar.view
    first = model.folder_index(f"{1:032x}")
    assert view.isExpanded(first) and model.rowCount(first) == 30
    on_screen = view.viewport().height() // view.visualRect(model.index(0)).height() + 1
    # The rows on screen and the last screenful (for the scroll bar), not the 1,200 filed
    # rows above the loose ones.
    assert len(measured) <= 3 * on_screen
    measured.clear()
    sidebar.search_field.setText("chat 1")
    qtbot.wait(20)
    assert 0 < len(measured) <= 3 * on_screen


def test_scrolling_to_the_end_brings_the_next_page_in_the_tree_and_the_matches(
    qtbot: Any,
) -> None:
    sidebar, _measured = big_sidebar(qtbot)
    model = sidebar.model
    folders = len(model.folders())
    assert model.rowCount() == folders + PAGE
    sidebar.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > folders + PAGE, timeout=2000)
    titles = {model.data(model.index(r)) for r in range(model.rowCount())}
    assert "loose chat 1" in titles  # the oldest, on the last page

    sidebar.search_field.setText("loose")
    matches = sidebar.filter_model
    first_page = matches.rowCount()
    assert first_page < PAGE * 2
    sidebar.filter_view.scrollToBottom()
    qtbot.waitUntil(lambda: matches.rowCount() > first_page, timeout=2000)


def test_backspace_in_the_filter_shows_chats_that_changed_meanwhile(qtbot: Any) -> None:
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    sidebar.set_rows([], [conv(2, "bet on it", 2.0), conv(1, "beta", 1.0)], None)
    qtbot.keyClicks(sidebar.search_field, "bet")
    matches = sidebar.filter_model

    def shown() -> list[str]:
        return [matches.data(matches.index(r)) for r in range(matches.rowCount())]

    assert shown() == ["bet on it", "beta"]
    qtbot.keyClicks(sidebar.search_field, "a")
    assert shown() == ["beta"]
    sidebar.upsert(conv(3, "alphabet", 3.0), None)  # a new chat, matching "bet" only
    sidebar.upsert(conv(2, "wager", 4.0), None)  # renamed: no longer a match
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Backspace)
    assert shown() == ["alphabet", "beta"]
    matches.setData(matches.index(1), "bravo")  # renamed in place: no longer a match
    qtbot.keyClicks(sidebar.search_field, "t")
    assert shown() == []
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Backspace)
    assert shown() == ["alphabet"]


# ---- empty states --------------------------------------------------------------------------


def _ink_rows(sidebar: ConversationList) -> int:
    """How many pixel rows of the list's top part hold anything but the background."""
    image = sidebar.view.viewport().grab().toImage()
    background = image.pixelColor(2, 2)
    return sum(
        any(image.pixelColor(x, y) != background for x in range(0, image.width(), 2))
        for y in range(min(120, image.height()))
    )


def test_an_empty_list_says_why_and_the_words_go_when_chats_come(qtbot: Any) -> None:
    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    sidebar.resize(280, 420)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    sidebar.set_rows([], [], None)
    assert "No chats yet" in sidebar.view.empty_text
    assert _ink_rows(sidebar) > 5  # the sentence is drawn
    sidebar.set_rows([], [conv(1, "First", ts(2026, 11, 24, 9, 0))], None)
    drawn_with_a_row = _ink_rows(sidebar)
    sidebar.set_rows([], [], None)
    assert _ink_rows(sidebar) != drawn_with_a_row
    sidebar.filter_box.setCurrentIndex(sidebar.filter_box.findData("archived"))
    sidebar.set_rows([], [], None)
    assert sidebar.view.empty_text == "Nothing is archived."
    # Filtering titles with no match points at full-text search.
    sidebar.search_field.setText("zebra")
    assert "Press Enter" in sidebar.filter_view.empty_text
