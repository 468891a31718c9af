"""A <think> block at the start of the content goes to the reasoning fold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from app.core.domain import Message, MessageStatus, Role
from app.core.think import split_think
from app.ui.chat_view import ChatView


def test_closed_think_block_is_reasoning_and_the_rest_is_the_answer() -> None:
    assert split_think("<think>\nweigh options\n</think>\n\nThe answer is 4.") == (
        "weigh options",
        "The answer is 4.",
    )


def test_unclosed_think_block_is_all_reasoning_while_streaming() -> None:
    assert split_think("<think>still weighing") == ("still weighing", "")
    # A closing tag cut in the middle is not shown as reasoning text.
    assert split_think("<think>still weighing</thi") == ("still weighing", "")
    assert split_think("<thi") == ("", "")


def test_think_elsewhere_is_left_in_the_answer() -> None:
    text = "Use a <think> tag like this: <think>x</think>"
    assert split_think(text) == ("", text)


def _chat(qtbot: Any) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(800, 600)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def test_streamed_think_block_shows_in_the_fold_not_the_body(qtbot: Any) -> None:
    chat = _chat(qtbot)
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    chat.update_stream(2, "<think>\nLet me count")
    view = chat.views[2]
    assert view.reasoning_toggle.isVisible()
    assert view.reasoning.toPlainText() == "Let me count"
    assert "think" not in view.plain_text()
    assert "Let me count" not in view.plain_text()
    chat.update_stream(2, "<think>\nLet me count: 2+2.\n</think>\n\nIt is **4**.")
    assert view.reasoning.toPlainText() == "Let me count: 2+2."
    chat.finish(
        Message(2, 1, Role.ASSISTANT, "<think>\nLet me count: 2+2.\n</think>\n\nIt is **4**.")
    )
    assert view.plain_text() == "It is 4."
    assert view.reasoning_toggle.text() == "Reasoning"
    assert view.reasoning.toPlainText() == "Let me count: 2+2."


def test_stored_think_block_and_copy_of_its_code(qtbot: Any) -> None:
    chat = _chat(qtbot)
    content = "<think>plan</think>\n```python\nprint(1)\n```\n"
    chat.show_messages([Message(1, 1, Role.ASSISTANT, content)])
    view = chat.views[1]
    assert view.reasoning.toPlainText() == "plan"
    assert "plan" not in view.plain_text()
    view._on_link(QUrl("parley-copy:0"))
    assert QGuiApplication.clipboard().text() == "print(1)"
