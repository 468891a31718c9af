"""Compare dialog: one prompt to 2-4 models, their replies streaming side by side.

Talks only to the controller (which owns the tasks and the store): pick models, send, Stop
a column or all (Esc), then "Continue with this one" to make that reply the branch shown.
"""

from __future__ import annotations

import contextlib
import importlib
import warnings
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.model_chooser import ModelChooser

if TYPE_CHECKING:
    from app.core.compare import Column, Comparison
    from app.ui.chat_controller import ChatController
    from app.ui.model_browser import ModelBrowser

#: below this width the columns stack vertically
STACK_BELOW = 900
MODEL_SLOTS = 4


class CompareColumn(QWidget):
    """One model's reply: header, figures, text, its own Stop and "Continue with"."""

    def __init__(self, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareColumn")
        self.reply_id = 0
        self.header = QLabel(f"<b>{_escape(model)}</b>", self)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.figures = QLabel(self.tr("queued"), self)
        self.figures.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Reply of {model}").format(model=model))
        self.text.setToolTip(self.tr("The reply of {model} as it streams").format(model=model))
        self.figures.setAccessibleName(self.tr("Figures of {model}").format(model=model))
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setAccessibleName(self.tr("Stop {model}").format(model=model))
        self.stop_button.setToolTip(self.tr("Stop this reply only; what arrived is kept"))
        self.continue_button = QPushButton(self.tr("Continue with this one"), self)
        self.continue_button.setAccessibleName(
            self.tr("Continue with {model}").format(model=model))
        self.continue_button.setToolTip(self.tr(
            "Show this reply in the conversation; follow-ups continue from it"))
        self.continue_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.figures)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self._shown = ""

    def show_text(self, text: str) -> None:
        """Show the reply so far: only the new tail is appended while it grows (a full
        reset per frame would cost the GUI thread the whole text, four times over)."""
        if text == self._shown:
            return
        if self._shown and text.startswith(self._shown):
            cursor = self.text.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(self._shown):])
        else:
            self.text.setPlainText(text)
        self._shown = text


class CompareDialog(QDialog):
    """Pick models, send once, watch the replies stream; see the module docstring."""

    #: the models starred in a model browser opened from a slot, in starring order
    favouritesChanged = Signal(list)

    def __init__(
        self, controller: ChatController, parent: QWidget | None = None, *,
        reply_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        # Loaded while the user picks models rather than when Compare is pressed, where the
        # import would hold up the first comparison's start.
        importlib.import_module("app.core.compare")
        #: "Compare with…": the reply whose prompt other models answer (None: a new prompt)
        self.reply_id = reply_id
        self.setWindowTitle(self.tr("Compare Models") if reply_id is None
                            else self.tr("Compare with Other Models"))
        self.setObjectName("compareDialog")
        self.controller = controller
        self.choosers: list[ModelChooser] = []
        #: per slot: opens the model browser (favourites first) to pick that slot's model
        from app.ui.icons import icon

        self.browse_buttons: list[QToolButton] = []
        self.pickers = QGridLayout()
        models = controller.models_favourites_first()
        # Comparing with an existing reply: its model is already a column, up to 3 others.
        slots = MODEL_SLOTS if reply_id is None else MODEL_SLOTS - 1
        for slot in range(slots):
            chooser = ModelChooser(self)
            chooser.setMinimumContentsLength(12)
            chooser.set_models(models)
            chooser.setAccessibleName(self.tr("Model {n}").format(n=slot + 1))
            chooser.setToolTip(self.tr("Model {n}: type an id or pick from the list (starred "
                                       "models first)").format(n=slot + 1))
            chooser.set_model(controller.model if slot == 0 and reply_id is None else "")
            line = chooser.lineEdit()
            required = 2 if reply_id is None else 1
            if line is not None:
                line.setPlaceholderText(
                    self.tr("Model {n}").format(n=slot + 1) if slot < required
                    else self.tr("Model {n} (optional)").format(n=slot + 1))
            self.choosers.append(chooser)
            browse = QToolButton(self)
            browse.setText("…")  # shown only if the icon cannot be drawn
            browse.setIcon(icon("library"))
            browse.setAccessibleName(self.tr("Browse models for model {n}").format(n=slot + 1))
            browse.setToolTip(self.tr("Pick model {n} in the model browser (starred models "
                                      "first)").format(n=slot + 1))
            browse.clicked.connect(lambda _c=False, i=slot: self.browse(i))
            self.browse_buttons.append(browse)
        self._per_row = 0
        self._place_pickers(MODEL_SLOTS)
        self.prompt = QPlainTextEdit(self)
        self.prompt.setPlaceholderText(self.tr("The prompt every model answers"))
        self.prompt.setMaximumHeight(90)
        # Tab goes on to Compare, as in the other fields of a dialog (a prompt needs no tabs).
        self.prompt.setTabChangesFocus(True)
        self.prompt.setAccessibleName(self.tr("Prompt"))
        self.prompt.setToolTip(self.tr("The prompt every model answers"))
        if reply_id is not None:
            self.prompt.setPlainText(controller.prompt_of(reply_id))
            self.prompt.setReadOnly(True)
        self.send_button = QPushButton(self.tr("Compare"), self)
        self.send_button.setDefault(True)
        self.send_button.setAccessibleName(self.tr("Compare"))
        self.send_button.setToolTip(self.tr("Send the prompt to every model picked at once"))
        self.stop_all_button = QPushButton(self.tr("Stop All"), self)
        self.stop_all_button.setAccessibleName(self.tr("Stop All"))
        self.stop_all_button.setToolTip(self.tr("Stop every reply still streaming (Esc)"))
        self.stop_all_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.prompt, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.stop_all_button)
        self.columns_box = QWidget(self)
        self.columns_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.columns_box)
        # What the empty area is for, until the first comparison fills it with columns.
        self.empty_hint = QLabel(self.tr(
            "Pick two to four models, write a prompt and press Compare. The replies stream "
            "side by side, and each is kept as a version of the answer in the conversation."),
            self.columns_box)
        self.empty_hint.setObjectName("compareEmptyHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setEnabled(False)  # drawn in the disabled (muted) text colour
        self.columns_layout.addWidget(self.empty_hint, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.columns_box)
        self.summary = QLabel(self)
        self.summary.setObjectName("compareSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Comparison summary"))
        layout = QVBoxLayout(self)
        layout.addLayout(self.pickers)
        layout.addLayout(row)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        self.columns: list[CompareColumn] = []
        self._running = False
        # Laid out for the room there is before it is shown: the wide layout is wider than
        # a small screen, and a window is never made narrower than its layout allows.
        room = self.screen().availableGeometry()
        self.resize(min(1100, room.width()), min(700, room.height()))
        self._lay_out()

        self.send_button.clicked.connect(self.send)
        self.stop_all_button.clicked.connect(self.stop_all)
        controller.compareStarted.connect(self._started)
        controller.compareProgress.connect(self._progress)
        controller.compareColumnFinished.connect(self._column_finished)
        controller.compareFinished.connect(self._finished)
        controller.modelsLoaded.connect(self._set_models)

    # ---- actions

    def chosen_models(self) -> list[str]:
        """The models picked (blank slots left out), in column order."""
        return [c.currentText().strip() for c in self.choosers if c.currentText().strip()]

    def send(self) -> bool:
        """Start the comparison (the controller says why when it cannot)."""
        if self.reply_id is not None:
            return self.controller.compare_with(self.reply_id, self.chosen_models())
        return self.controller.compare(self.prompt.toPlainText(), self.chosen_models())

    def browse(self, slot: int) -> ModelBrowser:
        """Open the model browser for one slot; the model chosen there fills that slot."""
        from app.ui.model_browser import ModelBrowser

        controller = self.controller
        chooser = self.choosers[slot]
        browser = ModelBrowser(
            controller.models,
            current=chooser.currentText().strip() or controller.model,
            favourites=list(controller.ctx.settings.favourite_models),
            endpoint_kind=controller.endpoint().kind,
            favourites_first=True,
            parent=self,
        )
        browser.setWindowTitle(self.tr("Choose Model {n}").format(n=slot + 1))
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.modelChosen.connect(chooser.set_model)
        browser.favouritesChanged.connect(self._favourites_changed)
        browser.open()
        return browser

    def stop_all(self) -> None:
        """Stop every column still streaming."""
        if self._running:
            self.controller.stop()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape and self._running:
            self.stop_all()  # Esc stops all; a second Esc closes
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self.stop_all()  # every reply is kept, as stopped
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Closing stops what still streams; nothing is lost."""
        self.stop_all()
        self._disconnect()
        super().done(result)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._lay_out()

    # ---- controller signals

    def _started(self, comparison: Comparison) -> None:
        self.empty_hint.hide()
        while self.columns:
            old = self.columns.pop()
            self.columns_layout.removeWidget(old)
            old.deleteLater()
        for index, col in enumerate(comparison.columns):
            widget = CompareColumn(col.model, self.columns_box)
            widget.reply_id = col.reply.id
            widget.stop_button.clicked.connect(
                lambda _c=False, i=index: self.controller.stop_compare_column(i))
            widget.continue_button.clicked.connect(
                lambda _c=False, w=widget: self._continue(w.reply_id))
            self.columns_layout.addWidget(widget, 1)
            self.columns.append(widget)
        self._running = True
        self.send_button.setEnabled(False)
        self.stop_all_button.setEnabled(True)
        self.summary.clear()
        self._lay_out()

    def _progress(self, index: int, text: str) -> None:
        if index < len(self.columns):
            column = self.columns[index]
            if column.figures.text() == self.tr("queued"):
                column.figures.setText(self.tr("streaming…"))
            column.show_text(text)

    def _column_finished(self, index: int, col: Column) -> None:
        if index >= len(self.columns):
            return
        widget = self.columns[index]
        widget.show_text(col.text)
        widget.figures.setText(column_figures(col))
        widget.stop_button.setEnabled(False)
        widget.continue_button.setEnabled(True)

    def _finished(self, comparison: Comparison) -> None:
        self._running = False
        self.send_button.setEnabled(True)
        self.stop_all_button.setEnabled(False)
        for index, col in enumerate(comparison.columns):
            self._column_finished(index, col)
        self.summary.setText(summary_text(comparison.columns))

    def _continue(self, reply_id: int) -> None:
        self.controller.continue_with(reply_id)
        self.accept()

    def _set_models(self, models: Any) -> None:
        ordered = self.controller.models_favourites_first(list(models))
        for chooser in self.choosers:
            chooser.set_models(ordered)

    def _favourites_changed(self, favourites: list[str]) -> None:
        self.favouritesChanged.emit(favourites)  # the window saves them
        self._set_models(self.controller.models)

    def _disconnect(self) -> None:
        controller = self.controller
        for signal, slot in ((controller.compareStarted, self._started),
                             (controller.compareProgress, self._progress),
                             (controller.compareColumnFinished, self._column_finished),
                             (controller.compareFinished, self._finished),
                             (controller.modelsLoaded, self._set_models)):
            with warnings.catch_warnings(), contextlib.suppress(RuntimeError, TypeError):
                warnings.simplefilter("ignore", RuntimeWarning)  # already disconnected
                signal.disconnect(slot)

    def _lay_out(self) -> None:
        narrow = self.width() < STACK_BELOW
        self._place_pickers(2 if narrow else MODEL_SLOTS)
        direction = (QBoxLayout.Direction.TopToBottom if narrow
                     else QBoxLayout.Direction.LeftToRight)
        if self.columns_layout.direction() != direction:
            self.columns_layout.setDirection(direction)
        for widget in self.columns:
            widget.text.setMinimumHeight(160 if direction is QBoxLayout.Direction.TopToBottom
                                         else 0)


    def _place_pickers(self, per_row: int) -> None:
        """The model slots in rows of `per_row` (two a row on a narrow window)."""
        if per_row == self._per_row:
            return
        self._per_row = per_row
        grid = self.pickers
        for slot, (chooser, browse) in enumerate(zip(self.choosers, self.browse_buttons,
                                                     strict=True)):
            row, col = divmod(slot, per_row)
            grid.addWidget(chooser, row, 2 * col)  # re-adding moves the widget
            grid.addWidget(browse, row, 2 * col + 1)
        for col in range(2 * MODEL_SLOTS):
            grid.setColumnStretch(col, 1 if col % 2 == 0 and col < 2 * per_row else 0)


def column_figures(col: Column) -> str:
    """'provider · first token 120 ms · 48.2 tok/s · 310 tokens · $0.0004 · complete'."""
    from app.core.compare import column_cost
    from app.core.finish import money

    parts: list[str] = []
    if col.provider:
        parts.append(col.provider)
    if col.first_token_ms is not None:
        parts.append(f"first token {col.first_token_ms:.0f} ms")
    if col.tokens_per_second is not None:
        parts.append(f"{col.tokens_per_second:.1f} tok/s")
    reply = col.summary.reply if col.summary is not None else None
    if reply is not None and reply.usage is not None:
        parts.append(f"{reply.usage.completion_tokens:,} tokens")
    cost = column_cost(col)
    if cost is not None:
        parts.append(money(cost))
    parts.append(col.state)
    if col.error is not None:
        parts.append(str(col.error))
    return " · ".join(parts)


def summary_text(columns: list[Column]) -> str:
    """The summary row: fastest first token, cheapest, longest, total cost."""
    from app.core.compare import cheapest, column_cost, fastest, longest, total_cost
    from app.core.finish import money

    parts: list[str] = []
    quick = fastest(columns)
    if quick is not None and quick.first_token_ms is not None:
        parts.append(f"Fastest first token: {quick.model} ({quick.first_token_ms:.0f} ms)")
    cheap = cheapest(columns)
    if cheap is not None:
        parts.append(f"Cheapest: {cheap.model} ({money(column_cost(cheap))})")
    long = longest(columns)
    if long is not None:
        parts.append(f"Longest: {long.model} ({len(long.text):,} characters)")
    total = total_cost(columns)
    if total is not None:
        parts.append(f"Total: {money(total)}")
    return " · ".join(parts)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
