"""Settings: API key (keychain only), default model, base URL; "Test key" asks GET /key."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.config import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, Settings
from app.core.errors import ParleyError
from app.core.secrets import KeyStore, mask_key

if TYPE_CHECKING:
    from app.core.client import KeyInfo

KeyTester = Callable[[str, str | None], Awaitable["KeyInfo"]]


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the caller saves them (and the key) on accept."""

    def __init__(
        self,
        settings: Settings,
        keys: KeyStore,
        test_key: KeyTester,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Parley Settings"))
        self.setMinimumWidth(560)
        self._keys = keys
        self._test_key = test_key
        self._test_task: asyncio.Task[None] | None = None
        self.key_removed = False

        status = keys.status()
        self._env_key = bool(os.environ.get(ENV_API_KEY, "").strip())

        self.key_edit = QLineEdit(self)
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(
            self.tr("stored: {key}").format(key=status.masked) if status.masked else "sk-or-v1-…"
        )
        self.show_button = QPushButton(self.tr("Show"), self)
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName(self.tr("Show key"))
        self.test_button = QPushButton(self.tr("Test key"), self)
        self.test_button.setAccessibleName(self.tr("Test key"))
        self.remove_button = QPushButton(self.tr("Remove key"), self)
        self.remove_button.setAccessibleName(self.tr("Remove stored key"))
        self.remove_button.setEnabled(status.source == "keychain")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_button)
        key_row.addWidget(self.test_button)
        key_row.addWidget(self.remove_button)

        self.key_status = QLabel(self)
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.key_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        backend = status.backend
        lines = [self.tr("Keychain: {name}.").format(name=backend.name)]
        if self._env_key:
            lines.append(
                self.tr(
                    "${var} is set, so it is used; it is never saved anywhere. "
                    "A key entered here is stored for when the variable is not set."
                ).format(var=ENV_API_KEY)
            )
        elif status.source == "keychain":
            lines.append(
                self.tr("A key is stored ({key}). Leave the field empty to keep it.").format(
                    key=status.masked
                )
            )
        if not backend.secure or backend.problem:
            lines.append(f"⚠ {backend.problem}")
        self.key_status.setText("\n".join(lines))
        if not backend.secure:
            self.key_edit.setEnabled(False)
            self.key_edit.setPlaceholderText(
                self.tr("no secure keychain: the key cannot be stored")
            )

        self.model_edit = QLineEdit(settings.default_model, self)
        self.model_edit.setAccessibleName(self.tr("Default model"))
        self.model_edit.setPlaceholderText(self.tr("e.g. openai/gpt-4o-mini or openrouter/auto"))
        self.base_url_edit = QLineEdit(settings.base_url, self)
        self.base_url_edit.setAccessibleName(self.tr("Base URL"))
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        base_note = QLabel(self)
        base_note.setWordWrap(True)
        base_note.setObjectName("hint")
        if os.environ.get(ENV_BASE_URL):
            base_note.setText(
                self.tr("${var} is set and overrides this value.").format(var=ENV_BASE_URL)
            )
        else:
            base_note.setText(
                self.tr("OpenRouter, or any OpenAI-compatible server (llama.cpp, Ollama…).")
            )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("API key"), key_row)
        form.addRow("", self.key_status)
        form.addRow("", self.test_result)
        form.addRow(self.tr("Default model"), self.model_edit)
        form.addRow(self.tr("Base URL"), self.base_url_edit)
        form.addRow("", base_note)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._settings = settings
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.show_button.toggled.connect(self._toggle_echo)
        self.test_button.clicked.connect(self._start_test)
        self.remove_button.clicked.connect(self._remove_key)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _toggle_echo(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_button.setText(self.tr("Hide") if shown else "Show")

    # ---- results -------------------------------------------------------------------

    def entered_key(self) -> str:
        return self.key_edit.text().strip()

    def updated_settings(self) -> Settings:
        return Settings(
            base_url=self.base_url_edit.text().strip().rstrip("/") or DEFAULT_BASE_URL,
            default_model=self.model_edit.text().strip() or self._settings.default_model,
            http_referer=self._settings.http_referer,
            app_title=self._settings.app_title,
            request_timeout=self._settings.request_timeout,
        )

    # ---- actions -------------------------------------------------------------------

    def _effective_base(self) -> str:
        return (
            os.environ.get(ENV_BASE_URL)
            or self.base_url_edit.text().strip()
            or DEFAULT_BASE_URL
        ).rstrip("/")

    def _start_test(self) -> None:
        key = self.entered_key()
        if not key:
            try:
                key = self._keys.get_key() or ""
            except ParleyError as exc:
                self.test_result.setText(f"⚠ {exc}")
                return
        if not key:
            self.test_result.setText(self.tr("Enter a key to test."))
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing {key}…").format(key=mask_key(key)))
        self._test_task = asyncio.ensure_future(self._run_test(key))

    async def _run_test(self, key: str) -> None:
        try:
            info = await self._test_key(self._effective_base(), key)
        except ParleyError as exc:
            self.test_result.setText(f"⚠ {exc}")
        else:
            self.test_result.setText(f"✓ {info.describe()}")
        finally:
            self.test_button.setEnabled(True)
            self._test_task = None

    def _remove_key(self) -> None:
        try:
            self._keys.delete_key()
        except ParleyError as exc:
            self.test_result.setText(f"⚠ {exc}")
            return
        self.key_removed = True
        self.remove_button.setEnabled(False)
        self.key_edit.setPlaceholderText(self.tr("sk-or-v1-…"))
        self.test_result.setText(self.tr("The stored key was removed from the keychain."))

    def done(self, result: int) -> None:
        if self._test_task is not None:
            self._test_task.cancel()
        super().done(result)
