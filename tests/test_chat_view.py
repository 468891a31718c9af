"""The chat view: markdown in documents, streaming, lazy layout, autoscroll, actions,
reasoning and sources, find, themes and zoom."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette, QTextDocument, QTextTable
from PySide6.QtWidgets import QApplication

from app.core.domain import Message, MessageStatus, Role
from app.core.markdown_render import render_markdown, warm_up
from app.ui.chat_view import ChatView
from app.ui.math_typeset import typesetter
from app.ui.theme import apply_theme

RICH = """# Title

## Section

Some **bold**, *italic*, `code` and $E = mc^2$ and a [link](https://example.com).

- [x] done
- [ ] todo

1. one
2. two

> quoted words

```python
def f(x):
    return x + 1
```

| a | b |
|---|--:|
| 1 | 2 |
"""


@pytest.fixture(autouse=True)
def warm_renderer() -> None:
    """As a while after launch: code is highlighted at once (the one-shot renders these
    tests compare with are highlighted; see tests/test_highlight_warm_up.py for before)."""
    warm_up()


def make_chat(qtbot: Any, width: int = 900, height: int = 600) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(width, height)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def conversation(n: int, words: int = 40) -> list[Message]:
    out = []
    for i in range(n):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        body = " ".join(f"w{i}x{k}" for k in range(words))
        if i % 10 == 3:
            body += "\n\n```python\nprint(1)\n```\n"
        out.append(Message(i + 1, 1, role, f"Message number {i + 1}. {body}"))
    return out


def blocks(doc: QTextDocument) -> list[Any]:
    out = []
    b = doc.begin()
    while b.isValid():
        out.append(b)
        b = b.next()
    return out


# ---- markdown in the document ----------------------------------------------------------


def test_markdown_elements_render_into_the_document(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, RICH)])
    doc = chat.views[1].settled.document()
    text = doc.toPlainText()
    all_blocks = blocks(doc)
    levels = {b.text(): b.blockFormat().headingLevel() for b in all_blocks}
    assert levels["Title"] == 1 and levels["Section"] == 2
    assert "**" not in text and "`code`" not in text
    assert "☑ done" in text and "☐ todo" in text
    lists = [b.textList() for b in all_blocks if b.textList() is not None]
    assert len({id(x) for x in lists}) >= 1 and len(lists) >= 4
    assert "$E = mc^2$" in text  # math kept literally
    quote = next(b for b in all_blocks if b.text() == "quoted words")
    assert quote.blockFormat().leftMargin() > 0 or quote.blockFormat().indent() > 0
    code = next(b for b in all_blocks if b.text().startswith("def f(x):"))
    assert code.charFormat().fontFixedPitch() or "monospace" in code.charFormat().fontFamilies()
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == 1 and tables[0].format().border() > 0
    assert tables[0].cellAt(1, 1).firstCursorPosition().block().text() == "2"
    # Room between the code block and the table after it.
    assert tables[0].format().topMargin() > 0
    assert "Copy" in text  # the code block's Copy link


def test_code_copy_link_copies_the_code(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, RICH)])
    view = chat.views[1]
    from PySide6.QtCore import QUrl

    with qtbot.waitSignal(chat.statusMessage):
        view.settled.anchorClicked.emit(QUrl("parley-copy:0"))
    assert QGuiApplication.clipboard().text() == "def f(x):\n    return x + 1"


def test_streamed_reply_ends_equal_to_a_one_shot_render(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    text = (RICH + "\n\nMore text after.\n\n") * 6
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    for end in range(0, len(text), 37):
        chat.update_stream(2, text[:end])
    view = chat.views[2]
    assert view.live.isVisible() or view.settled.isVisible()
    chat.finish(Message(2, 1, Role.ASSISTANT, text))
    one_shot = QTextDocument()
    one_shot.setDefaultFont(view.settled.document().defaultFont())
    one_shot.setHtml(render_markdown(text, theme=chat.theme).strip())
    # Formulas whose image is ready are swapped in the same way in both.
    color = QGuiApplication.palette().color(QPalette.ColorRole.Text).name()
    typesetter().typeset(one_shot, color, view.devicePixelRatioF())
    assert view.settled.document().toHtml() == one_shot.toHtml()
    assert not view.live.isVisible()


def test_streamed_reply_with_link_definitions_ends_with_resolved_links(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    text = ("See [the docs][1] first.\n\nMore text here.\n\nA note[^n].\n\n"
            "[^n]: The footnote.\n\n[1]: https://docs.example/\n")
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    for end in range(0, len(text), 9):
        chat.update_stream(2, text[:end])
    chat.finish(Message(2, 1, Role.ASSISTANT, text))
    doc = chat.views[2].settled.document()
    one_shot = QTextDocument()
    one_shot.setDefaultFont(doc.defaultFont())
    one_shot.setHtml(render_markdown(text, theme=chat.theme).strip())
    assert doc.toHtml() == one_shot.toHtml()
    plain = doc.toPlainText()
    assert "[1]" not in plain and "https://docs.example" not in plain
    assert plain.rstrip().endswith("[n] The footnote.")


def test_two_argument_update_stream_and_reasoning(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    chat.update_stream(2, "Hello")  # the old two-argument call
    chat.update_stream(2, "Hello", "Let me think")
    chat.update_stream(2, "Hello there", "Let me think about it")
    view = chat.views[2]
    assert view.reasoning_toggle.isVisible()
    assert view.reasoning_toggle.text() == "Thinking…"
    assert view.reasoning.isVisible()
    assert view.reasoning.toPlainText() == "Let me think about it"
    chat.finish(Message(2, 1, Role.ASSISTANT, "Hello there!", reasoning="Let me think about it"))
    assert view.reasoning_toggle.text() == "Reasoning"
    assert not view.reasoning.isVisible()  # collapsed once answered
    view.reasoning_toggle.click()
    assert view.reasoning.isVisible()


def test_encrypted_reasoning_and_citations(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = {
        "reasoning_details": [{"type": "reasoning.encrypted", "data": "opaque"}],
        "annotations": [
            {"type": "url_citation",
             "url_citation": {"url": "https://a.example/1", "title": "First <b>source</b>"}},
            {"type": "url_citation", "url_citation": {"url": "https://b.example/2"}},
            {"type": "url_citation", "url_citation": {"url": "javascript:alert(1)",
                                                      "title": "evil"}},
            {"type": "file", "file": {}},
        ],
    }
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "Answer [1]", extra=extra)])
    view = chat.views[1]
    assert view.reasoning_toggle.isVisible()
    assert "encrypted by the provider" in view.reasoning_toggle.text()
    assert view.sources.isVisible()
    shown = view.sources.toPlainText()
    assert "1. First <b>source</b>" in shown
    assert "2. https://b.example/2" in shown
    assert "3. evil" in shown
    from tests.test_render_safety import anchors

    assert anchors(view.sources.document()) == ["https://a.example/1", "https://b.example/2"]


# ---- long conversations ----------------------------------------------------------------


def test_lazy_layout_builds_only_what_is_near_the_viewport(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    msgs = conversation(2000)
    chat.show_messages(msgs)
    qtbot.wait(50)
    assert 0 < chat.realized_count() < 60
    assert msgs[-1].id in chat.views  # opened at the end
    assert msgs[0].id not in chat.views
    bar = chat.scroller.verticalScrollBar()
    assert chat.at_bottom()
    bar.setValue(0)
    qtbot.wait(20)
    assert bar.value() == 0
    first = chat.views[msgs[0].id]
    assert first.isVisible()
    assert "Message number 1." in first.settled.toPlainText()
    assert first.geometry().top() < chat.scroller.viewport().height()
    assert msgs[-1].id not in chat.views  # released far away
    assert chat.realized_count() < 60
    # Column is capped and centred.
    assert first.width() <= 900


def test_column_is_capped_and_centred(qtbot: Any) -> None:
    chat = make_chat(qtbot, width=1600)
    chat.show_messages(conversation(4))
    view = next(iter(chat.views.values()))
    assert view.width() == 900
    viewport_w = chat.scroller.viewport().width()
    assert abs(view.x() - (viewport_w - view.width()) // 2) <= 1


def test_autoscroll_follows_only_at_the_bottom(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    msgs = conversation(40)
    chat.show_messages(msgs)
    reply = Message(999, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    chat.append(reply)
    qtbot.wait(10)
    bar = chat.scroller.verticalScrollBar()
    text = ""
    for i in range(30):
        text += f"Line {i} of the streaming reply with some words.\n\n"
        chat.update_stream(999, text)
    assert chat.at_bottom()
    assert not chat.jump_button.isVisible()

    bar.setValue(bar.value() - 600)  # the user scrolls up
    qtbot.wait(10)
    assert not chat.at_bottom()
    assert chat.jump_button.isVisible()
    held = bar.value()
    for i in range(30, 60):
        text += f"Line {i} of the streaming reply with some words.\n\n"
        chat.update_stream(999, text)
    assert bar.value() == held  # not dragged along
    assert not chat.at_bottom()

    chat.jump_button.click()
    assert chat.at_bottom()
    assert not chat.jump_button.isVisible()
    for i in range(60, 80):
        text += f"Line {i} of the streaming reply with some words.\n\n"
        chat.update_stream(999, text)
    assert chat.at_bottom()


# ---- actions ---------------------------------------------------------------------------


def test_message_actions_emit_and_copy(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    user = Message(1, 1, Role.USER, "What is **2+2**?")
    reply = Message(2, 1, Role.ASSISTANT, "It is **4**.\n\n```\nx\n```")
    chat.show_messages([user, reply])
    uv, rv = chat.views[1], chat.views[2]
    assert uv.edit_button.isVisibleTo(uv) and not uv.regenerate_button.isVisibleTo(uv)
    assert rv.regenerate_button.isVisibleTo(rv) and not rv.edit_button.isVisibleTo(rv)

    with qtbot.waitSignal(chat.copyText) as sig:
        rv.copy_button.click()
    assert sig.args == ["It is 4.\nx"]
    assert QGuiApplication.clipboard().text() == "It is 4.\nx"
    rv.copy_md_button.click()
    assert QGuiApplication.clipboard().text() == reply.content
    uv.copy_button.click()
    assert QGuiApplication.clipboard().text() == "What is **2+2**?"

    with qtbot.waitSignal(chat.editRequested) as sig:
        uv.edit_button.click()
    assert sig.args == [1]
    with qtbot.waitSignal(chat.regenerateRequested) as sig:
        rv.regenerate_button.click()
    assert sig.args == [2]
    with qtbot.waitSignal(chat.deleteRequested) as sig:
        rv.delete_button.click()
    assert sig.args == [2]

    assert not rv.branch_label.isVisibleTo(rv)
    chat.set_branch_info(2, 1, 3)
    assert rv.branch_label.isVisibleTo(rv) and rv.branch_label.text() == "2 / 3"
    with qtbot.waitSignal(chat.branchRequested) as sig:
        rv.branch_next.click()
    assert sig.args == [2, 1]
    with qtbot.waitSignal(chat.branchRequested) as sig:
        rv.branch_prev.click()
    assert sig.args == [2, -1]


def test_header_shows_model_time_tokens_cost(qtbot: Any) -> None:
    from app.core.domain import Usage

    chat = make_chat(qtbot)
    msg = Message(1, 1, Role.ASSISTANT, "x", model="openai/gpt-4o", provider="OpenAI",
                  usage=Usage(10, 1234, 1244, 0.0021), created_at=1.7e9)
    chat.show_messages([msg])
    view = chat.views[1]
    header = view.header.text()
    assert "1,234 tokens" in header and "$0.0021" in header and ":" in header  # a time
    # The model and provider are a compact badge; the full id is in its tooltip.
    assert view.badge.isVisibleTo(view)
    assert view.badge.text() == "gpt-4o · OpenAI"
    assert "openai/gpt-4o" in view.badge.toolTip() and "OpenAI" in view.badge.toolTip()


# ---- find, theme, zoom -----------------------------------------------------------------


def test_find_bar_counts_and_highlights(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    msgs = [Message(1, 1, Role.USER, "apple banana apple"),
            Message(2, 1, Role.ASSISTANT, "An **apple** a day."),
            Message(3, 1, Role.USER, "cherry")]
    chat.show_messages(msgs)
    chat.find_action.trigger()
    assert chat.find_bar.isVisible()
    qtbot.keyClicks(chat.find_bar.edit, "APPLE")
    assert chat.match_count() == 3
    assert "of 3" in chat.find_bar.count.text()
    assert len(chat.views[1].settled.extraSelections()) == 2
    assert len(chat.views[2].settled.extraSelections()) == 1
    assert chat.views[3].settled.extraSelections() == []
    first = chat.find_bar.count.text()
    qtbot.keyClick(chat.find_bar.edit, Qt.Key.Key_Return)
    assert chat.find_bar.count.text() != first
    qtbot.keyClick(chat.find_bar.edit, Qt.Key.Key_Escape)
    assert not chat.find_bar.isVisible()
    assert chat.views[1].settled.extraSelections() == []


def test_find_reaches_messages_that_are_not_built(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    msgs = conversation(600)
    chat.show_messages(msgs)
    assert msgs[4].id not in chat.views
    chat.open_find()
    chat.find_bar.edit.setText("w4x7 ")  # only in message 5
    qtbot.waitUntil(lambda: not chat.find_counting(), timeout=10000)
    assert chat.match_count() == 1
    assert msgs[4].id in chat.views
    assert len(chat.views[msgs[4].id].settled.extraSelections()) == 1


def test_theme_switch_changes_palette_and_code_colours(qtbot: Any, qapp: QApplication) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "```python\nx = 1\n```")])
    try:
        assert apply_theme(qapp, "dark") == "dark"
        qtbot.waitUntil(lambda: chat.theme == "dark")
        assert chat.palette().color(chat.palette().ColorRole.Base).lightness() < 128
        assert "#161b22" in chat.views[1].settled.toHtml()
        assert apply_theme(qapp, "light") == "light"
        qtbot.waitUntil(lambda: chat.theme == "light")
        assert chat.palette().color(chat.palette().ColorRole.Base).lightness() > 128
        assert "#f6f8fa" in chat.views[1].settled.toHtml()
    finally:
        apply_theme(qapp, "system")


def test_zoom_changes_text_size(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages(conversation(3))
    view = chat.views[2]
    before = view.settled.document().defaultFont().pointSizeF()
    height = view.height()
    chat.zoom_in_action.trigger()
    assert chat.zoom == 1
    assert view.settled.document().defaultFont().pointSizeF() > before
    assert view.height() > height
    chat.zoom_reset_action.trigger()
    assert chat.zoom == 0


def test_zoom_keys_are_remembered_in_settings(
    qtbot: Any, aloop: Any, fake: Any, isolated_home: Path
) -> None:
    from tests.test_gui import close_app, open_app

    app = open_app(qtbot)
    try:
        qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Equal,
                       Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Equal,
                       Qt.KeyboardModifier.ControlModifier)
        assert app.window.chat.zoom == 2
        saved = json.loads((isolated_home / "settings.json").read_text())
        assert saved["zoom"] == 2
        qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_F,
                       Qt.KeyboardModifier.ControlModifier)
        assert app.window.chat.find_bar.isVisible() == (
            app.window.chat.currentWidget() is app.window.chat.page
        )
    finally:
        close_app(qtbot, app)
    again = open_app(qtbot)
    try:
        assert again.window.chat.zoom == 2
    finally:
        close_app(qtbot, again)


def test_nested_lists_step_in_by_one_spacing_unit_per_level(qtbot: Any) -> None:
    # Qt's default of 40 px a level pushed a third-level item ~120 px into the column.
    from app.ui.style import LIST_INDENT

    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "- one\n  - two\n    - three\n")])
    doc = chat.views[1].settled.document()
    starts = {b.text().strip(): b.layout().lineAt(0).x() for b in blocks(doc)}
    assert starts["two"] - starts["one"] == LIST_INDENT
    assert starts["three"] - starts["one"] == 2 * LIST_INDENT <= 48
