"""The Settings dialog, saving settings and keys, and preferences saved as the user works."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from app.core.config import ENV_API_KEY, Settings
from app.core.errors import ConfigError, ParleyError
from app.ui.actions import warn
from app.ui.theme import apply_theme

if TYPE_CHECKING:
    import asyncio

    from app.core.context import AppContext
    from app.core.secrets import KeyStore
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow
    from app.ui.sync_controller import SyncController

translate = QCoreApplication.translate


@dataclass
class SettingsActions:
    """Opens Settings and applies what the user chose."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    #: the Settings dialog being prepared (the keychain is read first)
    _opening: asyncio.Future[Any] | None = field(default=None, init=False)
    #: storing the keys and applying the settings after OK (None before the first OK)
    applying: asyncio.Future[Any] | None = field(default=None, init=False)
    #: background sync, for Settings > Sync (None: no Sync page)
    sync: SyncController | None = None

    def _read_keys(self) -> KeyStore:
        from app.ui.keychain import PrefetchedKeys

        return PrefetchedKeys.read(self.ctx.keys, self._delete_key_later)

    def _delete_key_later(self, keys: KeyStore) -> None:
        self.controller.spawn(self._delete_key(keys))

    async def _delete_key(self, keys: KeyStore) -> None:
        try:
            await self.controller.run_blocking(keys.delete_key)
        except ParleyError as exc:
            warn(self.window, translate("Parley", "Key not removed"), str(exc))

    def has_key(self) -> bool:
        """Whether the current endpoint can be used without asking for a key first."""
        from app.core.endpoints import find_endpoint, key_store

        endpoint = find_endpoint(self.ctx.settings)
        if not endpoint.is_openrouter:
            return True  # local servers usually need no key
        own = endpoint.key_account == self.ctx.keys.account
        # A key given for this session only (no secure keychain) is as good as a stored one.
        if own and self.ctx.session_key:
            return True
        if own and os.environ.get(ENV_API_KEY, "").strip():
            return True
        try:
            return (self.ctx.keys if own else key_store(endpoint)).source() != "none"
        except ParleyError:
            return False

    async def has_key_async(self) -> bool:
        """`has_key` on the worker thread: the keychain may wait on an unlock prompt."""
        return await self.controller.run_blocking(self.has_key)

    async def _show_has_key(self) -> None:
        self.window.chat.empty.set_has_key(await self.has_key_async())

    def open(self) -> None:
        """Open the Settings dialog (once the keychain was read); apply its result on close."""
        if self._opening is None:
            self._opening = self.controller.spawn(self._open())

    async def _open(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        try:
            # The keychain is read on the worker thread: it may wait on an unlock prompt.
            keys = await self.controller.run_blocking(self._read_keys)
        finally:
            self._opening = None
        dialog = SettingsDialog(
            self.ctx.settings, keys, self.controller.test_key, self.window, sync=self.sync
        )

        def finished(result: int) -> None:
            dialog.deleteLater()
            if result != SettingsDialog.DialogCode.Accepted:
                if dialog.key_removed:
                    self.applied()
                return
            # The passphrase first: a new folder must not be set up unencrypted by a
            # round that starts before it is in the keychain.
            page = dialog.sync_page
            if self.sync is not None and page is not None and page.passphrase():
                self.sync.set_passphrase(page.passphrase())
            self.apply(dialog.updated_settings(), dialog.entered_key(),
                       dialog.endpoint_keys())

        dialog.finished.connect(finished)
        dialog.open()

    def __post_init__(self) -> None:
        self.ctx.settings_service.subscribe(self._changed)

    def _changed(self, settings: Settings, changed: frozenset[str]) -> None:
        # New tool servers serve the next request; a running one keeps its own.
        if "mcp_servers" in changed:
            self.controller.tools_changed()

    def report_load_problem(self) -> None:
        """Say (without blocking) that the settings file was unusable and where it went."""
        problem = self.ctx.settings_service.problem
        if problem:
            warn(self.window, translate("Parley", "Settings not loaded"), problem)

    def apply(
        self, settings: Settings, key: str, endpoint_keys: dict[str, str] | None = None
    ) -> None:
        """Save settings and the key; errors are shown, and nothing typed is lost."""
        try:
            self.ctx.settings_service.save(settings)
        except ConfigError as exc:
            warn(self.window, translate("Parley", "Settings not saved"), str(exc))
            return
        self.applying = self.controller.spawn(
            self._store_keys(settings, key, endpoint_keys or {})
        )

    async def _store_keys(
        self, settings: Settings, key: str, endpoint_keys: dict[str, str]
    ) -> None:
        """Store the keys on the worker thread (the keychain may wait on an unlock
        prompt), then apply the settings."""
        if key:
            try:
                # `ctx.keys` imports keyring on first use: that too on the worker thread.
                await self.controller.run_blocking(lambda: self.ctx.keys.set_key(key))
            except ParleyError as exc:
                warn(self.window, translate("Parley", "Key not stored"), str(exc))
        from app.core.endpoints import find_endpoint, key_store

        for name, endpoint_key in endpoint_keys.items():
            try:
                store = key_store(find_endpoint(settings, name))
                await self.controller.run_blocking(store.set_key, endpoint_key)
            except ParleyError as exc:
                warn(self.window, translate("Parley", "Key not stored"), str(exc))
        self.applied()

    def applied(self) -> None:
        """Bring the controller, the empty chat page and the theme up to the settings."""
        self.controller.settings_changed()
        # The open conversation keeps its model; only a new, empty chat takes the default.
        if self.controller.current is None:
            self.controller.set_model(self.ctx.settings.default_model)
        self.controller.spawn(self._show_has_key())
        qapp = QApplication.instance()
        if isinstance(qapp, QApplication):
            apply_theme(qapp, self.ctx.settings.theme)

    def save_zoom(self, steps: int) -> None:
        """Remember the chat text size (Ctrl+= / Ctrl+- / Ctrl+0) in Settings."""
        if self.ctx.settings.zoom == steps:
            return
        try:
            self.ctx.settings_service.update(zoom=steps)
        except ConfigError as exc:
            self.window.show_status(f"⚠ {exc}")

    def save_favourites(self, favourites: list[str]) -> None:
        """Remember the models starred in the model browser."""
        try:
            self.ctx.settings_service.update(favourite_models=list(favourites))
        except ConfigError as exc:
            self.window.show_status(f"⚠ {exc}")
