"""Settings in the window: OK applies to the next request, keeps the open chat's model,
and an unusable settings file is reported without stopping the window."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.core.config import settings_path
from app.core.context import AppContext
from app.core.domain import MessageStatus
from app.main import Parley, build
from tests.fake_openrouter import FakeOpenRouter, slow_stream
from tests.test_gui import (
    close_app,
    open_app,
    reply_views,
    send,
    settings_dialog,
    visible_text,
)

REPO = Path(__file__).resolve().parents[1]
WORDS = 120


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def _press_ok_with(
    gui: Parley, qtbot: Any, *, model: str | None = None, mcp: str | None = None
) -> None:
    """Open Settings, change it, press Save, and wait until the change is applied."""
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    if model is not None:
        dialog.model_edit.setText(model)
    if mcp is not None:
        dialog.mcp_edit.setPlainText(mcp)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: gui.settings.applying is not None and gui.settings.applying.done(),
                    timeout=5000)


def _start_slow_reply(gui: Parley, qtbot: Any, fake: FakeOpenRouter) -> None:
    fake.enqueue(slow_stream(words=WORDS, delay=0.02))
    send(qtbot, gui, "Tell me a long story")
    qtbot.waitUntil(lambda: any("quick" in visible_text(v) for v in reply_views(gui)),
                    timeout=5000)
    assert gui.controller.busy


def _finished_reply(gui: Parley, qtbot: Any) -> Any:
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=15000)
    conv = gui.controller.current
    assert conv is not None
    return gui.ctx.store.get_messages(conv.id)[-1]


def test_ok_in_settings_mid_reply_lets_the_reply_finish(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    _start_slow_reply(gui, qtbot, fake)
    _press_ok_with(gui, qtbot, model="x/another-default")
    reply = _finished_reply(gui, qtbot)
    assert reply.status is MessageStatus.COMPLETE, reply.error
    words = reply.content.split()
    assert len(words) == WORDS
    assert words[-1] == "while119"
    assert fake.disconnects == []
    # The next request works with the new clients.
    fake.enqueue(slow_stream(words=5, delay=0))
    send(qtbot, gui, "again")
    assert _finished_reply(gui, qtbot).status is MessageStatus.COMPLETE


def test_changing_tool_servers_mid_reply_stops_the_old_ones_only_afterwards(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    gui.ctx.settings.mcp_servers = {"old": {"command": "old-server"}}
    gui.controller.tools_changed()
    registry = gui.controller.registry()
    assert registry.mcp is not None
    closed: list[bool] = []

    async def aclose() -> None:
        closed.append(gui.controller.busy)

    registry.mcp.aclose = aclose  # type: ignore[method-assign]
    _start_slow_reply(gui, qtbot, fake)
    _press_ok_with(gui, qtbot, mcp='{"mcpServers": {"new": {"command": "new-server"}}}')
    assert gui.controller.registry() is not registry  # the next request uses the new ones
    reply = _finished_reply(gui, qtbot)
    assert reply.status is MessageStatus.COMPLETE, reply.error
    qtbot.waitUntil(lambda: bool(closed), timeout=5000)
    assert closed == [False]


def test_ok_in_settings_keeps_the_open_conversations_model(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    conv = gui.ctx.store.create_conversation("Chosen model", model="vendor/chosen")
    gui.controller.conversationsChanged.emit()
    gui.controller.open_conversation(conv.id)
    assert gui.controller.model == "vendor/chosen"
    _press_ok_with(gui, qtbot, model="vendor/new-default")
    assert gui.controller.model == "vendor/chosen"
    assert gui.window.model_chooser.currentText() == "vendor/chosen"
    # A new, empty chat takes the new default.
    gui.controller.new_conversation()
    assert gui.controller.model == "vendor/new-default"


def test_ok_in_settings_gives_an_empty_chat_the_new_default(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    gui.controller.new_conversation()
    _press_ok_with(gui, qtbot, model="vendor/new-default")
    assert gui.controller.model == "vendor/new-default"
    assert gui.window.model_chooser.currentText() == "vendor/new-default"


def test_window_reports_an_unusable_settings_file_without_blocking(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, isolated_home: Path
) -> None:
    settings_path().write_bytes(b"\xff\xfe not utf-8")
    app = build(AppContext.open())
    try:
        app.start()
        qtbot.addWidget(app.window)
        app.window.show()
        app.settings.report_load_problem()  # returns at once: the box is not modal-blocking
        boxes = [w for w in app.window.findChildren(QMessageBox) if w.isVisible()]
        assert len(boxes) == 1
        text = boxes[0].text()
        assert "is not UTF-8 text" in text
        assert "default settings" in text
        moved = list(isolated_home.glob("settings.json.broken-*"))
        assert len(moved) == 1
        assert str(moved[0]) in text
        assert moved[0].read_bytes() == b"\xff\xfe not utf-8"
        boxes[0].close()
    finally:
        close_app(qtbot, app)


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[]", None],
                         ids=["not-utf8", "not-object", "directory"])
def test_window_starts_with_an_unusable_settings_file(
    isolated_home: Path, content: bytes | None
) -> None:
    path = settings_path()
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env.update(PARLEY_HOME=str(isolated_home), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "app", "--smoke"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "opened and closed cleanly" in result.stdout
    assert len(list(isolated_home.glob("settings.json.broken-*"))) == 1
