"""Conversation > Tools: which tools this conversation offers the model, and server logs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.core.options import ConversationOptions
    from app.core.tools.registry import ToolSpec

#: a server's stderr, for the log pane
LogSource = Callable[[str], str]


class ToolsDialog(QDialog):
    """Tick servers (all their tools) or single tools; shows why a server failed."""

    def __init__(
        self,
        specs: list[ToolSpec],
        problems: dict[str, str],
        options: ConversationOptions,
        logs: LogSource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tools for This Conversation"))
        self.resize(640, 560)
        self._options = options
        self._logs = logs
        intro = QLabel(
            self.tr("Ticked tools are offered to the model. Parley asks before each call "
                    "unless you chose “Always allow” for that tool. MCP servers are set up "
                    "in Settings."),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(self.tr("Available tools"))
        self.tree.setHeaderLabels([self.tr("Tool"), self.tr("Description")])
        self.tree.setColumnWidth(0, 240)
        enabled_servers = set(options.enabled_tool_servers)
        enabled_tools = set(options.enabled_tools)
        self._servers: dict[str, QTreeWidgetItem] = {}
        self._tools: dict[str, QTreeWidgetItem] = {}
        for spec in specs:
            group = spec.server or self.tr("Built in")
            parent_item = self._servers.get(group)
            if parent_item is None:
                parent_item = QTreeWidgetItem(self.tree, [group, ""])
                parent_item.setFlags(parent_item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                                     | Qt.ItemFlag.ItemIsAutoTristate)
                parent_item.setData(0, Qt.ItemDataRole.UserRole, group)
                self._servers[group] = parent_item
            item = QTreeWidgetItem(parent_item, [spec.original_name or spec.name,
                                                 spec.description.split("\n")[0][:200]])
            item.setToolTip(1, spec.description)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = spec.name in enabled_tools or (spec.server in enabled_servers)
            item.setCheckState(0, Qt.CheckState.Checked if checked
                               else Qt.CheckState.Unchecked)
            item.setData(0, Qt.ItemDataRole.UserRole, spec.name)
            self._tools[spec.name] = item
        for name, why in problems.items():
            failed = QTreeWidgetItem(self.tree, [name, "⚠ " + why])
            failed.setToolTip(1, why)
        self.tree.expandAll()

        self.choice = QComboBox(self)
        self.choice.setAccessibleName(self.tr("Tool choice"))
        for value, label in ((None, self.tr("Model decides (auto)")),
                             ("required", self.tr("Must call a tool")),
                             ("none", self.tr("Never call tools"))):
            self.choice.addItem(label, value)
        current = options.tool_choice if isinstance(options.tool_choice, str) else None
        self.choice.setCurrentIndex(max(0, self.choice.findData(current)))
        self.parallel = QCheckBox(self.tr("Allow several calls at once"), self)
        self.parallel.setAccessibleName(self.tr("Parallel tool calls"))
        self.parallel.setChecked(options.parallel_tool_calls is not False)

        self.log_server = QComboBox(self)
        self.log_server.setAccessibleName(self.tr("Server log to show"))
        self.log_server.addItems(sorted(s for s in self._servers if s in {
            spec.server for spec in specs if spec.server} | set(problems)))
        for name in problems:
            if self.log_server.findText(name) < 0:
                self.log_server.addItem(name)
        self.log = QPlainTextEdit(self)
        self.log.setAccessibleName(self.tr("Server log"))
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.log.setPlaceholderText(self.tr("The server's error output appears here."))

        form = QFormLayout()
        form.addRow(self.tr("Tool choice"), self.choice)
        form.addRow("", self.parallel)
        form.addRow(self.tr("Server log"), self.log_server)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 2)
        layout.addLayout(form)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.log_server.currentTextChanged.connect(self._show_log)
        self._show_log(self.log_server.currentText())

    def _show_log(self, server: str) -> None:
        self.log.setPlainText(self._logs(server) if server else "")

    def options(self) -> ConversationOptions:
        """The conversation's options with the tool choices of this dialog."""
        builtin = self.tr("Built in")
        # A fully ticked server means "all its tools", including ones it adds later.
        servers = [
            name for name, item in self._servers.items()
            if name != builtin and item.checkState(0) == Qt.CheckState.Checked
        ]
        tools = []
        for name, item in self._tools.items():
            group = item.parent()
            if item.checkState(0) == Qt.CheckState.Checked and (
                group is None or group.text(0) not in servers
            ):
                tools.append(name)
        return dataclasses.replace(
            self._options,
            enabled_tools=tools,
            enabled_tool_servers=servers,
            tool_choice=self.choice.currentData(),
            parallel_tool_calls=None if self.parallel.isChecked() else False,
        )
