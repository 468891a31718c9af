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
