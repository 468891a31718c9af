"""Conversation settings: every `ConversationOptions` field, validated as it is edited.

The dialog edits a copy and never touches storage: the caller reads `options()` (and
`save_as_default()`) after `exec()`/`accepted`. A parameter left unset is not sent, so the
endpoint's and the model's defaults apply; a value loaded from settings is given back
unchanged unless the user edits it (spin boxes round to their decimals).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.options import (
    ASPECT_RATIOS,
    EFFORTS,
    SORTS,
    ConversationOptions,
    ReasoningOptions,
    StructuredOutput,
)

if TYPE_CHECKING:
    from app.core.client import ModelInfo

INT_MAX = 2**31 - 1
#: colour of "not supported by <model>" flags (readable on light and dark backgrounds)
FLAG_STYLE = "color: #d9822b;"
ERROR_STYLE = "color: #c0392b;"
OK_STYLE = "color: #2e8b57;"


@dataclass(frozen=True)
class _Spec:
    """A numeric sampling parameter: range and step as the API documents them."""

    name: str
    low: float
    high: float
    step: float
    decimals: int  # 0 = whole numbers
    default: float


_SAMPLING: tuple[_Spec, ...] = (
    _Spec("temperature", 0.0, 2.0, 0.05, 2, 1.0),
    _Spec("top_p", 0.0, 1.0, 0.05, 2, 1.0),
    _Spec("top_k", 0, INT_MAX, 1, 0, 40),
    _Spec("min_p", 0.0, 1.0, 0.01, 3, 0.05),
    _Spec("top_a", 0.0, 1.0, 0.01, 3, 0.0),
    _Spec("frequency_penalty", -2.0, 2.0, 0.1, 2, 0.0),
    _Spec("presence_penalty", -2.0, 2.0, 0.1, 2, 0.0),
    _Spec("repetition_penalty", 0.0, 2.0, 0.05, 2, 1.0),
    _Spec("max_tokens", 1, INT_MAX, 256, 0, 1024),
    _Spec("seed", -INT_MAX - 1, INT_MAX, 1, 0, 0),
)
_TOP_LOGPROBS = _Spec("top_logprobs", 0, 20, 1, 0, 5)


def _split_list(text: str, original: list[str] | None) -> list[str] | None:
    """"a, b" -> ["a", "b"]; empty -> None (an empty list loaded stays an empty list)."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if items:
        return items
    return original if original == [] else None


def _join_list(items: Sequence[str] | None) -> str:
    return ", ".join(items or ())


def _text_or_none(text: str, original: str | None) -> str | None:
    if text:
        return text
    return original if original == "" else None


def _checked(box: QCheckBox, original: bool | None) -> bool | None:
    """A checkbox for an optional flag: checked sends True; unchecked leaves it unset
    (an explicit False loaded from settings is kept)."""
    if box.isChecked():
        return True
    return False if original is False else None


def _escape_stop(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _unescape_stop(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, "")
        out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(nxt, "\\" + nxt))
    return "".join(out)


class _TriState(QComboBox):
    """Not set / on / off for a `bool | None` option."""

    def __init__(self, labels: tuple[str, str, str], accessible: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        for label, value in zip(labels, (None, True, False), strict=True):
            self.addItem(label, value)

    def value(self) -> bool | None:
        data = self.currentData()
        return data if isinstance(data, bool) else None

    def set_value(self, value: bool | None) -> None:
        self.setCurrentIndex({None: 0, True: 1, False: 2}.get(value, 0))


class _Optional:
    """A "set" checkbox and a spin box: unchecked means the value is not sent."""

    def __init__(
        self, name: str, label: str, spec: _Spec, parent: QWidget, *, prefix: str = ""
    ) -> None:
        self.name = name
        self.check = QCheckBox(label, parent)
        self.check.setAccessibleName(label)
        spin: QSpinBox | QDoubleSpinBox
        if spec.decimals == 0:
            spin = QSpinBox(parent)
            spin.setRange(int(spec.low), int(spec.high))
            spin.setSingleStep(int(spec.step))
            spin.setValue(int(spec.default))
        else:
            spin = QDoubleSpinBox(parent)
            spin.setDecimals(spec.decimals)
            spin.setRange(spec.low, spec.high)
            spin.setSingleStep(spec.step)
            spin.setValue(spec.default)
        spin.setPrefix(prefix)
        spin.setAccessibleName(label)
        # The spin box's own line edit takes the focus; screen readers announce it.
        editor = spin.findChild(QLineEdit)
        if editor is not None:
            editor.setAccessibleName(label)
        spin.setEnabled(False)
        spin.setMinimumWidth(120)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.spin = spin
        self.integer = spec.decimals == 0
        self._loaded: float | None = None
        self._shown: float | None = None
        self.check.toggled.connect(self.spin.setEnabled)

    def set_accessible_names(self, name: str, value_name: str | None = None) -> None:
        self.check.setAccessibleName(name)
        for widget in (self.spin, self.spin.findChild(QLineEdit)):
            if widget is not None:
                widget.setAccessibleName(value_name or name)

    def load(self, value: float | None) -> None:
        self.check.setChecked(value is not None)
        self._loaded = value
        if value is not None and not isinstance(value, bool):
            if isinstance(self.spin, QSpinBox):
                self.spin.setValue(int(value))
            else:
                self.spin.setValue(float(value))
        self._shown = self.spin.value()

    def value(self) -> Any:
        if not self.check.isChecked():
            return None
        shown = self.spin.value()
        if self._loaded is not None and shown == self._shown:
            # Untouched: give back exactly what was loaded (also an out-of-range value,
            # so validation can say what is wrong with it).
            return self._loaded
        return int(shown) if self.integer else float(shown)


class OptionsDialog(QDialog):
    """Edits a copy of a conversation's options; OK is disabled while they are invalid."""

    def __init__(
        self,
        options: ConversationOptions,
        *,
        model: ModelInfo | None,
        endpoint_kind: str,
        model_ids: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Conversation settings"))
        self.resize(760, 640)
        self._original = options.clone()
        self._model = model
        self._endpoint_kind = endpoint_kind
        self._openrouter = endpoint_kind == "openrouter"
        self._model_ids = list(model_ids)
        self._flags: dict[str, QLabel] = {}
        self._openrouter_only: list[QWidget] = []
        self._numbers: dict[str, _Optional] = {}
        self._updating = False

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        tab_bar = self.tabs.tabBar()
        tab_bar.setAccessibleName(self.tr("Settings sections"))
        self.tabs.addTab(self._general_tab(), self.tr("General"))
        self.tabs.addTab(self._sampling_tab(), self.tr("Sampling"))
        self.routing_index = self.tabs.addTab(self._routing_tab(), self.tr("Routing"))
        self.tabs.addTab(self._reasoning_tab(), self.tr("Reasoning && web"))
        self.tabs.addTab(self._output_tab(), self.tr("Output"))
        self.tabs.setTabVisible(self.routing_index, self._openrouter)

        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("optionsProblems")
        self.problems_label.setAccessibleName(self.tr("Problems"))
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet(ERROR_STYLE)
        self.problems_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label = QLabel(self)
        self.warnings_label.setObjectName("optionsWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(FLAG_STYLE)

        self.preview_button = QToolButton(self)
        self.preview_button.setText(self.tr("Request preview"))
        self.preview_button.setAccessibleName(self.tr("Show request preview"))
        self.preview_button.setToolTip(
            self.tr("The JSON these settings add to each request (messages not shown)"))
        self.preview_button.setCheckable(True)
        self.preview_button.setAutoRaise(True)
        self.preview_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.preview_button.setArrowType(Qt.ArrowType.RightArrow)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("requestPreview")
        self.preview.setAccessibleName(self.tr("Request preview"))
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setFixedHeight(170)
        self.preview.setVisible(False)

        self.default_check = QCheckBox(self.tr("Use these settings for new conversations"), self)
        self.default_check.setAccessibleName(self.tr("Use these settings for new conversations"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)

        bottom = QHBoxLayout()
        bottom.addWidget(self.preview_button)
        bottom.addStretch(1)
        bottom.addWidget(self.default_check)
        bottom.addSpacing(12)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.preview)
        layout.addLayout(bottom)

        if not self._openrouter:
            for widget in self._openrouter_only:
                widget.setEnabled(False)
        self._load(self._original)
        self._connect_signals()
        self._refresh()
        self.system_prompt.setFocus()

    # ---- tabs ------------------------------------------------------------------------

    def _note(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName("hint")
        label.setWordWrap(True)
        return label

    def _openrouter_note(self, parent: QWidget) -> QLabel | None:
        if self._openrouter:
            return None
        return self._note(
            self.tr("OpenRouter features: this endpoint does not receive them, so they are "
                    "kept but not sent."), parent)

    def _flag(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName("unsupportedFlag")
        label.setStyleSheet(FLAG_STYLE)
        label.setVisible(False)
        self._flags[name] = label
        return label

    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        self.system_prompt = QPlainTextEdit(page)
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.system_prompt.setPlaceholderText(
            self.tr("Instructions the model gets before the conversation (optional)"))
        self.system_prompt.setTabChangesFocus(True)

        group = QGroupBox(self.tr("Fallback models"), page)
        self._openrouter_only.append(group)
        self.fallback_list = QListWidget(group)
        self.fallback_list.setAccessibleName(self.tr("Fallback models"))
        self.fallback_list.setMinimumHeight(80)
        self.fallback_list.setMaximumHeight(140)
        self.fallback_combo = QComboBox(group)
        self.fallback_combo.setAccessibleName(self.tr("Model to add"))
        self.fallback_combo.setEditable(True)
        self.fallback_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.fallback_combo.addItems(self._model_ids)
        self.fallback_combo.setCurrentIndex(-1)
        completer = QCompleter(self.fallback_combo.model(), self.fallback_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.fallback_combo.setCompleter(completer)
        line = self.fallback_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("model id, e.g. openai/gpt-4o-mini"))
        line.installEventFilter(self)
        self.add_button = QPushButton(self.tr("Add"), group)
        self.add_button.setAccessibleName(self.tr("Add fallback model"))
        self.add_button.setAutoDefault(False)
        self.remove_button = QPushButton(self.tr("Remove"), group)
        self.remove_button.setAccessibleName(self.tr("Remove fallback model"))
        self.up_button = QPushButton(self.tr("Move up"), group)
        self.up_button.setAccessibleName(self.tr("Move fallback model up"))
        self.down_button = QPushButton(self.tr("Move down"), group)
        self.down_button.setAccessibleName(self.tr("Move fallback model down"))
        for button in (self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)
        add_row = QHBoxLayout()
        add_row.addWidget(self.fallback_combo, 1)
        add_row.addWidget(self.add_button)
        side = QVBoxLayout()
        side.addWidget(self.remove_button)
        side.addWidget(self.up_button)
        side.addWidget(self.down_button)
        side.addStretch(1)
        grid = QGridLayout(group)
        grid.addWidget(self._note(self.tr(
            "Tried in order when the chosen model fails or is unavailable; you pay for the "
            "model that answers."), group), 0, 0, 1, 2)
        grid.addWidget(self.fallback_list, 1, 0)
        grid.addLayout(side, 1, 1)
        grid.addLayout(add_row, 2, 0, 1, 2)

        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr("System prompt"), page))
        layout.addWidget(self.system_prompt, 1)
        note = self._openrouter_note(page)
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(group)
        return page

    def _sampling_tab(self) -> QWidget:
        scroll = QScrollArea(self)
        scroll.setAccessibleName(self.tr("Sampling parameters"))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        page = QWidget(scroll)
        labels = {
            "temperature": self.tr("Temperature"),
            "top_p": self.tr("Top P"),
            "top_k": self.tr("Top K"),
            "min_p": self.tr("Min P"),
            "top_a": self.tr("Top A"),
            "frequency_penalty": self.tr("Frequency penalty"),
            "presence_penalty": self.tr("Presence penalty"),
            "repetition_penalty": self.tr("Repetition penalty"),
            "max_tokens": self.tr("Max tokens"),
            "seed": self.tr("Seed"),
            "top_logprobs": self.tr("Top log probabilities"),
        }
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.addWidget(self._note(self.tr(
            "Check a parameter to send it; unchecked ones use the model's default."), page),
            0, 0, 1, 4)
        row = 1

        def add_number(spec: _Spec) -> None:
            nonlocal row
            field = _Optional(spec.name, labels[spec.name], spec, page)
            self._numbers[spec.name] = field
            grid.addWidget(field.check, row, 0)
            grid.addWidget(field.spin, row, 1)
            if spec.name == "seed":
                hint = self.tr("any whole number")
            elif spec.high >= INT_MAX:
                hint = self.tr("≥ {low}").format(low=f"{spec.low:g}")
            else:
                hint = self.tr("{low} to {high}").format(
                    low=f"{spec.low:g}".replace("-", "−"), high=f"{spec.high:g}")
            range_label = self._note(hint, page)
            range_label.setWordWrap(False)
            grid.addWidget(range_label, row, 2)
            grid.addWidget(self._flag(spec.name, page), row, 3)
            row += 1

        for spec in _SAMPLING:
            add_number(spec)
        self.logprobs_check = QCheckBox(self.tr("Log probabilities"), page)
        self.logprobs_check.setAccessibleName(self.tr("Return log probabilities"))
        grid.addWidget(self.logprobs_check, row, 0, 1, 2)
        grid.addWidget(self._flag("logprobs", page), row, 3)
        row += 1
        add_number(_TOP_LOGPROBS)

        self.stop_edit = QPlainTextEdit(page)
        self.stop_edit.setAccessibleName(self.tr("Stop sequences"))
        self.stop_edit.setPlaceholderText(self.tr("one per line, up to 4; \\n is a line break"))
        self.stop_edit.setTabChangesFocus(True)
        self.stop_edit.setFixedHeight(74)
        grid.addWidget(QLabel(self.tr("Stop sequences"), page), row, 0,
                       Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.stop_edit, row, 1, 1, 2)
        grid.addWidget(self._flag("stop", page), row, 3, Qt.AlignmentFlag.AlignTop)
        row += 1

        self.logit_bias_edit = QPlainTextEdit(page)
        self.logit_bias_edit.setAccessibleName(self.tr("Logit bias"))
        self.logit_bias_edit.setPlaceholderText('{"50256": -100}')
        self.logit_bias_edit.setTabChangesFocus(True)
        self.logit_bias_edit.setFixedHeight(74)
        self.logit_bias_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.logit_bias_status = QLabel(page)
        self.logit_bias_status.setWordWrap(True)
        self.logit_bias_status.setStyleSheet(ERROR_STYLE)
        grid.addWidget(QLabel(self.tr("Logit bias"), page), row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.logit_bias_edit, row, 1, 1, 2)
        grid.addWidget(self._flag("logit_bias", page), row, 3, Qt.AlignmentFlag.AlignTop)
        row += 1
        grid.addWidget(self._note(self.tr(
            'JSON: token id → bias from -100 (never) to 100 (always), e.g. {"50256": -100}'),
            page), row, 1, 1, 3)
        row += 1
        grid.addWidget(self.logit_bias_status, row, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(grid)
        layout.addStretch(1)
        scroll.setWidget(page)
        return scroll

    def _routing_tab(self) -> QWidget:
        page = QWidget(self)
        self.order_edit = QLineEdit(page)
        self.order_edit.setAccessibleName(self.tr("Provider order"))
        self.order_edit.setPlaceholderText(self.tr("e.g. anthropic, openai (tried first)"))
        self.only_edit = QLineEdit(page)
        self.only_edit.setAccessibleName(self.tr("Only these providers"))
        self.only_edit.setPlaceholderText(self.tr("provider slugs, comma-separated"))
        self.ignore_edit = QLineEdit(page)
        self.ignore_edit.setAccessibleName(self.tr("Ignore these providers"))
        self.ignore_edit.setPlaceholderText(self.tr("provider slugs, comma-separated"))
        self.sort_combo = QComboBox(page)
        self.sort_combo.setAccessibleName(self.tr("Sort providers by"))
        self.sort_combo.addItem(self.tr("Default (balanced)"), None)
        sort_labels = {"price": self.tr("Price (cheapest first)"),
                       "throughput": self.tr("Throughput (fastest first)"),
                       "latency": self.tr("Latency (quickest first token)")}
        for value in SORTS:
            self.sort_combo.addItem(sort_labels.get(value, value), value)
        self.allow_fallbacks = _TriState(
            (self.tr("Default (allowed)"), self.tr("Allowed"), self.tr("Not allowed")),
            self.tr("Allow provider fallbacks"), page)
        self.quantizations_edit = QLineEdit(page)
        self.quantizations_edit.setAccessibleName(self.tr("Quantizations"))
        self.quantizations_edit.setPlaceholderText(self.tr("e.g. fp8, bf16, fp16"))
        self.deny_check = QCheckBox(
            self.tr("Deny providers that may store or train on prompts"), page)
        self.deny_check.setAccessibleName(self.tr("Deny data collection"))
        self.zdr_check = QCheckBox(self.tr("Zero data retention endpoints only"), page)
        self.zdr_check.setAccessibleName(self.tr("Zero data retention only"))
        self.require_check = QCheckBox(
            self.tr("Only providers that support every parameter set here"), page)
        self.require_check.setAccessibleName(self.tr("Require parameters"))

        self._max_price: dict[str, _Optional] = {}
        price_specs = (
            ("prompt", self.tr("Prompt"), self.tr("per 1M tokens")),
            ("completion", self.tr("Completion"), self.tr("per 1M tokens")),
            ("request", self.tr("Request"), self.tr("per request")),
            ("image", self.tr("Image"), self.tr("per image")),
        )
        prices = QGroupBox(self.tr("Maximum price (USD)"), page)
        price_grid = QGridLayout(prices)
        for i, (key, label, unit) in enumerate(price_specs):
            field = _Optional(key, label, _Spec(key, 0.0, 1_000_000.0, 0.1, 4, 0.0), prices,
                              prefix="$")
            field.set_accessible_names(self.tr("Maximum {what} price").format(what=label))
            self._max_price[key] = field
            r, c = divmod(i, 2)
            price_grid.addWidget(field.check, r, c * 3)
            price_grid.addWidget(field.spin, r, c * 3 + 1)
            price_grid.addWidget(self._note(unit, prices), r, c * 3 + 2)
        price_grid.setColumnStretch(2, 1)
        price_grid.setColumnStretch(5, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Provider order"), self.order_edit)
        form.addRow(self.tr("Only"), self.only_edit)
        form.addRow(self.tr("Ignore"), self.ignore_edit)
        form.addRow(self.tr("Sort"), self.sort_combo)
        form.addRow(self.tr("Fallbacks"), self.allow_fallbacks)
        form.addRow(self.tr("Quantizations"), self.quantizations_edit)
        form.addRow(self.tr("Privacy"), self.deny_check)
        form.addRow("", self.zdr_check)
        form.addRow(self.tr("Parameters"), self.require_check)
        layout = QVBoxLayout(page)
        layout.addWidget(self._note(self.tr(
            "Which upstream providers OpenRouter may use for this conversation. Provider "
            "slugs look like “anthropic”, “deepinfra” or “together”."), page))
        layout.addLayout(form)
        layout.addWidget(prices)
        layout.addStretch(1)
        return page

    def _reasoning_tab(self) -> QWidget:
        page = QWidget(self)
        reasoning = QGroupBox(self.tr("Reasoning"), page)
        self._openrouter_only.append(reasoning)
        self.effort_combo = QComboBox(reasoning)
        self.effort_combo.setAccessibleName(self.tr("Reasoning effort"))
        self.effort_combo.addItem(self.tr("Not set"), None)
        for effort in EFFORTS:
            self.effort_combo.addItem(effort, effort)
        self.reasoning_tokens = _Optional(
            "reasoning.max_tokens", self.tr("Token budget"),
            _Spec("reasoning.max_tokens", 1, INT_MAX, 512, 0, 2048), reasoning)
        self.reasoning_tokens.set_accessible_names(
            self.tr("Set a reasoning token budget"), self.tr("Reasoning token budget"))
        self.reasoning_enabled = _TriState(
            (self.tr("Default"), self.tr("On"), self.tr("Off")),
            self.tr("Reasoning enabled"), reasoning)
        self.exclude_check = QCheckBox(
            self.tr("Hide the reasoning (the model still thinks)"), reasoning)
        self.exclude_check.setAccessibleName(self.tr("Exclude reasoning from the reply"))
        form = QFormLayout(reasoning)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self._flag("reasoning", reasoning))
        form.addRow(self.tr("Effort"), self.effort_combo)
        form.addRow(self.reasoning_tokens.check, self.reasoning_tokens.spin)
        form.addRow(self.tr("Enabled"), self.reasoning_enabled)
        form.addRow("", self.exclude_check)
        form.addRow(self._note(self.tr(
            "Set an effort or a token budget, not both."), reasoning))

        web = QGroupBox(self.tr("Web search"), page)
        self._openrouter_only.append(web)
        self.web_check = QCheckBox(self.tr("Search the web for each message"), web)
        self.web_check.setAccessibleName(self.tr("Web search"))
        self.web_results = _Optional(
            "web.max_results", self.tr("Max results"), _Spec("max_results", 1, 100, 1, 0, 5), web)
        self.web_results.set_accessible_names(
            self.tr("Set the number of search results"), self.tr("Number of search results"))
        self.search_prompt_edit = QLineEdit(web)
        self.search_prompt_edit.setAccessibleName(self.tr("Search prompt"))
        self.search_prompt_edit.setPlaceholderText(
            self.tr("text put before the results (optional)"))
        self.engine_combo = QComboBox(web)
        self.engine_combo.setAccessibleName(self.tr("Search engine"))
        self.engine_combo.setEditable(True)
        self.engine_combo.setMinimumContentsLength(24)
        self.engine_combo.addItems(["", "native", "exa"])
        engine_line = self.engine_combo.lineEdit()
        assert engine_line is not None
        engine_line.setPlaceholderText(self.tr("default (native where the provider has it)"))
        web_form = QFormLayout(web)
        web_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        web_form.addRow(self.web_check)
        web_form.addRow(self.web_results.check, self.web_results.spin)
        web_form.addRow(self.tr("Search prompt"), self.search_prompt_edit)
        web_form.addRow(self.tr("Engine"), self.engine_combo)
        web_form.addRow(self._note(self.tr(
            "Same as choosing the :online variant; searches are billed per request."), web))

        layout = QVBoxLayout(page)
        note = self._openrouter_note(page)
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(reasoning)
        layout.addWidget(web)
        layout.addStretch(1)
        return page

    def _output_tab(self) -> QWidget:
        page = QWidget(self)
        structured = QGroupBox(self.tr("Structured output"), page)
        self.mode_combo = QComboBox(structured)
        self.mode_combo.setAccessibleName(self.tr("Structured output mode"))
        self.mode_combo.addItem(self.tr("Off (free text)"), "off")
        self.mode_combo.addItem(self.tr("JSON object"), "json_object")
        self.mode_combo.addItem(self.tr("JSON schema"), "json_schema")
        self.schema_name_edit = QLineEdit(structured)
        self.schema_name_edit.setAccessibleName(self.tr("Schema name"))
        self.schema_name_edit.setPlaceholderText("response")
        self.strict_check = QCheckBox(self.tr("Strict (the reply must match exactly)"),
                                      structured)
        self.strict_check.setAccessibleName(self.tr("Strict schema"))
        self.schema_edit = QPlainTextEdit(structured)
        self.schema_edit.setAccessibleName(self.tr("JSON schema"))
        self.schema_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.schema_edit.setTabChangesFocus(True)
        self.schema_edit.setPlaceholderText(
            '{\n  "type": "object",\n  "properties": {"answer": {"type": "string"}},\n'
            '  "required": ["answer"]\n}')
        self.schema_edit.setMinimumHeight(120)
        self.schema_status = QLabel(structured)
        self.schema_status.setObjectName("schemaStatus")
        self.schema_status.setAccessibleName(self.tr("Schema check"))
        self.schema_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_combo)
        mode_row.addWidget(self._flag("structured", structured), 1)
        name_row = QHBoxLayout()
        name_row.addWidget(self.schema_name_edit, 1)
        name_row.addWidget(self.strict_check)
        form = QFormLayout(structured)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Mode"), mode_row)
        form.addRow(self.tr("Name"), name_row)
        form.addRow(self.tr("Schema"), self.schema_edit)
        form.addRow("", self.schema_status)

        context = QGroupBox(self.tr("Context"), page)
        self._openrouter_only.append(context)
        self.caching_check = QCheckBox(
            self.tr("Prompt caching: mark the system prompt and long messages for models that "
                    "need it (Anthropic, Gemini)"), context)
        self.caching_check.setAccessibleName(self.tr("Prompt caching"))
        self.middle_out = _TriState(
            (self.tr("Default (on for models with ≤ 8k context)"),
             self.tr("On: drop the middle of chats that are too long"),
             self.tr("Off: fail when the chat is too long")),
            self.tr("Middle-out compression"), context)
        context_form = QFormLayout(context)
        context_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        context_form.addRow(self.caching_check)
        context_form.addRow(self.tr("Middle-out"), self.middle_out)

        files = QGroupBox(self.tr("Files and images"), page)
        self._openrouter_only.append(files)
        self.pdf_combo = QComboBox(files)
        self.pdf_combo.setAccessibleName(self.tr("PDF reading"))
        self.pdf_combo.addItem(self.tr("Default (text extraction, free)"), None)
        self.pdf_combo.addItem(self.tr("Text extraction (pdf-text, free)"), "pdf-text")
        self.pdf_combo.addItem(self.tr("OCR for scans (mistral-ocr, billed per page)"),
                               "mistral-ocr")
        self.pdf_combo.addItem(self.tr("Native (the model reads the PDF itself)"), "native")
        files_form = QFormLayout(files)
        files_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        files_form.addRow(self.tr("PDF reading"), self.pdf_combo)
        self.image_output = _TriState(
            (self.tr("Automatic (on for models that make images)"),
             self.tr("On: ask for images"),
             self.tr("Off: text only")),
            self.tr("Image output"), files)
        self.aspect_combo = QComboBox(files)
        self.aspect_combo.setAccessibleName(self.tr("Image aspect ratio"))
        self.aspect_combo.addItem(self.tr("Model default"), None)
        for ratio in ASPECT_RATIOS:
            self.aspect_combo.addItem(ratio, ratio)
        files_form.addRow(self.tr("Image output"), self.image_output)
        files_form.addRow(self.tr("Aspect ratio"), self.aspect_combo)

        layout = QVBoxLayout(page)
        layout.addWidget(structured, 1)
        note = self._openrouter_note(page)
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(context)
        layout.addWidget(files)
        return page

    # ---- loading and reading -----------------------------------------------------------

    @staticmethod
    def _select_data(combo: QComboBox, value: object) -> None:
        """Select the item carrying `value`; an unknown value (from a newer Parley) is added."""
        index = combo.findData(value)
        if index < 0 and value is not None:
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def _load(self, o: ConversationOptions) -> None:
        self.system_prompt.setPlainText(o.system_prompt or "")
        self.fallback_list.addItems([m for m in o.models if isinstance(m, str)])
        for spec in (*_SAMPLING, _TOP_LOGPROBS):
            self._numbers[spec.name].load(getattr(o, spec.name))
        self.logprobs_check.setChecked(o.logprobs is True)
        self.stop_edit.setPlainText("\n".join(_escape_stop(s) for s in o.stop or []
                                              if isinstance(s, str)))
        self.logit_bias_edit.setPlainText(
            json.dumps(o.logit_bias, indent=1) if o.logit_bias else "")

        p = o.provider
        self.order_edit.setText(_join_list(p.order))
        self.only_edit.setText(_join_list(p.only))
        self.ignore_edit.setText(_join_list(p.ignore))
        self.quantizations_edit.setText(_join_list(p.quantizations))
        self._select_data(self.sort_combo, p.sort)
        self.allow_fallbacks.set_value(p.allow_fallbacks)
        self.deny_check.setChecked(p.data_collection == "deny")
        self.zdr_check.setChecked(p.zdr is True)
        self.require_check.setChecked(p.require_parameters is True)
        max_price = p.max_price if isinstance(p.max_price, dict) else {}
        for key, field in self._max_price.items():
            field.load(max_price.get(key))

        r = o.reasoning
        self._select_data(self.effort_combo, r.effort)
        self.reasoning_tokens.load(r.max_tokens)
        self.exclude_check.setChecked(r.exclude is True)
        self.reasoning_enabled.set_value(r.enabled)
        w = o.web_search
        self.web_check.setChecked(bool(w.enabled))
        self.web_results.load(w.max_results)
        self.search_prompt_edit.setText(w.search_prompt or "")
        self.engine_combo.setEditText(w.engine or "")

        s = o.structured
        self._select_data(self.mode_combo, s.mode)
        self.schema_name_edit.setText(s.name or "")
        self.strict_check.setChecked(s.strict is True)
        self.schema_edit.setPlainText(json.dumps(s.schema, indent=2) if s.schema else "")
        self.caching_check.setChecked(o.prompt_caching is True)
        self.middle_out.set_value(o.middle_out)
        self._select_data(self.pdf_combo, o.pdf_engine)
        self.image_output.set_value(o.image_output)
        self._select_data(self.aspect_combo, o.image_aspect_ratio)

    def _read_stop(self) -> list[str] | None:
        lines = [_unescape_stop(line) for line in self.stop_edit.toPlainText().split("\n")]
        stops = [line for line in lines if line]
        if stops:
            return stops
        return self._original.stop if self._original.stop == [] else None

    def _json_error(self, exc: json.JSONDecodeError) -> str:
        """e.g. "line 3, column 7: Expecting ',' delimiter" (Python's message is English)."""
        return self.tr("line {line}, column {column}: {message}").format(
            line=exc.lineno, column=exc.colno, message=exc.msg)

    def _read_logit_bias(self) -> tuple[dict[str, float] | None, str | None]:
        text = self.logit_bias_edit.toPlainText().strip()
        if not text:
            return None, None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, self.tr("Logit bias is not valid JSON ({where}).").format(
                where=self._json_error(exc))
        if not isinstance(value, dict):
            return None, self.tr('Logit bias must be a JSON object like {"50256": -100}.')
        return value, None

    def _read_schema(self) -> tuple[dict[str, Any] | None, str | None]:
        """The schema editor's object, or the reason it is not a usable schema."""
        text = self.schema_edit.toPlainText().strip()
        if not text:
            return None, None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, self.tr("The schema is not valid JSON ({where}).").format(
                where=self._json_error(exc))
        if not isinstance(value, dict):
            return None, self.tr("The schema must be a JSON object.")
        if "type" not in value:
            return value, self.tr('The schema needs a "type" (usually "object").')
        return value, None

    def _collect(self) -> tuple[ConversationOptions, list[str]]:
        """The options as edited, and input errors that `validate()` cannot see."""
        o = self._original.clone()
        errors: list[str] = []
        o.system_prompt = _text_or_none(self.system_prompt.toPlainText(), o.system_prompt)
        o.models = [self.fallback_list.item(i).text() for i in range(self.fallback_list.count())]
        for spec in (*_SAMPLING, _TOP_LOGPROBS):
            setattr(o, spec.name, self._numbers[spec.name].value())
        o.logprobs = _checked(self.logprobs_check, self._original.logprobs)
        o.stop = self._read_stop()
        bias, bias_error = self._read_logit_bias()
        if bias_error:
            errors.append(bias_error)
            o.logit_bias = self._original.logit_bias
        else:
            o.logit_bias = bias
        self.logit_bias_status.setText(bias_error or "")
        self.logit_bias_status.setVisible(bool(bias_error))

        p = o.provider
        original_p = self._original.provider
        p.order = _split_list(self.order_edit.text(), original_p.order)
        p.only = _split_list(self.only_edit.text(), original_p.only)
        p.ignore = _split_list(self.ignore_edit.text(), original_p.ignore)
        p.quantizations = _split_list(self.quantizations_edit.text(), original_p.quantizations)
        p.sort = self.sort_combo.currentData()
        p.allow_fallbacks = self.allow_fallbacks.value()
        if self.deny_check.isChecked():
            p.data_collection = "deny"
        else:
            p.data_collection = (original_p.data_collection
                                 if original_p.data_collection != "deny" else None)
        p.zdr = _checked(self.zdr_check, original_p.zdr)
        p.require_parameters = _checked(self.require_check, original_p.require_parameters)
        prices = {key: field.value() for key, field in self._max_price.items()}
        p.max_price = {k: v for k, v in prices.items() if v is not None} or None

        o.reasoning = ReasoningOptions(
            effort=self.effort_combo.currentData(),
            max_tokens=self.reasoning_tokens.value(),
            exclude=_checked(self.exclude_check, self._original.reasoning.exclude),
            enabled=self.reasoning_enabled.value(),
        )
        w = o.web_search
        w.enabled = self.web_check.isChecked()
        w.max_results = self.web_results.value()
        w.search_prompt = _text_or_none(self.search_prompt_edit.text(),
                                        self._original.web_search.search_prompt)
        w.engine = _text_or_none(self.engine_combo.currentText().strip(),
                                 self._original.web_search.engine)

        mode = self.mode_combo.currentData()
        schema, schema_error = self._read_schema()
        original_s = self._original.structured
        if schema_error and mode == "json_schema":
            errors.append(schema_error)
        if schema is None and self.schema_edit.toPlainText().strip():
            schema = original_s.schema  # unparsable text: keep the stored schema for now
        o.structured = StructuredOutput(
            mode=mode if isinstance(mode, str) else "off",
            schema=schema,
            name=_text_or_none(self.schema_name_edit.text().strip(), original_s.name),
            strict=_checked(self.strict_check, original_s.strict),
        )
        self._show_schema_status(mode, schema_error)
        o.prompt_caching = _checked(self.caching_check, self._original.prompt_caching)
        o.middle_out = self.middle_out.value()
        o.pdf_engine = self.pdf_combo.currentData()
        o.image_output = self.image_output.value()
        o.image_aspect_ratio = self.aspect_combo.currentData()
        return o, errors

    def _show_schema_status(self, mode: object, error: str | None) -> None:
        has_text = bool(self.schema_edit.toPlainText().strip())
        if error:
            self.schema_status.setText("⚠ " + error)
            self.schema_status.setStyleSheet(ERROR_STYLE)
        elif has_text:
            self.schema_status.setText("✓ " + self.tr("Valid JSON schema"))
            self.schema_status.setStyleSheet(OK_STYLE)
        elif mode == "json_schema":
            self.schema_status.setText(self.tr("Paste or write a JSON schema."))
            self.schema_status.setStyleSheet("")
        else:
            self.schema_status.setText("")

    # ---- results -------------------------------------------------------------------------

    def options(self) -> ConversationOptions:
        """The edited options (a new object; the one passed in is never changed)."""
        return self._collect()[0]

    def save_as_default(self) -> bool:
        """True when the user wants these settings for new conversations too."""
        return self.default_check.isChecked()

    def problems(self) -> list[str]:
        """What keeps OK disabled (empty when the options can be used)."""
        options, errors = self._collect()
        return errors + options.validate()

    def request_preview(self) -> dict[str, Any]:
        """The request fields these options produce (what the preview shows)."""
        return self.options().to_payload(self._preview_model(), self._endpoint_kind)

    def _preview_model(self) -> str:
        return self._model.id if self._model is not None else "<model>"

    # ---- behaviour -----------------------------------------------------------------------

    def _connect_signals(self) -> None:
        changed = self._refresh
        for box in self.findChildren(QCheckBox):
            if box is not self.default_check:
                box.toggled.connect(changed)
        for combo in self.findChildren(QComboBox):
            if combo is self.fallback_combo:
                continue  # the text being typed is not an option until it is added
            combo.currentIndexChanged.connect(changed)
            if combo.isEditable():
                combo.editTextChanged.connect(changed)
        for line in self.findChildren(QLineEdit):
            if not isinstance(line.parent(), QComboBox | QAbstractSpinBox):
                line.textChanged.connect(changed)
        for spin in self.findChildren(QSpinBox):
            spin.valueChanged.connect(changed)
        for dspin in self.findChildren(QDoubleSpinBox):
            dspin.valueChanged.connect(changed)
        for edit in (self.system_prompt, self.stop_edit, self.logit_bias_edit, self.schema_edit):
            edit.textChanged.connect(changed)
        list_model = self.fallback_list.model()
        list_model.rowsInserted.connect(changed)
        list_model.rowsRemoved.connect(changed)
        list_model.rowsMoved.connect(changed)
        self.fallback_list.currentRowChanged.connect(self._update_list_buttons)
        self.add_button.clicked.connect(self._add_fallback)
        self.remove_button.clicked.connect(self._remove_fallback)
        self.up_button.clicked.connect(lambda: self._move_fallback(-1))
        self.down_button.clicked.connect(lambda: self._move_fallback(1))
        self.effort_combo.currentIndexChanged.connect(self._effort_changed)
        self.reasoning_tokens.check.toggled.connect(self._budget_toggled)
        self.preview_button.toggled.connect(self._toggle_preview)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # Enter in the "model to add" field adds it instead of closing the dialog.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched is self.fallback_combo.lineEdit()
        ):
            self._add_fallback()
            return True
        return super().eventFilter(watched, event)

    def _refresh(self, *_: object) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            options, errors = self._collect()
            problems = errors + options.validate()
            self.problems_label.setText("\n".join(f"⚠ {p}" for p in problems))
            self.problems_label.setVisible(bool(problems))
            self.ok_button.setEnabled(not problems)
            self._update_flags(options)
            if self.preview.isVisible() or self.preview_button.isChecked():
                self._update_preview(options)
            self._update_list_buttons()
        finally:
            self._updating = False

    def _supported(self) -> tuple[str, ...]:
        return self._model.supported_parameters if self._model is not None else ()

    def _update_flags(self, options: ConversationOptions) -> None:
        supported = self._supported()
        model_name = self._model.name if self._model is not None else ""
        text = self.tr("not supported by {model}").format(model=model_name)
        tip = self.tr("{model} does not list this parameter; OpenRouter drops it unless "
                      "“Require parameters” is on (Routing).").format(model=model_name)
        # Every parameter the model lacks is flagged, set or not, so users see it before
        # they spend a request on it.
        probe = ConversationOptions(
            temperature=1.0, top_p=1.0, top_k=1, frequency_penalty=0.0, presence_penalty=0.0,
            repetition_penalty=1.0, min_p=0.0, top_a=0.0, seed=0, max_tokens=1, stop=["x"],
            logit_bias={"1": 0}, logprobs=True, top_logprobs=1,
            reasoning=ReasoningOptions(effort="high"),
            structured=options.structured,
        )
        missing = set(probe.unsupported(supported))
        for name, label in self._flags.items():
            if name == "structured":
                lacking = bool(missing & {"structured_outputs", "response_format"})
            else:
                lacking = name in missing
            label.setText(text if lacking else "")
            label.setToolTip(tip if lacking else "")
            label.setVisible(lacking)
        in_use = options.unsupported(supported)
        self.warnings_label.setText(
            self.tr("Not supported by {model} and probably ignored: {names}").format(
                model=model_name, names=", ".join(in_use)) if in_use else "")
        self.warnings_label.setVisible(bool(in_use))
        self.schema_name_edit.setEnabled(options.structured.mode == "json_schema")
        self.strict_check.setEnabled(options.structured.mode == "json_schema")
        self.schema_edit.setEnabled(options.structured.mode == "json_schema")

    def _update_preview(self, options: ConversationOptions) -> None:
        body = options.to_payload(self._preview_model(), self._endpoint_kind)
        self.preview.setPlainText(json.dumps(body, indent=2, ensure_ascii=False))

    def _toggle_preview(self, shown: bool) -> None:
        self.preview_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.preview.setVisible(shown)
        if shown:
            self._update_preview(self.options())

    def _effort_changed(self, *_: object) -> None:
        # OpenRouter takes an effort or a budget; choosing one clears the other.
        if self.effort_combo.currentData() is not None:
            self.reasoning_tokens.check.setChecked(False)

    def _budget_toggled(self, on: bool) -> None:
        if on:
            self.effort_combo.setCurrentIndex(0)

    def _add_fallback(self) -> None:
        text = self.fallback_combo.currentText().strip()
        existing = {self.fallback_list.item(i).text() for i in range(self.fallback_list.count())}
        if text and text not in existing:
            self.fallback_list.addItem(text)
            self.fallback_list.setCurrentRow(self.fallback_list.count() - 1)
        self.fallback_combo.setCurrentIndex(-1)
        self.fallback_combo.setEditText("")

    def _remove_fallback(self) -> None:
        row = self.fallback_list.currentRow()
        if row >= 0:
            self.fallback_list.takeItem(row)

    def _move_fallback(self, step: int) -> None:
        row = self.fallback_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.fallback_list.count():
            return
        item = self.fallback_list.takeItem(row)
        self.fallback_list.insertItem(target, item)
        self.fallback_list.setCurrentRow(target)

    def _update_list_buttons(self, *_: object) -> None:
        row = self.fallback_list.currentRow()
        count = self.fallback_list.count()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
