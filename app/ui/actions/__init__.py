"""What the main window's menus, buttons and panels do, one module per area.

Each action object calls the chat controller or core, shows dialogs (imported on first
use, to keep start-up fast) and reports back in the window; app/main.py builds them and
connects the signals.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def warn(parent: QWidget, title: str, text: str) -> None:
    """Show a warning that does not block the event loop."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.open()
