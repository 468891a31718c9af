"""The welcome page shown while no key is set: check a key or a local server, then chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer

from app.core.config import Settings
from app.core.errors import ParleyError
from app.ui.actions import warn

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.actions.settings import SettingsActions
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class WelcomeFlow:
    """Shows the welcome panel and leaves it once a key or a server works."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    settings: SettingsActions

    def show(self) -> None:
        """Replace the chat with the welcome panel."""
        from app.ui.welcome import WelcomePanel

        panel = WelcomePanel(self._welcome_key, self._welcome_server, self.window,
                             spawn=self.controller.spawn)
        panel.completed.connect(self._welcome_done)
        self.window.show_welcome(panel)
        panel.focus()

    async def _welcome_key(self, key: str) -> str:
        """Check a pasted key with GET /key, then keep it in the keychain (or the session)."""
        info = await self.controller.test_key(self.ctx.settings.effective_base_url(), key)
        try:
            # `ctx.keys` imports keyring on first use: that too on the worker thread.
            await self.controller.run_blocking(lambda: self.ctx.keys.set_key(key))
            where = translate("Parley", "Stored in the system keychain.")
        except ParleyError as exc:
            # No secure keychain: use the key now, never write it anywhere.
            self.ctx.session_key = key
            where = translate(
                "Parley", "Not stored ({error}) It is used until Parley closes."
            ).format(error=exc)
        return f"{info.describe()}. {where}"

    async def _welcome_server(self, url: str) -> int:
        """Check a local server with GET /models, then make it the endpoint."""
        client = self.ctx.client_for(url, None)
        try:
            models = await client.list_models()
        finally:
            await client.aclose()
        from app.core.endpoints import Endpoint, save_endpoint

        settings = self.ctx.settings
        save_endpoint(settings, Endpoint("Local server", url, "openai"))
        settings.current_endpoint = "Local server"
        if models and settings.default_model == Settings().default_model:
            settings.default_model = models[0].id
        try:
            self.ctx.settings_service.save()
        except ParleyError as exc:
            warn(self.window, translate("Parley", "Settings not saved"), str(exc))
        return len(models)

    def _welcome_done(self) -> None:
        # Let the user read the confirmation for a moment, then open the chat.
        # Timers take the window as context: they die with it instead of firing late.
        QTimer.singleShot(900, self.window, self._leave_welcome)

    def _leave_welcome(self) -> None:
        if not self.window.isVisible():
            return  # closed meanwhile: shutdown has begun, nothing new may start
        self.window.show_welcome(None)
        self.settings.applied()
