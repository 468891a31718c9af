"""Closing the window leaves nothing behind: every task is cancelled and awaited, MCP
servers are stopped to the end (however long that takes), and no child process remains."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.main import Parley
from tests.conftest import run_in_qt
from tests.fake_openrouter import FakeOpenRouter
from tests.test_gui import close_app, open_app
from tests.test_mcp import pid_alive

SERVER = Path(__file__).with_name("mcp_test_server.py")
APP_DIR = Path(__file__).resolve().parents[1] / "app"


class SlowMcp:
    """Stands in for McpManager: stopping its servers takes `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.closed = False

    async def aclose(self) -> None:
        await asyncio.sleep(self.seconds)
        self.closed = True


class FakeRegistry:
    def __init__(self, mcp: SlowMcp) -> None:
        self.mcp = mcp


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def app_tasks_left(loop: Any) -> list[asyncio.Task[Any]]:
    """Tasks still pending whose coroutine is Parley's own code."""
    left = []
    for task in asyncio.all_tasks(loop):
        code = getattr(task.get_coro(), "cr_code", None)
        if not task.done() and code is not None and code.co_filename.startswith(str(APP_DIR)):
            left.append(task)
    return left


def test_exit_waits_for_mcp_servers_that_are_slow_to_stop(gui: Parley, qtbot: Any) -> None:
    # Longer than the wait granted to ordinary tasks: the servers still get it all.
    mcp = SlowMcp(2.5)
    gui.controller._registry = FakeRegistry(mcp)  # type: ignore[assignment]
    close_app(qtbot, gui)
    assert mcp.closed


def test_servers_replaced_in_settings_are_stopped_not_abandoned_at_exit(
    gui: Parley, qtbot: Any
) -> None:
    old = SlowMcp(0.3)
    gui.controller._registry = FakeRegistry(old)  # type: ignore[assignment]
    gui.controller.tools_changed()  # starts stopping the old servers ...
    close_app(qtbot, gui)  # ... and the window closes right away
    assert old.closed


def test_no_child_process_outlives_the_window(
    gui: Parley, qtbot: Any, tmp_path: Path
) -> None:
    gui.ctx.settings.mcp_servers = {
        "calc": {"command": sys.executable, "args": [str(SERVER), "--root", str(tmp_path)]}
    }
    gui.controller.tools_changed()
    mcp = gui.controller.registry().mcp
    assert mcp is not None
    result = run_in_qt(qtbot, mcp.call_tool("calc", "pid", {}), timeout=30)
    pid = int(result.text)
    assert pid_alive(pid)
    close_app(qtbot, gui)
    assert not pid_alive(pid)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()


def test_the_welcome_pages_check_is_cancelled_and_awaited_at_exit(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    silent_server: str,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")  # no key: the welcome page opens
    app = open_app(qtbot)
    qtbot.waitUntil(lambda: app.window.welcome is not None, timeout=5000)
    panel = app.window.welcome
    panel.server_edit.setText(silent_server)
    panel.server_button.click()
    qtbot.waitUntil(lambda: any(t.get_coro().__qualname__.endswith("_run_server")
                                for t in app_tasks_left(aloop)), timeout=5000)
    close_app(qtbot, app)
    assert app_tasks_left(aloop) == []


def test_nothing_is_left_running_after_exit_mid_start_up(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    app = open_app(qtbot)
    app.controller.refresh_models()  # a model-list load in flight as the window closes
    close_app(qtbot, app)
    assert app_tasks_left(aloop) == []
