"""Code in a conversation shown at launch: drawn plain at once, highlighted once the
renderer is warm (building a lexer on the GUI thread would delay the first paint)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QTextDocument

from app.core import markdown_render
from app.core.domain import Message, Role
from app.ui.chat_view import ChatView
from tests.text_doc import block_formats

ROOT = Path(__file__).resolve().parents[1]

REPLY = "Like this:\n\n```python\ndef twice(x):\n    return 2 * x\n```\n\nThat is all."


@pytest.fixture
def cold_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """As at launch: the worker thread has not warmed the renderer yet."""
    monkeypatch.setattr(markdown_render, "_warm", threading.Event())


def code_colours(doc: QTextDocument, line: str) -> set[str]:
    """The text colours used on the document's line `line`."""
    block = doc.begin()
    while block.isValid():
        if block.text() == line:
            return {fmt.foreground().color().name() for fmt in block_formats(block)}
        block = block.next()
    raise AssertionError(f"{line!r} is not in the document")


def show_reply(qtbot: Any) -> tuple[ChatView, QTextDocument]:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(900, 600)
    chat.show()
    qtbot.waitExposed(chat)
    chat.show_messages([Message(1, 1, Role.USER, "How?"), Message(2, 1, Role.ASSISTANT, REPLY)])
    return chat, chat.views[2].settled.document()


def test_code_shown_before_the_renderer_is_warm_is_plain_then_highlighted(
        qtbot: Any, cold_renderer: None) -> None:
    chat, doc = show_reply(qtbot)
    assert len(code_colours(doc, "def twice(x):")) == 1  # plain: one colour for the line
    plain_text = doc.toPlainText()

    markdown_render.warm_up()
    chat.rehighlight()

    doc = chat.views[2].settled.document()
    assert len(code_colours(doc, "def twice(x):")) > 1  # the keyword has its own colour
    assert doc.toPlainText() == plain_text  # highlighting changes colours, never the text


def test_once_warm_code_is_highlighted_at_once(qtbot: Any, cold_renderer: None) -> None:
    markdown_render.warm_up()
    _, doc = show_reply(qtbot)
    assert len(code_colours(doc, "def twice(x):")) > 1


def test_a_plain_render_has_the_same_text_and_loads_no_highlighter() -> None:
    code = (
        "import sys\n"
        "from app.core.markdown_render import render_markdown\n"
        f"html = render_markdown({REPLY!r}, highlight=False)\n"
        "print('pygments' in sys.modules, 'def twice(x):' in html)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.split() == ["False", "True"]


def test_the_window_highlights_a_reopened_chat_once_the_renderer_is_warm(
        qtbot: Any, aloop: Any, fake: Any, cold_renderer: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import os

    from app.core.history import Store
    from tests.test_gui import close_app, open_app

    home = Path(os.environ["PARLEY_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "history.sqlite3") as store:
        conv = store.create_conversation("Doubling")
        store.add_message(conv.id, Role.USER, "How?")
        reply = store.add_message(conv.id, Role.ASSISTANT, REPLY)
    (home / "window-state.json").write_text(json.dumps({"last_conversation": conv.id}))
    # The worker thread's warm-up waits until the window has been looked at.
    looked = threading.Event()
    warm_language = markdown_render.warm_up_language

    def held(lang: str) -> None:
        looked.wait(10)
        warm_language(lang)

    monkeypatch.setattr(markdown_render, "warm_up_language", held)
    app = open_app(qtbot)
    try:
        view = app.window.chat.views[reply.id]
        assert len(code_colours(view.settled.document(), "def twice(x):")) == 1
        looked.set()
        with qtbot.waitSignal(app.controller.rendererWarm, timeout=10000):
            pass
        qtbot.waitUntil(lambda: len(code_colours(
            app.window.chat.views[reply.id].settled.document(), "def twice(x):")) > 1)
    finally:
        looked.set()
        close_app(qtbot, app)
