"""A code line wider than the column scrolls sideways instead of being clipped."""

from __future__ import annotations

from typing import Any

from app.core.domain import Message, Role
from app.ui.chat_view import ChatView

LONG_LINE = "SELECT " + ", ".join(f"column_{i}" for i in range(60)) + " FROM t;"


def _chat(qtbot: Any) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(600, 500)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def test_long_code_line_can_be_scrolled_into_view(qtbot: Any) -> None:
    chat = _chat(qtbot)
    content = f"Here is the query:\n\n```sql\n{LONG_LINE}\n```\n\nShort text after it."
    chat.show_messages([Message(1, 1, Role.ASSISTANT, content)])
    body = chat.views[1].settled
    qtbot.waitUntil(lambda: body.horizontalScrollBar().maximum() > 0)
    bar = body.horizontalScrollBar()
    assert bar.isVisible()
    # The whole line is reachable: viewport plus scroll range covers the document.
    assert body.viewport().width() + bar.maximum() >= body.document().size().width() - 1
    # The scroll bar does not cover the last line of text.
    assert body.height() >= body.document().size().height() + bar.height()


def test_prose_only_reply_has_no_sideways_scrolling(qtbot: Any) -> None:
    chat = _chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "word " * 300)])
    body = chat.views[1].settled
    qtbot.wait(50)
    assert body.horizontalScrollBar().maximum() == 0
    assert not body.horizontalScrollBar().isVisible()
