"""The tray icon: its menu, "Close to tray", Quit, and the settings that turn it on.

Most tests drive the menu's actions and the close logic directly, so they mean something
on any display; where a test needs a desktop with a tray it pretends to have one
(`tray_available`), and the one test that needs a real tray host skips without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

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


def test_a_real_tray_shows_the_icon_with_its_menu(app: Parley, qtbot: Any) -> None:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        pytest.skip("this display has no system tray (offscreen Qt, or a window manager "
                    "without a tray such as plain openbox)")
    tray = app.tray
    assert tray is not None
    app.ctx.settings_service.update(tray_icon=True)
    assert tray.icon is not None
    qtbot.waitUntil(tray.icon.isVisible, timeout=5000)
    assert tray.icon.contextMenu() is tray.menu.menu
    assert tray.icon.toolTip() == "Parley"
