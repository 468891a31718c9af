"""Settings > Sync: the folder, the passphrase (kept in the keychain), Sync now, and how
the last round went."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.ui.sync_controller import ago

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.sync.service import RoundReport
    from app.ui.sync_controller import SyncController


class SyncPage(QWidget):
    """The Sync tab of the Settings dialog; the dialog's caller saves what it holds."""

    def __init__(self, settings: Settings, sync: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self._sync = sync
        self.folder_edit = QLineEdit(settings.sync_folder, self)
        self.folder_edit.setAccessibleName(self.tr("Sync folder"))
        self.folder_edit.setToolTip(self.tr(
            "A folder your sync tool (Syncthing, Dropbox, Nextcloud, OneDrive, iCloud Drive) "
            "keeps in step between your computers. Empty: sync is off."))
        self.folder_edit.setPlaceholderText(self.tr("e.g. ~/Dropbox/Parley  (empty: off)"))
        self.browse_button = QPushButton(self.tr("Choose…"), self)
        self.browse_button.setAccessibleName(self.tr("Choose the sync folder"))
        self.browse_button.setToolTip(self.tr("Pick the sync folder"))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)

        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName(self.tr("Sync passphrase"))
        self.passphrase_edit.setToolTip(self.tr(
            "With a passphrase everything Parley writes in the folder is encrypted. Use the "
            "same one on every computer; it is kept in the system keychain."))
        if os.environ.get("PARLEY_SYNC_PASSPHRASE"):
            self.passphrase_edit.setPlaceholderText(
                self.tr("$PARLEY_SYNC_PASSPHRASE is set and is used"))
        else:
            self.passphrase_edit.setPlaceholderText(
                self.tr("optional; leave empty to keep the stored one"))

        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.setToolTip(self.tr("Send this computer's changes and merge the others'"))
        self.status = QLabel(self)
        self.status.setObjectName("syncPageStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("Last sync"))

        form = QFormLayout(self)
        form.addRow(self.tr("Folder:"), folder_row)
        form.addRow(self.tr("Passphrase:"), self.passphrase_edit)
        form.addRow("", self.sync_button)
        form.addRow(self.tr("Last sync:"), self.status)
        self._connect_signals()
        self._show()

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)
        self.sync_button.clicked.connect(self._sync_now)
        self._sync.roundFinished.connect(self._show)
        self._sync.failed.connect(self._show)

    def folder(self) -> str:
        """The folder as entered (with ~ expanded), or "" for off."""
        text = self.folder_edit.text().strip()
        return os.path.expanduser(text) if text else ""

    def passphrase(self) -> str:
        """A new passphrase to store, or "" to keep the stored one."""
        return self.passphrase_edit.text()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the sync folder"), self.folder() or os.path.expanduser("~"))
        if chosen:
            self.folder_edit.setText(chosen)

    def _sync_now(self) -> None:
        if self.folder() != self._sync.folder:
            self.status.setText(self.tr("Press OK to save the new folder; it syncs then."))
            return
        if self._sync.sync_now() is None:
            self.status.setText(self.tr("Choose a folder first."))
        else:
            self.status.setText(self.tr("Syncing…"))

    def _show(self, _result: RoundReport | str | None = None) -> None:
        sync = self._sync
        if not sync.folder:
            self.status.setText(self.tr("Sync is off."))
        elif sync.last_error is not None:
            self.status.setText(f"⚠ {sync.last_error}")
        elif sync.last_report is None:
            self.status.setText(self.tr("Not synced yet in this session."))
        else:
            report = sync.last_report
            lines = [self.tr("{ago}: sent {sent}, received {received} change(s).").format(
                ago=ago(max(0.0, time.time() - report.finished_at)), sent=report.sent,
                received=report.received)]
            for device in report.devices:
                who = self.tr("this computer") if device.this_device else device.name
                seen = (self.tr("never") if device.last_seen is None
                        else ago(max(0.0, time.time() - device.last_seen)))
                lines.append(self.tr("• {who} ({id}): last seen {seen}").format(
                    who=who, id=device.device[:8], seen=seen))
            lines += [f"⚠ {p}" for p in report.problems]
            self.status.setText("\n".join(lines))
