"""Dragging the scrollbar of a long chat: stand-ins while dragging, real messages on release."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from app.core.domain import Message, Role
from app.ui.chat_view import ChatView


def long_chat(qtbot: Any, n: int = 400) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(900, 600)
    chat.show()
    qtbot.waitExposed(chat)
    msgs = []
    for i in range(n):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        body = f"Message number {i}. " + " ".join(f"word{k}" for k in range(60))
        if i % 5 == 1:
            body += "\n\n```python\nprint('hello')\n```\n"
        msgs.append(Message(i + 1, 1, role, body))
    chat.show_messages(msgs)
    for _ in range(3):
        QApplication.processEvents()
    return chat


def on_screen(chat: ChatView) -> list[int]:
    """Ids of the built messages that overlap the viewport."""
    bar = chat.scroller.verticalScrollBar()
    top, bottom = bar.value(), bar.value() + chat.scroller.viewport().height()
    return sorted(mid for mid, v in chat.views.items()
                  if v.isVisible() and v.geometry().bottom() >= top and v.geometry().top() <= bottom)


def shows_something(chat: ChatView) -> bool:
    image = chat.scroller.viewport().grab().toImage()
    background = image.pixel(0, 0)
    return any(image.pixel(x, y) != background
               for y in range(0, image.height(), 3) for x in range(0, image.width(), 3))


def test_dragging_the_scrollbar_paints_stand_ins_and_builds_on_release(qtbot: Any) -> None:
    chat = long_chat(qtbot)
    bar = chat.scroller.verticalScrollBar()
    built_before = set(chat.views)
    bar.setSliderDown(True)
    for k in (1, 2, 3, 4):
        bar.setSliderPosition(bar.maximum() * k // 10)
        QApplication.processEvents()
        # A frame of the drag builds nothing (building a screenful takes longer than a
        # frame) and still shows the messages there, as stand-ins.
        assert set(chat.views) == built_before
        assert on_screen(chat) == []
        assert shows_something(chat)
    bar.setSliderDown(False)  # release
    QApplication.processEvents()
    visible = on_screen(chat)
    assert visible, "the messages under the released handle are built"
    assert all(chat._index[mid] > 40 for mid in visible)


def test_a_drag_that_rests_builds_what_is_on_screen(qtbot: Any) -> None:
    chat = long_chat(qtbot)
    bar = chat.scroller.verticalScrollBar()
    bar.setSliderDown(True)
    bar.setSliderPosition(bar.maximum() // 2)
    QApplication.processEvents()
    assert on_screen(chat) == []
    qtbot.waitUntil(lambda: bool(on_screen(chat)), timeout=2000)  # the hand rests
    bar.setSliderDown(False)


def test_views_near_the_viewport_are_built_after_the_visible_ones(qtbot: Any) -> None:
    chat = long_chat(qtbot)
    bar = chat.scroller.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)  # a jump (e.g. a click in the trough)
    visible = on_screen(chat)
    assert visible
    # The screen after the visible one is built shortly after, ready to scroll into.
    vh = chat.scroller.viewport().height()

    def next_screen_built() -> bool:
        below = [m for m, v in chat.views.items()
                 if v.geometry().top() > bar.value() + vh]
        return bool(below)

    qtbot.waitUntil(next_screen_built, timeout=3000)


def short_chat(qtbot: Any, n: int = 600) -> ChatView:
    """Many short messages of uneven length: a screenful holds several, and their
    estimated heights differ from the measured ones."""
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(900, 700)
    chat.show()
    qtbot.waitExposed(chat)
    msgs = []
    for i in range(n):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        body = f"Message number {i}. " + " ".join(f"w{k}" for k in range(3 + (i * 7) % 40))
        if i % 3 == 1:
            body += "\n\n- one\n- two\n\n```python\nprint('hello')\n```\n"
        msgs.append(Message(i + 1, 1, role, body))
    chat.show_messages(msgs)
    for _ in range(3):
        QApplication.processEvents()
    return chat


def drag_to(chat: ChatView, fraction: float) -> None:
    bar = chat.scroller.verticalScrollBar()
    bar.setSliderDown(True)
    for k in (1, 2, 3):
        bar.setSliderPosition(round(bar.maximum() * fraction * k / 3))
        QApplication.processEvents()


def visible_indices(chat: ChatView) -> list[int]:
    """Indices of every message (built or not) that overlaps the viewport."""
    bar = chat.scroller.verticalScrollBar()
    top, bottom = bar.value(), bar.value() + chat.scroller.viewport().height()
    return [i for i in range(len(chat.messages()))
            if chat._tops[i] <= bottom and chat._tops[i] + chat._heights[i] >= top]


def all_visible_built(chat: ChatView) -> bool:
    msgs = chat.messages()
    return all(msgs[i].id in chat.views for i in visible_indices(chat))


def test_release_builds_the_visible_messages_over_several_turns_without_a_blank_frame(
        qtbot: Any, monkeypatch: Any) -> None:
    import app.ui.chat_view as chat_view_module

    # One message per turn of the event loop, whatever the machine's speed.
    monkeypatch.setattr(chat_view_module, "BUILD_SLICE_MS", 0.0, raising=False)
    chat = short_chat(qtbot)
    drag_to(chat, 0.5)
    chat.scroller.verticalScrollBar().setSliderDown(False)
    # The release itself builds only a part of the screen: the window stays responsive,
    # the rest of the screen shows stand-ins.
    assert 0 < len(on_screen(chat)) < len(visible_indices(chat))
    assert shows_something(chat)
    turns = 0
    while not all_visible_built(chat) and turns < 200:
        QApplication.processEvents()
        assert shows_something(chat)
        turns += 1
    assert all_visible_built(chat)
    msgs = chat.messages()
    for i in visible_indices(chat):
        view = chat.views[msgs[i].id]
        assert view.isVisible()
        assert f"Message number {i}." in view.plain_text()


def test_the_message_at_the_centre_stays_in_place_while_the_screen_is_built(
        qtbot: Any) -> None:
    chat = short_chat(qtbot)
    drag_to(chat, 0.6)
    bar = chat.scroller.verticalScrollBar()
    vh = chat.scroller.viewport().height()
    centre = bar.value() + vh // 2
    msgs = chat.messages()
    i = max(k for k in range(len(msgs)) if chat._tops[k] <= centre)
    on_screen_y = chat._tops[i] - bar.value()
    bar.setSliderDown(False)
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)
    for _ in range(5):  # and the neighbours built after it
        QApplication.processEvents()
    view = chat.views[msgs[i].id]
    assert view.geometry().top() - bar.value() == on_screen_y


def test_dragging_again_while_the_screen_is_built_builds_nothing_more(
        qtbot: Any, monkeypatch: Any) -> None:
    import app.ui.chat_view as chat_view_module

    monkeypatch.setattr(chat_view_module, "BUILD_SLICE_MS", 0.0, raising=False)
    chat = short_chat(qtbot)
    drag_to(chat, 0.3)
    bar = chat.scroller.verticalScrollBar()
    bar.setSliderDown(False)
    bar.setSliderDown(True)  # grabbed again at once
    bar.setSliderPosition(bar.maximum() * 3 // 4)
    built = set(chat.views)
    for _ in range(5):
        QApplication.processEvents()
    assert set(chat.views) == built
    assert shows_something(chat)
    bar.setSliderDown(False)
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)


def test_page_keys_and_the_wheel_scroll_and_show_real_messages(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtTest import QTest

    chat = short_chat(qtbot)
    bar = chat.scroller.verticalScrollBar()
    drag_to(chat, 0.5)
    bar.setSliderDown(False)
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)

    before = bar.value()
    QTest.keyClick(chat.scroller, Qt.Key.Key_PageDown)
    assert bar.value() > before
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)

    before = bar.value()
    QTest.keyClick(chat.scroller, Qt.Key.Key_PageUp)
    assert bar.value() < before
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)

    before = bar.value()
    viewport = chat.scroller.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    wheel = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -360), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, wheel)
    assert bar.value() > before
    qtbot.waitUntil(lambda: all_visible_built(chat), timeout=5000)
    assert shows_something(chat)
