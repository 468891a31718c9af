"""Find in conversation: a slim bar with a query field, match count, next/previous, close."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    """Enter: next match · Shift+Enter: previous · Esc: close."""

    queryChanged = Signal(str)
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setPlaceholderText(self.tr("Find in conversation"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName(self.tr("Find in conversation"))
        self.count = QLabel("", self)
        self.count.setObjectName("findCount")
        self.count.setMinimumWidth(70)
        self.prev_button = self._button("↑", self.tr("Previous match (Shift+Enter)"))
        self.next_button = self._button("↓", self.tr("Next match (Enter)"))
        self.close_button = self._button("✕", self.tr("Close (Esc)"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.prev_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        self._connect_signals()
        self.edit.installEventFilter(self)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    def _connect_signals(self) -> None:
        self.edit.textChanged.connect(self.queryChanged)
        self.prev_button.clicked.connect(self.previousRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.close_button.clicked.connect(self.close_bar)

    def query(self) -> str:
        return self.edit.text()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def set_count(self, current: int, total: int, *, counting: bool = False) -> None:
        """`current` is 0-based, -1 when no match is selected; `counting`: not done yet."""
        if not self.edit.text():
            self.count.setText("")
        elif counting:
            self.count.setText(self.tr("{total} so far…").format(total=total))
        elif total == 0:
            self.count.setText(self.tr("No matches"))
        else:
            self.count.setText(
                self.tr("{n} of {total}").format(n=current + 1, total=total)
                if current >= 0
                else self.tr("{total} matches").format(total=total)
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.edit and isinstance(event, QKeyEvent):
            key = event.key()
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                # Esc closes the bar here instead of stopping a reply (the window's Esc).
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_bar()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                        self.previousRequested.emit()
                    else:
                        self.nextRequested.emit()
                    return True
        return super().eventFilter(watched, event)
