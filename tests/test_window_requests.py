"""The window on the one request path: tool-enabled replies finish like any other, "Always
allow" survives a restart, and a chat keeps (or explicitly changes) its endpoint."""

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
from tests.fake_openrouter import FakeOpenRouter, slow_stream, text_stream
from tests.test_gui import chat_requests, close_app, open_app, reply_views, send, visible_text
from tests.test_tool_loop import tool_call_stream

SERVER = Path(__file__).with_name("mcp_test_server.py")


def with_tools(app: Parley, tmp_path: Path) -> None:
    app.ctx.settings.mcp_servers = {
        "calc": {"command": sys.executable, "args": [str(SERVER), "--root", str(tmp_path)]}
    }
    app.ctx.settings.save()
    app.controller.tools_changed()
    opts = ConversationOptions()
    opts.enabled_tool_servers = ["calc"]
    app.controller.set_options(opts)


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter, tmp_path: Path) -> Iterator[Parley]:
    app = open_app(qtbot)
    with_tools(app, tmp_path)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def approval_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
            and w.windowTitle() == "Run a tool?"]


def click(box: QMessageBox, text: str) -> None:
    next(b for b in box.buttons() if b.text() == text).click()


def test_tool_enabled_reply_gets_usage_title_and_schema_check(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    gui.ctx.settings.title_model = "cheap/model"
    opts = gui.controller.options()
    opts.structured.mode = "json_schema"
    opts.structured.schema = {"type": "object", "required": ["sum"]}
    gui.controller.set_options(opts)
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 40}')),
                 text_stream('{"total": 42}'), text_stream("Adding Two Numbers"))
    send(qtbot, gui, "add 2 and 40")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    click(approval_boxes()[0], "Run once")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=15000)
    conv = gui.controller.current
    assert conv is not None
    # The usage line of the answer, with both steps counted.
    usage = gui.window.usage_label.text()
    assert "openai/gpt-4o-mini" in usage and "2 steps" in usage
    # The schema check of the final answer, stored and said.
    final = gui.ctx.store.get_thread(conv.id)[-1]
    assert final.extra["structured_check"]["valid"] is False
    assert "schema" in gui.window.statusBar().currentMessage()
    # The title from the cheap model, after the first exchange.
    qtbot.waitUntil(lambda: gui.ctx.store.get_conversation(conv.id).title  # type: ignore[union-attr]
                    == "Adding Two Numbers", timeout=5000)
    assert chat_requests(fake)[-1].json()["model"] == "cheap/model"


def test_stopped_tool_enabled_reply_gets_its_real_cost(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.generation_fields = {"cancelled": True, "total_cost": 0.0003,
                              "provider_name": "OpenAI"}
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 1, "b": 2}')),
                 slow_stream(words=600, delay=0.02))
    send(qtbot, gui, "add then talk")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    click(approval_boxes()[0], "Run once")
    qtbot.waitUntil(lambda: any("quick" in visible_text(v) for v in reply_views(gui)),
                    timeout=15000)
    gui.controller.stop()
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    conv = gui.controller.current
    assert conv is not None
    final = gui.ctx.store.get_thread(conv.id)[-1]
    assert final.status is MessageStatus.STOPPED

    def cost_stored() -> bool:
        msg = gui.ctx.store.get_message(final.id)
        return msg is not None and "generation" in msg.extra

    qtbot.waitUntil(cost_stored, timeout=10000)
    msg = gui.ctx.store.get_message(final.id)
    assert msg is not None and msg.usage is not None and msg.usage.cost == 0.0003
    qtbot.waitUntil(lambda: "charged $0.000300" in gui.window.statusBar().currentMessage(),
                    timeout=3000)


def test_always_allow_survives_a_restart(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, tmp_path: Path
) -> None:
    fake.enqueue(tool_call_stream(("call_1", "calc__add", '{"a": 2, "b": 2}')),
                 text_stream("Four."))
    send(qtbot, gui, "add")
    qtbot.waitUntil(lambda: bool(approval_boxes()), timeout=15000)
    click(approval_boxes()[0], "Always allow")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=15000)
    conv = gui.controller.current
    assert conv is not None
    close_app(qtbot, gui)

    again = open_app(qtbot)
    try:
        again.controller.tools_changed()
        again.controller.open_conversation(conv.id)
        fake.enqueue(tool_call_stream(("call_2", "calc__add", '{"a": 3, "b": 3}')),
                     text_stream("Six."))
        send(qtbot, again, "add again")
        qtbot.waitUntil(lambda: not again.controller.busy, timeout=15000)
        assert not approval_boxes()  # not asked again
        tools = [m for m in again.ctx.store.get_thread(conv.id) if m.role.value == "tool"]
        assert tools[-1].extra["approved"] == "always"
        assert tools[-1].content.startswith("6")
    finally:
        close_app(qtbot, again)


def add_local(app: Parley, other: FakeOpenRouter) -> None:
    app.ctx.settings.endpoints = [{"name": "local", "base_url": other.base_url,
                                   "kind": "openai"}]
    app.ctx.settings.save()
    app.controller.settings_changed()


@pytest.fixture
def other() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        yield server


def test_chat_keeps_its_endpoint_and_moves_only_when_asked(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, other: FakeOpenRouter
) -> None:
    app = open_app(qtbot)
    try:
        add_local(app, other)
        app.ctx.settings.current_endpoint = "local"
        other.enqueue(text_stream("local one"))
        send(qtbot, app, "hello")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=10000)
        conv = app.controller.current
        assert conv is not None
        assert app.ctx.store.get_conversation(conv.id).endpoint == "local"  # type: ignore[union-attr]
        assert len(chat_requests(other)) == 1

        # Changing the current endpoint does not move the open chat.
        app.ctx.settings.current_endpoint = "openrouter"
        app.controller.settings_changed()
        other.enqueue(text_stream("local two"))
        send(qtbot, app, "still there?")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=10000)
        assert len(chat_requests(other)) == 2
        assert not chat_requests(fake)

        # Conversation > Move to Endpoint > openrouter
        menu = app.window.endpoint_menu
        menu.aboutToShow.emit()
        actions = {a.text(): a for a in menu.actions()}
        assert set(actions) == {"openrouter", "local"}
        assert actions["local"].isChecked() and not actions["local"].isEnabled()
        actions["openrouter"].trigger()
        assert app.ctx.store.get_conversation(conv.id).endpoint == "openrouter"  # type: ignore[union-attr]
        fake.enqueue(text_stream("openrouter now"))
        send(qtbot, app, "and now?")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=10000)
        assert len(chat_requests(fake)) == 1 and len(chat_requests(other)) == 2
    finally:
        close_app(qtbot, app)


def test_missing_endpoint_is_named_when_sending(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, other: FakeOpenRouter
) -> None:
    app = open_app(qtbot)
    try:
        add_local(app, other)
        app.ctx.settings.current_endpoint = "local"
        other.enqueue(text_stream("ok"))
        send(qtbot, app, "hello")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=10000)
        app.ctx.settings.endpoints = []
        app.controller.settings_changed()
        errors: list[str] = []
        app.controller.errorRaised.connect(lambda msg, _hint, _kind: errors.append(msg))
        assert app.controller.send("again") is False
        assert errors and "'local'" in errors[0] and "openrouter" in errors[0]
        assert not chat_requests(fake)
    finally:
        close_app(qtbot, app)
