"""Unexpected errors: logged, then shown in a dialog whose details can be copied for a report.

`ErrorReporter.install(loop)` replaces `sys.excepthook` (exceptions raised in Qt slots and
callbacks end there) and the asyncio loop's exception handler, so a packaged build never
dies silently nor swallows a failure. The copied details hold the version, the platform
and the traceback, with every key redacted.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication

from app import APP_NAME, __version__
from app.core.logs import redact

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

log = logging.getLogger("app.errors")
translate = QCoreApplication.translate

#: dialogs shown at most at once: a failure repeating on every event must not bury the window
MAX_OPEN = 1


def details_text(exc: BaseException | None, context: str = "") -> str:
    """Version, platform and traceback, redacted: what a bug report needs."""
    import platform  # here: ~2 ms, and the reporter is installed at every start-up

    lines = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
    ]
    try:
        from PySide6 import __version__ as qt_version

        lines.append(f"PySide6 {qt_version}")
    except ImportError:  # pragma: no cover - the window cannot run without it
        pass
    if context:
        lines.append(context)
    if exc is not None:
        lines.append("")
        lines.extend(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return redact("\n".join(line.rstrip("\n") for line in lines))


class ErrorReporter:
    """Logs unexpected errors and shows them in a dialog with a Copy details button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.open_dialogs: list[QMessageBox] = []
        #: errors reported so far (shown or not), for the status of a session
        self.count = 0
        self._previous_hook = sys.excepthook

    def install(self, loop: Any | None = None) -> None:
        """Report exceptions from Qt slots (sys.excepthook) and from the asyncio loop."""
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception)

    def uninstall(self, loop: Any | None = None) -> None:
        """Put back the hooks `install` replaced."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if loop is not None:
            loop.set_exception_handler(None)

    def excepthook(
        self,
        kind: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """sys.excepthook: an exception nobody caught, e.g. in a slot."""
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        self.report(exc)

    def loop_exception(self, loop: Any, context: dict[str, Any]) -> None:
        """asyncio exception handler: a failed callback or a task nobody awaited."""
        exc = context.get("exception")
        message = str(context.get("message") or "")
        if not isinstance(exc, BaseException):
            log.error("Event loop: %s", message)
            return
        self.report(exc, message)

    def report(self, exc: BaseException, context: str = "") -> None:
        """Log the error with its traceback, then show it (one dialog at a time)."""
        self.count += 1
        log.error("Unexpected error%s", f" ({context})" if context else "",
                  exc_info=(type(exc), exc, exc.__traceback__))
        if len(self.open_dialogs) >= MAX_OPEN:
            return
        try:
            self._show(exc, context)
        except Exception:  # the dialog itself failed: the log still has the error
            log.exception("Could not show the error dialog")

    def _show(self, exc: BaseException, context: str) -> None:
        # Imported here: the reporter is installed before the window is first shown.
        from PySide6.QtWidgets import QMessageBox, QPushButton

        details = details_text(exc, context)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            translate("Parley", "Something went wrong"),
            translate(
                "Parley",
                "Parley hit an unexpected error and carried on: {error}\n\n"
                "If something looks wrong, save your work and restart Parley. To report "
                "it, use Copy details (no key is included).",
            ).format(error=redact(f"{type(exc).__name__}: {exc}")[:500]),
            parent=self.parent,
        )
        box.setObjectName("errorDialog")
        box.setDetailedText(details)
        copy = QPushButton(translate("Parley", "Copy details"), box)
        copy.setObjectName("copyDetails")
        box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        # The Copy button would close the box: keep it open so the user sees it worked.
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: self._copy(details, copy))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._forget(box))
        self.open_dialogs.append(box)
        box.open()

    def _copy(self, details: str, button: QPushButton) -> None:
        QGuiApplication.clipboard().setText(details)
        button.setText(translate("Parley", "Copied"))

    def _forget(self, box: QMessageBox) -> None:
        if box in self.open_dialogs:
            self.open_dialogs.remove(box)
