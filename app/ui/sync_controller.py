"""Background sync rounds for the window: at start, when the folder changes, every few
minutes and at quit, always on a worker thread of their own (docs/sync.md).

The worker thread has its own connection to the history database (SQLite connections
belong to one thread); the window's connection sees what a round merged at its next read.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.core.errors import ParleyError
from app.ui.loop_ready import loop_running

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

    from app.core.config import Settings
    from app.core.context import AppContext
    from app.core.sync.service import RoundReport

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: minutes between rounds while the window is open
PERIOD_MINUTES = 5
#: a burst of files from the sync tool is merged in one round this long after it ends
DEBOUNCE_MS = 3000
#: while the window's asyncio loop is not running yet, the first round is retried this often
LOOP_RETRY_MS = 50
#: the round at quit gives up after this long (the next start catches up)
QUIT_ROUND_SECONDS = 30.0


def ago(seconds: float) -> str:
    """"just now", "5 min ago", "3 h ago", "2 d ago"."""
    if seconds < 60:
        return translate("Parley", "just now")
    if seconds < 3600:
        return translate("Parley", "{n} min ago").format(n=int(seconds // 60))
    if seconds < 86400:
        return translate("Parley", "{n} h ago").format(n=int(seconds // 3600))
    return translate("Parley", "{n} d ago").format(n=int(seconds // 86400))


class SyncController(QObject):
    """Runs sync rounds off the GUI thread and says how the last one went."""

    #: a round merged changes from other devices: lists should be reloaded
    historyChanged = Signal()
    #: the text of the status-bar line changed (also after each round)
    statusChanged = Signal(str)
    #: a round finished: its RoundReport
    roundFinished = Signal(object)
    #: a round failed: the sentence to show
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        from app.core.sync.session import SyncSession

        self._session = SyncSession(ctx.store.path)  # used on the worker thread only
        self._task: asyncio.Future[None] | None = None
        self._again = False
        self._closed = False
        #: other tasks this controller started (storing a passphrase)
        self._tasks: set[asyncio.Future[Any]] = set()
        #: a new passphrase is being stored: rounds wait for it
        self._storing = False
        self.last_report: RoundReport | None = None
        self.last_error: str | None = None
        #: a round is running; cleared before its last status update (the task itself is
        #: still running then, so `busy` cannot tell that the round has ended)
        self._running = False

        self.label = QLabel(parent)
        self.label.setObjectName("syncStatus")
        self.label.setAccessibleName(translate("Parley", "Sync status"))
        self.label.setToolTip(translate("Parley", "History sync through your sync folder"))
        self.label.setVisible(False)

        self._watcher = QFileSystemWatcher(self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._period = QTimer(self)
        self._period.setInterval(PERIOD_MINUTES * 60_000)
        self._tick = QTimer(self)  # keeps "2 min ago" true
        self._tick.setInterval(30_000)
        self._connect_signals()
        self._unsubscribe = ctx.settings_service.subscribe(self._settings_changed)

    def _connect_signals(self) -> None:
        self._watcher.directoryChanged.connect(lambda _path: self._debounce.start())
        self._debounce.timeout.connect(self.sync_now)
        self._period.timeout.connect(self.sync_now)
        self._tick.timeout.connect(self._show_status)

    # ------------------------------------------------------------ state

    @property
    def folder(self) -> str:
        """The sync folder from Settings ("" when sync is off)."""
        return self.ctx.settings.sync_folder

    @property
    def busy(self) -> bool:
        """True while a round runs."""
        return self._task is not None and not self._task.done()

    def status_text(self) -> str:
        """The status-bar line: "Synced 2 min ago · 3 devices", or what went wrong."""
        if not self.folder:
            return ""
        if self._running and self.last_report is None and self.last_error is None:
            return translate("Parley", "Syncing…")
        if self.last_error is not None:
            return translate("Parley", "⚠ Sync failed")
        report = self.last_report
        if report is None:
            return ""
        return translate("Parley", "Synced {ago} · {n} devices").format(
            ago=ago(max(0.0, time.time() - report.finished_at)), n=len(report.devices))

    def _show_status(self) -> None:
        text = self.status_text()
        self.label.setText(text)
        self.label.setToolTip(self.last_error or translate(
            "Parley", "History sync through {folder}").format(folder=self.folder))
        self.label.setVisible(bool(text))
        self.statusChanged.emit(text)

    # ------------------------------------------------------------ rounds

    def start(self) -> None:
        """Begin: a round now and every few minutes, and watch the folder."""
        self._period.start()
        self._tick.start()
        self._watch()
        if self.folder:
            self.sync_now()

    def sync_now(self) -> asyncio.Future[None] | None:
        """Run a round soon (after the one running, if any); None when sync is off."""
        if self._closed or not self.folder:
            return None
        # asyncio is imported once the window is up (start-up stays fast without it), so
        # before that no loop can be running.
        if not loop_running():
            # The window is shown before its asyncio loop runs: try again shortly.
            QTimer.singleShot(LOOP_RETRY_MS, self, self.sync_now)
            return None
        if self._storing:
            self._again = True  # the round starts once the passphrase is stored
            return None
        if self.busy:
            self._again = True
            return self._task
        import asyncio

        self._running = True
        self._task = asyncio.ensure_future(self._round())
        self._show_status()
        return self._task

    async def _round(self) -> None:
        import asyncio

        folder = self.folder
        self._running = True
        try:
            report = await self._in_worker(self._work, folder)
        except asyncio.CancelledError:
            raise
        except ParleyError as exc:
            self.last_error = str(exc)
            log.warning("sync round failed: %s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must not end the window's syncing for good
            log.exception("sync round failed")
            self.last_error = translate("Parley", "Sync failed: {error}").format(error=exc)
            self.failed.emit(self.last_error)
        else:
            self.last_error = None
            self.last_report = report
            for problem in report.problems:
                log.warning("sync: %s", problem)
            self.roundFinished.emit(report)
            if report.imported:
                self.historyChanged.emit()
        finally:
            self._running = False
            self._show_status()
            self._watch()
        if self._again and not self._closed:
            self._again = False
            # Once this task is done (so the new round is not taken for a running one).
            asyncio.get_running_loop().call_soon(self.sync_now)

    async def _in_worker(self, func: Callable[..., Any], *args: Any) -> Any:
        import asyncio
        import concurrent.futures

        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="parley-sync")
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def _work(self, folder: str) -> RoundReport:
        """One round, on the worker thread, with the worker's own connection."""
        return self._session.run(folder)

    def set_passphrase(self, passphrase: str) -> asyncio.Future[Any]:
        """Keep a new sync passphrase in the keychain (on the worker thread), then sync."""
        import asyncio

        async def store() -> None:
            from app.core.sync.passphrase import set_passphrase

            try:
                await self._in_worker(set_passphrase, passphrase)
            except ParleyError as exc:
                self.last_error = str(exc)
                self.failed.emit(str(exc))
                self._show_status()
                return
            finally:
                self._storing = False
            self._again = False
            self.sync_now()

        self._storing = True
        task = asyncio.ensure_future(store())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ the folder

    def _watch(self) -> None:
        """Watch the sync folder's device folders (not our own) for new segments."""
        old = self._watcher.directories()
        if old:
            self._watcher.removePaths(old)
        if not self.folder or self._closed:
            return
        from app.core.sync.layout import Layout

        layout = Layout(Path(self.folder))
        paths = [str(p) for p in (layout.folder, layout.root, layout.devices) if p.is_dir()]
        own = None if self.last_report is None else self.last_report.device
        paths += [str(layout.device_dir(d)) for d in layout.device_ids() if d != own]
        if paths:
            self._watcher.addPaths(paths)

    def _settings_changed(self, settings: Settings, changed: frozenset[str]) -> None:
        if "sync_folder" in changed:
            self.last_report = None
            self.last_error = None
            self._watch()
            self._show_status()
            if settings.sync_folder:
                self.sync_now()

    # ------------------------------------------------------------ quit

    async def shutdown(self) -> None:
        import asyncio

        """Run a last round (bounded), then close the worker's connection. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        for timer in (self._debounce, self._period, self._tick):
            timer.stop()
        watched = self._watcher.directories()
        if watched:  # Qt warns on stderr when asked to remove an empty list
            self._watcher.removePaths(watched)
        try:
            for task in list(self._tasks):
                task.cancel()
            if self._task is not None and not self._task.done():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.shield(self._task), QUIT_ROUND_SECONDS)
                self._task.cancel()
            if self.folder:
                # What was written since (the trash emptied at quit, the last reply).
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._in_worker(self._work, self.folder),
                                           QUIT_ROUND_SECONDS)
        finally:
            executor, self._executor = self._executor, None
            if executor is not None:
                executor.submit(self._close_worker_store)
                executor.shutdown(wait=False)

    def _close_worker_store(self) -> None:
        with contextlib.suppress(ParleyError):
            self._session.close()
