"""The main window driven like a user would, offscreen, against the fake server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextTable
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.context import AppContext
from app.core.domain import MessageStatus
from app.main import Parley, build
from app.ui.settings_dialog import SettingsDialog
from tests.conftest import run_in_qt
from tests.fake_openrouter import (
    FakeOpenRouter,
    error_status,
    slow_stream,
    stall,
    text_stream,
)
from tests.memory_keyring import MemoryKeyring


def open_app(qtbot: Any) -> Parley:
    ctx = AppContext.open()
    app = build(ctx)
    app.start()
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    # Window shortcuts only fire in the active window.
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=2000)
    return app


def close_app(qtbot: Any, app: Parley) -> None:
    app.window.close()
    run_in_qt(qtbot, app.controller.shutdown())
    app.ctx.store.close()


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:  # not closed by the test itself
        close_app(qtbot, app)


def settings_dialog(qtbot: Any) -> SettingsDialog:
    """The Settings dialog, once it opened (the keychain is read first, off the GUI thread)."""

    def shown() -> list[SettingsDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, SettingsDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    return shown()[0]


def send(qtbot: Any, app: Parley, text: str) -> None:
    qtbot.keyClicks(app.window.composer.edit, text)
    qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)


def reply_views(app: Parley) -> list[Any]:
    return [v for v in app.window.chat.views.values() if v.message.role.value == "assistant"]


def chat_requests(fake: FakeOpenRouter) -> list[Any]:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


def visible_text(view: Any) -> str:
    return view.settled.toPlainText() + view.live.toPlainText()


def test_window_opens_titled_with_focus_in_composer(gui: Parley, qtbot: Any) -> None:
    assert gui.window.windowTitle().startswith("Parley")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is gui.window.composer.edit)
    assert gui.window.chat.currentWidget() is gui.window.chat.empty


def test_send_stream_stop_and_reopen(gui: Parley, qtbot: Any, fake: FakeOpenRouter) -> None:
    fake.enqueue(slow_stream(words=600, delay=0.02))
    send(qtbot, gui, "Tell me a long story")
    composer = gui.window.composer
    assert composer.edit.toPlainText() == ""  # stored, so the box is cleared
    assert composer.button.text() == "Stop"
    qtbot.waitUntil(lambda: any("quick" in visible_text(v) for v in reply_views(gui)),
                    timeout=5000)
    qtbot.mouseClick(composer.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake.disconnects) == 1, timeout=2000)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=2000)
    assert fake.disconnects[0].chunks_sent < 600
    assert composer.button.text() == "Send"

    conv_id = gui.controller.current.id  # type: ignore[union-attr]
    msgs = gui.ctx.store.get_messages(conv_id)
    assert [m.role.value for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == "Tell me a long story"
    reply = msgs[1]
    assert reply.status is MessageStatus.STOPPED
    assert "quick" in reply.content
    view = gui.window.chat.views[reply.id]
    assert "stopped" in view.header.text()
    assert visible_text(view).strip() == reply.content.strip()

    # A new window on the same $PARLEY_HOME shows the conversation.
    close_app(qtbot, gui)
    again = open_app(qtbot)
    try:
        model = again.window.sidebar.model
        assert model.rowCount() == 1
        assert model.conversation(0).title == "Tell me a long story"
        again.window.sidebar.view.setCurrentIndex(model.index(0))
        views = list(again.window.chat.views.values())
        assert len(views) == 2
        assert "quick" in visible_text(views[1])
        assert "stopped" in views[1].header.text()
    finally:
        close_app(qtbot, again)


def test_escape_stops_a_stalled_reply_at_once(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    # The server sends a few words and then nothing: Stop must not wait for a next chunk.
    fake.enqueue(stall("Partial words", seconds=30))
    send(qtbot, gui, "go")
    qtbot.waitUntil(lambda: any("Partial" in visible_text(v) for v in reply_views(gui)),
                    timeout=5000)
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: len(fake.disconnects) == 1, timeout=2000)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=2000)
    reply = gui.ctx.store.get_messages(gui.controller.current.id)[1]  # type: ignore[union-attr]
    assert reply.status is MessageStatus.STOPPED
    assert reply.content == "Partial words"


def test_shift_enter_adds_a_line_and_enter_sends(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("ok"))
    edit = gui.window.composer.edit
    qtbot.keyClicks(edit, "line one")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "line two")
    assert edit.toPlainText() == "line one\nline two"
    assert chat_requests(fake) == []
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gui.controller.busy and len(chat_requests(fake)) == 1,
                    timeout=5000)
    assert chat_requests(fake)[0].json()["messages"][-1]["content"] == "line one\nline two"


def test_markdown_reply_renders_code_and_table(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    md = "Here:\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<b>raw</b>"
    fake.enqueue(text_stream(md))
    send(qtbot, gui, "show me")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    view = reply_views(gui)[0]
    doc = view.settled.document()
    text = doc.toPlainText()
    assert "x = 1" in text
    assert "<b>raw</b>" in text  # raw HTML is shown as text, not interpreted
    frames = doc.rootFrame().childFrames()
    assert any(isinstance(f, QTextTable) for f in frames)
    assert "```" not in text


def test_auth_error_keeps_prompt_and_offers_settings(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(error_status(401))
    send(qtbot, gui, "my important prompt")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    status = gui.window.statusBar().currentMessage()
    assert "HTTP 401" in status
    view = reply_views(gui)[0]
    assert view.notice.isVisible()
    assert "API key" in view.notice.text()
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes
    assert any(b.text() == "Open Settings" for b in boxes[0].buttons())
    boxes[0].close()
    msgs = gui.ctx.store.get_messages(gui.controller.current.id)  # type: ignore[union-attr]
    assert msgs[0].content == "my important prompt"


def test_status_bar_shows_model_tokens_cost(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("fine", model="anthropic/claude-3.5-sonnet", provider="Anthropic"))
    send(qtbot, gui, "hi")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    usage = gui.window.usage_label.text()
    assert "anthropic/claude-3.5-sonnet via Anthropic" in usage
    assert "tokens" in usage and "$" in usage


def test_model_chooser_lists_models_and_accepts_typed_id(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    chooser = gui.window.model_chooser
    qtbot.waitUntil(lambda: chooser.count() >= 3, timeout=5000)
    ids = [chooser.itemText(i) for i in range(chooser.count())]
    assert "openai/gpt-4o-mini" in ids
    chooser.setEditText("some-org/custom-model")
    chooser.lineEdit().editingFinished.emit()
    assert gui.controller.model == "some-org/custom-model"
    fake.enqueue(text_stream("ok"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    assert chat_requests(fake)[-1].json()["model"] == "some-org/custom-model"


def test_conversation_list_order_rename_delete(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for text in ("first chat", "second chat"):
        gui.controller.new_conversation()
        fake.enqueue(text_stream("ok"))
        send(qtbot, gui, text)
        qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    model = gui.window.sidebar.model
    assert [model.conversation(i).title for i in range(2)] == ["second chat", "first chat"]
    # activity moves a conversation to the top
    gui.window.sidebar.view.setCurrentIndex(model.index(1))
    fake.enqueue(text_stream("ok"))
    send(qtbot, gui, "more")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    assert model.conversation(0).title == "first chat"
    # rename in place
    assert model.setData(model.index(0), "Renamed")
    assert gui.ctx.store.get_conversation(model.conversation(0).id).title == "Renamed"
    # delete (after confirming)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    gui.window.sidebar.view.setCurrentIndex(model.index(0))
    gui.window.sidebar.delete_action.trigger()
    assert model.rowCount() == 1
    assert [c.title for c in gui.ctx.store.list_conversations()] == ["second chat"]
    assert gui.window.chat.currentWidget() is gui.window.chat.empty


def test_closing_the_window_mid_reply_saves_it_as_stopped(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(slow_stream(words=600, delay=0.02))
    send(qtbot, gui, "stream forever")
    qtbot.waitUntil(lambda: any(visible_text(v) for v in reply_views(gui)), timeout=5000)
    conv_id = gui.controller.current.id  # type: ignore[union-attr]
    close_app(qtbot, gui)
    qtbot.waitUntil(lambda: len(fake.disconnects) == 1, timeout=2000)
    again = AppContext.open()
    try:
        reply = again.store.get_messages(conv_id)[1]
        assert reply.status is MessageStatus.STOPPED
        assert reply.content
    finally:
        again.store.close()


def test_settings_test_key_and_save_to_keychain(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring, isolated_home: Path,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    assert dialog.key_edit.echoMode() == dialog.key_edit.EchoMode.Password
    dialog.show_button.click()
    assert dialog.key_edit.echoMode() == dialog.key_edit.EchoMode.Normal
    dialog.key_edit.setText("sk-or-v1-made-up-for-tests")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✓"), timeout=5000)
    assert "left" in dialog.test_result.text() or "limit" in dialog.test_result.text()
    key_req = [r for r in fake.requests if r.path.endswith("/key")][-1]
    assert key_req.headers["authorization"] == "Bearer sk-or-v1-made-up-for-tests"
    dialog.model_edit.setText("openai/gpt-4o-mini")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: ("parley", "openrouter") in memory_keyring.store, timeout=5000)
    assert memory_keyring.store[("parley", "openrouter")] == "sk-or-v1-made-up-for-tests"
    settings_text = (isolated_home / "settings.json").read_text()
    assert json.loads(settings_text)["default_model"] == "openai/gpt-4o-mini"
    assert "made-up" not in settings_text


def test_settings_bad_key_is_reported(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    dialog.key_edit.setText("bad-key")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("⚠"), timeout=5000)
    assert "401" in dialog.test_result.text()
    dialog.reject()


def test_keyboard_shortcuts_new_chat_and_settings(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    fake.enqueue(text_stream("ok"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    assert gui.controller.current is not None
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert gui.controller.current is None
    assert gui.window.chat.currentWidget() is gui.window.chat.empty
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Comma,
                   Qt.KeyboardModifier.ControlModifier)
    settings_dialog(qtbot)
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, SettingsDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_money_in_the_status_bar_and_retry_of_a_rate_limit(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from tests.fake_openrouter import error_status

    fake.enqueue(error_status(429, headers={"Retry-After": "0"}), text_stream("after retry"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=8000)
    assert len(chat_requests(fake)) == 2  # the 429 was retried
    reply = reply_views(gui)[0]
    assert "after retry" in visible_text(reply)
    qtbot.waitUntil(lambda: gui.window.credit_label.text() != "", timeout=5000)
    assert "$" in gui.window.credit_label.text()
    assert "This chat $" in gui.window.totals_label.text()
    assert "today $" in gui.window.totals_label.text()


def test_stop_fetches_the_real_cost(gui: Parley, qtbot: Any, fake: FakeOpenRouter) -> None:
    fake.enqueue(slow_stream(words=600, delay=0.02))
    send(qtbot, gui, "long")
    qtbot.waitUntil(lambda: any(visible_text(v) for v in reply_views(gui)), timeout=5000)
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: any(r.path.endswith("/generation") for r in fake.requests),
                    timeout=8000)
    reply_id = reply_views(gui)[0].message.id
    qtbot.waitUntil(
        lambda: "generation" in (gui.ctx.store.get_message(reply_id).extra or {}), timeout=8000
    )
    stored = gui.ctx.store.get_message(reply_id)
    assert stored.status is MessageStatus.STOPPED
    assert stored.usage is not None and stored.usage.cost is not None


def test_model_browser_and_conversation_settings_change_the_request(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, isolated_home: Any
) -> None:
    from app.ui.model_browser import ModelBrowser
    from app.ui.options_dialog import OptionsDialog

    qtbot.waitUntil(lambda: len(gui.controller.models) >= 3, timeout=5000)
    gui.window.models_action.trigger()
    browser = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, ModelBrowser) and w.isVisible())
    assert browser.select_model("anthropic/claude-3.5-sonnet")
    browser.toggle_favourite()
    browser.choose()
    assert gui.controller.model.startswith("anthropic/claude-3.5-sonnet")
    assert "anthropic/claude-3.5-sonnet" in json.loads(
        (isolated_home / "settings.json").read_text())["favourite_models"]

    gui.window.options_action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, OptionsDialog) and w.isVisible())
    opts = dialog.options()
    opts.temperature = 0.2
    opts.system_prompt = "Answer in French."
    gui.controller.set_options(opts)
    dialog.reject()

    fake.enqueue(text_stream("Bonjour"))
    send(qtbot, gui, "hello")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    body = chat_requests(fake)[-1].json()
    assert body["model"].startswith("anthropic/claude-3.5-sonnet")
    assert body["temperature"] == 0.2
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
    # stored with the conversation: reopening keeps them
    conv = gui.controller.current
    assert conv is not None
    assert gui.ctx.store.get_options(conv.id)["temperature"] == 0.2


def test_settings_endpoints_theme_and_other_fields_are_kept(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter, memory_keyring: MemoryKeyring,
    isolated_home: Path,
) -> None:
    from app.core.config import Settings

    settings = Settings.load()
    settings.favourite_models = ["x/y"]
    settings.save()
    gui.ctx.settings = settings
    gui.settings.open()
    dialog = settings_dialog(qtbot)
    dialog.endpoint_name.setText("Local llama")
    dialog.endpoint_url.setText("not a url")
    dialog.endpoint_add.click()
    assert dialog.endpoint_error.text().startswith("⚠")
    dialog.endpoint_url.setText(fake.base_url.replace("/api/v1", "/v1"))
    dialog.endpoint_key.setText("local-secret")
    dialog.endpoint_add.click()
    assert dialog.endpoint_list.count() == 2
    dialog.current_endpoint.setCurrentText("Local llama")
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = json.loads((isolated_home / "settings.json").read_text())
    assert saved["current_endpoint"] == "Local llama"
    assert saved["endpoints"][0]["kind"] == "openai"
    assert saved["theme"] == "dark"
    assert saved["favourite_models"] == ["x/y"]  # untouched fields survive
    qtbot.waitUntil(lambda: ("parley", "Local llama") in memory_keyring.store, timeout=5000)
    assert memory_keyring.store[("parley", "Local llama")] == "local-secret"
    assert "local-secret" not in (isolated_home / "settings.json").read_text()
    assert gui.controller.endpoint().name == "Local llama"


def test_structured_output_is_checked_and_pretty_printed(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    from app.core.options import ConversationOptions

    opts = ConversationOptions()
    opts.structured.mode = "json_schema"
    opts.structured.name = "person"
    opts.structured.schema = {"type": "object", "properties": {"age": {"type": "integer"}},
                              "required": ["age"]}
    gui.controller.set_options(opts)
    fake.enqueue(text_stream('{"age": "forty"}'))
    send(qtbot, gui, "how old?")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    body = chat_requests(fake)[-1].json()
    assert body["response_format"]["type"] == "json_schema"
    view = reply_views(gui)[0]
    qtbot.waitUntil(lambda: "schema" in view.notice.text(), timeout=3000)
    assert view.notice.text().startswith("⚠")
    assert "age" in view.notice.text()
    assert '"age": "forty"' in view.settled.toPlainText()  # indented JSON block

    fake.enqueue(text_stream('{"age": 40}'))
    send(qtbot, gui, "again")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    qtbot.waitUntil(lambda: "✓" in reply_views(gui)[-1].notice.text(), timeout=3000)


def test_cheap_model_titles_a_new_chat(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    gui.ctx.settings.title_model = "openai/gpt-4o-mini"
    fake.enqueue(text_stream("Paris is the capital."), text_stream('"Capital of France."'))
    send(qtbot, gui, "what is the capital of france")
    qtbot.waitUntil(lambda: gui.ctx.store.list_conversations()[0].title == "Capital of France",
                    timeout=5000)
    title_request = chat_requests(fake)[-1].json()
    assert title_request["model"] == "openai/gpt-4o-mini"
    assert title_request["max_tokens"] == 30
