"""Toolbar model chooser: searchable list from GET /models; any typed id is accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

if TYPE_CHECKING:
    from app.core.client import ModelInfo


def price_per_million(price: float | None) -> str:
    if price is None:
        return "?"
    if price == 0:
        return QCoreApplication.translate("ModelChooser", "free")
    return f"${price * 1_000_000:,.2f}"


class ModelChooser(QComboBox):
    """Editable combo box; the text is the model id sent in requests."""

    modelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelChooser")
        self.setAccessibleName(self.tr("Model"))
        self.setToolTip(self.tr("Model: pick from the list or type any model id"))
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(28)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMaxVisibleItems(20)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.activated.connect(self._emit_current)
        line = self.lineEdit()
        assert line is not None  # editable combo boxes always have one
        line.editingFinished.connect(self._emit_current)

    def set_models(self, models: list[ModelInfo]) -> None:
        current = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            for info in models:
                self.addItem(info.id)
                tip = self.tr("{name}\ncontext {ctx} · in {inp} / out {out} per 1M tokens").format(
                    name=info.name,
                    ctx=info.context_length or "?",
                    inp=price_per_million(info.prompt_price),
                    out=price_per_million(info.completion_price),
                )
                self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
            self.setEditText(current)
        finally:
            self.blockSignals(False)

    def set_model(self, model_id: str) -> None:
        if self.currentText() != model_id:
            self.setEditText(model_id)

    def _emit_current(self, *_: object) -> None:
        text = self.currentText().strip()
        if text:
            self.modelChosen.emit(text)
