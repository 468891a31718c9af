"""The conversation list on the left: newest activity first, rename in place, delete."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Conversation

ConversationIdRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def relative_time(ts: float, now: float | None = None) -> str:
    delta = (now or time.time()) - ts
    if delta < 60:
        return QCoreApplication.translate("ConversationList", "just now")
    if delta < 3600:
        minutes = int(delta // 60)
        return QCoreApplication.translate("ConversationList", "{n} min ago").format(n=minutes)
    if delta < 86400:
        hours = int(delta // 3600)
        return QCoreApplication.translate("ConversationList", "{n} h ago").format(n=hours)
    if delta < 7 * 86400:
        days = int(delta // 86400)
        return QCoreApplication.translate("ConversationList", "{n} d ago").format(n=days)
    return time.strftime("%Y-%m-%d", time.localtime(ts))


class ConversationListModel(QAbstractListModel):
    """Conversations as rows; editing a title asks the owner to rename."""

    renameRequested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Conversation] = []

    def set_conversations(self, rows: list[Conversation]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def conversation(self, row: int) -> Conversation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conversation_id: int) -> int:
        for row, conv in enumerate(self._rows):
            if conv.id == conversation_id:
                return row
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        conv = self.conversation(index.row())
        if conv is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return conv.title
        if role == Qt.ItemDataRole.EditRole:
            return conv.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{title}\n{count} messages · {when}").format(
                title=conv.title, count=conv.message_count, when=relative_time(conv.updated_at)
            )
        if role == ConversationIdRole:
            return conv.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        conv = self.conversation(index.row())
        if conv is None or role != Qt.ItemDataRole.EditRole:
            return False
        title = str(value).strip()
        if not title or title == conv.title:
            return False
        conv.title = title
        self.dataChanged.emit(index, index)
        self.renameRequested.emit(conv.id, title)
        return True


class ConversationList(QWidget):
    """New-chat button and the list; emits what the user asked for."""

    newRequested = Signal()
    selected = Signal(int)
    renameRequested = Signal(int, str)
    deleteRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_button = QPushButton(self.tr("＋  New chat"), self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.new_button.setToolTip(self.tr("New chat (Ctrl+N)"))
        self.model = ConversationListModel(self)
        self.view = QListView(self)
        self.view.setObjectName("conversationList")
        self.view.setAccessibleName(self.tr("Conversations"))
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.new_button)
        layout.addWidget(self.view, 1)
        self.rename_action = QAction(self.tr("Rename"), self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QAction(self.tr("Delete…"), self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.rename_action)
        self.view.addAction(self.delete_action)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self.newRequested)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.model.renameRequested.connect(self.renameRequested)
        self.rename_action.triggered.connect(self._rename_current)
        self.delete_action.triggered.connect(self._delete_current)

    def set_conversations(self, rows: list[Conversation], current_id: int | None) -> None:
        self.view.selectionModel().blockSignals(True)
        try:
            self.model.set_conversations(rows)
            self.select(current_id)
        finally:
            self.view.selectionModel().blockSignals(False)

    def select(self, conversation_id: int | None) -> None:
        row = self.model.row_of(conversation_id) if conversation_id is not None else -1
        if row < 0:
            self.view.clearSelection()
            return
        self.view.setCurrentIndex(self.model.index(row))

    def current_id(self) -> int | None:
        conv = self.model.conversation(self.view.currentIndex().row())
        return conv.id if conv else None

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conv = self.model.conversation(current.row())
        if conv is not None:
            self.selected.emit(conv.id)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.rename_action)
        menu.addAction(self.delete_action)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _rename_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.edit(index)

    def _delete_current(self) -> None:
        conv = self.model.conversation(self.view.currentIndex().row())
        if conv is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete conversation?"),
            self.tr("Delete “{title}” and its {count} messages? This cannot be undone.").format(
                title=conv.title, count=conv.message_count
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.deleteRequested.emit(conv.id)
