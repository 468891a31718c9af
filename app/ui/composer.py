"""The message box at the bottom: Enter sends, Shift+Enter adds a line, Send turns into Stop."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget


class PromptEdit(QPlainTextEdit):
    """Plain-text prompt editor that submits on Enter."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            if mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
                self.insertPlainText("\n")
                return
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """Prompt editor plus a Send/Stop button. Keeps the prompt until it was stored."""

    sendRequested = Signal(str)
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = PromptEdit(self)
        self.edit.setObjectName("composer")
        self.edit.setAccessibleName(self.tr("Message"))
        self.edit.setPlaceholderText(
            self.tr("Message…  (Enter to send, Shift+Enter for a new line)")
        )
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(84)
        self.button = QPushButton(self.tr("Send"), self)
        self.button.setObjectName("sendButton")
        self.button.setAccessibleName(self.tr("Send"))
        self.button.setMinimumWidth(84)
        self.button.setFixedHeight(84)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 10)
        layout.setSpacing(8)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self._busy = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit.submitted.connect(self._submit)
        self.button.clicked.connect(self._on_button)

    def _on_button(self) -> None:
        if self._busy:
            self.stopRequested.emit()
        else:
            self._submit()

    def _submit(self) -> None:
        if self._busy:
            return
        text = self.edit.toPlainText()
        if text.strip():
            self.sendRequested.emit(text)

    def clear_prompt(self) -> None:
        """Called once the prompt is safely stored."""
        self.edit.clear()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setText(self.tr("Stop") if busy else "Send")
        self.button.setAccessibleName(self.tr("Stop") if busy else "Send")
        self.button.setProperty("stop", busy)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)

    @property
    def busy(self) -> bool:
        return self._busy
