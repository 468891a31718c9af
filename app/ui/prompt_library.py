"""The prompt library: find, write and organise reusable prompts and system-prompt presets.

The list on the left filters as you type; the editor on the right saves with Ctrl+S, and
on its own before anything else happens (switching prompts, inserting, closing), so no
typing is ever lost. Bodies may hold `{{variables}}`, asked for when the prompt is used.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.history.prompts import Prompt, variables
from app.ui.prompt_picker import (
    BADGE_ROLE,
    DETAIL_ROLE,
    FAVOURITE_ROLE,
    ID_ROLE,
    PromptRowDelegate,
    fill_variables,
    first_line,
)
from app.ui.prompts_controller import PromptsController
from app.ui.search_field import SearchField


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags as typed in the editor, without blanks."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def _title_from_body(body: str) -> str:
    """A title for a prompt saved without one: the start of its first line."""
    words = first_line(body, 80).split()
    title = " ".join(words[:8])
    return title + "…" if len(words) > 8 else title


class PromptLibrary(QDialog):
    """Searchable list of prompts beside an editor; inserts prompts or applies presets."""

    #: a (filled) prompt to put into the message box
    insertRequested = Signal(str)
    #: the (filled) body of a system-prompt preset, for the current conversation
    systemPresetChosen = Signal(str)

    def __init__(
        self, controller: PromptsController, parent: QWidget | None = None, *, query: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Prompt Library"))
        self.resize(960, 620)
        self._controller = controller
        #: id of the prompt in the editor; None for a new one not saved yet
        self._current_id: int | None = None
        self._dirty = False
        self._loading = False
        #: True while this dialog saves: the list is then updated in place, not rebuilt
        self._quiet = False

        # ---- the list
        self.search = SearchField(query, self)
        self.search.setAccessibleName(self.tr("Search prompts"))
        self.search.setPlaceholderText(self.tr("Search titles, text and tags"))
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(self.tr("Show"))
        self.kind.addItem(self.tr("All prompts"), None)
        self.kind.addItem(self.tr("Message prompts"), False)
        self.kind.addItem(self.tr("System presets"), True)
        self.favourites_only = QCheckBox(self.tr("Favourites only"), self)
        self.list = QListWidget(self)
        self.list.setObjectName("promptList")
        self.list.setAccessibleName(self.tr("Prompts"))
        self.list.setItemDelegate(PromptRowDelegate(self.list))
        self.list.setUniformItemSizes(False)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("hint")
        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setAccessibleName(self.tr("New prompt"))
        self.new_button.setToolTip(self.tr("New prompt (Ctrl+N)"))
        self.duplicate_button = QPushButton(self.tr("Duplicate"), self)
        self.duplicate_button.setAccessibleName(self.tr("Duplicate prompt"))
        self.delete_button = QPushButton(self.tr("Delete…"), self)
        self.delete_button.setAccessibleName(self.tr("Delete prompt"))
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.import_button.setAccessibleName(self.tr("Import prompts"))
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setAccessibleName(self.tr("Export prompts"))

        filters = QHBoxLayout()
        filters.addWidget(self.kind, 1)
        filters.addWidget(self.favourites_only)
        edit_row = QHBoxLayout()
        for button in (self.new_button, self.duplicate_button, self.delete_button):
            edit_row.addWidget(button)
        edit_row.addStretch(1)
        file_row = QHBoxLayout()
        file_row.addWidget(self.import_button)
        file_row.addWidget(self.export_button)
        file_row.addStretch(1)
        file_row.addWidget(self.count_label)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.list, 1)
        left_layout.addLayout(edit_row)
        left_layout.addLayout(file_row)

        # ---- the editor
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName(self.tr("Title"))
        self.title_edit.setPlaceholderText(self.tr("e.g. Code review"))
        self.tags_edit = QLineEdit(self)
        self.tags_edit.setAccessibleName(self.tr("Tags"))
        self.tags_edit.setPlaceholderText(self.tr("comma-separated, e.g. code, review"))
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setAccessibleName(self.tr("Prompt text"))
        self.body_edit.setPlaceholderText(
            self.tr("Write the prompt. {{name}} marks a value you are asked for when the "
                    "prompt is used.")
        )
        self.body_edit.setTabChangesFocus(True)
        self.variables_label = QLabel(self)
        self.variables_label.setObjectName("hint")
        self.variables_label.setAccessibleName(self.tr("Variables"))
        self.variables_label.setWordWrap(True)
        self.variables_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.favourite_box = QCheckBox(self.tr("★ Favourite"), self)
        self.favourite_box.setAccessibleName(self.tr("Favourite"))
        self.system_box = QCheckBox(self.tr("Use as system prompt preset"), self)
        self.system_box.setToolTip(
            self.tr("A preset is sent as the conversation's system prompt instead of as a "
                    "message.")
        )
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setAccessibleName(self.tr("Save prompt"))
        self.save_button.setToolTip(self.tr("Save (Ctrl+S); also saved when you switch "
                                            "prompts or close"))
        flags = QHBoxLayout()
        flags.addWidget(self.favourite_box)
        flags.addWidget(self.system_box)
        flags.addStretch(1)
        flags.addWidget(self.save_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        title_label = QLabel(self.tr("&Title:"), self)
        title_label.setBuddy(self.title_edit)
        tags_label = QLabel(self.tr("T&ags:"), self)
        tags_label.setBuddy(self.tags_edit)
        form.addRow(title_label, self.title_edit)
        form.addRow(tags_label, self.tags_edit)
        body_label = QLabel(self.tr("&Prompt:"), self)
        body_label.setBuddy(self.body_edit)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addLayout(form)
        right_layout.addWidget(body_label)
        right_layout.addWidget(self.body_edit, 1)
        right_layout.addWidget(self.variables_label)
        right_layout.addLayout(flags)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 620])
        self.splitter.setChildrenCollapsible(False)

        # ---- actions
        self.message = QLabel(self)
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.insert_button = QPushButton(self.tr("Insert into message"), self)
        self.insert_button.setToolTip(self.tr("Insert into the message box (Ctrl+Enter)"))
        self.system_button = QPushButton(self.tr("Use as system prompt"), self)
        self.system_button.setToolTip(
            self.tr("Use this preset as the system prompt of the current conversation")
        )
        self.close_button = QPushButton(self.tr("Close"), self)
        for button in self.findChildren(QPushButton):
            # Enter in a field must not insert the prompt and close the dialog.
            button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.insert_button)
        bottom.addWidget(self.system_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        self._connect_signals()
        self.reload()
        if self.list.count():
            self.list.setCurrentRow(0)
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.new_prompt()  # an empty library: start writing the first prompt

    def _connect_signals(self) -> None:
        c = self._controller
        c.promptsChanged.connect(self._on_prompts_changed)
        c.errorRaised.connect(self._show_error)
        c.statusMessage.connect(self._show_message)
        self.search.textChanged.connect(self._filter_changed)
        self.search.moved.connect(self._move)
        self.search.returnPressed.connect(self.insert_current)
        self.kind.currentIndexChanged.connect(self._filter_changed)
        self.favourites_only.toggled.connect(self._filter_changed)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemActivated.connect(lambda _item: self.insert_current())
        self.new_button.clicked.connect(self.new_prompt)
        self.duplicate_button.clicked.connect(self.duplicate_prompt)
        self.delete_button.clicked.connect(self.delete_prompt)
        self.import_button.clicked.connect(self.ask_import)
        self.export_button.clicked.connect(self.ask_export)
        self.save_button.clicked.connect(self.save)
        self.insert_button.clicked.connect(self.insert_current)
        self.system_button.clicked.connect(self.use_as_system)
        self.close_button.clicked.connect(self.close)
        for field in (self.title_edit, self.tags_edit):
            field.textChanged.connect(self._mark_dirty)
        self.body_edit.textChanged.connect(self._body_changed)
        self.favourite_box.toggled.connect(self._mark_dirty)
        self.system_box.toggled.connect(self._mark_dirty)
        shortcuts = (
            (QKeySequence.StandardKey.Save, self.save),
            ("Ctrl+N", self.new_prompt),
            ("Ctrl+F", self._focus_search),
            ("Ctrl+Return", self.insert_current),
            ("Ctrl+Enter", self.insert_current),
        )
        for keys, slot in shortcuts:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_prompt)

    # ---- the list -----------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        """The id of the prompt in the editor (None while a new one is unsaved)."""
        return self._current_id

    @property
    def dirty(self) -> bool:
        """True when the editor holds changes not saved yet."""
        return self._dirty

    def reload(self) -> None:
        """Fill the list for the search text and filters; keeps the editor's prompt selected."""
        prompts = self._controller.list_prompts(
            self.search.text(),
            favourites_only=self.favourites_only.isChecked(),
            system=self.kind.currentData(),
        )
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for prompt in prompts:
                self._set_row(QListWidgetItem(self.list), prompt)
            self._select_row(self._current_id)
        finally:
            self.list.blockSignals(False)
        self.count_label.setText(self.tr("Prompts: {n}").format(n=len(prompts)))
        self._update_buttons()

    def _filter_changed(self) -> None:
        self.reload()
        writing_new = self._current_id is None and self._dirty
        if self.list.currentRow() < 0 and self.list.count() and not writing_new:
            # The best match becomes current, so Enter in the search field inserts it.
            self.list.setCurrentRow(0)

    def _set_row(self, item: QListWidgetItem, prompt: Prompt) -> None:
        item.setText(prompt.title)
        item.setData(ID_ROLE, prompt.id)
        tags = "  ".join("#" + tag for tag in prompt.tags)
        preview = first_line(prompt.body)
        item.setData(DETAIL_ROLE, " — ".join(part for part in (tags, preview) if part))
        item.setData(FAVOURITE_ROLE, prompt.favourite)
        item.setData(BADGE_ROLE, self.tr("system preset") if prompt.is_system else "")
        described = [prompt.title]
        if prompt.favourite:
            described.append(self.tr("favourite"))
        if prompt.is_system:
            described.append(self.tr("system preset"))
        if prompt.tags:
            described.append(", ".join(prompt.tags))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, "; ".join(described))
        item.setToolTip(prompt.body[:600])

    def _row_of(self, prompt_id: int | None) -> int:
        for row in range(self.list.count()):
            if prompt_id is not None and self.list.item(row).data(ID_ROLE) == prompt_id:
                return row
        return -1

    def _select_row(self, prompt_id: int | None) -> None:
        row = self._row_of(prompt_id)
        if row >= 0:
            self.list.setCurrentRow(row)
        else:
            self.list.setCurrentRow(-1)

    def visible_titles(self) -> list[str]:
        """The titles in the list, top to bottom."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def select_prompt(self, prompt_id: int) -> bool:
        """Show this prompt in the editor (saving the one there first)."""
        row = self._row_of(prompt_id)
        if row < 0:
            return False
        self.list.setCurrentRow(row)
        return self._current_id == prompt_id

    def _move(self, step: int) -> None:
        if self.list.count():
            row = self.list.currentRow() + step
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_prompts_changed(self) -> None:
        if not self._quiet:
            self.reload()

    def _on_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        new_id = None if current is None else int(current.data(ID_ROLE))
        if new_id is None or new_id == self._current_id:
            return
        if not self._save(refresh=False):
            # The edits could not be kept: stay on them rather than lose them.
            self.list.blockSignals(True)
            self._select_row(self._current_id)
            self.list.blockSignals(False)
            return
        prompt = self._controller.get(new_id)
        if prompt is not None:
            self._show(prompt)

    # ---- the editor ---------------------------------------------------------------------

    def _show(self, prompt: Prompt | None) -> None:
        self._loading = True
        try:
            self._current_id = None if prompt is None else prompt.id
            self.title_edit.setText("" if prompt is None else prompt.title)
            self.tags_edit.setText("" if prompt is None else ", ".join(prompt.tags))
            self.body_edit.setPlainText("" if prompt is None else prompt.body)
            self.favourite_box.setChecked(False if prompt is None else prompt.favourite)
            self.system_box.setChecked(False if prompt is None else prompt.is_system)
        finally:
            self._loading = False
        self._dirty = False
        self._update_variables()
        self._update_buttons()

    def _mark_dirty(self) -> None:
        if not self._loading:
            self._dirty = True
            self._update_buttons()

    def _body_changed(self) -> None:
        self._update_variables()
        self._mark_dirty()

    def _update_variables(self) -> None:
        names = variables(self.body_edit.toPlainText())
        if names:
            self.variables_label.setText(
                self.tr("Variables (asked for when the prompt is used): {names}").format(
                    names=", ".join("{{" + name + "}}" for name in names)
                )
            )
        else:
            self.variables_label.setText(
                self.tr("No variables. Write {{name}} where a value should be asked for.")
            )

    def _update_buttons(self) -> None:
        saved = self._current_id is not None
        has_body = bool(self.body_edit.toPlainText().strip())
        self.duplicate_button.setEnabled(saved)
        self.delete_button.setEnabled(saved)
        self.save_button.setEnabled(self._dirty)
        self.insert_button.setEnabled(has_body)
        self.system_button.setEnabled(has_body and self.system_box.isChecked())

    def save(self) -> bool:
        """Save the editor now (Ctrl+S); False when it failed (the reason is shown)."""
        return self._save(refresh=True)

    def _save(self, *, refresh: bool) -> bool:
        if not self._dirty:
            return True
        body = self.body_edit.toPlainText()
        title = self.title_edit.text().strip() or _title_from_body(body)
        if self._current_id is None and not title:
            self._dirty = False  # an untouched new prompt: nothing to keep
            return True
        if not title:
            title = self.tr("Untitled prompt")
        tags = parse_tags(self.tags_edit.text())
        favourite = self.favourite_box.isChecked()
        is_system = self.system_box.isChecked()
        self._quiet = not refresh
        try:
            if self._current_id is None:
                saved = self._controller.create(
                    title, body, tags=tags, favourite=favourite, is_system=is_system
                )
            else:
                saved = self._controller.update(
                    self._current_id, title=title, body=body, tags=tags,
                    favourite=favourite, is_system=is_system,
                )
        finally:
            self._quiet = False
        if saved is None:
            return False
        was_new = self._current_id is None
        self._current_id = saved.id
        self._dirty = False
        if refresh:
            self._show(saved)
            self.reload()
        else:
            # Called while the list is changing its current row: edit it, don't rebuild it.
            self.list.blockSignals(True)
            try:
                row = self._row_of(saved.id)
                item = self.list.item(row) if row >= 0 else None
                if item is None and was_new:
                    item = QListWidgetItem(self.list)
                if item is not None:
                    self._set_row(item, saved)
            finally:
                self.list.blockSignals(False)
        self._show_message(self.tr("Saved “{title}”.").format(title=saved.title))
        return True

    def new_prompt(self) -> None:
        """Start a new prompt in the editor (saved with Ctrl+S, or when you move on)."""
        if not self._save(refresh=True):
            return
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._show(None)
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def duplicate_prompt(self) -> None:
        """Save a copy of the prompt in the editor and open the copy."""
        if self._current_id is None or not self._save(refresh=True):
            return
        original = self._controller.get(self._current_id)
        if original is None:
            return
        copy = self._controller.duplicate(
            original.id, self.tr("{title} (copy)").format(title=original.title)
        )
        if copy is not None:
            self._show(copy)
            self.reload()
            self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.title_edit.selectAll()

    def delete_prompt(self) -> None:
        """Delete the prompt in the editor, after asking."""
        if self._current_id is None:
            return
        title = self.title_edit.text().strip() or self.tr("this prompt")
        answer = QMessageBox.question(
            self,
            self.tr("Delete prompt"),
            self.tr("Delete “{title}” from the library? This cannot be undone.").format(
                title=title
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        row = max(0, self.list.currentRow())
        deleted_id = self._current_id
        self._dirty = False  # the edits go with the prompt
        if not self._controller.delete(deleted_id):
            return
        self._current_id = None
        self.reload()
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))
        else:
            self._show(None)
        self._show_message(self.tr("Deleted “{title}”.").format(title=title))

    # ---- using a prompt -----------------------------------------------------------------

    def _filled(self) -> str | None:
        if not self._save(refresh=True):
            return None
        body = self.body_edit.toPlainText()
        if not body.strip():
            return None
        return fill_variables(self, self.title_edit.text().strip(), body)

    def insert_current(self) -> None:
        """Fill in the variables, hand the text to the message box, and close."""
        text = self._filled()
        if text is not None:
            self.insertRequested.emit(text)
            self.accept()

    def use_as_system(self) -> None:
        """Use the preset as the current conversation's system prompt, and close."""
        if not self.system_box.isChecked():
            return
        text = self._filled()
        if text is not None:
            self.systemPresetChosen.emit(text)
            self.accept()

    # ---- files --------------------------------------------------------------------------

    def ask_import(self) -> None:
        """Import… : choose a Parley prompts file."""
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import Prompts"), str(Path.home()),
            self.tr("Parley prompts (*.json);;All files (*)"),
        )
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> bool:
        """Import the prompts in `path` (those already in the library are kept as they are)."""
        if not self._save(refresh=True):
            return False
        return self._controller.import_file(path) is not None

    def ask_export(self) -> None:
        """Export… : write the whole library to a JSON file."""
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export Prompts"), str(Path.home() / "parley-prompts.json"),
            self.tr("Parley prompts (*.json);;All files (*)"),
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        """Write the whole library to `path` as JSON."""
        if not self._save(refresh=True):
            return False
        return self._controller.export_file(path) is not None

    # ---- messages and closing -----------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self.message.setObjectName("hint")
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setText("⚠ " + text)

    def done(self, result: int) -> None:
        if self._dirty and not self._save(refresh=False):
            answer = QMessageBox.question(
                self,
                self.tr("Prompt not saved"),
                self.tr("Your changes could not be saved. Close and lose them?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().done(result)
