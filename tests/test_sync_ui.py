"""Sync in the window: two data folders share one sync folder; rounds run off the GUI
thread and the sidebar shows what arrived."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from app.core.domain import Role
from app.core.settings_service import SettingsService
from app.main import Parley
from app.ui.sync_controller import SyncController
from tests.conftest import run_in_qt
from tests.fake_openrouter import FakeOpenRouter
from tests.sync_devices import Device
from tests.test_gui import close_app, open_app, settings_dialog


def _titles(app: Parley) -> list[str]:
    model = app.window.sidebar.model
    return [model.data(model.index(i)) for i in range(model.rowCount())]


@pytest.fixture
def laptop(tmp_path: Path) -> Any:
    shared = tmp_path / "Nextcloud"
    shared.mkdir()
    device = Device(tmp_path, "laptop", shared)
    yield device
    device.close()


def test_a_chat_made_on_another_computer_appears_in_the_sidebar(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, laptop: Device,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conv = laptop.store.create_conversation("Made on the laptop")
    laptop.store.add_message(conv.id, Role.USER, "hello desktop")
    laptop.sync()
    SettingsService.load().update(sync_folder=str(laptop.shared))

    rounds_on: list[str] = []
    work = SyncController._work

    def spy(self: SyncController, folder: str) -> Any:
        rounds_on.append(threading.current_thread().name)
        return work(self, folder)

    monkeypatch.setattr(SyncController, "_work", spy)
    app = open_app(qtbot)
    sync = app.sync
    assert sync is not None
    sync.roundFinished.connect(lambda _r: rounds_on.append(threading.current_thread().name))
    try:
        # The round at start brings the laptop's chat into the list.
        qtbot.waitUntil(lambda: "Made on the laptop" in _titles(app), timeout=15000)
        assert sync.label.isVisible()
        assert "1 min ago" not in sync.label.text() and "2 devices" in sync.label.text()
        # The round ran on the sync thread, its result came back to the GUI thread.
        assert rounds_on[0].startswith("parley-sync")
        assert rounds_on[1] == threading.main_thread().name

        # A chat made in the window reaches the laptop after "Sync now".
        mine = app.ctx.store.create_conversation("Made in the window")
        app.ctx.store.add_message(mine.id, Role.USER, "hello laptop")
        task = sync.sync_now()
        assert task is not None
        run_in_qt(qtbot, _wait(task), timeout=15)
        laptop.sync()
        assert laptop.titles() == ["Made in the window", "Made on the laptop"]
    finally:
        run_in_qt(qtbot, sync.shutdown(), timeout=40)
        close_app(qtbot, app)


async def _wait(task: Any) -> None:
    await task


def test_settings_has_a_sync_page_that_saves_the_folder(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, tmp_path: Path, memory_keyring: Any,
) -> None:
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    app = open_app(qtbot)
    try:
        app.window.settings_action.trigger()
        dialog = settings_dialog(qtbot)
        page = dialog.sync_page
        assert page is not None
        dialog.tabs.setCurrentWidget(page)
        for widget in (page.folder_edit, page.passphrase_edit, page.sync_button,
                       page.browse_button):
            assert widget.accessibleName() and widget.toolTip()
        assert "off" in page.status.text()
        page.folder_edit.setText(str(folder))
        page.passphrase_edit.setText("correct horse battery")
        dialog.accept()
        assert app.sync is not None
        qtbot.waitUntil(lambda: app.sync is not None and app.sync.last_report is not None,
                        timeout=15000)
        assert app.ctx.settings.sync_folder == str(folder)
        from app.core.sync.passphrase import get_passphrase

        assert get_passphrase() == "correct horse battery"
        # The folder was set up encrypted: the passphrase was stored before the first round.
        assert b"aes-256-gcm" in (folder / "parley-sync" / "folder.json").read_bytes()
    finally:
        if app.sync is not None:
            run_in_qt(qtbot, app.sync.shutdown(), timeout=40)
        close_app(qtbot, app)


def test_the_first_round_waits_for_the_event_loop_the_window_starts_before(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, laptop: Device,
) -> None:
    import asyncio

    conv = laptop.store.create_conversation("Waiting for the loop")
    laptop.store.add_message(conv.id, Role.USER, "hi")
    laptop.sync()
    SettingsService.load().update(sync_folder=str(laptop.shared))
    # As in run_gui: the window is built and started before the asyncio loop exists.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    try:
        app = open_app(qtbot)
    finally:
        asyncio.set_event_loop(aloop)
        asyncio.events._set_running_loop(aloop)
    try:
        qtbot.waitUntil(lambda: "Waiting for the loop" in _titles(app), timeout=15000)
    finally:
        assert app.sync is not None
        run_in_qt(qtbot, app.sync.shutdown(), timeout=40)
        close_app(qtbot, app)


def test_a_failed_round_says_so_in_the_status_bar_instead_of_syncing_forever(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = tmp_path / "Dropbox"
    shared.mkdir()
    laptop = Device(tmp_path, "laptop", shared, passphrase="correct horse")
    try:
        laptop.store.create_conversation("Encrypted on the laptop")
        laptop.sync()
    finally:
        laptop.close()
    monkeypatch.delenv("PARLEY_SYNC_PASSPHRASE", raising=False)
    monkeypatch.setattr("app.core.sync.passphrase.get_passphrase", lambda: None)
    SettingsService.load().update(sync_folder=str(shared))
    app = open_app(qtbot)
    sync = app.sync
    assert sync is not None
    try:
        qtbot.waitUntil(lambda: sync.last_error is not None, timeout=15000)
        qtbot.waitUntil(lambda: not sync.busy, timeout=5000)
        assert sync.label.text() == "⚠ Sync failed"
        assert "passphrase" in sync.label.toolTip()
    finally:
        run_in_qt(qtbot, sync.shutdown(), timeout=40)
        close_app(qtbot, app)
