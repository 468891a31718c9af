"""The look: shipped icons, palettes, message actions on hover and focus, the model badge,
the composer's model pill and the context gauge in a running window."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QEnterEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolButton

from app.core.context_budget import ContextEstimate
from app.core.domain import Message, Role, Usage
from app.main import Parley
from app.ui.chat_view import ChatView
from app.ui.context_gauge import ContextGauge
from app.ui.theme import apply_theme, tokens
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, close_app, gui, open_app, send

__all__ = ["gui"]  # the running-window fixture


@pytest.fixture
def light(qapp: QApplication) -> Iterator[None]:
    apply_theme(qapp, "light")
    yield
    apply_theme(qapp, "system")


def test_icons_load_from_the_installed_package(qapp: QApplication) -> None:
    import app.ui.icons as icons

    # Next to the module, i.e. in the installed package (pyproject package-data).
    assert icons.ICON_DIR.parent == Path(icons.__file__).resolve().parent
    names = icons.available_icons()
    for needed in ("copy", "file-code", "pencil", "refresh-cw", "git-compare", "trash-2",
                   "paperclip", "arrow-up", "square", "settings", "square-pen", "gauge"):
        assert needed in names
    assert (icons.ICON_DIR / "LICENSE").read_text().startswith("Lucide")
    with pytest.raises(FileNotFoundError):
        icons.icon("no-such-icon")


def _ink(pixmap: Any) -> set[str]:
    image = pixmap.toImage()
    return {image.pixelColor(x, y).name() for x in range(image.width())
            for y in range(image.height()) if image.pixelColor(x, y).alpha() == 255}


def test_icons_take_the_theme_text_colour_and_are_sharp_on_hidpi(qapp: QApplication) -> None:
    from app.ui.icons import icon

    copy_icon = icon("copy")
    try:
        apply_theme(qapp, "dark")
        hidpi = copy_icon.pixmap(QSize(16, 16), 2.0)
        assert hidpi.size() == QSize(32, 32) and hidpi.devicePixelRatio() == 2.0
        assert _ink(hidpi) == {tokens(True)["text"]}
        apply_theme(qapp, "light")
        assert _ink(copy_icon.pixmap(QSize(16, 16))) == {tokens(False)["text"]}
    finally:
        apply_theme(qapp, "system")



def test_an_icon_is_rendered_once_per_size_and_colour_not_on_every_repaint(
        qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.ui.icons as icons

    renders: list[str] = []
    paint = icons._SvgEngine.paint

    def counted(self: Any, *args: Any) -> None:
        renders.append(self.name)
        paint(self, *args)

    monkeypatch.setattr(icons._SvgEngine, "paint", counted)
    for _ in range(3):  # three repaints of the same button
        icons.icon("git-compare", "#123456").pixmap(QSize(16, 16))
    assert renders == ["git-compare"]
    icons.icon("git-compare", "#654321").pixmap(QSize(16, 16))  # another colour
    icons.icon("git-compare", "#123456").pixmap(QSize(20, 20))  # another size
    assert renders == ["git-compare"] * 3
    # One shared icon per name and colour: a reply's buttons do not each build one.
    assert icons.icon("git-compare", "#123456").cacheKey() == \
        icons.icon("git-compare", "#123456").cacheKey()

def test_dark_and_light_palettes_are_applied(qapp: QApplication) -> None:
    from app.ui.style import apply_style

    before = qapp.styleSheet()
    apply_style(qapp)
    try:
        for theme, dark in (("dark", True), ("light", False)):
            apply_theme(qapp, theme)
            palette = qapp.palette()
            assert palette.color(QPalette.ColorRole.Base).name() == tokens(dark)["base"]
            assert palette.color(QPalette.ColorRole.Highlight).name() == tokens(dark)["accent"]
            # The stylesheet is rebuilt with the theme's own colours.
            assert tokens(dark)["accent_soft"] in qapp.styleSheet()
            assert tokens(not dark)["accent_soft"] not in qapp.styleSheet()
    finally:
        qapp.setStyleSheet(before)
        apply_theme(qapp, "system")


def _chat(qtbot: Any) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(800, 500)
    chat.show()
    qtbot.waitExposed(chat)
    chat.show_messages([
        Message(1, 1, Role.USER, "hello"),
        Message(2, 1, Role.ASSISTANT, "hi there", model="openai/gpt-4o", provider="OpenAI",
                usage=Usage(10, 3, 13, 0.0001)),
    ])
    return chat


def _actions(view: Any) -> list[QToolButton]:
    return [b for b in view.actions_row.findChildren(QToolButton) if b.isVisibleTo(view)]


def test_message_actions_are_icons_shown_on_hover(qtbot: Any, light: None) -> None:
    chat = _chat(qtbot)
    reply = chat.views[2]
    buttons = _actions(reply)
    assert {b.accessibleName() for b in buttons} >= {
        "Copy", "Copy as Markdown", "Regenerate", "Compare with…", "Delete"}
    for b in buttons:
        assert b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        assert not b.icon().isNull() and b.toolTip()
    row = reply.actions_row
    hidden = row.grab().toImage()
    assert not reply.actions_shown()
    QApplication.sendEvent(reply, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert reply.actions_shown()
    shown = row.grab().toImage()
    assert shown != hidden  # the icons are drawn now
    QApplication.sendEvent(reply, QEvent(QEvent.Type.Leave))
    assert not reply.actions_shown()


def test_message_actions_appear_on_keyboard_focus_and_are_tab_reachable(
    qtbot: Any, light: None
) -> None:
    chat = _chat(qtbot)
    user = chat.views[1]
    assert not user.actions_shown()
    buttons = _actions(user)
    assert [b.accessibleName() for b in buttons] == ["Copy", "Copy as Markdown", "Edit",
                                                     "Delete"]
    for b in buttons:
        assert b.focusPolicy() & Qt.FocusPolicy.TabFocus
    chat.window().activateWindow()
    buttons[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(buttons[0].hasFocus, timeout=2000)
    assert user.actions_shown()
    # Tab goes on to the next action of the same message.
    qtbot.keyClick(buttons[0], Qt.Key.Key_Tab)
    qtbot.waitUntil(buttons[1].hasFocus, timeout=2000)
    assert user.actions_shown()


def test_gauge_thresholds_colour_and_choices(qtbot: Any) -> None:
    gauge = ContextGauge()
    qtbot.addWidget(gauge)
    gauge.set_base(ContextEstimate(12_345, 128_000, True))
    assert gauge.text() == "12.3k / 128k" and gauge.level == "ok"
    assert "12,345" in gauge.toolTip() and "10 %" in gauge.toolTip()
    gauge.set_base(ContextEstimate(102_400, 128_000, True))
    assert gauge.level == "warn" and gauge.property("level") == "warn"
    gauge.set_draft("x" * 400_000)  # +100,004 tokens
    assert gauge.level == "over" and gauge.property("level") == "over"
    assert "Over the limit" in gauge.toolTip()
    menu = gauge.menu()
    assert menu is not None
    visible = [a.text() for a in menu.actions() if a.isVisible()]
    assert visible == ["Start a New Chat with a Summary", "Drop Oldest Turns",
                       "Enable Middle-Out Compression"]
    gauge.set_base(ContextEstimate(10, 128_000, True), hidden=True, middle_out=True)
    assert gauge.show_all_action.isVisible() and not gauge.middle_out_action.isEnabled()


@pytest.fixture
def small_model(fake: FakeOpenRouter) -> FakeOpenRouter:
    """The default model, with a context of only 200 tokens."""
    models = copy.deepcopy(fake.models)
    for m in models:
        if m["id"] == "openai/gpt-4o-mini":
            m["context_length"] = 200
    fake.models = models
    return fake


def test_gauge_and_drop_oldest_turns_in_the_window(
    qtbot: Any, aloop: Any, small_model: FakeOpenRouter
) -> None:
    fake = small_model
    app: Parley = open_app(qtbot)
    try:
        app.controller.set_model("openai/gpt-4o-mini")
        gauge = app.window.composer.gauge
        qtbot.waitUntil(lambda: app.controller.model_info() is not None, timeout=5000)
        for i in range(3):
            fake.enqueue(text_stream("r" * 200, usage={
                "prompt_tokens": 60 * (i + 1), "completion_tokens": 50, "total_tokens": 0}))
            send(qtbot, app, f"question {i} " + "q" * 100)
            qtbot.waitUntil(lambda: not app.controller.busy, timeout=5000)
        # Measured: 180 prompt + 50 completion of the last reply, against 200.
        qtbot.waitUntil(lambda: gauge.estimate is not None and gauge.estimate.measured,
                        timeout=2000)
        assert gauge.estimate is not None and gauge.estimate.tokens == 230
        assert gauge.level == "over" and gauge.text() == "230 / 200"
        qtbot.keyClicks(app.window.composer.edit, "abcd")
        assert gauge.estimate.tokens == 230 + 4 + 1
        gauge.drop_action.trigger()
        assert gauge.show_all_action.isVisible()
        fake.enqueue(text_stream("ok"))
        qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not app.controller.busy, timeout=5000)
        sent = chat_requests(fake)[-1].json()["messages"]
        contents = [m["content"] for m in sent]
        assert not any(str(c).startswith("question 0") for c in contents)
        assert str(contents[-1]).startswith("abcd")
        # Still in the chat: nothing was deleted.
        shown = [v.message.content for v in app.window.chat.views.values()]
        assert any(c.startswith("question 0") for c in shown)
    finally:
        close_app(qtbot, app)


def test_model_pill_opens_the_chooser_and_shows_the_model(gui: Parley, qtbot: Any) -> None:
    composer = gui.window.composer
    pill = composer.model_pill
    gui.controller.set_model("anthropic/claude-sonnet-4")
    assert pill.text() == "claude-sonnet-4"
    assert "anthropic/claude-sonnet-4" in pill.toolTip()
    assert pill.accessibleName() == "Model"
    qtbot.mouseClick(pill, Qt.MouseButton.LeftButton)
    chooser = gui.window.model_chooser
    qtbot.waitUntil(chooser.isVisible, timeout=2000)
    chooser.setEditText("openai/gpt-4o")
    with qtbot.waitSignal(gui.controller.modelChanged):
        chooser.modelChosen.emit("openai/gpt-4o")
    assert pill.text() == "gpt-4o"
    assert not chooser.isVisible()


def test_toolbar_buttons_are_icons_with_tooltips_and_names(gui: Parley) -> None:
    toolbar = gui.window.toolbar
    buttons = [toolbar.widgetForAction(a) for a in toolbar.actions()]
    buttons = [b for b in buttons if isinstance(b, QToolButton)]
    assert len(buttons) >= 5
    for b in buttons:
        assert not b.icon().isNull()
        assert b.toolTip() and b.accessibleName()
    new_chat = toolbar.widgetForAction(gui.window.new_action)
    assert "Ctrl+N" in new_chat.toolTip()


def test_new_chat_from_a_summary(gui: Parley, qtbot: Any, fake: FakeOpenRouter) -> None:
    fake.enqueue(text_stream("Paris is the capital."))
    send(qtbot, gui, "What is the capital of France?")
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    old = gui.controller.current
    assert old is not None
    fake.enqueue(text_stream("The user asked for the capital of France: Paris."))
    gui.window.composer.gauge.summary_action.trigger()
    qtbot.waitUntil(lambda: gui.controller.current is None, timeout=5000)
    asked = chat_requests(fake)[-1].json()["messages"]
    assert asked[-1]["role"] == "user" and "Summarise" in asked[-1]["content"]
    assert any("capital of France?" in str(m["content"]) for m in asked)
    # The new chat starts from the summary, as its system prompt.
    system = gui.controller.options().system_prompt or ""
    assert "The user asked for the capital of France: Paris." in system
    assert old.title in system


def test_other_versions_are_shown_without_hovering_and_your_message_has_no_empty_band(
    qtbot: Any, light: None
) -> None:
    chat = _chat(qtbot)
    mine, reply = chat.views[1], chat.views[2]
    reply.set_branch_info(0, 3)
    assert not reply.actions_shown()
    # Nothing between the switcher and the message fades it out with the actions.
    widget: Any = reply.branch_label
    while widget is not None and widget is not reply:
        effect = widget.graphicsEffect()
        assert effect is None or effect.opacity() > 0, widget.objectName()
        widget = widget.parentWidget()
    assert reply.branch_label.isVisibleTo(reply) and reply.branch_label.text() == "1 / 3"
    # Your message's actions share its header line instead of a row of their own.
    assert mine.actions_row.parentWidget() is mine.header_row
    assert mine.actions_row.geometry().bottom() <= mine.header_row.height()


def test_opening_a_chat_counts_its_context_from_one_extra_read(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gui.ctx.store
    conv = store.create_conversation("Long chat", model="acme/other-model")
    for i in range(5):
        store.add_message(conv.id, Role.USER, f"question {i}")
    reads: list[int] = []
    get_thread = store.get_thread
    monkeypatch.setattr(store, "get_thread", lambda cid, *a, **k: (
        reads.append(cid), get_thread(cid, *a, **k))[1])
    gui.controller.open_conversation(conv.id)  # shows it and switches the model
    gauge = gui.window.composer.gauge
    qtbot.waitUntil(lambda: gauge.estimate is not None and gauge.estimate.tokens > 0,
                    timeout=2000)
    QApplication.processEvents()
    # One read to show the chat, one for the gauge: not one per signal that fired.
    assert reads == [conv.id, conv.id]
