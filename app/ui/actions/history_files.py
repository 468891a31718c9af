"""History to and from files: export, import and backups of the database.

Export All, Import and Back Up Now run on a worker thread with their own SQLite
connection (WAL lets it read and write beside the window's), behind a progress dialog;
the window keeps drawing and answering meanwhile. Cancel is offered where it is safe:
an import is one transaction, so a cancelled import adds nothing, and an export is
written to a side file that replaces the target only when complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, Qt

from app import APP_NAME
from app.core.errors import ParleyError
from app.core.history.jobs import (
    JobCancelled,
    backup_in_worker,
    export_all_in_worker,
    import_in_worker,
)
from app.ui.actions import warn

if TYPE_CHECKING:
    import asyncio

    from app.core.context import AppContext
    from app.core.history.importers import ImportReport
    from app.ui.actions.sidebar import SidebarActions
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate

_R = TypeVar("_R")


@dataclass
class HistoryFiles:
    """File menu: Export, Export All, Import, Back Up Now."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    sidebar: SidebarActions
    #: the file job running now (one at a time; the progress dialog is window-modal)
    job: asyncio.Future[Any] | None = field(default=None, init=False)

    def export_conversation(self) -> None:
        """File > Export Conversation: Markdown or lossless JSON, chosen by the file type."""
        from PySide6.QtWidgets import QFileDialog

        conv = self.controller.current
        if conv is None:
            self.window.show_status(translate("Parley", "Open a conversation to export it."))
            return
        from app.core.history.export import export_json, to_markdown

        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in conv.title)[:60]
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            translate("Parley", "Export Conversation"),
            str(Path.home() / f"{safe or 'conversation'}.md"),
            "Markdown (*.md);;Parley JSON (*.json)",
        )
        if not path:
            return
        as_json = path.endswith(".json") or chosen.startswith("Parley JSON")
        store = self.ctx.store
        text = (export_json(store, [conv.id]) if as_json
                else to_markdown(store.export_conversations([conv.id])))
        try:
            Path(path).write_text(text, encoding="utf-8")
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

    def export_all(self) -> asyncio.Future[Any] | None:
        """File > Export All Conversations: one lossless JSON file (every branch)."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self.window, translate("Parley", "Export All Conversations"),
            str(Path.home() / "parley-export.json"), "Parley JSON (*.json)",
        )
        if not path:
            return None
        return self.export_all_to(Path(path))

    def export_all_to(self, path: Path) -> asyncio.Future[Any] | None:
        """Export every conversation to `path` on a worker thread; returns the job."""

        def done(written: Path) -> None:
            self.window.show_status(
                translate("Parley", "Exported to {path}").format(path=written)
            )

        return self._start(
            translate("Parley", "Exporting all conversations…"),
            export_all_in_worker, (self.ctx.store.path, path), done,
            failed=translate("Parley", "Export failed"),
            cancelled=translate("Parley", "Export cancelled; no file was written."),
        )

    def import_conversations(self) -> None:
        """File > Import: a Parley export or ChatGPT's conversations.json; all or nothing."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, translate("Parley", "Import Conversations"), str(Path.home()),
            translate("Parley", "Conversation exports (*.json);;All files (*)"),
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> asyncio.Future[Any] | None:
        """Import one file on a worker thread and show what was added, or why nothing was."""

        def done(report: ImportReport) -> None:
            self.sidebar.refresh()
            self.window.show_status(report.describe())

        # A malformed or hostile file changes nothing; the warning says what was wrong.
        return self._start(
            translate("Parley", "Importing {name}…").format(name=path.name),
            import_in_worker, (self.ctx.store.path, path), done,
            failed=translate("Parley", "Import failed"),
            cancelled=translate("Parley", "Import cancelled; nothing was imported."),
        )

    def back_up_now(self) -> asyncio.Future[Any] | None:
        """File > Back Up Now: a consistent copy of the database in the backups folder."""

        def done(path: Path) -> None:
            self.window.show_status(
                translate("Parley", "Backup written to {path}").format(path=path)
            )

        return self._start(
            translate("Parley", "Backing up the history…"),
            backup_in_worker, (self.ctx.store.path,), done,
            failed=translate("Parley", "Backup failed"), cancelled=None,
        )

    def _start(
        self,
        label: str,
        work: Callable[..., _R],
        args: tuple[Any, ...],
        done: Callable[[_R], None],
        *,
        failed: str,
        cancelled: str | None,
    ) -> asyncio.Future[Any] | None:
        """Run `work(*args, cancel)` on a worker thread behind a progress dialog."""
        import asyncio

        from PySide6.QtWidgets import QProgressDialog

        if self.job is not None:
            self.window.show_status(
                translate("Parley", "Wait for the current file operation to finish.")
            )
            return None
        cancel = threading.Event()
        progress = QProgressDialog(label, translate("Parley", "Cancel"), 0, 0, self.window)
        progress.setWindowTitle(APP_NAME)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        if cancelled is None:
            progress.setCancelButton(None)
        else:
            progress.canceled.connect(cancel.set)
        progress.show()

        async def run() -> None:
            try:
                result = await self.controller.run_blocking(work, *args, cancel, long=True)
            except asyncio.CancelledError:
                cancel.set()  # the window is closing: let the worker stop early
                raise
            except JobCancelled:
                self.window.show_status(cancelled or "")
                return
            except (OSError, ParleyError) as exc:
                warn(self.window, failed, str(exc))
                return
            finally:
                self.job = None
                progress.close()
                progress.deleteLater()
            done(result)

        self.job = self.controller.spawn(run())
        return self.job
