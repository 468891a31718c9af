"""Asking the user before a tool runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt

if TYPE_CHECKING:
    import asyncio

    from app.ui.main_window import MainWindow

translate = QCoreApplication.translate


@dataclass
class ToolApproval:
    """Answers the controller's approval requests with a question box."""

    window: MainWindow

    def ask(self, call: Any, future: asyncio.Future[str]) -> None:
        """Before a tool runs: Run once, Always allow, or Deny (the model is told)."""
        import json as _json

        from PySide6.QtWidgets import QMessageBox

        try:
            args = _json.dumps(call.arguments, indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            args = call.arguments_text
        where = translate("Parley", " (server {server})").format(server=call.server) \
            if call.server else ""
        box = QMessageBox(QMessageBox.Icon.Question, translate("Parley", "Run a tool?"),
                          translate("Parley", "The model wants to run {name}{where}.").format(
                              name=call.name, where=where), parent=self.window)
        box.setInformativeText(args[:4000])
        once = box.addButton(translate("Parley", "Run once"), QMessageBox.ButtonRole.AcceptRole)
        always = box.addButton(translate("Parley", "Always allow"),
                               QMessageBox.ButtonRole.YesRole)
        box.addButton(translate("Parley", "Deny"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button: object) -> None:
            if not future.done():
                future.set_result("once" if button is once else
                                  "always" if button is always else "deny")

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _r: None if future.done() else future.set_result("deny"))
        # Stop withdraws the question.
        future.add_done_callback(lambda f: box.close() if f.cancelled() else None)
        box.open()
