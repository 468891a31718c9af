"""Settings: API key (keychain only), default model, base URL; "Test key" asks GET /key."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, Settings
from app.core.errors import ParleyError
from app.core.secrets import KeyStore, mask_key

if TYPE_CHECKING:
    from app.core.client import KeyInfo
    from app.ui.sync_controller import SyncController
    from app.ui.sync_page import SyncPage

KeyTester = Callable[[str, str | None], Awaitable["KeyInfo"]]


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the caller saves them (and the key) on accept."""

    def __init__(
        self,
        settings: Settings,
        keys: KeyStore,
        test_key: KeyTester,
        parent: QWidget | None = None,
        sync: SyncController | None = None,
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
        openrouter_tab = QWidget(self)
        openrouter_tab.setLayout(form)

        self._settings = settings
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self.tabs.addTab(openrouter_tab, self.tr("OpenRouter"))
        self.tabs.addTab(self._endpoints_tab(settings), self.tr("Endpoints"))
        self.tabs.addTab(self._tools_tab(settings), self.tr("Tools"))
        self.tabs.addTab(self._general_tab(settings), self.tr("General"))
        self.sync_page: SyncPage | None = None
        if sync is not None:
            from app.ui.sync_page import SyncPage

            self.sync_page = SyncPage(settings, sync, self)
            self.tabs.addTab(self.sync_page, self.tr("Sync"))

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self._check_mcp()  # now that the Save button exists
        self._connect_signals()

    # ---- endpoints ---------------------------------------------------------------------

    def _endpoints_tab(self, settings: Settings) -> QWidget:
        from app.core.endpoints import list_endpoints

        tab = QWidget(self)
        self._endpoints: list[dict[str, Any]] = [
            dict(e) for e in settings.endpoints if isinstance(e, dict)
        ]
        self._endpoint_keys: dict[str, str] = {}
        intro = QLabel(
            self.tr("OpenRouter is always available. Add any OpenAI-compatible server "
                    "(llama.cpp, Ollama, LM Studio, vLLM…); each has its own key in the "
                    "keychain, and OpenRouter-only options are not sent to it."),
            tab,
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.endpoint_list = QListWidget(tab)
        self.endpoint_list.setAccessibleName(self.tr("Endpoints"))
        self.endpoint_name = QLineEdit(tab)
        self.endpoint_name.setAccessibleName(self.tr("Endpoint name"))
        self.endpoint_name.setPlaceholderText(self.tr("e.g. Local llama"))
        self.endpoint_url = QLineEdit(tab)
        self.endpoint_url.setAccessibleName(self.tr("Endpoint base URL"))
        self.endpoint_url.setPlaceholderText("http://127.0.0.1:8080/v1")
        self.endpoint_key = QLineEdit(tab)
        self.endpoint_key.setAccessibleName(self.tr("Endpoint API key"))
        self.endpoint_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.endpoint_key.setPlaceholderText(self.tr("optional; kept in the keychain"))
        self.endpoint_add = QPushButton(self.tr("Add endpoint"), tab)
        self.endpoint_remove = QPushButton(self.tr("Remove endpoint"), tab)
        self.endpoint_error = QLabel(tab)
        self.endpoint_error.setWordWrap(True)
        self.current_endpoint = QComboBox(tab)
        self.current_endpoint.setAccessibleName(self.tr("Endpoint for new messages"))
        add_form = QFormLayout()
        add_form.addRow(self.tr("Name"), self.endpoint_name)
        add_form.addRow(self.tr("Base URL"), self.endpoint_url)
        add_form.addRow(self.tr("Key"), self.endpoint_key)
        buttons = QHBoxLayout()
        buttons.addWidget(self.endpoint_add)
        buttons.addWidget(self.endpoint_remove)
        buttons.addStretch(1)
        column = QVBoxLayout(tab)
        column.addWidget(intro)
        column.addWidget(self.endpoint_list, 1)
        column.addLayout(add_form)
        column.addLayout(buttons)
        column.addWidget(self.endpoint_error)
        current_row = QFormLayout()
        current_row.addRow(self.tr("Use for new messages"), self.current_endpoint)
        column.addLayout(current_row)
        self._builtin = list_endpoints(Settings())[0].name
        self._refresh_endpoints(settings.current_endpoint)
        self.endpoint_add.clicked.connect(self._add_endpoint)
        self.endpoint_remove.clicked.connect(self._remove_endpoint)
        return tab

    def _refresh_endpoints(self, current: str) -> None:
        self.endpoint_list.clear()
        self.endpoint_list.addItem(self.tr("{name} — built in").format(name=self._builtin))
        names = [self._builtin]
        for e in self._endpoints:
            self.endpoint_list.addItem(f"{e['name']} — {e['base_url']} ({e.get('kind', '')})")
            names.append(str(e["name"]))
        self.current_endpoint.clear()
        self.current_endpoint.addItems(names)
        self.current_endpoint.setCurrentIndex(max(0, names.index(current))
                                              if current in names else 0)

    def _add_endpoint(self) -> None:
        from app.core.endpoints import Endpoint, guess_kind

        name = self.endpoint_name.text().strip()
        url = self.endpoint_url.text().strip().rstrip("/")
        endpoint = Endpoint(name, url, guess_kind(url))
        problems = endpoint.problems()
        if name == self._builtin or any(e["name"] == name for e in self._endpoints):
            problems.append(self.tr("That name is taken."))
        if problems:
            self.endpoint_error.setText("⚠ " + " ".join(problems))
            return
        self._endpoints.append(endpoint.to_dict())
        key = self.endpoint_key.text().strip()
        if key:
            self._endpoint_keys[name] = key
        self.endpoint_name.clear()
        self.endpoint_url.clear()
        self.endpoint_key.clear()
        self.endpoint_error.clear()
        self._refresh_endpoints(self.current_endpoint.currentText())

    def _remove_endpoint(self) -> None:
        row = self.endpoint_list.currentRow()
        if row <= 0:  # the built-in OpenRouter endpoint stays
            return
        removed = self._endpoints.pop(row - 1)
        self._endpoint_keys.pop(str(removed["name"]), None)
        self._refresh_endpoints(self.current_endpoint.currentText())

    def endpoint_keys(self) -> dict[str, str]:
        """Keys typed for new endpoints: the caller stores them in the keychain."""
        return dict(self._endpoint_keys)

    # ---- tools ------------------------------------------------------------------------

    def _tools_tab(self, settings: Settings) -> QWidget:
        import json

        tab = QWidget(self)
        intro = QLabel(
            self.tr("MCP servers, in the JSON other desktop clients use: "
                    "{\"mcpServers\": {\"name\": {\"command\": …, \"args\": […], "
                    "\"env\": {…}}}} for a local program, or {\"url\": …} for a server on "
                    "the network. Choose which tools a conversation may use with "
                    "Conversation > Tools."),
            tab,
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.mcp_edit = QPlainTextEdit(tab)
        self.mcp_edit.setAccessibleName(self.tr("MCP servers (JSON)"))
        self.mcp_edit.setPlaceholderText('{"mcpServers": {}}')
        if settings.mcp_servers:
            self.mcp_edit.setPlainText(
                json.dumps({"mcpServers": settings.mcp_servers}, indent=2)
            )
        self.mcp_status = QLabel(tab)
        self.mcp_status.setWordWrap(True)
        self.step_limit = QSpinBox(tab)
        self.step_limit.setAccessibleName(self.tr("Tool steps per reply"))
        self.step_limit.setRange(1, 50)
        self.step_limit.setValue(settings.tool_step_limit)
        self.tool_timeout = QSpinBox(tab)
        self.tool_timeout.setAccessibleName(self.tr("Tool time limit"))
        self.tool_timeout.setRange(1, 3600)
        self.tool_timeout.setSuffix(" s")
        self.tool_timeout.setValue(int(settings.tool_timeout))
        form = QFormLayout()
        form.addRow(self.tr("Tool steps per reply"), self.step_limit)
        form.addRow(self.tr("Time limit per call"), self.tool_timeout)
        column = QVBoxLayout(tab)
        column.addWidget(intro)
        column.addWidget(self.mcp_edit, 1)
        column.addWidget(self.mcp_status)
        column.addLayout(form)
        self.mcp_edit.textChanged.connect(self._check_mcp)
        self._check_mcp()
        return tab

    def mcp_servers(self) -> dict[str, Any] | None:
        """The servers as typed (the mapping inside mcpServers); None when not valid."""
        import json

        from app.core.errors import ConfigError
        from app.core.tools.mcp import parse_mcp_servers

        text = self.mcp_edit.toPlainText().strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
            parse_mcp_servers(data)
        except (ValueError, ConfigError):
            return None
        if isinstance(data, dict):
            inner = data.get("mcpServers", data.get("servers", data))
            if isinstance(inner, dict):
                return dict(inner)
        return None

    def _check_mcp(self) -> None:
        import json

        from app.core.errors import ConfigError
        from app.core.tools.mcp import parse_mcp_servers

        text = self.mcp_edit.toPlainText().strip()
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Save) \
            if hasattr(self, "buttons") else None
        try:
            servers = parse_mcp_servers(json.loads(text)) if text else {}
        except ValueError as exc:
            self.mcp_status.setText("⚠ " + self.tr("Not valid JSON: {error}").format(error=exc))
            valid = False
        except ConfigError as exc:
            self.mcp_status.setText(f"⚠ {exc}")
            valid = False
        else:
            self.mcp_status.setText(
                self.tr("{n} server(s): {names}").format(
                    n=len(servers), names=", ".join(sorted(servers)) or "—")
            )
            valid = True
        if ok_button is not None:
            ok_button.setEnabled(valid)

    # ---- general ----------------------------------------------------------------------

    def _general_tab(self, settings: Settings) -> QWidget:
        tab = QWidget(self)
        self.theme_box = QComboBox(tab)
        self.theme_box.setAccessibleName(self.tr("Theme"))
        for value, label in (("system", self.tr("Follow the system")),
                             ("light", self.tr("Light")), ("dark", self.tr("Dark"))):
            self.theme_box.addItem(label, value)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(settings.theme)))
        self.title_model_edit = QLineEdit(settings.title_model, tab)
        self.title_model_edit.setAccessibleName(self.tr("Title model"))
        self.title_model_edit.setPlaceholderText(
            self.tr("off — e.g. openai/gpt-4o-mini names chats after the first reply")
        )
        self.referer_edit = QLineEdit(settings.http_referer, tab)
        self.referer_edit.setAccessibleName(self.tr("HTTP-Referer"))
        self.app_title_edit = QLineEdit(settings.app_title, tab)
        self.app_title_edit.setAccessibleName(self.tr("App title"))
        attribution = QLabel(
            self.tr("Sent to OpenRouter only, for its app rankings; leave empty to send "
                    "nothing."), tab)
        attribution.setWordWrap(True)
        attribution.setObjectName("hint")
        form = QFormLayout(tab)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Theme"), self.theme_box)
        form.addRow(self.tr("Title model"), self.title_model_edit)
        form.addRow(self.tr("HTTP-Referer"), self.referer_edit)
        form.addRow(self.tr("App title"), self.app_title_edit)
        form.addRow("", attribution)
        self._add_budget_rows(form, settings, tab)
        self._add_tray_rows(form, settings, tab)
        return tab

    def _add_tray_rows(self, form: QFormLayout, settings: Settings, tab: QWidget) -> None:
        """Tray: the icon (off by default) and closing to it; disabled without a tray."""
        from app.ui.tray import tray_available

        self.tray_icon = QCheckBox(self.tr("Show icon in the system tray"), tab)
        self.tray_icon.setToolTip(self.tr("An icon with New chat, Quick ask, Show Parley "
                                          "and Quit"))
        self.tray_icon.setAccessibleName(self.tr("Show icon in the system tray"))
        self.tray_icon.setChecked(settings.tray_icon)
        self.close_to_tray = QCheckBox(self.tr("Close to tray"), tab)
        self.close_to_tray.setToolTip(self.tr("Closing the window hides it while the tray "
                                              "icon is there; Quit ends Parley"))
        self.close_to_tray.setAccessibleName(self.tr("Close to tray"))
        self.close_to_tray.setChecked(settings.close_to_tray)
        available = tray_available()
        self.tray_icon.setEnabled(available)
        self.close_to_tray.setEnabled(available and settings.tray_icon)
        self.tray_icon.toggled.connect(
            lambda on: self.close_to_tray.setEnabled(available and on))
        form.addRow(self.tr("Tray"), self.tray_icon)
        form.addRow("", self.close_to_tray)
        if not available:
            self.tray_note = QLabel(self.tr("This desktop has no system tray, so Parley "
                                            "cannot show an icon there."), tab)
            self.tray_note.setWordWrap(True)
            self.tray_note.setObjectName("hint")
            form.addRow("", self.tray_note)

    def _add_budget_rows(self, form: QFormLayout, settings: Settings, tab: QWidget) -> None:
        """Monthly and daily budgets (0 = none) and the ask-before-sending switch."""
        self.monthly_budget = self._budget_box(settings.monthly_budget, tab,
                                               self.tr("Monthly budget"))
        self.daily_budget = self._budget_box(settings.daily_budget, tab,
                                             self.tr("Daily budget"))
        self.ask_over_budget = QCheckBox(self.tr("Ask before sending over budget"), tab)
        self.ask_over_budget.setChecked(settings.ask_over_budget)
        note = QLabel(self.tr("Parley warns at 80% and 100% of a budget, counting the costs "
                              "the endpoints reported."), tab)
        note.setWordWrap(True)
        note.setObjectName("hint")
        form.addRow(self.tr("Monthly budget"), self.monthly_budget)
        form.addRow(self.tr("Daily budget"), self.daily_budget)
        form.addRow("", self.ask_over_budget)
        form.addRow("", note)

    def _budget_box(self, value: float | None, parent: QWidget, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox(parent)
        box.setAccessibleName(name)
        box.setRange(0.0, 1_000_000.0)
        box.setDecimals(2)
        box.setPrefix("$")
        # The minimum reads "none": a budget of nothing is no budget.
        box.setSpecialValueText(self.tr("none"))
        box.setValue(value or 0.0)
        return box

    @staticmethod
    def _budget(box: QDoubleSpinBox) -> float | None:
        return box.value() or None

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
        """A copy of the settings with this dialog's changes; every other field is kept."""
        servers = self.mcp_servers()
        return replace(
            self._settings,
            base_url=self.base_url_edit.text().strip().rstrip("/") or DEFAULT_BASE_URL,
            default_model=self.model_edit.text().strip() or self._settings.default_model,
            endpoints=[dict(e) for e in self._endpoints],
            current_endpoint=self.current_endpoint.currentText() or self._builtin,
            theme=str(self.theme_box.currentData() or "system"),
            title_model=self.title_model_edit.text().strip(),
            http_referer=self.referer_edit.text().strip(),
            app_title=self.app_title_edit.text().strip(),
            mcp_servers=servers if servers is not None else self._settings.mcp_servers,
            tool_step_limit=self.step_limit.value(),
            tool_timeout=float(self.tool_timeout.value()),
            monthly_budget=self._budget(self.monthly_budget),
            daily_budget=self._budget(self.daily_budget),
            ask_over_budget=self.ask_over_budget.isChecked(),
            tray_icon=self.tray_icon.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            sync_folder=(self._settings.sync_folder if self.sync_page is None
                         else self.sync_page.folder()),
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
