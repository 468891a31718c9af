"""View > Usage and the budget prompts: the dashboard, and asking before sending over budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt

if TYPE_CHECKING:
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class UsageActions:
    """Opens the usage dashboard (one at a time) and asks before sending over budget."""

    window: MainWindow
    controller: ChatController

    def open_usage(self) -> None:
        """View > Usage: the dashboard; double-clicking a conversation opens it."""
        from app.ui.usage_dialog import UsageDialog

        existing = self.window.findChild(UsageDialog)
        if isinstance(existing, UsageDialog) and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return
        controller = self.controller
        dialog = UsageDialog(controller.usage_dashboard, controller.openrouter_credit,
                             self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openConversation.connect(controller.open_conversation)
        dialog.show()

    def confirm_over_budget(self, message: str) -> bool:
        """Ask whether to send although a budget is used up; True sends."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self.window,
            translate("Parley", "Over budget"),
            translate("Parley", "{message}\n\nSend this message anyway?").format(
                message=message),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
