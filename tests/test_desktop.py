"""Desktop behaviour: first run, menus and shortcuts, restored window state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit

from app.core.config import Settings
from app.main import Parley
from app.ui.shortcuts_dialog import ShortcutsDialog
from app.ui.welcome import WelcomePanel
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.memory_keyring import MemoryKeyring
from tests.test_gui import close_app, open_app, reply_views, send


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def welcome_of(app: Parley) -> WelcomePanel | None:
    w = app.window.right_stack.currentWidget()
    return w if isinstance(w, WelcomePanel) else None


def test_first_run_without_key_shows_welcome_and_stores_key(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(lambda: welcome_of(app) is not None, timeout=3000)
        panel = welcome_of(app)
        assert panel is not None
        qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.key_edit, timeout=2000)
        panel.key_edit.setText("bad-key")
        panel.key_button.click()
        qtbot.waitUntil(lambda: panel.status.text().startswith("⚠"), timeout=5000)
        assert "401" in panel.status.text()
        assert memory_keyring.store == {}
        panel.key_edit.setText("sk-or-v1-made-up-for-tests")
        qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: panel.status.text().startswith("✓"), timeout=5000)
        assert "keychain" in panel.status.text()
        assert memory_keyring.store[("parley", "openrouter")] == "sk-or-v1-made-up-for-tests"
        qtbot.waitUntil(lambda: welcome_of(app) is None, timeout=3000)
        # and the chat works with the stored key
        fake.enqueue(text_stream("hi there"))
        send(qtbot, app, "hello")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=5000)
        chat = [r for r in fake.requests if r.path.endswith("/chat/completions")][-1]
        assert chat.headers["authorization"] == "Bearer sk-or-v1-made-up-for-tests"
    finally:
        close_app(qtbot, app)


def test_first_run_can_choose_a_local_server(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(lambda: welcome_of(app) is not None, timeout=3000)
        panel = welcome_of(app)
        assert panel is not None
        panel.server_edit.setText("http://127.0.0.1:1/v1")  # nothing listens there
        panel.server_button.click()
        qtbot.waitUntil(lambda: panel.status.text().startswith("⚠"), timeout=5000)
        assert "refused" in panel.status.text()
        panel.server_edit.setText(fake.base_url)
        panel.server_button.click()
        qtbot.waitUntil(lambda: panel.status.text().startswith("✓"), timeout=5000)
        saved = json.loads((isolated_home / "settings.json").read_text())
        assert saved["current_endpoint"] == "Local server"
        assert {"name": "Local server", "base_url": fake.base_url, "kind": "openai"} in \
            saved["endpoints"]
        qtbot.waitUntil(lambda: welcome_of(app) is None, timeout=3000)
        # a local endpoint gets no OpenRouter-only fields and no key
        from tests.fake_openrouter import text_stream
        fake.enqueue(text_stream("local reply"))
        send(qtbot, app, "hi local")
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=5000)
        chat = [r for r in fake.requests if r.path.endswith("/chat/completions")][-1]
        assert "authorization" not in chat.headers
        assert "x-openrouter-title" not in chat.headers
        assert chat.json()["stream_options"] == {"include_usage": True}
    finally:
        close_app(qtbot, app)


def test_no_welcome_when_a_key_exists(gui: Parley, qtbot: Any) -> None:
    qtbot.wait(50)
    assert welcome_of(gui) is None


def test_copy_last_reply_and_focus_shortcuts(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("The **reply** text"))
    send(qtbot, gui, "q")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    gui.window.sidebar.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is gui.window.sidebar.view, timeout=1000)
    qtbot.keyClick(gui.window.sidebar.view, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == "The **reply** text"
    qtbot.keyClick(gui.window.sidebar.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is gui.window.composer.edit, timeout=1000)


def test_f2_renames_and_shortcut_page_lists_actions(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("ok"))
    send(qtbot, gui, "name me")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_F2)
    view = gui.window.sidebar.view
    assert view.state() == view.State.EditingState
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed by F2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits on the next loop turn
    qtbot.waitUntil(lambda: gui.ctx.store.list_conversations()[0].title == "Renamed by F2",
                    timeout=2000)

    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ShortcutsDialog) and w.isVisible())
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
            for r in range(dialog.table.rowCount())}
    assert rows["Stop Reply"] == "Esc"
    assert rows["New chat"] == "Ctrl+N"
    assert rows["Copy Last Reply"] == "Ctrl+Shift+C"
    assert "Quit" in rows and "Settings" in rows
    dialog.close()


def test_menus_exist(gui: Parley) -> None:
    titles = [a.text().replace("&", "") for a in gui.window.menuBar().actions()]
    assert titles[:5] == ["File", "Edit", "View", "Conversation", "Help"]


def test_window_state_and_last_conversation_are_restored(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    for text in ("older", "the one I was reading"):
        gui.controller.new_conversation()
        fake.enqueue(text_stream("ok"))
        send(qtbot, gui, text)
        qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    model = gui.window.sidebar.model
    gui.window.sidebar.view.setCurrentIndex(model.index(1))  # "older"
    assert gui.controller.current.title == "older"  # type: ignore[union-attr]
    gui.window.resize(760, 540)
    gui.window.splitter.setSizes([310, 590])
    sizes = gui.window.splitter.sizes()
    close_app(qtbot, gui)

    again = open_app(qtbot)
    try:
        assert again.controller.current is not None
        assert again.controller.current.title == "older"
        assert len(again.window.chat.views) == 2
        assert (again.window.width(), again.window.height()) == (760, 540)
        assert again.window.splitter.sizes() == sizes
    finally:
        close_app(qtbot, again)


def test_broken_window_state_file_is_ignored(
    qtbot: Any, aloop: Any, fake: FakeOpenRouter, isolated_home: Path
) -> None:
    (isolated_home / "window-state.json").write_text("{ broken")
    app = open_app(qtbot)
    try:
        assert app.window.isVisible()
        assert app.controller.current is None
    finally:
        close_app(qtbot, app)


def test_settings_default(gui: Parley) -> None:
    assert Settings.load().default_model == gui.controller.model
    assert reply_views(gui) == []


def _unnamed_controls(root: Any) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QScrollBar, QWidget

    missing = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if isinstance(w.parent(), QComboBox | QScrollBar):
            continue  # the combo box's own line edit: named through the combo box
        name = w.accessibleName()
        if not name and isinstance(w, QAbstractButton):
            name = w.text().replace("&", "")
        if not name:
            missing.append(f"{type(w).__name__}({w.objectName()})")
    return missing


def test_every_interactive_control_has_an_accessible_name(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("A reply with `code`"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    missing = _unnamed_controls(gui.window)
    assert missing == [], ", ".join(missing)


def test_tab_order_goes_from_message_box_to_send(gui: Parley, qtbot: Any) -> None:
    edit = gui.window.composer.edit
    assert edit.nextInFocusChain() is gui.window.composer.button or \
        edit.tabChangesFocus()


def test_german_translation_is_used(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> None:
    from app.ui.i18n import TRANSLATIONS_DIR, install_translators

    assert (TRANSLATIONS_DIR / "parley_de.qm").is_file()
    qapp = QApplication.instance()
    translators = install_translators(qapp, "de")
    assert translators, "the German catalogue did not load"
    try:
        app = open_app(qtbot)
        try:
            titles = [a.text() for a in app.window.menuBar().actions()]
            assert titles[:2] == ["&Datei", "&Bearbeiten"]
            assert app.window.composer.button.text() == "Senden"
        finally:
            close_app(qtbot, app)
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    app2 = open_app(qtbot)
    try:
        assert app2.window.composer.button.text() == "Send"
    finally:
        close_app(qtbot, app2)


def test_every_ui_string_has_a_german_translation() -> None:
    import xml.etree.ElementTree as ET

    from app.ui.i18n import TRANSLATIONS_DIR

    tree = ET.parse(TRANSLATIONS_DIR / "parley_de.ts")
    unfinished = [m.findtext("source") for m in tree.getroot().iter("message")
                  if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []


def test_translation_source_is_in_sync_with_the_code(tmp_path: Path) -> None:
    """A new UI string without a German entry fails here (run scripts/update_translations.py)."""
    import shutil
    import subprocess
    import xml.etree.ElementTree as ET

    from app.ui.i18n import TRANSLATIONS_DIR

    lupdate = shutil.which("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed")
    root = Path(__file__).resolve().parents[1]
    sources = sorted(str(p) for p in (root / "app").rglob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run([lupdate, *sources, "-locations", "none", "-ts", str(fresh)],
                   check=True, capture_output=True, timeout=120)

    def texts(path: Path) -> set[tuple[str, str]]:
        return {(ctx.findtext("name") or "", m.findtext("source") or "")
                for ctx in ET.parse(path).getroot().iter("context")
                for m in ctx.iter("message")}

    assert texts(fresh) - texts(TRANSLATIONS_DIR / "parley_de.ts") == set()


def test_damaged_database_message_points_to_the_newest_backup(isolated_home: Path) -> None:
    from app.core.config import database_path
    from app.core.errors import StorageError
    from app.core.history import Store
    from app.main import storage_problem

    with Store.open(database_path()) as store:
        store.create_conversation("keep me")
        backups = isolated_home / "backups"
        backups.mkdir(exist_ok=True)
        store.backup_to(backups / "parley-20261124-000000.sqlite3")
    garbage = b"this is not a database" * 100
    database_path().write_bytes(garbage)
    with pytest.raises(StorageError) as caught:
        Store.open(database_path())
    text = storage_problem(caught.value)
    assert "parley restore" in text
    assert "parley-20261124-000000.sqlite3" in text
    assert database_path().read_bytes() == garbage  # never replaced silently
