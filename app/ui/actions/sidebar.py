"""The sidebar: which conversations and folders it shows, folder changes, Undo after a
delete, and the new chat made in the selected folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from app.core.errors import ParleyError
from app.core.history import folders as folder_store

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from app.core.context import AppContext
    from app.ui.actions.dialogs import Dialogs
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class SidebarActions:
    """Keeps the sidebar in step with the history."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    #: the folder settings dialog while it is open (tests reach it here)
    folder_dialog: QDialog | None = None

    def connect_folders(self, dialogs: Dialogs | None = None) -> None:
        """Wire the sidebar's folder requests and its search field (composition root)."""
        sidebar = self.window.sidebar
        sidebar.newFolderRequested.connect(self.create_folder)
        sidebar.folderRenameRequested.connect(self.rename_folder)
        sidebar.folderDeleteRequested.connect(self.delete_folder)
        sidebar.folderCollapsedChanged.connect(self.set_collapsed)
        sidebar.folderSettingsRequested.connect(self.edit_folder)
        sidebar.moveRequested.connect(self.move_to_folder)
        if dialogs is not None:
            sidebar.searchRequested.connect(dialogs.search_for)

    def refresh(self) -> None:
        """Reload the folders and conversations for the chosen filter."""
        store, sidebar = self.ctx.store, self.window.sidebar
        sidebar.set_tags(store.all_tags())
        archived, tag = sidebar.current_filter()
        current = self.controller.current.id if self.controller.current else None
        tree = archived is False and tag is None
        folders = folder_store.list_folders(store) if tree else []
        rows = store.sidebar_conversations(archived=archived, tag=tag)
        sidebar.set_rows(folders, rows, current, tree=tree)

    def update_row(self, conversation_id: int) -> None:
        """Move or refresh one row, or drop it when it no longer fits the filter."""
        conv = self.ctx.store.get_conversation(conversation_id)
        sidebar = self.window.sidebar
        archived, tag = sidebar.current_filter()
        fits = (
            conv is not None
            and conv.trashed_at is None
            and (archived is None or conv.archived == archived)
            and (tag is None or tag in conv.tags)
        )
        if conv is None or not fits:
            sidebar.remove(conversation_id)
            return
        current = self.controller.current.id if self.controller.current else None
        sidebar.upsert(conv, current)
        if conv.id == current:
            self.window.set_conversation_title(conv.title)  # renamed, or titled by a model

    def offer_undo(self, conversation_id: int, title: str) -> None:
        """Offer Undo in the window after a conversation went to the trash."""
        self.window.show_undo(
            translate("Parley", "Deleted “{title}”.").format(title=title),
            lambda: self.controller.undo_delete(conversation_id),
        )

    # ---- folders -----------------------------------------------------------------------

    def new_chat(self) -> None:
        """A new chat, in the selected folder (or the open chat's) with its defaults."""
        self.controller.new_conversation(self.window.sidebar.current_folder_id())

    def _fail(self, exc: ParleyError) -> None:
        self.window.show_status(f"⚠ {exc}")

    def create_folder(self, name: str, parent_id: str) -> None:
        """Make a folder (inside `parent_id` when given) and select it."""
        try:
            folder = folder_store.create_folder(self.ctx.store, name, parent_id or None)
        except ParleyError as exc:
            self._fail(exc)
            return
        self.refresh()
        self.window.sidebar.select_folder(folder.id)

    def rename_folder(self, folder_id: str, name: str) -> None:
        try:
            folder_store.rename_folder(self.ctx.store, folder_id, name)
        except ParleyError as exc:
            self._fail(exc)
            self.refresh()  # show the stored name again

    def delete_folder(self, folder_id: str) -> None:
        """Delete a folder (the user confirmed); its chats move out of it."""
        try:
            moved = folder_store.delete_folder(self.ctx.store, folder_id)
        except ParleyError as exc:
            self._fail(exc)
            return
        self.refresh()
        self.window.show_status(
            translate("Parley", "Folder deleted; {count} conversations moved out of it.")
            .format(count=moved))

    def set_collapsed(self, folder_id: str, collapsed: bool) -> None:
        try:
            folder_store.set_collapsed(self.ctx.store, folder_id, collapsed)
        except ParleyError as exc:
            self._fail(exc)

    def move_to_folder(self, conversation_ids: list[int], folder_id: str) -> None:
        """File conversations in a folder ("" takes them out of any)."""
        try:
            folder_store.move_conversations(self.ctx.store, conversation_ids, folder_id or None)
        except ParleyError as exc:
            self._fail(exc)
            return
        for conversation_id in conversation_ids:
            self.update_row(conversation_id)

    def edit_folder(self, folder_id: str) -> None:
        """Open the folder's settings (name and the defaults of new chats made in it)."""
        from app.ui.sidebar.folder_dialog import FolderDialog

        folder = folder_store.get_folder(self.ctx.store, folder_id)
        if folder is None:
            self.refresh()
            return
        controller = self.controller
        dialog = FolderDialog(
            folder,
            model_ids=[m.id for m in controller.models],
            open_chat=(controller.model, controller.options()) if controller.current else None,
            options_editor=self._edit_options,
            parent=self.window,
        )

        def done(result: int) -> None:
            if result != FolderDialog.DialogCode.Accepted:
                return
            try:
                if dialog.name() != folder.name:
                    folder_store.rename_folder(self.ctx.store, folder_id, dialog.name())
                folder_store.set_defaults(self.ctx.store, folder_id, dialog.defaults())
            except ParleyError as exc:
                self._fail(exc)
            self.refresh()

        dialog.finished.connect(done)
        dialog.open()
        self.folder_dialog = dialog

    def _edit_options(self, options: object, parent: object) -> object | None:
        """The request options dialog over a folder's options; None when cancelled."""
        from app.core.options import ConversationOptions
        from app.ui.options_dialog import OptionsDialog

        assert isinstance(options, ConversationOptions)
        controller = self.controller
        dialog = OptionsDialog(options, model=controller.model_info(),
                               endpoint_kind=controller.endpoint().kind,
                               model_ids=[m.id for m in controller.models],
                               parent=parent)  # type: ignore[arg-type]
        if dialog.exec() == OptionsDialog.DialogCode.Accepted:
            return dialog.options()
        return None
