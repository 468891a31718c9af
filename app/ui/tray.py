"""The optional icon in the system tray: New chat, Quick ask, Show Parley, Quit.

Off by default ("Show icon in the system tray" in Settings). With "Close to tray" on,
closing the window only hides it while the icon is there; Quit ends Parley for real (a
reply still streaming is saved as stopped, as when the window is closed). Desktops
without a tray (QSystemTrayIcon.isSystemTrayAvailable() is False) get no icon, and the
settings say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.settings_service import SettingsService
    from app.ui.main_window import MainWindow


def tray_available() -> bool:
    """Whether the desktop shows tray icons at all."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class TrayMenu(QObject):
    """The tray icon's menu and its actions (usable without a tray, e.g. in tests)."""

    newChatRequested = Signal()
    quickAskRequested = Signal()
    showRequested = Signal()
    quitRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.setAccessibleName(self.tr("Parley tray menu"))
        self.menu.setToolTipsVisible(True)
        self.new_chat_action = self._action(
            self.tr("New Chat"), self.tr("Show Parley with a new, empty chat"),
            self.newChatRequested)
        self.quick_ask_action = self._action(
            self.tr("Quick Ask…"), self.tr("Ask a quick question in a small window"),
            self.quickAskRequested)
        self.show_action = self._action(
            self.tr("Show Parley"), self.tr("Bring the Parley window back"),
            self.showRequested)
        self.menu.addSeparator()
        self.quit_action = self._action(
            self.tr("Quit"), self.tr("End Parley (a reply in progress is kept as stopped)"),
            self.quitRequested)

    def _action(self, text: str, tip: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        # A lambda: triggered(bool) would otherwise be forwarded as an argument.
        action.triggered.connect(lambda _checked=False: signal.emit())
        self.menu.addAction(action)
        return action


class Tray(QObject):
    """Shows or removes the tray icon as Settings say, and answers its menu."""

    def __init__(self, window: MainWindow, settings: SettingsService,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.settings = settings
        self.menu = TrayMenu(self)
        self.icon: QSystemTrayIcon | None = None
        window.hide_on_close = self.hides_on_close
        self.menu.showRequested.connect(self.show_window)
        self.menu.quitRequested.connect(window.quit)
        settings.subscribe(self._changed)

    def apply(self) -> None:
        """Show the icon when Settings ask for it and the desktop has a tray; else remove it."""
        wanted = self.settings.current.tray_icon and tray_available()
        if wanted and self.icon is None:
            icon = QSystemTrayIcon(QGuiApplication.windowIcon(), self)
            icon.setToolTip("Parley")
            icon.setContextMenu(self.menu.menu)
            icon.activated.connect(self._activated)
            icon.show()
            self.icon = icon
        elif not wanted and self.icon is not None:
            self.icon.hide()
            self.icon.deleteLater()
            self.icon = None
            if not self.window.isVisible():
                self.show_window()  # no icon left to bring it back with

    @property
    def shown(self) -> bool:
        """True while the icon is in the tray."""
        return self.icon is not None and self.icon.isVisible()

    def hides_on_close(self) -> bool:
        """Closing the window hides it: "Close to tray" is on and the icon is there."""
        return self.settings.current.close_to_tray and self.shown

    def _changed(self, _settings: Settings, changed: frozenset[str]) -> None:
        if "tray_icon" in changed:
            self.apply()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            if self.window.isActiveWindow() and self.hides_on_close():
                self.window.hide()
            else:
                self.show_window()

    def show_window(self) -> None:
        """Bring the main window up, in front, with the message box focused."""
        window = self.window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()
        window.focus_composer()
