"""The Compare dialog: columns appear, stream and stop; "Continue with this one" switches
the branch shown in the window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.domain import MessageStatus
from app.main import Parley
from app.ui.compare_dialog import CompareDialog
from tests.fake_openrouter import FakeOpenRouter, stall, text_stream
from tests.test_gui import close_app, open_app, reply_views, visible_text

A, B, C = "vendor/model-a", "vendor/model-b", "vendor/model-c"


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def open_compare(qtbot: Any, app: Parley) -> CompareDialog:
    qtbot.keyClick(app.window, Qt.Key.Key_D,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    def shown() -> list[CompareDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, CompareDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    return shown()[0]


def pick(dialog: CompareDialog, prompt: str, *models: str) -> None:
    for chooser, model in zip(dialog.choosers, [*models, "", "", ""], strict=False):
        chooser.setEditText(model)
    dialog.prompt.setPlainText(prompt)


def test_columns_stream_side_by_side_and_continue_with_switches_the_branch(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.by_model[A] = text_stream("Reply from A", model=A)
    fake.by_model[B] = text_stream("Reply from B", model=B, provider="Fireworks")
    fake.by_model[C] = text_stream("Reply from C", model=C)
    dialog = open_compare(qtbot, gui)
    pick(dialog, "Which is best?", A, B, C)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.columns) == 3, timeout=5000)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    texts = [c.text.toPlainText() for c in dialog.columns]
    assert texts == ["Reply from A", "Reply from B", "Reply from C"]
    assert "Fireworks" in dialog.columns[1].figures.text()
    assert "first token" in dialog.columns[1].figures.text()
    assert "complete" in dialog.columns[1].figures.text()
    assert "Fastest first token" in dialog.summary.text()
    assert "Longest" in dialog.summary.text()
    dialog.resize(600, 700)
    assert dialog.columns_layout.direction().name == "TopToBottom"

    qtbot.mouseClick(dialog.columns[1].continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    replies = reply_views(gui)
    assert len(replies) == 1
    assert visible_text(replies[0]).strip() == "Reply from B"
    assert replies[0].branch_label.text() == "2 / 3"
    assert gui.controller.model == B


def test_stop_one_column_then_esc_stops_all(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.by_model[A] = stall("Partial A", seconds=30)
    fake.by_model[B] = stall("Partial B", seconds=30)
    dialog = open_compare(qtbot, gui)
    pick(dialog, "Long story", A, B)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.columns) == 2
                    and all("Partial" in c.text.toPlainText() for c in dialog.columns),
                    timeout=5000)
    qtbot.mouseClick(dialog.columns[0].stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake.disconnects) == 1, timeout=3000)
    qtbot.waitUntil(lambda: "stopped" in dialog.columns[0].figures.text(), timeout=3000)
    assert gui.controller.busy  # the other column still streams
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: len(fake.disconnects) == 2, timeout=3000)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=3000)
    assert dialog.isVisible()  # the first Esc stops, it does not close
    store = gui.ctx.store
    ids = [c.reply_id for c in dialog.columns]
    stored = [store.get_message(i) for i in ids]
    assert [(m.content, m.status) for m in stored if m is not None] == [
        ("Partial A", MessageStatus.STOPPED), ("Partial B", MessageStatus.STOPPED)]


def test_compare_with_on_a_reply_adds_other_models_as_its_versions(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from tests.test_gui import send

    fake.enqueue(text_stream("The first answer"))
    send(qtbot, gui, "Explain WAL")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    [reply] = reply_views(gui)
    assert reply.compare_button.isVisibleTo(reply)
    reply.compare_button.click()

    def shown() -> list[CompareDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, CompareDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    dialog = shown()[0]
    # The prompt is the reply's own and cannot be changed; the reply's model is a column
    # already, so there are three slots for other models.
    assert dialog.prompt.toPlainText() == "Explain WAL" and dialog.prompt.isReadOnly()
    assert len(dialog.choosers) == 3
    fake.by_model[B] = text_stream("B explains WAL", model=B)
    dialog.choosers[0].setEditText(B)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    assert [c.text.toPlainText() for c in dialog.columns] == ["B explains WAL"]
    sent = [r for r in fake.requests if r.path.endswith("/chat/completions")][-1].json()
    assert sent["model"] == B
    assert sent["messages"][-1]["content"] == "Explain WAL"
    dialog.close()
    # The answer on screen is still the first one, with the new one a version away.
    qtbot.waitUntil(lambda: reply_views(gui)[0].branch_label.text() == "1 / 2", timeout=5000)
    assert visible_text(reply_views(gui)[0]).strip() == "The first answer"


def test_starred_models_come_first_in_the_compare_pickers(gui: Parley, qtbot: Any) -> None:
    from app.core.client import ModelInfo

    gui.ctx.settings.favourite_models = ["z/starred"]
    gui.controller.modelsLoaded.emit([ModelInfo("a/first", "A"), ModelInfo("z/starred", "Z")])
    gui.controller.models = [ModelInfo("a/first", "A"), ModelInfo("z/starred", "Z")]
    dialog = open_compare(qtbot, gui)
    chooser = dialog.choosers[1]
    assert [chooser.itemText(i) for i in range(chooser.count())] == ["z/starred", "a/first"]


def browser_of(qtbot: Any, dialog: CompareDialog, slot: int) -> Any:
    from app.ui.model_browser import ModelBrowser

    qtbot.mouseClick(dialog.browse_buttons[slot], Qt.MouseButton.LeftButton)

    def shown() -> list[ModelBrowser]:
        return [w for w in dialog.findChildren(ModelBrowser) if w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    return shown()[0]


def listed(browser: Any) -> list[str]:
    from app.ui.model_browser import ID_ROLE, Column

    proxy = browser.proxy
    return [proxy.index(r, Column.NAME).data(ID_ROLE) for r in range(proxy.rowCount())]


def test_a_slot_is_picked_in_the_model_browser_with_starred_models_first(
    gui: Parley, qtbot: Any
) -> None:
    from app.core.client import ModelInfo

    models = [ModelInfo("a/first", "A first"), ModelInfo("m/middle", "M middle"),
              ModelInfo("z/starred", "Z starred")]
    gui.ctx.settings.favourite_models = ["z/starred"]
    gui.controller.models = models
    dialog = open_compare(qtbot, gui)
    browser = browser_of(qtbot, dialog, 1)
    # After the pinned "auto" entry, the starred model leads, then the others by name.
    assert listed(browser)[1:] == ["z/starred", "a/first", "m/middle"]
    assert browser.select_model("m/middle")
    qtbot.mouseClick(browser.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not browser.isVisible(), timeout=2000)
    assert dialog.choosers[1].currentText() == "m/middle"
    assert dialog.chosen_models()[1:] == ["m/middle"]

    # A model starred there is remembered and joins the favourites in every slot's list.
    browser = browser_of(qtbot, dialog, 2)
    assert browser.select_model("m/middle")
    browser.toggle_favourite()
    assert list(gui.ctx.settings.favourite_models) == ["z/starred", "m/middle"]
    chooser = dialog.choosers[0]
    assert [chooser.itemText(i) for i in range(chooser.count())] == [
        "m/middle", "z/starred", "a/first"]
    browser.reject()


def test_compare_with_picks_the_other_models_in_the_model_browser_too(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from app.core.client import ModelInfo
    from tests.test_gui import send

    gui.controller.models = [ModelInfo(A, "Model A"), ModelInfo(B, "Model B")]
    fake.enqueue(text_stream("The first answer"))
    send(qtbot, gui, "Explain WAL")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    reply_views(gui)[0].compare_button.click()
    qtbot.waitUntil(lambda: any(isinstance(w, CompareDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5000)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, CompareDialog) and w.isVisible())
    assert len(dialog.browse_buttons) == 3
    browser = browser_of(qtbot, dialog, 0)
    assert browser.select_model(B)
    browser.choose()
    fake.by_model[B] = text_stream("B explains WAL", model=B)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    assert [c.text.toPlainText() for c in dialog.columns] == ["B explains WAL"]
    dialog.close()


def test_every_control_of_the_compare_dialog_is_named_and_explained(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QPlainTextEdit

    fake.by_model[A] = text_stream("Reply from A", model=A)
    fake.by_model[B] = text_stream("Reply from B", model=B)
    dialog = open_compare(qtbot, gui)
    pick(dialog, "Which is best?", A, B)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.columns) == 2 and not gui.controller.busy,
                    timeout=10000)
    controls = [w for kind in (QAbstractButton, QComboBox, QPlainTextEdit)
                for w in dialog.findChildren(kind)
                if w.isVisibleTo(dialog) and w.parent() is not None
                and not isinstance(w.parent(), QComboBox)]
    assert len(controls) >= 13  # 4 pickers + 4 browse + prompt + 2 buttons + 2 columns
    unnamed = [w.objectName() or type(w).__name__ for w in controls
               if not w.accessibleName() or not w.toolTip()]
    assert unnamed == []
    names = [w.accessibleName() for w in controls]
    assert len(set(names)) == len(names)  # "Stop" says whose reply it stops


def test_tab_in_the_prompt_moves_on_to_compare(gui: Parley, qtbot: Any) -> None:
    dialog = open_compare(qtbot, gui)
    dialog.prompt.setFocus()
    qtbot.waitUntil(dialog.prompt.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.prompt, "Which is best?")
    qtbot.keyClick(dialog.prompt, Qt.Key.Key_Tab)
    assert dialog.prompt.toPlainText() == "Which is best?"
    assert dialog.send_button.hasFocus()


def test_a_narrow_dialog_puts_the_model_slots_two_a_row_and_stacks_the_columns(
    gui: Parley, qtbot: Any
) -> None:
    dialog = open_compare(qtbot, gui)
    dialog.resize(1200, 700)
    qtbot.waitUntil(lambda: dialog.width() == 1200, timeout=2000)
    QApplication.processEvents()
    tops = {c.mapTo(dialog, c.rect().topLeft()).y() for c in dialog.choosers}
    assert len(tops) == 1  # one row of four
    dialog.resize(850, 800)  # narrowed by hand: below 900 px it changes its layout ...
    qtbot.waitUntil(lambda: dialog.width() == 850, timeout=2000)
    QApplication.processEvents()
    dialog.resize(620, 800)  # ... and can then be made narrower still
    qtbot.waitUntil(lambda: dialog.width() == 620, timeout=2000)
    QApplication.processEvents()
    rows = [c.mapTo(dialog, c.rect().topLeft()).y() for c in dialog.choosers]
    assert rows[0] == rows[1] < rows[2] == rows[3]
    assert dialog.columns_layout.direction().name == "TopToBottom"
    # Nothing is cut off: every slot and its browse button fit in the window.
    for widget in [*dialog.choosers, *dialog.browse_buttons]:
        right = widget.mapTo(dialog, widget.rect().topRight()).x()
        assert right <= dialog.width()


def test_a_comparison_in_the_open_chat_adds_to_it_without_redrawing_what_is_shown(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from tests.test_gui import send

    for i in range(3):
        fake.enqueue(text_stream(f"Answer {i}"))
        send(qtbot, gui, f"Question {i}")
        qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    chat = gui.window.chat
    before = dict(chat.views)
    assert len(before) == 6
    fake.by_model[A] = text_stream("Reply from A", model=A)
    fake.by_model[B] = text_stream("Reply from B", model=B)
    dialog = open_compare(qtbot, gui)
    pick(dialog, "Which is best?", A, B)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=10000)
    qtbot.waitUntil(lambda: len(chat.views) == 8, timeout=5000)
    # The exchanges already on screen were kept as drawn (a rebuild of every message froze
    # the window); the prompt and the first column's reply follow them, one of two versions.
    assert all(chat.views.get(mid) is view for mid, view in before.items())
    texts = [visible_text(v).strip() for v in chat.views.values()]
    assert texts[-2:] == ["Which is best?", "Reply from A"]
    assert reply_views(gui)[-1].branch_label.text() == "1 / 2"
    assert [m.content for m in chat.messages()][-3:] == ["Answer 2", "Which is best?",
                                                         "Reply from A"]
