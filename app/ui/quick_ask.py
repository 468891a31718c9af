"""Quick ask: a small always-on-top window to ask one question without the main window.

The question is sent by a `ChatController` of its own (the same class, request path and
finishing code as the main window; only the open conversation differs), so the answer is
stored as a normal conversation and shows up in the sidebar. Esc hides the window while
the answer keeps streaming and is saved; Stop (Ctrl+.) stops it; "Open in Parley" opens
the conversation in the main window. `parley --quick` shows this window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Message, Role
from app.ui.chat_controller import ChatController
from app.ui.composer import PromptEdit

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.message_view import MessageView

log = logging.getLogger(__name__)

WIDTH = 620
#: the answer area grows with the answer up to this height, then scrolls
ANSWER_MAX_HEIGHT = 420

_STYLE = """
QFrame#quickAskFrame { background: palette(window); border: 1px solid palette(mid);
                       border-radius: 10px; }
QLabel#quickModel { border: 1px solid palette(mid); border-radius: 9px; padding: 1px 8px;
                    font-size: 11px; color: palette(placeholder-text); }
QLabel#quickQuestion { font-weight: 600; }
QLabel#quickStatus { color: palette(placeholder-text); font-size: 11px; }
QPlainTextEdit#quickEdit { border: none; font-size: 15px; background: transparent; }
"""


class QuickAskWindow(QWidget):
    """The frameless window: model pill and buttons, the message box, the answer below."""

    sendRequested = Signal(str)
    stopRequested = Signal()
    openRequested = Signal()
    newRequested = Signal()
    #: the window was hidden (Esc, the close button, or "Open in Parley")
    hidden = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("quickAsk")
        self.setWindowTitle(self.tr("Parley — Quick ask"))
        self.setAccessibleName(self.tr("Quick ask"))
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setStyleSheet(_STYLE)
        self.setFixedWidth(WIDTH)
        self._drag_from: QPoint | None = None
        self._busy = False

        frame = QFrame(self)
        frame.setObjectName("quickAskFrame")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.setSpacing(6)
        self.model_label = QLabel(frame)
        self.model_label.setObjectName("quickModel")
        self.model_label.setAccessibleName(self.tr("Model"))
        self.model_label.setToolTip(self.tr("The model that answers (the default model in "
                                            "Settings)"))
        self.new_button = self._button(frame, self.tr("New"), self.tr(
            "Ask a new question in a new chat (Ctrl+N)"), self.tr("New question"))
        self.stop_button = self._button(frame, self.tr("Stop"), self.tr(
            "Stop the answer; what arrived is kept (Ctrl+.)"), self.tr("Stop answer"))
        self.stop_button.setEnabled(False)
        self.open_button = self._button(frame, self.tr("Open in Parley"), self.tr(
            "Open this conversation in the main window"), self.tr("Open in Parley"))
        self.open_button.setEnabled(False)
        self.hide_button = self._button(frame, "✕", self.tr(
            "Hide (Esc); an answer still arriving is kept"), self.tr("Hide quick ask"))
        top.addWidget(self.model_label)
        top.addStretch(1)
        for button in (self.new_button, self.stop_button, self.open_button, self.hide_button):
            top.addWidget(button)
        layout.addLayout(top)

        self.edit = PromptEdit(frame)
        self.edit.setObjectName("quickEdit")
        self.edit.setAccessibleName(self.tr("Quick question"))
        self.edit.setToolTip(self.tr("Enter sends, Shift+Enter adds a line, Esc hides"))
        self.edit.setPlaceholderText(self.tr("Ask anything…  (Enter to send, Esc to hide)"))
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(64)
        layout.addWidget(self.edit)

        self.question = QLabel(frame)
        self.question.setObjectName("quickQuestion")
        self.question.setAccessibleName(self.tr("Your question"))
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.hide()
        layout.addWidget(self.question)

        self.answer_area = QScrollArea(frame)
        self.answer_area.setObjectName("quickAnswer")
        self.answer_area.setAccessibleName(self.tr("Answer"))
        self.answer_area.setWidgetResizable(True)
        self.answer_area.setFrameShape(QFrame.Shape.NoFrame)
        self.answer_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.answer_area.hide()
        layout.addWidget(self.answer_area)
        self.answer: MessageView | None = None

        self.status = QLabel(frame)
        self.status.setObjectName("quickStatus")
        self.status.setAccessibleName(self.tr("Quick ask status"))
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)
        self._connect_signals()

    @staticmethod
    def _button(parent: QWidget, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.setAutoRaise(True)
        return button

    def _connect_signals(self) -> None:
        self.edit.submitted.connect(self._submit)
        self.stop_button.clicked.connect(self.stopRequested)
        self.open_button.clicked.connect(self.openRequested)
        self.new_button.clicked.connect(self.newRequested)
        self.hide_button.clicked.connect(self.hide)
        for keys, slot in (("Esc", self.hide), ("Ctrl+.", self.stopRequested.emit),
                           ("Ctrl+N", self.newRequested.emit)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def _submit(self) -> None:
        text = self.edit.toPlainText()
        if text.strip() and not self._busy:
            self.sendRequested.emit(text)

    # ---- what the owner shows --------------------------------------------------------

    def set_model(self, model: str) -> None:
        self.model_label.setText(model)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setEnabled(busy)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.adjustSize()

    def clear(self) -> None:
        """Back to an empty question (a new chat)."""
        self.edit.clear()
        self.question.hide()
        self.answer_area.hide()
        if self.answer is not None:
            self.answer_area.takeWidget()
            self.answer.deleteLater()
            self.answer = None
        self.open_button.setEnabled(False)
        self.set_status("")

    def show_question(self, text: str) -> None:
        self.question.setText(text if len(text) <= 300 else text[:300] + "…")
        self.question.show()

    def show_answer(self, message: Message) -> MessageView:
        """Start showing a reply (replacing the one before)."""
        from app.ui.chat_view import is_dark
        from app.ui.message_view import MessageView

        view = MessageView(message, theme="dark" if is_dark(self.palette()) else "light")
        # Only copying makes sense here: editing and versions live in the main window.
        for button in (view.edit_button, view.regenerate_button, view.compare_button,
                       view.delete_button, view.branch_prev, view.branch_next,
                       view.branch_label):
            button.setVisible(False)
            button.setEnabled(False)
        view.grown.connect(self.fit)
        old = self.answer_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.answer = view
        self.answer_area.setWidget(view)
        self.answer_area.show()
        self.open_button.setEnabled(True)
        self.fit()
        return view

    def update_answer(self, message_id: int, text: str, reasoning: str) -> None:
        if self.answer is not None and self.answer.message.id == message_id:
            if text and self.status.isVisible():
                self.set_status("")  # "Waiting for…" is over once the text arrives
            self.answer.update_stream(text, reasoning)
            self.fit()

    def finish_answer(self, message: Message) -> None:
        if self.answer is not None and self.answer.message.id == message.id:
            self.answer.set_message(message)
            for button in (self.answer.edit_button, self.answer.regenerate_button,
                           self.answer.compare_button):
                button.setVisible(False)
            self.fit()

    def fit(self) -> None:
        """Grow the answer area with the answer, up to ANSWER_MAX_HEIGHT."""
        if self.answer is None:
            return
        width = self.answer_area.viewport().width() or (WIDTH - 40)
        wanted = self.answer.heightForWidth(width) + 4
        self.answer_area.setFixedHeight(max(60, min(ANSWER_MAX_HEIGHT, wanted)))
        self.adjustSize()

    def place(self) -> None:
        """Top third of the screen under the mouse, centred."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.adjustSize()
        self.move(area.x() + (area.width() - self.width()) // 2,
                  area.y() + area.height() // 5)

    # ---- Qt events -------------------------------------------------------------------

    def hideEvent(self, event: object) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)  # type: ignore[arg-type]
        self.hidden.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        # Frameless: the window is moved by dragging its background.
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.pos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        self._drag_from = None
        super().mouseReleaseEvent(event)


class QuickAsk(ChatController):
    """The quick-ask window's chat controller: one conversation at a time, shown small."""

    #: "Open in Parley": the conversation to open in the main window
    openInMainRequested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._window: QuickAskWindow | None = None
        self._parent_widget = parent

    @property
    def window(self) -> QuickAskWindow:
        """The window, built when first shown."""
        if self._window is None:
            window = QuickAskWindow()
            self._window = window
            window.set_model(self.model)
            window.sendRequested.connect(self.ask)
            window.stopRequested.connect(self.stop)
            window.newRequested.connect(self.new_question)
            window.openRequested.connect(self._open_in_main)
            self.modelChanged.connect(window.set_model)
            self.busyChanged.connect(window.set_busy)
            self.messageAppended.connect(self._appended)
            self.replyProgress.connect(window.update_answer)
            self.replyFinished.connect(window.finish_answer)
            self.statusMessage.connect(window.set_status)
            self.errorRaised.connect(
                lambda message, _hint, _kind: window.set_status(f"⚠ {message}"))
        return self._window

    def show_window(self) -> None:
        """Show the window in front, ready for a question."""
        window = self.window
        if not window.isVisible():
            window.place()
        window.show()
        window.raise_()
        window.activateWindow()
        window.edit.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        log.info("Quick ask shown")

    def ask(self, text: str) -> bool:
        """Send the question (a follow-up in the conversation shown, or a new chat)."""
        window = self.window
        if not self.send(text):
            return False
        window.edit.clear()
        window.show_question(text)
        return True

    def new_question(self) -> None:
        """Start over with an empty question in a new chat (the answer stays stored)."""
        if self.busy:
            return
        self.new_conversation()
        self.window.clear()
        self.window.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _appended(self, message: Message) -> None:
        if message.role is Role.ASSISTANT:
            self.window.show_answer(message)

    def _open_in_main(self) -> None:
        if self.current is None:
            return
        # The main window first: hiding the last visible window may otherwise end a
        # Parley started as `parley --quick`.
        self.openInMainRequested.emit(self.current.id)
        self.window.hide()

    def when_idle(self, callback: Callable[[], None]) -> None:
        """Call `callback` now, or once the answer in flight has ended."""
        if not self.busy:
            callback()
            return

        def ended(busy: bool) -> None:
            if not busy:
                self.busyChanged.disconnect(ended)
                callback()

        self.busyChanged.connect(ended)
