"""Folder settings: the name, and what new chats made in the folder start with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.history.folders import Folder, FolderDefaults
from app.core.options import ConversationOptions

#: (options, parent widget) -> the edited options, or None when cancelled
OptionsEditor = Callable[[ConversationOptions, QWidget], Any]


class FolderDialog(QDialog):
    """Name, model, system prompt and request options (tools included) for new chats."""

    def __init__(
        self,
        folder: Folder,
        *,
        model_ids: list[str],
        open_chat: tuple[str, ConversationOptions] | None = None,
        options_editor: OptionsEditor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Folder settings"))
        self.setAccessibleName(self.tr("Folder settings"))
        self.resize(520, 420)
        self._options = ConversationOptions.from_dict(folder.defaults.options)
        self._open_chat = open_chat
        self._options_editor = options_editor
        self.name_edit = QLineEdit(folder.name, self)
        self.name_edit.setAccessibleName(self.tr("Folder name"))
        self.name_edit.setToolTip(self.tr("The folder's name in the sidebar"))
        self.model_box = QComboBox(self)
        self.model_box.setEditable(True)
        self.model_box.addItem("")
        self.model_box.addItems(model_ids)
        self.model_box.setCurrentText(folder.defaults.model or "")
        self.model_box.setAccessibleName(self.tr("Model for new chats"))
        self.model_box.setToolTip(
            self.tr("The model new chats in this folder use; empty: the default model"))
        line = self.model_box.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("Default model"))
        self.system_prompt = QPlainTextEdit(self)
        self.system_prompt.setPlainText(self._options.system_prompt or "")
        self.system_prompt.setPlaceholderText(self.tr("No system prompt"))
        self.system_prompt.setAccessibleName(self.tr("System prompt for new chats"))
        self.system_prompt.setToolTip(self.tr("The system prompt new chats in this folder get"))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("hint")
        self.options_button = QPushButton(self.tr("Request Options…"), self)
        self.options_button.setAccessibleName(self.tr("Request options for new chats"))
        self.options_button.setToolTip(
            self.tr("Temperature, reasoning, web search and more for new chats in this folder"))
        self.options_button.setEnabled(options_editor is not None)
        self.copy_button = QPushButton(self.tr("Copy from the Open Chat"), self)
        self.copy_button.setAccessibleName(self.tr("Copy settings from the open chat"))
        self.copy_button.setToolTip(self.tr(
            "Use the open chat's model, system prompt, options and tools for new chats here"))
        self.copy_button.setEnabled(open_chat is not None)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Model:"), self.model_box)
        form.addRow(self.tr("System prompt:"), self.system_prompt)
        row = QHBoxLayout()
        row.addWidget(self.options_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("New chats made in this folder start with these settings."),
                       self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.options_button.clicked.connect(self._edit_options)
        self.copy_button.clicked.connect(self._copy_open_chat)
        self.name_edit.textChanged.connect(
            lambda text: buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
                bool(text.strip())))
        self._show_summary()

    def _show_summary(self) -> None:
        options = self._collect()
        tools = [*options.enabled_tool_servers, *options.enabled_tools]
        others = sorted(k for k in options.to_dict() if k not in (
            "system_prompt", "enabled_tools", "enabled_tool_servers"))
        parts = []
        if tools:
            parts.append(self.tr("Tools: {names}.").format(names=", ".join(tools)))
        if others:
            parts.append(self.tr("Options: {names}.").format(names=", ".join(others)))
        self.summary.setText(" ".join(parts) or self.tr("No other options: as in Settings."))

    def _collect(self) -> ConversationOptions:
        options = self._options.clone()
        options.system_prompt = self.system_prompt.toPlainText().strip() or None
        return options

    def _edit_options(self) -> None:
        if self._options_editor is None:
            return
        edited = self._options_editor(self._collect(), self)
        if isinstance(edited, ConversationOptions):
            self._options = edited
            self.system_prompt.setPlainText(edited.system_prompt or "")
            self._show_summary()

    def _copy_open_chat(self) -> None:
        if self._open_chat is None:
            return
        model, options = self._open_chat
        self._options = options.clone()
        self._options.allowed_tools = []  # "Always allow" belongs to one conversation
        self.model_box.setCurrentText(model)
        self.system_prompt.setPlainText(self._options.system_prompt or "")
        self._show_summary()

    def name(self) -> str:
        """The name typed (trimmed)."""
        return " ".join(self.name_edit.text().split())

    def defaults(self) -> FolderDefaults:
        """The defaults for new chats as set in the dialog."""
        return FolderDefaults(model=self.model_box.currentText().strip() or None,
                              options=self._collect().to_dict())
