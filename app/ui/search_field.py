"""A search field whose arrow keys move through the results below it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class SearchField(QLineEdit):
    """Up/Down (and PageUp/PageDown when `page_step` is set) emit `moved` instead of
    being handled by the line edit, so the user can keep typing and still pick a row."""

    moved = Signal(int)

    def __init__(self, text: str = "", parent: QWidget | None = None, *, page_step: int = 0):
        super().__init__(text, parent)
        self._steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}
        if page_step:
            self._steps[Qt.Key.Key_PageDown] = page_step
            self._steps[Qt.Key.Key_PageUp] = -page_step

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        step = self._steps.get(Qt.Key(event.key()))
        if step is not None:
            self.moved.emit(step)
        else:
            super().keyPressEvent(event)
