"""Slow work (import, export, the keychain) runs off the GUI thread: the window keeps
processing events meanwhile, and the result still arrives.

Each slow call is held at a gate that only the GUI thread can open: a QTimer counts its
ticks while the call waits and opens the gate after a few. Were the call on the GUI
thread, the timer could not tick and the gate would time out closed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from app.core.config import database_path
from app.core.history import Store
from app.core.history.export import to_json
from app.main import Parley
from tests.fake_openrouter import FakeOpenRouter
from tests.memory_keyring import MemoryKeyring
from tests.test_gui import close_app, open_app, settings_dialog

#: timer ticks seen while the slow call waited before the gate opens
TICKS = 3


class Gate:
    """Holds slow calls until the GUI thread has ticked TICKS times during a wait.

    `ticks` counts only ticks that happened while a call was waiting; `thread` is the
    thread of the first call, and `timed_out` says whether any call gave up waiting.
    """

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.ticks = 0
        self.timed_out = False
        self.thread: threading.Thread | None = None
        self._waiting = 0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def wait(self) -> bool:
        """Called by the slow operation; True when the GUI thread opened the gate."""
        if self.thread is None:
            self.thread = threading.current_thread()
        self._waiting += 1
        self.entered.set()
        try:
            opened = self.opened.wait(3.0)
        finally:
            self._waiting -= 1
        self.timed_out = self.timed_out or not opened
        return opened

    def _tick(self) -> None:
        if self._waiting and not self.opened.is_set():
            self.ticks += 1
            if self.ticks >= TICKS:
                self.opened.set()

    def ran_beside_the_gui(self) -> bool:
        """The slow call waited on another thread while the GUI thread kept ticking."""
        return (not self.timed_out and self.ticks >= TICKS
                and self.thread is not threading.main_thread())

    def stop(self) -> None:
        self.timer.stop()
        self.opened.set()


@pytest.fixture
def gate(qapp: Any) -> Iterator[Gate]:
    g = Gate()
    yield g
    g.stop()


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def no_job(app: Parley) -> bool:
    return getattr(app.files, "job", None) is None


def export_file(tmp_path: Path, titles: list[str]) -> Path:
    """A Parley export holding conversations made in a separate database."""
    from app.core.domain import Role

    with Store.open(tmp_path / "other.sqlite3") as other:
        for title in titles:
            conv = other.create_conversation(title)
            other.add_message(conv.id, Role.USER, f"question about {title}")
            other.add_message(conv.id, Role.ASSISTANT, f"answer about {title}")
        text = to_json(other.export_conversations())
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return path


def slow_load_file(monkeypatch: pytest.MonkeyPatch, gate: Gate) -> None:
    from app.core.history import importers

    real = importers.load_file

    def load_file(path: Path) -> Any:
        gate.wait()
        return real(path)

    monkeypatch.setattr(importers, "load_file", load_file)


def sidebar_titles(app: Parley) -> set[str]:
    model = app.window.sidebar.model
    return {conv.title for row in range(model.rowCount())
            if (conv := model.conversation(row)) is not None}


def test_import_keeps_the_window_responsive_and_lists_the_result(
    gui: Parley, qtbot: Any, tmp_path: Path, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export_file(tmp_path, ["Imported one", "Imported two"])
    slow_load_file(monkeypatch, gate)
    gui.files.import_path(path)
    qtbot.waitUntil(lambda: gate.entered.is_set() and no_job(gui), timeout=10_000)
    assert gate.ran_beside_the_gui()  # the window kept running while the file was read
    assert gui.ctx.store.count_conversations() == 2
    assert "2" in gui.window.statusBar().currentMessage()
    assert sidebar_titles(gui) == {"Imported one", "Imported two"}


def test_cancelled_import_adds_nothing(
    gui: Parley, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export_file(tmp_path, ["Never added"])
    held = threading.Event()
    release = threading.Event()
    from app.core.history import importers

    real = importers.load_file

    def load_file(p: Path) -> Any:
        held.set()
        release.wait(5.0)
        return real(p)

    monkeypatch.setattr(importers, "load_file", load_file)
    gui.files.import_path(path)
    qtbot.waitUntil(held.is_set, timeout=5000)
    progress = next(w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())
    progress.findChild(QPushButton).click()  # Cancel
    release.set()
    qtbot.waitUntil(lambda: no_job(gui), timeout=5000)
    assert gui.ctx.store.count_conversations() == 0
    assert "cancelled" in gui.window.statusBar().currentMessage()


def test_cancel_while_writing_rolls_the_import_back(
    gui: Parley, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export_file(tmp_path, [f"chat {i}" for i in range(300)])
    from app.core.history import importers

    real = importers._write_conversation
    written: list[int] = []
    halfway = threading.Event()
    resume = threading.Event()

    def write_conversation(conn: Any, conv: Any, *args: Any) -> None:
        real(conn, conv, *args)
        written.append(1)
        if len(written) == 150:
            halfway.set()  # hold the transaction open until Cancel was pressed
            resume.wait(5.0)

    monkeypatch.setattr(importers, "_write_conversation", write_conversation)
    gui.files.import_path(path)
    qtbot.waitUntil(halfway.is_set, timeout=10_000)
    progress = next(w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())
    progress.findChild(QPushButton).click()  # Cancel
    resume.set()
    qtbot.waitUntil(lambda: no_job(gui), timeout=10_000)
    assert gui.ctx.store.count_conversations() == 0  # all or nothing
    assert "cancelled" in gui.window.statusBar().currentMessage()


def test_export_all_keeps_the_window_responsive(
    gui: Parley, qtbot: Any, tmp_path: Path, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.history import export

    conv = gui.ctx.store.create_conversation("Exported chat")
    real = export.to_json

    def slow_to_json(*args: Any, **kwargs: Any) -> str:
        gate.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "to_json", slow_to_json)
    out = tmp_path / "all.json"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    gui.window.export_all_action.trigger()
    qtbot.waitUntil(lambda: gate.entered.is_set() and no_job(gui), timeout=10_000)
    assert gate.ran_beside_the_gui()
    assert conv.title in out.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.partial"))
    assert "Exported to" in gui.window.statusBar().currentMessage()


class SlowKeyring(MemoryKeyring):
    """A keychain that waits at the gate (like D-Bus waiting on an unlock prompt)."""

    gate: Gate | None = None
    slow_reads = True
    slow_writes = True

    def get_password(self, service: str, username: str) -> str | None:
        if self.gate is not None and self.slow_reads:
            self.gate.wait()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.gate is not None and self.slow_writes:
            self.gate.wait()
        super().set_password(service, username, password)


@pytest.fixture
def slow_keyring(gate: Gate) -> Iterator[SlowKeyring]:
    import keyring
    import keyring.core

    previous = keyring.core._keyring_backend
    ring = SlowKeyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.core._keyring_backend = previous


def test_a_slow_keychain_at_start_up_does_not_freeze_the_window(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    slow_keyring: SlowKeyring, gate: Gate,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    slow_keyring.store[("parley", "openrouter")] = "sk-or-v1-test-0000000000000000"
    slow_keyring.gate = gate
    database_path().parent.mkdir(parents=True, exist_ok=True)
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(gate.entered.is_set, timeout=5000)
        # the key found there is used: the model list is asked for with it
        qtbot.waitUntil(lambda: any(r.path.endswith("/models") for r in fake.requests),
                        timeout=10_000)
        assert gate.ran_beside_the_gui()
        assert app.window.chat.empty.body.text().startswith("Type below")
        assert app.window.welcome is None  # a key was found: no welcome page
        models = [r for r in fake.requests if r.path.endswith("/models")][-1]
        assert models.headers["authorization"] == "Bearer sk-or-v1-test-0000000000000000"
    finally:
        close_app(qtbot, app)


def test_saving_a_key_to_a_slow_keychain_does_not_freeze_the_window(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
    slow_keyring: SlowKeyring, gate: Gate,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    slow_keyring.gate = gate
    slow_keyring.slow_reads = False
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    dialog.key_edit.setText("sk-or-v1-test-1111111111111111")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: ("parley", "openrouter") in slow_keyring.store, timeout=10_000)
    assert gate.ran_beside_the_gui()
    assert slow_keyring.store[("parley", "openrouter")] == "sk-or-v1-test-1111111111111111"


def test_settings_reads_and_removes_the_key_without_freezing_the_window(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
    slow_keyring: SlowKeyring, gate: Gate,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    slow_keyring.store[("parley", "openrouter")] = "sk-or-v1-test-2222222222222222"
    slow_keyring.gate = gate
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    assert gate.ran_beside_the_gui()
    assert dialog.remove_button.isEnabled()  # the stored key was found

    removal = Gate()
    try:
        slow_keyring.gate = removal
        dialog.remove_button.click()
        qtbot.waitUntil(lambda: ("parley", "openrouter") not in slow_keyring.store,
                        timeout=10_000)
        assert removal.ran_beside_the_gui()
    finally:
        removal.stop()
    dialog.reject()


def test_the_welcome_page_stores_the_key_without_freezing_the_window(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    slow_keyring: SlowKeyring, gate: Gate,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    slow_keyring.gate = gate
    slow_keyring.slow_reads = False
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(lambda: app.window.welcome is not None, timeout=5000)
        panel = app.window.welcome
        panel.key_edit.setText("sk-or-v1-test-3333333333333333")
        panel.key_button.click()
        qtbot.waitUntil(lambda: ("parley", "openrouter") in slow_keyring.store,
                        timeout=10_000)
        assert gate.ran_beside_the_gui()
        qtbot.waitUntil(lambda: panel.status.text().startswith("✓"), timeout=5000)
        # the chat replaces the welcome page after a moment
        qtbot.waitUntil(lambda: app.window.right_stack.currentWidget() is not panel,
                        timeout=5000)
    finally:
        close_app(qtbot, app)
