"""Help > Keyboard Shortcuts: every menu action with its shortcut, plus the composer keys."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: keys handled inside widgets rather than by actions (translated when shown)
EXTRA_KEYS = [
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Send the message"), "Enter"),
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "New line in the message"), "Shift+Enter"),
]


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str]]:
    """(action, key) for every action with a shortcut, in menu order."""
    rows: list[tuple[str, str]] = []
    for menu_action in menu_bar.actions():
        menu = menu_action.menu()
        if not isinstance(menu, QMenu):
            continue
        for action in menu.actions():
            key = action.shortcut()
            if not key.isEmpty():
                name = action.text().replace("&", "").rstrip("…")
                rows.append((name, key.toString(QKeySequence.SequenceFormat.NativeText)))
    rows.extend(
        (QCoreApplication.translate("ShortcutsDialog", str(name)), key)
        for name, key in EXTRA_KEYS
    )
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.resize(440, 480)
        rows = shortcut_rows(menu_bar)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, key) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(key))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
