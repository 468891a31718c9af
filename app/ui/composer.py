"""The message box at the bottom: Enter sends, Shift+Enter adds a line, Send turns into Stop.

Typing "/" at the start of a line opens the prompt picker: the text after the slash filters
the library, Up/Down/Enter/Tab pick, Esc closes it and keeps what was typed. The composer
knows prompts only through the source given to `set_prompt_source` (no storage here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMimeData,
    QObject,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.attachment_chips import AttachmentTray
from app.ui.context_gauge import ContextGauge
from app.ui.style import (
    CONTROL_HEIGHT,
    ICON_M,
    ICON_S,
    SPACE_L,
    SPACE_M,
    SPACE_S,
    SPACE_XS,
    set_style_property,
)

if TYPE_CHECKING:
    from app.core.domain import Attachment
    from app.core.history.prompts import Prompt
    from app.ui.model_chooser import ModelChooser
    from app.ui.prompt_picker import PromptPicker

#: returns the prompts matching what follows the "/" (favourites first)
PromptSource = Callable[[str], Sequence["Prompt"]]

def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drop or paste carries (URLs of other kinds are text)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


def image_png(mime: QMimeData) -> bytes | None:
    """A pasted image (a screenshot on the clipboard) as PNG bytes, or None."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QImage

    if not mime.hasImage():
        return None
    image = mime.imageData()
    if not isinstance(image, QImage) or image.isNull():
        return None
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(data.data())


_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: keys the open picker uses; they must not reach window shortcuts (Esc stops a reply)
_PICKER_KEYS = (*_ENTER_KEYS, Qt.Key.Key_Escape, Qt.Key.Key_Up, Qt.Key.Key_Down,
                Qt.Key.Key_Tab, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class PromptEdit(QPlainTextEdit):
    """Plain-text prompt editor that submits on Enter."""

    submitted = Signal()
    #: a key press was handled by the editor (carries the typed text, may be "")
    keyTyped = Signal(str)
    #: local files were pasted or dropped on the editor
    filesAdded = Signal(list)
    #: an image was pasted (PNG bytes)
    imagePasted = Signal(bytes)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: consulted first for every key; True means the key was used (the open picker)
        self.key_filter: Callable[[QKeyEvent], bool] | None = None
        #: True while keys such as Esc and Enter belong to the picker
        self.picker_open: Callable[[], bool] = lambda: False

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _PICKER_KEYS
            and self.picker_open()
        ):
            event.accept()  # deliver as a key press instead of triggering a shortcut
            return True
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and self.picker_open()
        ):
            # Tab picks while the list is open; otherwise it moves the focus as usual.
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt API)
        return bool(local_files(source)) or source.hasImage() or \
            super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt API)
        # Paste and drop both end here: files and images become attachments, not text.
        files = local_files(source)
        if files:
            self.filesAdded.emit(files)
            return
        if source.hasImage() and not source.hasText():
            png = image_png(source)
            if png is not None:
                self.imagePasted.emit(png)
                return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if self.key_filter is not None and self.key_filter(event):
            return
        if event.key() in _ENTER_KEYS:
            mods = event.modifiers()
            if mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier):
                self.insertPlainText("\n")
                return
            self.submitted.emit()
            return
        super().keyPressEvent(event)
        self.keyTyped.emit(event.text())


class Composer(QWidget):
    """Prompt box with attach, model pill, context gauge and Send/Stop; keeps the prompt until
    it was stored."""

    sendRequested = Signal(str)
    stopRequested = Signal()
    #: the picker's "Open Prompt Library…" row; carries the text typed after the "/"
    libraryRequested = Signal(str)
    #: a system-prompt preset was picked with "/": its (filled) body
    systemPresetChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.ui.icons import icon

        # One box: the text on top, then attach, the model pill, the gauge and Send/Stop.
        self.box = QFrame(self)
        self.box.setObjectName("composerBox")
        # The window opens with the cursor in the box, so the box is styled with its focus
        # ring from the start; restyling it at the first FocusIn would come before the
        # first paint, and is slow then (see set_style_property).
        self.box.setProperty("focused", True)
        self.edit = PromptEdit(self.box)
        self.edit.setObjectName("composer")
        self.edit.setAccessibleName(self.tr("Message"))
        self.edit.setPlaceholderText(
            self.tr("Message…  (Enter to send, Shift+Enter for a new line, / for prompts)")
        )
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(64)
        self.attach_button = QToolButton(self.box)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setIcon(icon("paperclip"))
        self.attach_button.setIconSize(QSize(ICON_M, ICON_M))
        self.attach_button.setToolTip(self.tr("Attach files (images, PDFs, text, audio)"))
        self.attach_button.setAccessibleName(self.tr("Attach files"))
        self.attach_button.setFixedSize(CONTROL_HEIGHT, CONTROL_HEIGHT)
        self.model_pill = QToolButton(self.box)
        self.model_pill.setObjectName("modelPill")
        self.model_pill.setIcon(icon("chevron-down"))
        self.model_pill.setIconSize(QSize(ICON_S - 2, ICON_S - 2))
        self.model_pill.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # chevron after
        self.model_pill.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.model_pill.setAccessibleName(self.tr("Model"))
        self.model_pill.setToolTip(self.tr("Choose the model"))
        self.model_pill.setFixedHeight(CONTROL_HEIGHT - 4)
        self.model_pill.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.gauge = ContextGauge(self.box)
        self.button = QToolButton(self.box)
        self.button.setObjectName("sendButton")
        self.button.setText(self.tr("Send"))
        self.button.setAccessibleName(self.tr("Send"))
        self.button.setToolTip(self.tr("Send (Enter)"))
        self.button.setIcon(icon("arrow-up", "#ffffff"))
        self.button.setIconSize(QSize(ICON_M, ICON_M))
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.button.setFixedSize(CONTROL_HEIGHT, CONTROL_HEIGHT)
        self.tray = AttachmentTray(self)
        self._pasted = 0
        # Built on the first "/": the window does not need it to open.
        self._picker: PromptPicker | None = None
        self._model_chooser: ModelChooser | None = None
        self._model_popup: QFrame | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACE_L, SPACE_XS, SPACE_L, SPACE_M)
        outer.setSpacing(SPACE_XS)
        outer.addWidget(self.tray)
        outer.addWidget(self.box)
        inner = QVBoxLayout(self.box)
        inner.setContentsMargins(SPACE_S, SPACE_XS, SPACE_S, SPACE_S)
        inner.setSpacing(SPACE_XS)
        inner.addWidget(self.edit)
        row = QHBoxLayout()
        row.setSpacing(SPACE_XS)
        row.addWidget(self.attach_button)
        row.addWidget(self.model_pill)
        row.addStretch(1)
        row.addWidget(self.gauge)
        row.addWidget(self.button)
        inner.addLayout(row)
        QWidget.setTabOrder(self.edit, self.button)
        self.edit.installEventFilter(self)
        self._busy = False
        self._prompt_source: PromptSource | None = None
        self._prompts: dict[int, Prompt] = {}
        #: document position of the "/" whose query the picker follows, or None
        self._slash: int | None = None
        self.set_model_text("")
        self._connect_signals()

    def take_focus(self) -> None:
        """Put the cursor in the message box."""
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """The box shows the focus ring while the text inside it has the focus."""
        if watched is self.edit and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            set_style_property(self.box, "focused", event.type() == QEvent.Type.FocusIn)
        return super().eventFilter(watched, event)

    # ---- the model pill -----------------------------------------------------------------

    def attach_model_chooser(self, chooser: ModelChooser) -> None:
        """Let the pill open `chooser` (in a small popup) and show the model it holds."""
        popup = QFrame(self, Qt.WindowType.Popup)
        popup.setObjectName("modelPopup")
        popup.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(popup)
        layout.setContentsMargins(SPACE_S, SPACE_S, SPACE_S, SPACE_S)
        chooser.setParent(popup)
        layout.addWidget(chooser)
        self._model_chooser = chooser
        self._model_popup = popup
        chooser.editTextChanged.connect(self._chooser_text_changed)
        chooser.modelChosen.connect(self._model_chosen)
        self.model_pill.clicked.connect(self.open_model_chooser)
        self.set_model_text(chooser.currentText())

    def open_model_chooser(self) -> None:
        """Show the model chooser under the pill, its text selected for typing."""
        if self._model_popup is None or self._model_chooser is None:
            return
        popup = self._model_popup
        popup.setMinimumWidth(max(360, self.model_pill.width()))
        popup.adjustSize()
        below = self.model_pill.mapToGlobal(self.model_pill.rect().topLeft())
        popup.move(below.x(), below.y() - popup.height() - SPACE_XS)
        popup.show()
        self._model_chooser.setFocus(Qt.FocusReason.PopupFocusReason)
        line = self._model_chooser.lineEdit()
        if line is not None:
            line.selectAll()

    def _chooser_text_changed(self, text: str) -> None:
        if self._model_popup is None or not self._model_popup.isVisible():
            self.set_model_text(text)

    def _model_chosen(self, model_id: str) -> None:
        self.set_model_text(model_id)
        if self._model_popup is not None and self._model_popup.isVisible():
            self._model_popup.hide()
            self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def set_model_text(self, model_id: str) -> None:
        """Show `model_id` on the pill: its short name, the full id in the tooltip."""
        short = model_id.rsplit("/", 1)[-1] if model_id else self.tr("Choose a model")
        self.model_pill.setText(short)
        self.model_pill.setToolTip(
            self.tr("Model: {model}. Click to choose another.").format(model=model_id)
            if model_id else self.tr("Choose the model")
        )

    def _connect_signals(self) -> None:
        self.edit.submitted.connect(self._submit)
        self.edit.keyTyped.connect(self._after_key)
        self.edit.key_filter = self._picker_key
        self.edit.picker_open = self._picker_visible
        self.button.clicked.connect(self._on_button)
        self.attach_button.clicked.connect(self.choose_files)
        self.edit.filesAdded.connect(self.add_files)
        self.edit.imagePasted.connect(self.add_pasted_image)
        self.edit.textChanged.connect(self.update_gauge)
        self.tray.changed.connect(self.update_gauge)

    def update_gauge(self) -> None:
        """Count the draft and its attachments in the context gauge."""
        if self.gauge.estimate is not None:
            self.gauge.set_draft(self.edit.toPlainText(), self.tray.attachments())

    @property
    def picker(self) -> PromptPicker:
        """The "/" popup, created on first use."""
        if self._picker is None:
            from app.ui.prompt_picker import PromptPicker

            self._picker = PromptPicker(self.edit, self)
            self._picker.picked.connect(self._pick_current)
            self._picker.closedOutside.connect(self._close_picker)
        return self._picker

    def _picker_visible(self) -> bool:
        return self._picker is not None and self._picker.isVisible()

    def _on_button(self) -> None:
        if self._busy:
            self.stopRequested.emit()
        else:
            self._submit()

    def _submit(self) -> None:
        if self._busy:
            return
        text = self.edit.toPlainText()
        if text.strip() or self.tray.chips:
            self.sendRequested.emit(text)

    def clear_prompt(self) -> None:
        """Called once the prompt is safely stored."""
        self._close_picker()
        self.edit.clear()
        self.tray.clear()

    def draft(self) -> str:
        """The text in the message box, as typed (for drafts)."""
        return self.edit.toPlainText()

    def draft_files(self) -> list[Path]:
        """The files attached from disk to the message being written (for drafts)."""
        return self.tray.paths()

    def set_draft(self, text: str, files: Sequence[Path] = ()) -> None:
        """Show a saved draft in the message box, the cursor at its end, and attach its
        files again (those still on disk)."""
        self._close_picker()
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self.tray.clear()
        existing = [p for p in files if p.is_file()]
        if existing:
            self.tray.add_paths(existing)

    # ---- attachments --------------------------------------------------------------------

    def choose_files(self) -> None:
        """Pick files to attach (several at once)."""
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self.window(), self.tr("Attach files"))
        self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        """Attach local files (dropped, pasted or picked)."""
        if paths:
            self.tray.add_paths(paths)
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_pasted_image(self, png: bytes) -> None:
        """Attach an image pasted from the clipboard."""
        self._pasted += 1
        self.tray.add_bytes(png, f"pasted-image-{self._pasted}.png")

    def attachments(self) -> list[Attachment]:
        """The attached files that are ready to send."""
        return self.tray.attachments()

    def set_busy(self, busy: bool) -> None:
        from app.ui.icons import icon

        self._busy = busy
        self.button.setText(self.tr("Stop") if busy else self.tr("Send"))
        self.button.setAccessibleName(self.tr("Stop") if busy else self.tr("Send"))
        self.button.setToolTip(self.tr("Stop the reply (Esc)") if busy else self.tr("Send (Enter)"))
        self.button.setIcon(icon("square" if busy else "arrow-up", "#ffffff"))
        set_style_property(self.button, "stop", busy)

    @property
    def busy(self) -> bool:
        return self._busy

    # ---- prompts ------------------------------------------------------------------------

    def set_prompt_source(self, source: PromptSource | None) -> None:
        """Where "/" finds prompts: `source(query)` lists the matches. None turns "/" off."""
        self._prompt_source = source
        if source is None:
            self._close_picker()

    def insert_text(self, text: str) -> None:
        """Put `text` at the cursor (replacing a selection) and focus the message box."""
        self.edit.insertPlainText(text)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _after_key(self, typed: str) -> None:
        if self._slash is not None:
            self._refresh_picker()
            return
        if typed != "/" or self._prompt_source is None:
            return
        cursor = self.edit.textCursor()
        slash = cursor.position() - 1
        # Only a "/" that starts a line: elsewhere it is a path, a fraction, a URL...
        if slash == cursor.block().position():
            self._slash = slash
            self._refresh_picker()

    def _query(self) -> str | None:
        """The text between the "/" and the cursor, or None when the cursor left it."""
        if self._slash is None:
            return None
        cursor = self.edit.textCursor()
        doc = self.edit.document()
        position = cursor.position()
        if (
            position <= self._slash
            or doc.characterAt(self._slash) != "/"
            or doc.findBlock(self._slash).position() != self._slash
            or cursor.block().position() != self._slash
            or cursor.hasSelection()
        ):
            return None
        line = cursor.block().text()
        return line[1 : position - self._slash]

    def _refresh_picker(self) -> None:
        query = self._query()
        if query is None or self._prompt_source is None:
            self._close_picker()
            return
        matches = list(self._prompt_source(query))
        self._prompts = {p.id: p for p in matches}
        if query and not matches:
            # Nothing matches: hide, so Enter sends; keep following in case of Backspace.
            self.picker.dismiss()
            return
        self.picker.set_prompts(matches)
        rect = self.edit.cursorRect()
        top_left = self.edit.viewport().mapToGlobal(rect.topLeft())
        self.picker.popup_at(QRect(top_left, rect.size()))

    def _close_picker(self) -> None:
        self._slash = None
        self._prompts = {}
        if self._picker_visible():
            self.picker.dismiss()

    def _picker_key(self, event: QKeyEvent) -> bool:
        if not self._picker_visible():
            return False
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Escape:
            self._close_picker()  # the typed "/query" stays as it is
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.picker.step(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            rows = self.picker.MAX_ROWS
            self.picker.step(-rows if key == Qt.Key.Key_PageUp else rows)
            return True
        if (key in _ENTER_KEYS or key == Qt.Key.Key_Tab) and \
                mods == Qt.KeyboardModifier.NoModifier:
            self._pick_current()
            return True
        return False

    def _pick_current(self) -> None:
        from app.ui.prompt_picker import LIBRARY_ROW_ID, fill_variables

        chosen = self.picker.current_id()
        query = self._query() or ""
        slash = self._slash
        prompt = None if chosen is None else self._prompts.get(chosen)
        self._close_picker()
        if chosen is None or slash is None:
            return
        end = slash + 1 + len(query)
        if chosen == LIBRARY_ROW_ID:
            self._replace(slash, end, "")
            self.libraryRequested.emit(query)
            return
        if prompt is None:
            return
        text = fill_variables(self.window(), prompt.title, prompt.body)
        if not self.window().isActiveWindow():
            self.window().activateWindow()  # the fill-in form had the focus
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if text is None:
            return  # cancelled: the "/query" stays for the user to go on
        if prompt.is_system:
            self._replace(slash, end, "")
            self.systemPresetChosen.emit(text)
        else:
            self._replace(slash, end, text)

    def _replace(self, start: int, end: int, text: str) -> None:
        """Replace the text from `start` to `end` with `text`, as one undo step."""
        cursor = self.edit.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        self.edit.setTextCursor(cursor)
