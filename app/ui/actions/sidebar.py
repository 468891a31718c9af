"""The conversation list: which conversations it shows, and Undo after a delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.core.domain import Conversation
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class SidebarActions:
    """Keeps the sidebar in step with the history."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController

    def refresh(self) -> None:
        """Reload the list for the chosen filter (a page now, more as the user scrolls)."""
        store, sidebar = self.ctx.store, self.window.sidebar
        sidebar.set_tags(store.all_tags())
        archived, tag = sidebar.current_filter()
        current = self.controller.current.id if self.controller.current else None

        def loader(limit: int, offset: int) -> list[Conversation]:
            return store.list_conversations(limit, offset, archived=archived, tag=tag)

        sidebar.reset(loader, store.count_conversations(archived=archived, tag=tag), current)

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
