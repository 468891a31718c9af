"""Quick ask: the small always-on-top window, and `parley --quick` handing over to a
running Parley."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from app.core.config import database_path
from app.core.domain import MessageStatus, Role
from app.core.history import Store
from app.core.logs import LOG_DIR_NAME, LOG_FILE_NAME
from app.main import Parley
from app.ui.quick_ask import QuickAsk, QuickAskWindow
from app.ui.single_instance import hand_over
from tests.conftest import run_in_qt
from tests.fake_openrouter import FakeOpenRouter, slow_stream, text_stream
from tests.test_gui import close_app, open_app


@pytest.fixture
def app(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    parley = open_app(qtbot)
    yield parley
    quick = parley.quick
    assert quick is not None
    if quick._window is not None:
        quick._window.hide()
        quick._window.deleteLater()
    close_app(qtbot, parley)
    run_in_qt(qtbot, quick.shutdown())


def _quick(app: Parley, qtbot: Any) -> tuple[QuickAsk, QuickAskWindow]:
    quick = app.quick
    assert quick is not None
    quick.show_window()
    qtbot.waitExposed(quick.window)
    # Its shortcuts (Esc, Ctrl+.) work in the active window, as after a real show.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is quick.window, timeout=2000)
    return quick, quick.window


def _ask(qtbot: Any, window: QuickAskWindow, text: str) -> None:
    qtbot.keyClicks(window.edit, text)
    qtbot.keyClick(window.edit, Qt.Key.Key_Return)


def test_the_window_is_small_frameless_and_on_top(app: Parley, qtbot: Any) -> None:
    _quick_ask, window = _quick(app, qtbot)
    flags = window.windowFlags()
    for flag in (Qt.WindowType.Tool, Qt.WindowType.FramelessWindowHint,
                 Qt.WindowType.WindowStaysOnTopHint):
        assert flags & flag
    assert window.focusWidget() is window.edit
    assert window.model_label.text() == app.ctx.settings.default_model


def test_a_quick_question_is_answered_and_stored_as_a_normal_chat(
    app: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("The **answer** is 42."))
    quick, window = _quick(app, qtbot)
    _ask(qtbot, window, "What is the answer?")
    qtbot.waitUntil(lambda: quick.current is not None and not quick.busy, timeout=10000)
    assert window.answer is not None
    qtbot.waitUntil(lambda: "The answer is 42." in window.answer.plain_text(), timeout=5000)
    assert window.edit.toPlainText() == ""
    assert window.question.text() == "What is the answer?"
    assert quick.current is not None
    conv_id = quick.current.id
    messages = app.ctx.store.get_messages(conv_id)
    assert [(m.role, m.content) for m in messages] == [
        (Role.USER, "What is the answer?"), (Role.ASSISTANT, "The **answer** is 42.")]
    assert messages[1].status is MessageStatus.COMPLETE
    # It is in the sidebar like any other chat, and the main window kept its own chat.
    qtbot.waitUntil(lambda: app.window.sidebar.model.row_of(conv_id) >= 0, timeout=3000)
    assert app.controller.current is None or app.controller.current.id != conv_id
    # A follow-up continues the same conversation.
    fake.enqueue(text_stream("Still 42."))
    _ask(qtbot, window, "Sure?")
    qtbot.waitUntil(lambda: len(app.ctx.store.get_messages(conv_id)) == 4, timeout=10000)
    qtbot.waitUntil(lambda: not quick.busy, timeout=10000)
    # New starts another chat.
    window.new_button.click()
    assert quick.current is None and window.answer is None


def test_esc_hides_and_the_answer_keeps_streaming_and_is_saved(
    app: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(slow_stream(words=40, delay=0.02))
    quick, window = _quick(app, qtbot)
    _ask(qtbot, window, "Tell me a story")
    qtbot.waitUntil(lambda: quick.busy, timeout=5000)
    qtbot.keyClick(window.edit, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert quick.busy  # hiding did not stop it
    qtbot.waitUntil(lambda: not quick.busy, timeout=15000)
    assert quick.current is not None
    reply = app.ctx.store.get_messages(quick.current.id)[-1]
    assert reply.status is MessageStatus.COMPLETE
    assert len(reply.content.split()) == 40


def test_stop_keeps_what_arrived(app: Parley, qtbot: Any, fake: FakeOpenRouter) -> None:
    fake.enqueue(slow_stream(words=600, delay=0.02))
    quick, window = _quick(app, qtbot)
    _ask(qtbot, window, "Go on and on")
    qtbot.waitUntil(window.stop_button.isEnabled, timeout=5000)
    qtbot.waitUntil(lambda: window.answer is not None and window.answer.plain_text() != "",
                    timeout=5000)
    qtbot.keyClick(window.edit, Qt.Key.Key_Period, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not quick.busy, timeout=5000)
    assert quick.current is not None
    reply = app.ctx.store.get_messages(quick.current.id)[-1]
    assert reply.status is MessageStatus.STOPPED
    assert reply.content
    assert window.isVisible()


def test_open_in_parley_shows_the_conversation_in_the_main_window(
    app: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("Opened."))
    quick, window = _quick(app, qtbot)
    assert not window.open_button.isEnabled()  # nothing to open yet
    app.window.hide()
    _ask(qtbot, window, "Open me")
    qtbot.waitUntil(lambda: quick.current is not None and not quick.busy, timeout=10000)
    window.open_button.click()
    assert not window.isVisible()
    assert app.window.isVisible()
    assert app.controller.current is not None and quick.current is not None
    assert app.controller.current.id == quick.current.id
    assert [m.content for m in app.window.chat.messages()] == ["Open me", "Opened."]


def test_every_control_has_a_name_and_a_tooltip(app: Parley, qtbot: Any) -> None:
    _quick_ask, window = _quick(app, qtbot)
    assert window.accessibleName()
    controls: list[QWidget] = [*window.findChildren(QAbstractButton), window.edit]
    assert len(controls) >= 5
    for control in controls:
        if control.parent() is not None and control.isVisibleTo(window):
            assert control.accessibleName(), control
            assert control.toolTip(), control.accessibleName()
    for label in window.findChildren(QLabel):
        if label.objectName().startswith("quick"):
            assert label.accessibleName(), label.objectName()


# ---- parley --quick --------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def _env(home: Path, fake: FakeOpenRouter) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PARLEY_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               OPENROUTER_API_KEY="test-key", OPENROUTER_BASE_URL=fake.base_url)
    return env


def _wait_for_log(path: Path, text: str, process: subprocess.Popen[Any],
                  timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in (log := path.read_text(errors="replace")):
            return log
        if process.poll() is not None:
            break
        time.sleep(0.1)
    out = process.stdout.read() if process.poll() is not None and process.stdout else ""
    raise AssertionError(f"{text!r} never appeared in {path} (exit {process.poll()}: {out})")


def test_quick_flag_hands_over_to_the_running_parley(
    tmp_path: Path, fake: FakeOpenRouter
) -> None:
    home = tmp_path / "home"
    env = _env(home, fake)
    log = home / LOG_DIR_NAME / LOG_FILE_NAME
    first = subprocess.Popen([sys.executable, "-m", "app"], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_log(log, "Listening for other launches", first)
        second = subprocess.run([sys.executable, "-m", "app", "--quick"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        text = _wait_for_log(log, "Quick ask shown", first)
        assert "Another launch asked for 'quick'" in text
        assert first.poll() is None  # the first Parley is still there
        # Another data folder is another Parley: nothing answers there.
        assert hand_over(tmp_path / "other", "quick") is None
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_quick_flag_alone_opens_quick_ask_and_esc_ends_it(
    tmp_path: Path, fake: FakeOpenRouter
) -> None:
    home = tmp_path / "home"
    env = _env(home, fake)
    fake.enqueue(text_stream("Quick reply."))
    # Drive the window from inside: ask, then hide with Esc once the answer is stored.
    script = (
        "import sys\n"
        "from PySide6.QtCore import QTimer, Qt\n"
        "from PySide6.QtTest import QTest\n"
        "import app.main as m\n"
        "orig = m._quick_only\n"
        "def patched(parley):\n"
        "    orig(parley)\n"
        "    w = parley.quick.window\n"
        "    def ask():\n"
        "        QTest.keyClicks(w.edit, 'hi there')\n"
        "        QTest.keyClick(w.edit, Qt.Key.Key_Return)\n"
        "        QTimer.singleShot(50, lambda: QTest.keyClick(w.edit, Qt.Key.Key_Escape))\n"
        "    QTimer.singleShot(300, ask)\n"
        "m._quick_only = patched\n"
        "sys.exit(m.run_gui(quick=True))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    with Store.open(home / database_path().name) as store:
        conversations = store.list_conversations()
        assert len(conversations) == 1
        messages = store.get_messages(conversations[0].id)
        assert [m.content for m in messages] == ["hi there", "Quick reply."]
        assert messages[-1].status is MessageStatus.COMPLETE


def test_started_quick_only_open_in_parley_keeps_parley_running(
    app: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from app.main import _quick_only

    fake.enqueue(text_stream("Here."))
    app.window.hide()
    closings: list[bool] = []
    app.window.closing.connect(lambda: closings.append(True))
    _quick_only(app)
    quick, window = _quick(app, qtbot)
    _ask(qtbot, window, "Then open it")
    qtbot.waitUntil(lambda: quick.current is not None and not quick.busy, timeout=10000)
    window.open_button.click()
    assert app.window.isVisible()
    assert closings == []


def test_started_quick_only_esc_ends_parley_once_the_answer_is_saved(
    app: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from app.main import _quick_only

    fake.enqueue(slow_stream(words=30, delay=0.02))
    app.window.hide()
    closings: list[bool] = []
    app.window.closing.connect(lambda: closings.append(True))
    _quick_only(app)
    quick, window = _quick(app, qtbot)
    _ask(qtbot, window, "Long one")
    qtbot.waitUntil(lambda: quick.busy, timeout=5000)
    qtbot.keyClick(window.edit, Qt.Key.Key_Escape)
    assert closings == []  # the answer is still arriving
    qtbot.waitUntil(lambda: closings == [True], timeout=15000)
    assert quick.current is not None
    reply = app.ctx.store.get_messages(quick.current.id)[-1]
    assert reply.status is MessageStatus.COMPLETE
