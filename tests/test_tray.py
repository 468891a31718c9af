"""The tray icon: its menu, "Close to tray", Quit, and the settings that turn it on.

Most tests drive the menu's actions and the close logic directly, so they mean something
on any display; where a test needs a desktop with a tray it pretends to have one
(`tray_available`), and the one test that needs a real tray host skips without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.main import Parley
from tests.conftest import run_in_qt
from tests.fake_openrouter import FakeOpenRouter
from tests.test_gui import close_app, open_app, settings_dialog


@pytest.fixture
def app(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    parley = open_app(qtbot)
    yield parley
    quick = parley.quick
    assert quick is not None
    if quick._window is not None:
        quick._window.hide()
        quick._window.deleteLater()
    if parley.tray is not None and parley.tray.icon is not None:
        parley.tray.icon.hide()
    if parley.ctx.store._conn is not None:
        close_app(qtbot, parley)
    run_in_qt(qtbot, quick.shutdown())


@pytest.fixture
def with_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    """A desktop that shows tray icons (offscreen Qt has none)."""
    monkeypatch.setattr("app.ui.tray.tray_available", lambda: True)


def _closings(app: Parley) -> list[bool]:
    seen: list[bool] = []
    app.window.closing.connect(lambda: seen.append(True))
    return seen


def test_the_tray_is_off_by_default(app: Parley, with_tray: None) -> None:
    assert app.tray is not None
    assert app.ctx.settings.tray_icon is False
    assert app.tray.icon is None


def test_the_menu_opens_a_new_chat_quick_ask_and_the_window(
    app: Parley, qtbot: Any
) -> None:
    tray = app.tray
    assert tray is not None and app.quick is not None
    menu = tray.menu
    assert [a.text() for a in menu.menu.actions() if not a.isSeparator()] == [
        "New Chat", "Quick Ask…", "Show Parley", "Quit"]
    for action in menu.menu.actions():
        assert action.isSeparator() or action.toolTip() != action.text().replace("&", "")
    assert menu.menu.accessibleName()

    app.controller.open_conversation(app.ctx.store.create_conversation("Old").id)
    app.window.hide()
    menu.new_chat_action.trigger()
    assert app.window.isVisible()
    assert app.controller.current is None

    menu.quick_ask_action.trigger()
    qtbot.waitExposed(app.quick.window)
    assert app.quick.window.isVisible()
    app.quick.window.hide()

    app.window.hide()
    menu.show_action.trigger()
    assert app.window.isVisible()

    closings = _closings(app)
    menu.quit_action.trigger()
    assert closings == [True]


def test_close_to_tray_hides_the_window_and_quit_ends_parley(
    app: Parley, qtbot: Any, with_tray: None
) -> None:
    tray = app.tray
    assert tray is not None
    app.ctx.settings_service.update(tray_icon=True, close_to_tray=True)
    assert tray.icon is not None and tray.shown
    closings = _closings(app)

    app.window.close()
    assert not app.window.isVisible()
    assert closings == []  # hidden, not ending: the store stays open, replies go on
    app.window.close_action.trigger()  # Ctrl+W again while hidden: still only hidden
    assert closings == []

    tray.menu.show_action.trigger()
    assert app.window.isVisible()
    app.window.quit_action.trigger()  # File > Quit ends Parley even with close-to-tray
    assert closings == [True]


def test_without_close_to_tray_closing_ends_parley(
    app: Parley, qtbot: Any, with_tray: None
) -> None:
    app.ctx.settings_service.update(tray_icon=True, close_to_tray=False)
    closings = _closings(app)
    app.window.close()
    assert closings == [True]


def test_turning_the_icon_off_brings_a_hidden_window_back(
    app: Parley, qtbot: Any, with_tray: None
) -> None:
    tray = app.tray
    assert tray is not None
    app.ctx.settings_service.update(tray_icon=True, close_to_tray=True)
    app.window.close()
    assert not app.window.isVisible()
    app.ctx.settings_service.update(tray_icon=False)
    assert tray.icon is None
    assert app.window.isVisible()  # no icon would be left to bring it back with
    closings = _closings(app)
    app.window.close()
    assert closings == [True]


def test_settings_turn_the_tray_on(app: Parley, qtbot: Any, with_tray: None) -> None:
    app.settings.open()
    dialog = settings_dialog(qtbot)
    assert dialog.tray_icon.isEnabled() and not dialog.tray_icon.isChecked()
    assert not dialog.close_to_tray.isEnabled()  # nothing to close to yet
    dialog.tray_icon.setChecked(True)
    assert dialog.close_to_tray.isEnabled()
    dialog.close_to_tray.setChecked(True)
    for box in (dialog.tray_icon, dialog.close_to_tray):
        assert box.accessibleName() and box.toolTip()
    dialog.accept()
    assert app.tray is not None
    qtbot.waitUntil(lambda: app.tray is not None and app.tray.icon is not None, timeout=5000)
    assert app.ctx.settings.tray_icon and app.ctx.settings.close_to_tray


def test_settings_say_when_the_desktop_has_no_tray(
    app: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.ui.tray.tray_available", lambda: False)
    app.settings.open()
    dialog = settings_dialog(qtbot)
    assert not dialog.tray_icon.isEnabled()
    assert not dialog.close_to_tray.isEnabled()
    assert "no system tray" in dialog.tray_note.text()
    dialog.reject()


# ---- a real X11 desktop with a tray ---------------------------------------------------

_CHILD = """
import json, sys
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
qapp = QApplication(sys.argv)
qapp.setQuitOnLastWindowClosed(False)
from app.core.context import AppContext
from app.main import build
parley = build(AppContext.open())
parley.start()
parley.window.show()
qapp.processEvents()
icon = parley.tray.icon
closings = []
parley.window.closing.connect(lambda: closings.append(True))
parley.window.close()
report = {
    "available": QSystemTrayIcon.isSystemTrayAvailable(),
    "icon": icon is not None and icon.isVisible(),
    "menu": [a.text() for a in icon.contextMenu().actions() if not a.isSeparator()]
            if icon is not None else [],
    "hidden_not_closed": not parley.window.isVisible() and not closings,
}
parley.tray.menu.quit_action.trigger()
report["quit"] = closings == [True]
parley.ctx.store.close()
print(json.dumps(report))
"""


@pytest.fixture
def tray_desktop() -> Iterator[str]:
    """A virtual X screen (Xvfb) whose tray is held by tests/tray_host.py."""
    import os
    import shutil
    import subprocess
    import sys

    def unavailable(reason: str) -> None:
        # CI installs everything this needs: there a missing desktop is a failure, not a skip
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)

    if not shutil.which("Xvfb"):
        unavailable("Xvfb is needed for a desktop with a tray; .ci/run installs it")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    host = None
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            unavailable("Xvfb did not start")
        display = f":{number}"
        host = subprocess.Popen(
            [sys.executable, "-m", "tests.tray_host"], cwd=Path(__file__).parents[1],
            env={**os.environ, "DISPLAY": display}, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        assert host.stdout is not None
        line = host.stdout.readline().strip()
        if line != "ready":
            unavailable(f"the test tray host did not start: {line or 'no answer'}")
        yield display
    finally:
        if host is not None:
            if host.stdin is not None:
                host.stdin.close()
            host.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)


def test_on_a_desktop_with_a_tray_the_icon_and_close_to_tray_work(
    tray_desktop: str, isolated_home: Path
) -> None:
    import json
    import os
    import subprocess
    import sys

    (isolated_home / "settings.json").write_text(
        json.dumps({"tray_icon": True, "close_to_tray": True}), encoding="utf-8")
    env = {**os.environ, "DISPLAY": tray_desktop, "QT_QPA_PLATFORM": "xcb",
           "OPENROUTER_API_KEY": "test-key",
           "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1"}
    done = subprocess.run([sys.executable, "-c", _CHILD], cwd=Path(__file__).parents[1],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {
        "available": True, "icon": True,
        "menu": ["New Chat", "Quick Ask…", "Show Parley", "Quit"],
        "hidden_not_closed": True, "quit": True,
    }


def test_new_chat_from_the_tray_goes_into_the_selected_folder_like_ctrl_n(
    app: Parley, qtbot: Any
) -> None:
    from app.core.history import folders as folder_store

    tray = app.tray
    assert tray is not None
    folder = folder_store.create_folder(app.ctx.store, "Work")
    app.sidebar.refresh()
    sidebar = app.window.sidebar
    sidebar.view.setCurrentIndex(sidebar.model.folder_index(folder.id))
    app.window.hide()
    tray.menu.new_chat_action.trigger()
    assert app.window.isVisible()
    assert app.controller.current is None
    assert app.controller.pending_folder_id == folder.id
