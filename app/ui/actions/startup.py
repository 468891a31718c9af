"""The window's first state at launch and the window state kept for the next one."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer

from app.core.errors import StorageError
from app.ui.loop_ready import when_loop_runs
from app.ui.window_state import WindowState

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.actions.settings import SettingsActions
    from app.ui.actions.sidebar import SidebarActions
    from app.ui.actions.welcome_flow import WelcomeFlow
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate

#: delay between the first paint and loading the model list
MODELS_DELAY_MS = 150


@dataclass
class Startup:
    """Opens the history where the user left it, and remembers the window at exit."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    sidebar: SidebarActions
    settings: SettingsActions
    welcome: WelcomeFlow

    def start(self) -> None:
        """First state of the window: history list, the last conversation, models loading."""
        try:
            # Conversations deleted in an earlier run whose Undo was not used.
            self.ctx.store.purge_trashed()
            interrupted = self.ctx.store.mark_interrupted_streams()
        except StorageError as exc:
            interrupted = 0
            self.window.show_status(f"⚠ {exc}")
        state = WindowState.load()
        state.restore(self.window, self.window.splitter)
        self.sidebar.refresh()
        last = state.last_conversation
        if last is not None and self.ctx.store.get_conversation(last) is not None:
            self.controller.open_conversation(last)
        else:
            self.controller.new_conversation()
        self.window.model_chooser.set_model(self.controller.model)
        # Asking the keychain imports keyring and may talk to D-Bus: do it once the
        # window is up rather than before it is shown.
        QTimer.singleShot(0, self.window, self._after_shown)
        if interrupted:
            self.window.show_status(
                translate(
                    "Parley",
                    "Replies interrupted when Parley last closed: %n (their text is kept).",
                    "",
                    interrupted,
                )
            )

    def _after_shown(self) -> None:
        # The window is painted before the event loop starts: ask once it runs.
        when_loop_runs(self.window, self._loop_started)

    def _loop_started(self) -> None:
        self.controller.spawn(self._check_key())
        self.controller.warm_up_renderer()

    async def _check_key(self) -> None:
        # On the worker thread: a locked keychain may wait for the user to unlock it.
        has_key = await self.settings.has_key_async()
        self.window.chat.empty.set_has_key(has_key)
        if not has_key:
            self.welcome.show()
        else:
            # Loading the model list imports the HTTP stack in a thread; let the window
            # paint first instead of competing with it for the interpreter.
            QTimer.singleShot(MODELS_DELAY_MS, self.controller, self.controller.refresh_models)

    def save_window_state(self) -> None:
        """Remember the window's size, splitter and open conversation for the next launch."""
        state = WindowState()
        conv = self.controller.current
        state.capture(self.window, self.window.splitter, conv.id if conv else None)
        # Losing the window size is not worth bothering the user at exit.
        with contextlib.suppress(OSError):
            state.save()
