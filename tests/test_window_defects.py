"""What a newcomer sees in the window: model-list loads, title, welcome page, empty state,
sidebar titles, find in conversation, and warnings on replies (offscreen)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core import models_cache
from app.core.context import AppContext
from app.core.errors import NetworkError
from app.core.models_cache import ModelCatalog
from app.ui.chat_controller import ChatController


def _catalog(*ids: str) -> ModelCatalog:
    return ModelCatalog("openrouter", time.time(), [{"id": i, "name": i} for i in ids])


@pytest.fixture
def controller(qtbot: Any, aloop: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    # Nothing listens here: no test may reach the network, and none needs to.
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")
    ctx = AppContext.open()
    ctrl = ChatController(ctx)
    yield ctrl
    task = asyncio.ensure_future(ctrl.shutdown())
    qtbot.waitUntil(task.done, timeout=5000)
    ctx.store.close()


class _ScriptedRefresh:
    """Stands in for GET /models: each call waits until the test answers it."""

    def __init__(self) -> None:
        self.calls: list[asyncio.Future[ModelCatalog]] = []

    async def __call__(self, client: Any, endpoint_name: str = "openrouter") -> ModelCatalog:
        future: asyncio.Future[ModelCatalog] = asyncio.get_running_loop().create_future()
        self.calls.append(future)
        return await future


def test_a_newer_model_list_load_wins_over_an_older_one(
    controller: ChatController, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted = _ScriptedRefresh()
    monkeypatch.setattr(models_cache, "refresh", scripted)
    controller.refresh_models()
    qtbot.waitUntil(lambda: len(scripted.calls) == 1, timeout=5000)
    controller.refresh_models()
    qtbot.waitUntil(lambda: len(scripted.calls) == 2, timeout=5000)
    # The newer list arrives first, the older one late.
    scripted.calls[1].set_result(_catalog("new/model"))
    qtbot.waitUntil(lambda: [m.id for m in controller.models] == ["new/model"], timeout=5000)
    if not scripted.calls[0].done():
        scripted.calls[0].set_result(_catalog("old/model"))
    qtbot.wait(50)
    assert [m.id for m in controller.models] == ["new/model"]


def test_changing_settings_during_a_model_load_shows_no_false_offline(
    controller: ChatController, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    models_cache.save_catalog(_catalog("cached/model"))
    scripted = _ScriptedRefresh()
    monkeypatch.setattr(models_cache, "refresh", scripted)
    statuses: list[str] = []
    controller.statusMessage.connect(statuses.append)
    errors: list[dict[str, Any]] = []
    loop = asyncio.get_event_loop()
    old_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        controller.refresh_models()
        qtbot.waitUntil(lambda: len(scripted.calls) == 1, timeout=5000)
        first = scripted.calls[0]
        # Settings saved: the old client is closed on purpose and the list loads again.
        controller.settings_changed()
        qtbot.waitUntil(lambda: len(scripted.calls) == 2, timeout=5000)
        if not first.done():
            first.set_exception(NetworkError("example.test closed the connection unexpectedly."))
        scripted.calls[1].set_result(_catalog("fresh/model"))
        qtbot.waitUntil(lambda: [m.id for m in controller.models] == ["fresh/model"],
                        timeout=5000)
        qtbot.wait(50)
    finally:
        loop.set_exception_handler(old_handler)
    assert not [s for s in statuses if "model list" in s], statuses
    assert errors == []


# ---- the empty chat says what is really configured ----------------------------------


@pytest.fixture
def no_keychain() -> Iterator[None]:
    """A system without a usable keychain (keyring's "fail" backend)."""
    import keyring
    import keyring.core
    from keyring.backends import fail

    previous = keyring.core._keyring_backend
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.core._keyring_backend = previous


def _welcome(app: Any) -> Any:
    from app.ui.welcome import WelcomePanel

    w = app.window.right_stack.currentWidget()
    return w if isinstance(w, WelcomePanel) else None


@pytest.mark.usefixtures("no_keychain")
def test_a_session_key_from_the_welcome_page_is_not_reported_missing(
    qtbot: Any, aloop: Any, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_gui import close_app, open_app

    monkeypatch.delenv("OPENROUTER_API_KEY")
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(lambda: _welcome(app) is not None, timeout=3000)
        panel = _welcome(app)
        panel.key_edit.setText("sk-or-v1-test-0000")
        panel.key_button.click()
        qtbot.waitUntil(lambda: panel.status.text().startswith("✓"), timeout=5000)
        assert "until Parley closes" in panel.status.text()
        qtbot.waitUntil(lambda: _welcome(app) is None, timeout=3000)
        empty = app.window.chat.empty
        # The keychain is asked off the GUI thread: the empty page updates when it answers.
        qtbot.waitUntil(lambda: "No API key" not in empty.body.text(), timeout=3000)
        assert not empty.button.isVisibleTo(empty)
    finally:
        close_app(qtbot, app)


@pytest.mark.usefixtures("no_keychain")
def test_a_local_server_from_the_welcome_page_is_not_reported_missing_a_key(
    qtbot: Any, aloop: Any, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_gui import close_app, open_app

    monkeypatch.delenv("OPENROUTER_API_KEY")
    app = open_app(qtbot)
    try:
        qtbot.waitUntil(lambda: _welcome(app) is not None, timeout=3000)
        panel = _welcome(app)
        panel.server_edit.setText(fake.base_url)
        panel.server_button.click()
        qtbot.waitUntil(lambda: panel.status.text().startswith("✓"), timeout=5000)
        qtbot.waitUntil(lambda: _welcome(app) is None, timeout=3000)
        empty = app.window.chat.empty
        # The keychain is asked off the GUI thread: the empty page updates when it answers.
        qtbot.waitUntil(lambda: "No API key" not in empty.body.text(), timeout=3000)
        assert not empty.button.isVisibleTo(empty)
    finally:
        close_app(qtbot, app)


# ---- the sidebar elides long titles ----------------------------------------------------

LONG_TITLE = (
    "A very long conversation title about migrating a legacy payroll system to a new "
    "database without losing a single record, written by someone who never stops typing"
)


def test_long_titles_are_elided_in_the_sidebar_without_a_horizontal_scrollbar(
    qtbot: Any,
) -> None:
    from PySide6.QtCore import Qt

    from app.core.domain import Conversation
    from app.ui.conversation_list import ConversationList

    sidebar = ConversationList()
    qtbot.addWidget(sidebar)
    now = time.time()
    rows = [Conversation(1, "Short", now, now),
            Conversation(2, LONG_TITLE, now - 5, now - 5, message_count=2),
            Conversation(3, LONG_TITLE, now - 9, now - 9, pinned=True)]
    sidebar.set_conversations(rows, 2)
    sidebar.resize(260, 500)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    view = sidebar.view
    qtbot.wait(20)
    assert view.horizontalScrollBar().maximum() == 0
    assert not view.horizontalScrollBar().isVisible()
    long_row = sidebar.model.index(1)
    assert view.visualRect(long_row).right() <= view.viewport().width()
    assert view.textElideMode() in (Qt.TextElideMode.ElideRight, Qt.TextElideMode.ElideMiddle)
    # The whole title is one hover away.
    assert LONG_TITLE in sidebar.model.data(long_row, Qt.ItemDataRole.ToolTipRole)
    # Narrowing the sidebar keeps it that way.
    sidebar.resize(180, 500)
    qtbot.wait(20)
    assert view.horizontalScrollBar().maximum() == 0


# ---- a reply whose stream had unreadable parts says so ---------------------------------


def test_a_reply_with_unreadable_stream_parts_shows_a_warning_line(qtbot: Any) -> None:
    from app.core.domain import Message, MessageStatus, Role
    from app.ui.chat_view import ChatView

    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(800, 600)
    damaged = Message(2, 1, Role.ASSISTANT, "Half of the answer", MessageStatus.COMPLETE,
                      extra={"malformed_lines": 2, "invalid_chunks": 1})
    clean = Message(3, 1, Role.ASSISTANT, "A whole answer")
    chat.show_messages([Message(1, 1, Role.USER, "question"), damaged, clean])
    chat.show()
    qtbot.waitExposed(chat)
    warning = chat.views[2].stream_warning
    assert warning.isVisibleTo(chat.views[2])
    assert "3 parts of the stream could not be read" in warning.text()
    assert "may be incomplete" in warning.text()
    # Under the reply's text, not in a dialog.
    assert warning.y() > chat.views[2].settled.y()
    assert _visible_dialogs() == []
    assert not chat.views[3].stream_warning.isVisibleTo(chat.views[3])


def _visible_dialogs() -> list[Any]:
    from PySide6.QtWidgets import QApplication, QDialog

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


# ---- find in conversation counts what is shown -----------------------------------------


def _chat_with(qtbot: Any, messages: list[Any]) -> Any:
    from app.ui.chat_view import ChatView

    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(800, 500)
    chat.show()
    qtbot.waitExposed(chat)
    chat.show_messages(messages)
    return chat


def test_find_counts_the_same_matches_on_and_off_screen(qtbot: Any) -> None:
    from app.core.domain import Message, Role

    # Shown as "Use payroll and payroll, see the payroll guide.": 3 matches. The markdown
    # source has a 4th (in the link's address), which the reader never sees.
    reply = "Use **payroll** and `payroll`, see [the payroll guide](https://payroll.example/x)."
    messages = []
    for i in range(0, 80, 2):
        messages.append(Message(i + 1, 1, Role.USER, f"question {i}"))
        messages.append(Message(i + 2, 1, Role.ASSISTANT, reply))
    chat = _chat_with(qtbot, messages)
    assert messages[1].id not in chat.views  # the first reply is far off screen
    chat.open_find()
    chat.find_bar.edit.setText("payroll")
    qtbot.waitUntil(lambda: not chat.find_counting(), timeout=10000)
    assert chat.match_count() == 3 * 40
    assert chat.find_bar.count.text().endswith("of 120")
    # Scrolling elsewhere and searching again gives the same answer.
    chat.scroll_to_message(messages[1].id)
    chat.find_text("payroll")
    assert chat.match_count() == 3 * 40
    # Every built reply highlights exactly the matches it was counted with.
    for view in chat.views.values():
        if view.message.role is Role.ASSISTANT:
            assert len(view.settled.extraSelections()) == 3


def test_stepping_through_matches_visits_each_once(qtbot: Any) -> None:
    from app.core.domain import Message, Role

    reply = "**Alpha** then [alpha](https://alpha.example) and `alpha`."
    messages = [Message(i + 1, 1, Role.ASSISTANT if i % 2 else Role.USER,
                        reply if i % 2 else f"ask {i}") for i in range(60)]
    chat = _chat_with(qtbot, messages)
    chat.open_find()
    chat.find_bar.edit.setText("alpha")
    qtbot.waitUntil(lambda: not chat.find_counting(), timeout=10000)
    total = chat.match_count()
    assert total == 3 * 30
    seen = set()
    for _ in range(total):
        chat.find_step(1)
        i, k = chat._matches[chat._match_pos]
        view = chat.views[messages[i].id]
        current = [s for s in view.settled.extraSelections()
                   if s.format.background().color().name() == "#ff9800"]
        assert len(current) == 1  # the current match is drawn where the count says
        seen.add((i, k))
    assert len(seen) == total


def test_a_long_chat_is_counted_a_few_messages_at_a_time(qtbot: Any) -> None:
    from app.core.domain import Message, Role

    messages = [Message(i + 1, 1, Role.ASSISTANT, f"Reply {i} mentions *kiwi* once.")
                for i in range(200)]
    chat = _chat_with(qtbot, messages)
    chat.open_find()
    chat.find_bar.edit.setText("kiwi")
    # The window keeps responding: the first answer is partial and says so...
    assert chat.find_counting()
    assert "so far" in chat.find_bar.count.text()
    qtbot.waitUntil(lambda: not chat.find_counting(), timeout=10000)
    # ...and the final one is complete.
    assert chat.match_count() == 200
    assert chat.find_bar.count.text().endswith("of 200")
    # Typing on searches the texts already read, at once.
    chat.find_bar.edit.setText("kiwi once")
    assert not chat.find_counting()
    assert chat.match_count() == 200


# ---- the title bar, as the window manager shows it ---------------------------------------


@pytest.fixture
def x_display() -> Iterator[str]:
    """A virtual X screen (Xvfb) for the one test that needs what a real desktop shows."""
    import os
    import shutil
    import subprocess

    if not (shutil.which("Xvfb") and shutil.which("xprop") and shutil.which("xwininfo")):
        reason = "Xvfb, xprop and xwininfo (x11-utils) are needed to read a real window title"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; .ci/run installs them")
        pytest.skip(reason)
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _title_bar_names(display: str) -> list[str]:
    """_NET_WM_NAME of every named top-level window: what a title bar shows."""
    import os
    import re
    import subprocess

    env = {**os.environ, "DISPLAY": display, "LC_ALL": "C.UTF-8"}
    tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True,
                          text=True, env=env, timeout=10).stdout
    names = []
    for window in re.findall(r"^\s+(0x[0-9a-f]+) \"", tree, flags=re.MULTILINE):
        out = subprocess.run(["xprop", "-id", window, "_NET_WM_NAME"], capture_output=True,
                             text=True, env=env, timeout=10).stdout
        found = re.search(r'= "(.*)"$', out.strip())
        if found:
            names.append(found.group(1))
    return names


def test_the_title_bar_names_the_conversation_once(
    x_display: str, isolated_home: Any, qtbot: Any
) -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from app.core.config import database_path
    from app.core.history import Store
    from tests.fake_openrouter import refuse_connection_port

    store = Store.open(database_path())
    conv = store.create_conversation("chat")
    store.close()
    (Path(isolated_home) / "window-state.json").write_text(
        json.dumps({"last_conversation": conv.id}), encoding="utf-8")
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "OPENROUTER_API_KEY": "test-key",
           "OPENROUTER_BASE_URL": f"http://127.0.0.1:{refuse_connection_port()}/api/v1"}
    root = Path(__file__).resolve().parent.parent
    app = subprocess.Popen([sys.executable, "-m", "app"], cwd=root, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        names: list[str] = []

        def titled() -> bool:
            names[:] = [n for n in _title_bar_names(x_display) if "chat" in n]
            return bool(names)

        qtbot.waitUntil(titled, timeout=30000)
    finally:
        app.terminate()
        app.wait(timeout=10)
    assert names == ["Parley — chat"]


def test_the_window_title_follows_the_open_conversation(
    qtbot: Any, aloop: Any, fake: Any
) -> None:
    from tests.test_gui import close_app, open_app

    app = open_app(qtbot)
    try:
        assert app.window.windowTitle() == "Parley"  # a new, empty chat
        conv = app.ctx.store.create_conversation("Trip to Lisbon")
        app.controller.open_conversation(conv.id)
        assert app.window.windowTitle() == "Parley — Trip to Lisbon"
        app.controller.rename_conversation(conv.id, "Lisbon in May")
        assert app.window.windowTitle() == "Parley — Lisbon in May"
        app.controller.new_conversation()
        assert app.window.windowTitle() == "Parley"
    finally:
        close_app(qtbot, app)


# ---- the welcome page is readable at the default size and with larger fonts --------------


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5])
def test_the_welcome_text_is_never_clipped(qtbot: Any, scale: float) -> None:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QLabel

    from app.ui.welcome import WelcomePanel

    async def never(_value: str) -> Any:
        raise AssertionError("not called")

    app_font = QApplication.font()
    font = QFont(app_font)
    font.setPointSizeF(app_font.pointSizeF() * scale)
    QApplication.setFont(font)
    try:
        panel = WelcomePanel(never, never)
        qtbot.addWidget(panel)
        panel.resize(920, 700)  # the chat side of a window at its default size
        panel.show()
        qtbot.waitExposed(panel)
        qtbot.wait(20)
        labels = [w for w in panel.findChildren(QLabel) if w.wordWrap() and w.text()]
        assert len(labels) >= 2  # the subtitle and the local-server line
        for label in labels:
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, (label.text()[:40], label.height(), needed)
            # Wide enough to read: not squeezed into a narrow column.
            assert label.width() >= min(500, panel.width() - 80), label.text()[:40]
    finally:
        QApplication.setFont(app_font)
