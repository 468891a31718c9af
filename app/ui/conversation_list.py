"""The sidebar: a filter field, new chat / new folder, and the tree of folders and chats.

The tree is one view over one model with one row painter (see app/ui/sidebar/), so ten
thousand conversations cost no more widgets than ten. Emits what the user asked for; the
sidebar actions and the chat controller do it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Conversation
from app.core.history.folders import Folder
from app.ui.sidebar.delegate import SidebarDelegate
from app.ui.sidebar.model import (
    PAGE,
    ConversationIdRole,
    ConversationListModel,
    Loader,
    relative_time,
)
from app.ui.viewports import use_python_viewport

__all__ = [
    "PAGE",
    "ConversationIdRole",
    "ConversationList",
    "ConversationListModel",
    "relative_time",
]


class _Tree(QTreeView):
    """The tree; a click on a selected folder opens or closes it instead of renaming it.
    The row painter draws the folders' chevrons, so Qt's branch lines are left out. With
    no rows it says why (`empty_text`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        use_python_viewport(self, QPalette.ColorRole.Base)  # as item views' own
        self.empty_text = ""

    def paintEvent(self, e: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(e)
        model = self.model()
        if not self.empty_text or model is None or model.rowCount() > 0:
            return
        viewport = self.viewport()
        painter = QPainter(viewport)
        try:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                viewport.rect().adjusted(12, 16, -12, -16),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                    | Qt.TextFlag.TextWordWrap),
                self.empty_text)
        finally:
            painter.end()

    def event(self, e: QEvent) -> bool:
        # The Menu key (or Shift+F10) opens the menu of the current row, not of whatever
        # happens to be under the pointer.
        if (isinstance(e, QContextMenuEvent) and e.reason() == QContextMenuEvent.Reason.Keyboard
                and self.currentIndex().isValid()):
            self.customContextMenuRequested.emit(self.visualRect(self.currentIndex()).center())
            return True
        return super().event(e)

    def drawBranches(  # noqa: N802
        self, painter: QPainter, rect: QRect, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        return

    def edit(self, *args: Any) -> Any:
        if len(args) == 3:
            index, trigger, _event = args
            model = self.model()
            if (trigger == QAbstractItemView.EditTrigger.SelectedClicked
                    and isinstance(model, ConversationListModel)
                    and model.folder_at(index) is not None):
                return False
        return super().edit(*args)


class _FilterField(QLineEdit):
    """The filter: Down moves into the list, Esc empties the field (before it stops a
    reply: a window shortcut would otherwise take the key)."""

    downPressed = Signal()

    def event(self, e: QEvent) -> bool:
        if (e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent)
                and e.key() == Qt.Key.Key_Escape and self.text()):
            e.accept()
            return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
        elif e.key() == Qt.Key.Key_Down:
            self.downPressed.emit()
        else:
            super().keyPressEvent(e)


class ConversationList(QWidget):
    """Filter field, New chat, the archive/tag choice, and the tree; emits requests."""

    newRequested = Signal()
    selected = Signal(int)
    renameRequested = Signal(int, str)
    deleteRequested = Signal(int)
    pinRequested = Signal(int, bool)
    archiveRequested = Signal(int, bool)
    tagsRequested = Signal(int, list)
    #: the archive/tag choice changed — see `current_filter`
    filterChanged = Signal()
    #: Enter in the filter field: search the full text for it
    searchRequested = Signal(str)
    #: (name, parent folder id or "")
    newFolderRequested = Signal(str, str)
    folderRenameRequested = Signal(str, str)
    folderDeleteRequested = Signal(str)
    folderSettingsRequested = Signal(str)
    #: (folder id, collapsed)
    folderCollapsedChanged = Signal(str, bool)
    #: (conversation ids, folder id or "" for none)
    moveRequested = Signal(list, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_field = _FilterField(self)
        self.search_field.setObjectName("sidebarSearch")
        self.search_field.setPlaceholderText(self.tr("Search chats"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName(self.tr("Filter conversations by title"))
        self.search_field.setToolTip(
            self.tr("Type to filter the list by title; Enter searches every message, "
                    "Down moves to the list, Esc clears"))
        self.new_button = QPushButton(self.tr("+  New chat"), self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.new_button.setToolTip(
            self.tr("New chat (Ctrl+N); made in the selected folder, with its settings"))
        self.new_folder_button = QToolButton(self)
        self.new_folder_button.setObjectName("newFolderButton")
        from app.ui.icons import icon

        self.new_folder_button.setIcon(icon("folder-plus"))
        self.new_folder_button.setAccessibleName(self.tr("New folder"))
        self.new_folder_button.setToolTip(self.tr("New folder"))
        self.filter_box = QComboBox(self)
        self.filter_box.setAccessibleName(self.tr("Show conversations"))
        self.filter_box.setToolTip(self.tr("Show all conversations, the archive, or a tag"))
        self.model = ConversationListModel(self)
        # Made inside the stack that shows them (moving a built view restyles it).
        self.stack = QStackedWidget(self)
        self.view = _Tree(self.stack)
        self.view.setObjectName("conversationList")
        self.view.setAccessibleName(self.tr("Conversations"))
        self.delegate = SidebarDelegate(self.view)
        self._set_up(self.view, self.model)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        # While the filter has text: the matches, flat, in a second view, so the tree
        # keeps its layout and clearing the filter shows it again at no cost.
        self.filter_model = ConversationListModel(self)
        self.filter_model.page = 60  # a screenful or three: each keystroke lays out no more
        self.filter_view = _Tree(self.stack)
        self.filter_view.setObjectName("conversationFilterList")
        self.filter_view.setAccessibleName(self.tr("Conversations matching the filter"))
        self._set_up(self.filter_view, self.filter_model)
        self.filter_view.empty_text = self.tr(
            "No title matches.\nPress Enter to search every message.")
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.filter_view)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self.new_button, 1)
        top.addWidget(self.new_folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search_field)
        layout.addLayout(top)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.stack, 1)
        self.rename_action = QAction(self.tr("Rename"), self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action = QAction(self.tr("Delete"), self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.pin_action = QAction(self.tr("Pin"), self)
        self.archive_action = QAction(self.tr("Archive"), self)
        self.tags_action = QAction(self.tr("Tags…"), self)
        self.move_action = QAction(self.tr("Move to Folder…"), self)
        self.new_folder_action = QAction(self.tr("New Folder…"), self)
        self.new_subfolder_action = QAction(self.tr("New Sub-folder…"), self)
        self.folder_settings_action = QAction(self.tr("Folder Settings…"), self)
        for view in (self.view, self.filter_view):
            view.addAction(self.rename_action)
            view.addAction(self.delete_action)
        self._restoring = False
        self.set_tags([])
        self._connect_signals()

    def _set_up(self, view: QTreeView, model: ConversationListModel) -> None:
        view.setModel(model)
        view.setHeaderHidden(True)
        view.setRootIsDecorated(False)
        view.setIndentation(14)
        view.setExpandsOnDoubleClick(False)
        view.setMouseTracking(True)
        view.setFrameShape(QFrame.Shape.NoFrame)
        # The selection is the row painter's rounded box, not a band across the indent.
        view.setStyleSheet("QTreeView { show-decoration-selected: 0; }")
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setItemDelegate(self.delegate)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Per item, not per pixel: per-pixel scrolling would measure every row's height
        # (rows under a date heading are taller) on each change of a long list.
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        bar = view.verticalScrollBar()
        bar.valueChanged.connect(lambda _v: self._fetch_near_end(view, model))
        bar.rangeChanged.connect(lambda _lo, _hi: self._fetch_near_end(view, model))

    @staticmethod
    def _fetch_near_end(view: QTreeView, model: ConversationListModel) -> None:
        # The next page comes while a screenful is still left: scrolling never waits on it.
        bar = view.verticalScrollBar()
        if model.has_more() and bar.value() >= bar.maximum() - bar.pageStep():
            model.fetch_more()

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self.newRequested)
        self.new_folder_button.clicked.connect(lambda: self._new_folder(""))
        self.search_field.textChanged.connect(self._filter_text)
        self.search_field.downPressed.connect(self._into_list)
        self.search_field.returnPressed.connect(
            lambda: self.searchRequested.emit(self.search_field.text().strip()))
        for view, model in ((self.view, self.model), (self.filter_view, self.filter_model)):
            view.selectionModel().currentChanged.connect(self._on_current)
            view.customContextMenuRequested.connect(self._context_menu)
            model.renameRequested.connect(self.renameRequested)
        self.view.clicked.connect(self._clicked)
        self.view.expanded.connect(lambda i: self._remember(i, False))
        self.view.collapsed.connect(lambda i: self._remember(i, True))
        self.model.folderRenameRequested.connect(self.folderRenameRequested)
        self.model.moveRequested.connect(self.moveRequested)
        self.rename_action.triggered.connect(self._rename_current)
        self.delete_action.triggered.connect(self._delete_current)
        self.pin_action.triggered.connect(self._toggle_pin)
        self.archive_action.triggered.connect(self._toggle_archive)
        self.tags_action.triggered.connect(self._edit_tags)
        self.move_action.triggered.connect(self._choose_folder)
        self.new_folder_action.triggered.connect(lambda: self._new_folder(""))
        self.new_subfolder_action.triggered.connect(self._new_subfolder)
        self.folder_settings_action.triggered.connect(self._folder_settings)
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

    def _filter_text(self, text: str) -> None:
        current = self.current_id()
        if text.strip():
            if self.filtering:  # kept in step with the tree while it is shown
                self._quietly(lambda: self.filter_model.set_filter_text(text))
            else:
                self._quietly(lambda: self.filter_model.filter_from(self.model, text))
            self.stack.setCurrentWidget(self.filter_view)
        else:
            self.stack.setCurrentWidget(self.view)
        self.select(current)

    def _into_list(self) -> None:
        view = self.active_view()
        if not view.currentIndex().isValid():
            first = view.model().index(0, 0)
            if first.isValid():
                # Marked, not opened: opening a chat puts the focus in the composer.
                self._quietly(lambda: view.setCurrentIndex(first))
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def filtering(self) -> bool:
        """True while the filter field has text (the flat view of matches is shown)."""
        return self.stack.currentWidget() is self.filter_view

    def active_view(self) -> QTreeView:
        """The view the user sees: the tree, or the filter's matches."""
        return self.filter_view if self.filtering else self.view

    def _active_model(self) -> ConversationListModel:
        return self.filter_model if self.filtering else self.model

    # ---- rows ----------------------------------------------------------------------

    def _quietly(self, change: Any) -> None:
        models = (self.view.selectionModel(), self.filter_view.selectionModel())
        for m in models:
            m.blockSignals(True)
        try:
            change()
        finally:
            for m in models:
                m.blockSignals(False)

    def set_rows(self, folders: list[Folder], conversations: list[Conversation],
                 current_id: int | None, *, tree: bool = True) -> None:
        """Show folders and conversations (display order); `tree` False: flat, no folders."""
        archived, tag = self.current_filter()
        if archived:
            self.view.empty_text = self.tr("Nothing is archived.")
        elif tag is not None:
            self.view.empty_text = self.tr("No chat has the tag “{tag}”.").format(tag=tag)
        else:
            self.view.empty_text = self.tr(
                "No chats yet.\nWhat you write below starts one; it is listed here.")
        self.view.viewport().update()

        def fill() -> None:
            self.model.set_data(folders, conversations, tree=tree)
            self._restore_expansion()
            if self.filtering:
                self.filter_model.filter_from(self.model, self.search_field.text())
            self.select(current_id)
        self._quietly(fill)

    def reset(self, loader: Loader, total: int, current_id: int | None) -> None:
        def fill() -> None:
            self.model.reset(loader, total)
            self.select(current_id)
        self._quietly(fill)

    def set_conversations(self, rows: list[Conversation], current_id: int | None) -> None:
        self.set_rows([], rows, current_id, tree=False)

    def upsert(self, conv: Conversation, current_id: int | None) -> None:
        def change() -> None:
            self.model.upsert(conv)
            if self.filtering:
                self.filter_model.upsert(conv)
            self.select(current_id)
        self._quietly(change)

    def remove(self, conversation_id: int) -> None:
        def change() -> None:
            self.model.remove(conversation_id)
            self.filter_model.remove(conversation_id)
        self._quietly(change)

    def update_folder(self, folder: Folder) -> None:
        """Show a folder's new name or defaults."""
        self.model.update_folder(folder)

    def _restore_expansion(self) -> None:
        self._restoring = True
        try:
            for folder in self.model.folders():
                index = self.model.folder_index(folder.id)
                if index.isValid():
                    self.view.setExpanded(index, not folder.collapsed)
        finally:
            self._restoring = False

    def _remember(self, index: QModelIndex, collapsed: bool) -> None:
        folder = self.model.folder_at(index)
        if folder is None or self._restoring or folder.collapsed == collapsed:
            return
        folder.collapsed = collapsed
        self.folderCollapsedChanged.emit(folder.id, collapsed)

    def select(self, conversation_id: int | None) -> None:
        """Make a conversation the current row (in the tree and among the matches)."""
        for view, model in ((self.view, self.model), (self.filter_view, self.filter_model)):
            index = model.index_of(conversation_id) if conversation_id is not None else None
            if index is None or not index.isValid():
                view.clearSelection()
                view.setCurrentIndex(QModelIndex())
                continue
            parent = index.parent()
            if parent.isValid() and not view.isExpanded(parent):
                view.setExpanded(parent, True)  # the open chat is never hidden in a folder
                if parent.parent().isValid():
                    view.setExpanded(parent.parent(), True)
            view.setCurrentIndex(index)

    def current_id(self) -> int | None:
        conv = self._current()
        return conv.id if conv else None

    def current_folder_id(self) -> str | None:
        """The folder a new chat goes into: the selected folder, or the selected chat's."""
        index = self.active_view().currentIndex()
        model = self._active_model()
        folder = model.folder_at(index)
        if folder is not None:
            return folder.id
        conv = model.conversation_at(index)
        if conv is not None and conv.folder_id and self.model.folder(conv.folder_id):
            return conv.folder_id
        return None

    def _current(self) -> Conversation | None:
        return self._active_model().conversation_at(self.active_view().currentIndex())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = current.model()
        conv = model.conversation_at(current) if isinstance(
            model, ConversationListModel) else None
        if conv is not None:
            self.selected.emit(conv.id)

    def _clicked(self, index: QModelIndex) -> None:
        if self.model.folder_at(index) is not None:
            self.view.setExpanded(index, not self.view.isExpanded(index))

    # ---- actions -------------------------------------------------------------------

    def _context_menu(self, pos: QPoint) -> None:
        view, model = self.active_view(), self._active_model()
        index = view.indexAt(pos)
        menu = QMenu(self)
        if not index.isValid():
            if not model.is_tree:
                return
            menu.addAction(self.new_folder_action)
        else:
            view.setCurrentIndex(index)
            folder = model.folder_at(index)
            if folder is not None:
                new_chat = menu.addAction(self.tr("New Chat in Folder"))
                new_chat.triggered.connect(self.newRequested)
                if folder.parent_id is None:
                    menu.addAction(self.new_subfolder_action)
                menu.addAction(self.rename_action)
                menu.addAction(self.folder_settings_action)
                menu.addSeparator()
                menu.addAction(self.delete_action)
            else:
                conv = self._current()
                if conv is None:
                    return
                self.pin_action.setText(self.tr("Unpin") if conv.pinned else self.tr("Pin"))
                self.archive_action.setText(
                    self.tr("Unarchive") if conv.archived else self.tr("Archive"))
                self.move_action.setEnabled(bool(self.model.folders()))
                for action in (self.rename_action, self.pin_action, self.move_action,
                               self.tags_action, self.archive_action, self.delete_action):
                    menu.addAction(action)
        menu.exec(view.viewport().mapToGlobal(pos))

    def _rename_current(self) -> None:
        view = self.active_view()
        index = view.currentIndex()
        if index.isValid():
            view.edit(index)

    def _delete_current(self) -> None:
        folder = self._active_model().folder_at(self.active_view().currentIndex())
        if folder is not None:
            self._delete_folder(folder)
            return
        # No confirmation: the window offers Undo instead, which is faster and safer.
        conv = self._current()
        if conv is not None:
            self.deleteRequested.emit(conv.id)

    def _delete_folder(self, folder: Folder) -> None:
        from PySide6.QtWidgets import QMessageBox

        count = self.model.folder_count(folder.id)
        text = self.tr("Delete the folder “{name}”?").format(name=folder.name)
        if count:
            text += " " + self.tr(
                "Its {count} conversations move out of it; none of them is deleted."
            ).format(count=count)
        answer = QMessageBox.question(
            self, self.tr("Delete folder"), text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.folderDeleteRequested.emit(folder.id)

    def _toggle_pin(self) -> None:
        conv = self._current()
        if conv is not None:
            self.pinRequested.emit(conv.id, not conv.pinned)

    def _toggle_archive(self) -> None:
        conv = self._current()
        if conv is not None:
            self.archiveRequested.emit(conv.id, not conv.archived)

    def _edit_tags(self) -> None:
        from PySide6.QtWidgets import QInputDialog

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

    def folder_choices(self) -> list[tuple[str, str]]:
        """(label, folder id or "") for "Move to Folder…": no folder, then the tree."""
        choices = [(self.tr("No folder"), "")]
        for folder in self.model.folders():
            indent = "    ↳ " if folder.parent_id else ""
            choices.append((indent + folder.name, folder.id))
        return choices

    def _choose_folder(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        conv = self._current()
        if conv is None:
            return
        choices = self.folder_choices()
        labels = [label for label, _fid in choices]
        current = next((i for i, (_l, fid) in enumerate(choices)
                        if fid == (conv.folder_id or "")), 0)
        label, ok = QInputDialog.getItem(
            self, self.tr("Move to Folder"),
            self.tr("Move “{title}” to:").format(title=conv.title), labels, current, False)
        if ok and label in labels:
            target = choices[labels.index(label)][1]
            if target != (conv.folder_id or ""):
                self.moveRequested.emit([conv.id], target)

    def _new_folder(self, parent_id: str) -> None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(
            self, self.tr("New folder"), self.tr("Name of the new folder:"),
            QLineEdit.EchoMode.Normal, "")
        if ok and name.strip():
            self.newFolderRequested.emit(name.strip(), parent_id)

    def _new_subfolder(self) -> None:
        folder = self.model.folder_at(self.view.currentIndex())
        if folder is not None and folder.parent_id is None:
            self._new_folder(folder.id)

    def _folder_settings(self) -> None:
        folder = self.model.folder_at(self.view.currentIndex())
        if folder is not None:
            self.folderSettingsRequested.emit(folder.id)

    def select_folder(self, folder_id: str) -> None:
        """Make a folder the current row (after creating it, for instance)."""
        index = self.model.folder_index(folder_id)
        if index.isValid():
            self._quietly(lambda: self.view.setCurrentIndex(index))
