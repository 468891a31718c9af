"""Tools in the window: a real MCP server over stdio, approval, the loop, Stop."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.domain import MessageStatus
from app.core.options import ConversationOptions
from app.main import Parley
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, close_app, open_app, send
from tests.test_tool_loop import tool_call_stream

SERVER = Path(__file__).with_name("mcp_test_server.py")


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter, tmp_path: Path) -> Iterator[Parley]:
    app = open_app(qtbot)
    app.ctx.settings.mcp_servers = {
        "calc": {"command": sys.executable, "args": [str(SERVER), "--root", str(tmp_path)]}
    }
    app.controller.tools_changed()
    opts = ConversationOptions()
    opts.enabled_tool_servers = ["calc"]
    app.controller.set_options(opts)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def approval_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
            and w.windowTitle() == "Run a tool?"]


def test_tool_call_is_approved_run_and_answered(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 40}')),
                 text_stream("The sum is 42."))
    send(qtbot, gui, "add 2 and 40")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    box = approval_boxes()[0]
    assert "calc__add" in box.text()
    assert '"a": 2' in box.informativeText()
    run_once = next(b for b in box.buttons() if b.text() == "Run once")
    run_once.click()
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=15000)
    second = chat_requests(fake)[-1].json()
    assert second["tools"][0]["function"]["name"] == "calc__add"
    tool_msg = next(m for m in second["messages"] if m["role"] == "tool")
    assert tool_msg["tool_call_id"] == "call_1"
    assert tool_msg["content"].startswith("42")
    conv = gui.controller.current
    assert conv is not None
    thread = gui.ctx.store.get_thread(conv.id)
    assert [m.role.value for m in thread] == ["user", "assistant", "tool", "assistant"]
    assert thread[2].extra["approved"] == "once"
    assert thread[-1].content == "The sum is 42."
    # the window shows the tool block and the answer
    texts = [v.settled.toPlainText() for v in gui.window.chat.views.values()]
    assert any("calc__add" in t or "add" in t for t in texts)
    assert any("The sum is 42." in t for t in texts)


def test_deny_tells_the_model_and_stop_withdraws_the_question(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 1, "b": 1}')),
                 text_stream("Understood."))
    send(qtbot, gui, "add")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    deny = next(b for b in approval_boxes()[0].buttons() if b.text() == "Deny")
    deny.click()
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=15000)
    tool_msg = next(m for m in chat_requests(fake)[-1].json()["messages"]
                    if m["role"] == "tool")
    assert "denied" in tool_msg["content"].lower()

    fake.enqueue(tool_call_stream(("call_2", "calc__add", '{"a": 1, "b": 2}')))
    send(qtbot, gui, "again")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    gui.controller.stop()
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    qtbot.waitUntil(lambda: not approval_boxes(), timeout=3000)
    conv = gui.controller.current
    assert conv is not None
    last = gui.ctx.store.get_thread(conv.id)[-1]
    assert last.status in (MessageStatus.STOPPED, MessageStatus.COMPLETE)
