"""Parley's main window: conversations on the left, the chat on the right, toolbar on top."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.domain import Conversation, Message
from app.ui.chat_view import ChatView
from app.ui.composer import Composer
from app.ui.conversation_list import ConversationList
from app.ui.model_chooser import ModelChooser


class MainWindow(QMainWindow):
    """Widgets and their layout. The composition root connects them to the controller."""

    settingsRequested = Signal()
    #: emitted from closeEvent; the owner saves what is in flight, then the app quits
    closing = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)
        self.setMinimumSize(640, 420)

        self.sidebar = ConversationList(self)
        self.chat = ChatView(self)
        self.composer = Composer(self)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.chat, 1)
        right_layout.addWidget(self.composer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 920])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.new_action = QAction("New chat", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.settings_action = QAction("Settings", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.model_label = QLabel(" Model ", self)
        self.model_chooser = ModelChooser(self)
        self.model_label.setBuddy(self.model_chooser)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addAction(self.new_action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.model_label)
        self.toolbar.addWidget(self.model_chooser)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.settings_action)

        self.usage_label = QLabel(self)
        self.usage_label.setObjectName("usageLabel")
        self.statusBar().addPermanentWidget(self.usage_label)

        # Esc stops a reply from anywhere in the window, including the composer.
        self.stop_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.stop_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.focus_composer()

    def focus_composer(self) -> None:
        self.composer.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- updates from the controller ----------------------------------------------

    def show_conversation(self, conv: Conversation | None, messages: list[Message]) -> None:
        self.setWindowTitle(f"{APP_NAME} — {conv.title}" if conv else APP_NAME)
        self.chat.show_messages(messages)
        self.sidebar.select(conv.id if conv else None)
        self.focus_composer()

    def set_busy(self, busy: bool) -> None:
        self.composer.set_busy(busy)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 0 if not text else 15000)

    def show_error(self, message: str, hint: str, kind: str) -> None:
        """Errors go to the status bar (and stay on the failed reply); auth ones offer Settings."""
        self.statusBar().showMessage(f"⚠ {message}", 30000)
        if kind == "auth":
            # Non-blocking: this runs inside an asyncio task, where a nested exec() loop
            # would let other tasks step re-entrantly.
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("API key not accepted")
            box.setText(message)
            box.setInformativeText(hint)
            open_button = box.addButton("Open Settings", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def on_click(button: object) -> None:
                if button is open_button:
                    self.settingsRequested.emit()

            box.buttonClicked.connect(on_click)
            box.open()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.closing.emit()
        super().closeEvent(event)
