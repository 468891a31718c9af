"""History to and from files: export, import and backups of the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from app.core.errors import ParleyError
from app.ui.actions import warn

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.actions.sidebar import SidebarActions
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class HistoryFiles:
    """File menu: Export, Export All, Import, Back Up Now."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    sidebar: SidebarActions

    def export_conversation(self) -> None:
        """File > Export Conversation: Markdown or lossless JSON, chosen by the file type."""
        from PySide6.QtWidgets import QFileDialog

        conv = self.controller.current
        if conv is None:
            self.window.show_status(translate("Parley", "Open a conversation to export it."))
            return
        from app.core.history.export import to_json, to_markdown

        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in conv.title)[:60]
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            translate("Parley", "Export Conversation"),
            str(Path.home() / f"{safe or 'conversation'}.md"),
            "Markdown (*.md);;Parley JSON (*.json)",
        )
        if not path:
            return
        items = self.ctx.store.export_conversations([conv.id])
        as_json = path.endswith(".json") or chosen.startswith("Parley JSON")
        try:
            Path(path).write_text(to_json(items) if as_json else to_markdown(items),
                                  encoding="utf-8")
        except OSError as exc:
            warn(
                self.window,
                translate("Parley", "Export failed"),
                translate("Parley", "Could not write {path}: {error}.").format(
                    path=path, error=exc.strerror
                ),
            )
            return
        self.window.show_status(translate("Parley", "Exported to {path}").format(path=path))

    def export_all(self) -> None:
        """File > Export All Conversations: one lossless JSON file (every branch)."""
        from PySide6.QtWidgets import QFileDialog

        from app.core.history.export import to_json

        path, _ = QFileDialog.getSaveFileName(
            self.window, translate("Parley", "Export All Conversations"),
            str(Path.home() / "parley-export.json"), "Parley JSON (*.json)",
        )
        if not path:
            return
        try:
            Path(path).write_text(to_json(self.ctx.store.export_conversations()),
                                  encoding="utf-8")
        except (OSError, ParleyError) as exc:
            warn(self.window, translate("Parley", "Export failed"), str(exc))
            return
        self.window.show_status(translate("Parley", "Exported to {path}").format(path=path))

    def import_conversations(self) -> None:
        """File > Import: a Parley export or ChatGPT's conversations.json; all or nothing."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, translate("Parley", "Import Conversations"), str(Path.home()),
            translate("Parley", "Conversation exports (*.json);;All files (*)"),
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Import one file and show what was added, or why nothing was."""
        from app.core.history.importers import import_file

        try:
            report = import_file(self.ctx.store, path)
        except ParleyError as exc:
            # A malformed or hostile file changes nothing; say what was wrong with it.
            warn(self.window, translate("Parley", "Import failed"), str(exc))
            return
        self.sidebar.refresh()
        self.window.show_status(report.describe())

    def back_up_now(self) -> None:
        """File > Back Up Now: a consistent copy of the database in the backups folder."""
        from app.core.history.backups import backup_database

        try:
            path = backup_database(self.ctx.store)
        except (OSError, ParleyError) as exc:
            warn(self.window, translate("Parley", "Backup failed"), str(exc))
            return
        self.window.show_status(
            translate("Parley", "Backup written to {path}").format(path=path)
        )
