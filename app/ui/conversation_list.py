"""The conversation list on the left: pinned first, then newest activity.

Built for years of history: the model loads a page of rows at a time as the user scrolls
(`canFetchMore`/`fetchMore`), and a change to one conversation moves or updates that one
row instead of reloading the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QInputDialog,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Conversation

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
#: rows loaded per page
PAGE = 200

_Index = QModelIndex | QPersistentModelIndex
#: (limit, offset) -> rows, in display order
Loader = Callable[[int, int], list[Conversation]]


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


def _sort_key(conv: Conversation) -> tuple[bool, float, int]:
    # Same order as Store.list_conversations: pinned, then activity, then id; descending.
    return (conv.pinned, conv.updated_at, conv.id)


class ConversationListModel(QAbstractListModel):
    """Conversations as rows, loaded page by page; editing a title asks to rename."""

    renameRequested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Conversation] = []
        self._loader: Loader | None = None
        self._total = 0

    # ---- loading ---------------------------------------------------------------------

    def reset(self, loader: Loader, total: int) -> None:
        """Start over with a new source (start-up, or a different filter)."""
        self.beginResetModel()
        self._loader = loader
        self._total = total
        self._rows = loader(PAGE, 0)
        self.endResetModel()

    def set_conversations(self, rows: list[Conversation]) -> None:
        """A fixed list (tests, small sources)."""
        self.reset(lambda limit, offset: rows[offset : offset + limit], len(rows))

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._loader is None:
            return
        more = self._loader(PAGE, len(self._rows))
        if not more:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    # ---- single-row changes ------------------------------------------------------------

    def upsert(self, conv: Conversation) -> None:
        """Show the new state of one conversation at its place in the order."""
        old = self.row_of(conv.id)
        rows = [r for r in self._rows if r.id != conv.id]
        target = 0
        key = _sort_key(conv)
        while target < len(rows) and _sort_key(rows[target]) > key:
            target += 1
        if old < 0:
            if target >= len(self._rows) and self.canFetchMore():
                self._total += 1  # it belongs further down: it comes with a later page
                return
            self.beginInsertRows(QModelIndex(), target, target)
            self._rows.insert(target, conv)
            self._total += 1
            self.endInsertRows()
            return
        if target != old:
            # A move keeps the selection on the row (persistent indexes follow it).
            dest = target if target < old else target + 1
            self.beginMoveRows(QModelIndex(), old, old, QModelIndex(), dest)
            self._rows.pop(old)
            self._rows.insert(target, conv)
            self.endMoveRows()
        else:
            self._rows[old] = conv
        index = self.index(target)
        self.dataChanged.emit(index, index)

    def remove(self, conversation_id: int) -> None:
        row = self.row_of(conversation_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._total -= 1
        self.endRemoveRows()

    # ---- reading -------------------------------------------------------------------

    def conversation(self, row: int) -> Conversation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conversation_id: int) -> int:
        for row, conv in enumerate(self._rows):
            if conv.id == conversation_id:
                return row
        return -1

    @property
    def total(self) -> int:
        return self._total

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        conv = self.conversation(index.row())
        if conv is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("📌 " if conv.pinned else "") + conv.title
        if role == Qt.ItemDataRole.EditRole:
            return conv.title
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tr("{title}\n{count} messages · {when}").format(
                title=conv.title, count=conv.message_count, when=relative_time(conv.updated_at)
            )
            if conv.tags:
                tip += "\n" + " ".join(f"#{t}" for t in conv.tags)
            return tip
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


class _TitleDelegate(QStyledItemDelegate):
    """Rows never ask to be wider than the list: a long title ends in "…" (the full one
    is the tooltip) instead of widening the list and giving it a horizontal scrollbar."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        size.setWidth(1)  # rows are stretched to the list's width when drawn
        return size


class ConversationList(QWidget):
    """New-chat button, a filter, and the list; emits what the user asked for."""

    newRequested = Signal()
    selected = Signal(int)
    renameRequested = Signal(int, str)
    deleteRequested = Signal(int)
    pinRequested = Signal(int, bool)
    archiveRequested = Signal(int, bool)
    tagsRequested = Signal(int, list)
    #: (archived: None | bool as 0/1/2, tag or "") — see `current_filter`
    filterChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_button = QPushButton(self.tr("+  New chat"), self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.new_button.setToolTip(self.tr("New chat (Ctrl+N)"))
        self.filter_box = QComboBox(self)
        self.filter_box.setAccessibleName(self.tr("Show conversations"))
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
        self.view.setItemDelegate(_TitleDelegate(self.view))
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.new_button)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.view, 1)
        self.rename_action = QAction(self.tr("Rename"), self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QAction(self.tr("Delete"), self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.pin_action = QAction(self.tr("Pin"), self)
        self.archive_action = QAction(self.tr("Archive"), self)
        self.tags_action = QAction(self.tr("Tags…"), self)
        self.view.addAction(self.rename_action)
        self.view.addAction(self.delete_action)
        self.set_tags([])
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self.newRequested)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.model.renameRequested.connect(self.renameRequested)
        self.rename_action.triggered.connect(self._rename_current)
        self.delete_action.triggered.connect(self._delete_current)
        self.pin_action.triggered.connect(self._toggle_pin)
        self.archive_action.triggered.connect(self._toggle_archive)
        self.tags_action.triggered.connect(self._edit_tags)
        self.filter_box.activated.connect(lambda _i: self.filterChanged.emit())

    # ---- filter --------------------------------------------------------------------

    def set_tags(self, tags: list[tuple[str, int]]) -> None:
        """Offer these tags in the filter, keeping the current choice when it still exists."""
        current = self.filter_box.currentData()
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        # Plain strings as item data: findData() compares them reliably.
        self.filter_box.addItem(self.tr("All conversations"), "all")
        self.filter_box.addItem(self.tr("Archived"), "archived")
        for tag, count in tags:
            self.filter_box.addItem(f"#{tag} ({count})", f"tag:{tag}")
        index = self.filter_box.findData(current) if current else 0
        self.filter_box.setCurrentIndex(max(0, index))
        self.filter_box.blockSignals(False)

    def current_filter(self) -> tuple[bool | None, str | None]:
        """(archived, tag) for Store.list_conversations."""
        data = str(self.filter_box.currentData() or "all")
        if data == "archived":
            return True, None
        if data.startswith("tag:"):
            return None, data[4:]
        return False, None

    # ---- rows ----------------------------------------------------------------------

    def reset(self, loader: Loader, total: int, current_id: int | None) -> None:
        self.view.selectionModel().blockSignals(True)
        try:
            self.model.reset(loader, total)
            self.select(current_id)
        finally:
            self.view.selectionModel().blockSignals(False)

    def set_conversations(self, rows: list[Conversation], current_id: int | None) -> None:
        self.reset(lambda limit, offset: rows[offset : offset + limit], len(rows), current_id)

    def upsert(self, conv: Conversation, current_id: int | None) -> None:
        self.view.selectionModel().blockSignals(True)
        try:
            self.model.upsert(conv)
            self.select(current_id)
        finally:
            self.view.selectionModel().blockSignals(False)

    def remove(self, conversation_id: int) -> None:
        self.view.selectionModel().blockSignals(True)
        try:
            self.model.remove(conversation_id)
        finally:
            self.view.selectionModel().blockSignals(False)

    def select(self, conversation_id: int | None) -> None:
        row = self.model.row_of(conversation_id) if conversation_id is not None else -1
        if row < 0:
            self.view.clearSelection()
            self.view.setCurrentIndex(QModelIndex())
            return
        self.view.setCurrentIndex(self.model.index(row))

    def current_id(self) -> int | None:
        conv = self.model.conversation(self.view.currentIndex().row())
        return conv.id if conv else None

    def _current(self) -> Conversation | None:
        return self.model.conversation(self.view.currentIndex().row())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conv = self.model.conversation(current.row())
        if conv is not None:
            self.selected.emit(conv.id)

    # ---- actions -------------------------------------------------------------------

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        conv = self._current()
        if conv is None:
            return
        self.pin_action.setText(self.tr("Unpin") if conv.pinned else self.tr("Pin"))
        self.archive_action.setText(self.tr("Unarchive") if conv.archived else self.tr("Archive"))
        menu = QMenu(self)
        for action in (self.rename_action, self.pin_action, self.tags_action,
                       self.archive_action, self.delete_action):
            menu.addAction(action)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _rename_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.edit(index)

    def _delete_current(self) -> None:
        # No confirmation: the window offers Undo instead, which is faster and safer.
        conv = self._current()
        if conv is not None:
            self.deleteRequested.emit(conv.id)

    def _toggle_pin(self) -> None:
        conv = self._current()
        if conv is not None:
            self.pinRequested.emit(conv.id, not conv.pinned)

    def _toggle_archive(self) -> None:
        conv = self._current()
        if conv is not None:
            self.archiveRequested.emit(conv.id, not conv.archived)

    def _edit_tags(self) -> None:
        conv = self._current()
        if conv is None:
            return
        text, ok = QInputDialog.getText(
            self,
            self.tr("Tags"),
            self.tr("Tags for “{title}”, separated by commas:").format(title=conv.title),
            QLineEdit.EchoMode.Normal,
            ", ".join(conv.tags),
        )
        if ok:
            tags = [t.strip().lstrip("#") for t in text.split(",") if t.strip().lstrip("#")]
            self.tagsRequested.emit(conv.id, tags)
