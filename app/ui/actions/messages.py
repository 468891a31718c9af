"""Actions on the messages of the open conversation: send, copy, edit, delete, branches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from app.core.domain import Role

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class MessageActions:
    """What the composer and the chat view ask for."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController

    def send(self, text: str) -> None:
        """Send the prompt and its attachments; the composer (text and chips) is emptied
        only when they were accepted."""
        composer = self.window.composer
        if composer.tray.reading:
            self.window.show_status(translate(
                "Parley", "Still reading the attached files; send again in a moment."))
            return
        attachments = composer.attachments()
        if not text.strip() and not attachments:
            self.window.show_status(translate(
                "Parley", "None of the attached files can be sent; remove them or attach "
                "others."))
            return
        if self.controller.send(text, attachments):
            composer.clear_prompt()

    def copy_last_reply(self) -> None:
        """Put the newest reply of this conversation on the clipboard."""
        conv = self.controller.current
        replies = [
            m for m in (self.ctx.store.get_messages(conv.id) if conv else [])
            if m.role is Role.ASSISTANT and m.content
        ]
        if not replies:
            self.window.show_status(translate("Parley", "There is no reply to copy yet."))
            return
        QGuiApplication.clipboard().setText(replies[-1].content)
        self.window.show_status(translate("Parley", "Last reply copied to the clipboard."))

    def show_branches(self, alternatives: dict[int, tuple[int, int]]) -> None:
        """Show "version i of n" on the messages that have other versions."""
        for message_id, (index, count) in alternatives.items():
            self.window.chat.set_branch_info(message_id, index, count)

    def edit(self, message_id: int) -> None:
        """Edit a prompt in a dialog; sending it adds a new version, the old one stays."""
        from PySide6.QtWidgets import QInputDialog

        msg = self.ctx.store.get_message(message_id)
        if msg is None or self.controller.busy:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.window,
            translate("Parley", "Edit message"),
            translate("Parley", "The edited message is sent as a new version; the original "
                      "and its replies stay one arrow away."),
            msg.content,
        )
        if ok and text.strip() and text != msg.content:
            self.controller.edit_message(message_id, text)

    def delete(self, message_id: int) -> None:
        """Delete a message (and what follows it) once the user confirms."""
        from PySide6.QtWidgets import QMessageBox

        followers = self.controller.message_followers(message_id)
        if followers:
            question = translate(
                "Parley", "Delete this message and the {n} message(s) that follow it?"
            ).format(n=followers)
        else:
            question = translate("Parley", "Delete this message?")
        answer = QMessageBox.question(
            self.window, translate("Parley", "Delete message"),
            question + "\n" + translate("Parley", "This cannot be undone."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.delete_message(message_id, with_followers=followers > 0)
