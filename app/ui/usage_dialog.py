"""View > Usage: spend per day, by model, the dearest conversations, credit and budget.

The dialog never reads the database: it asks `load` (the controller, which adds the
figures up on a worker thread) and shows what comes back. A newer request replaces an
older one still running, so switching ranges quickly never shows stale figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.usage import UNKNOWN, UsageRange, to_csv
from app.ui.charts import SpendChart

if TYPE_CHECKING:
    from app.core.client import KeyInfo
    from app.core.usage import Dashboard

#: (range, "model" | "endpoint") -> the figures
Loader = Callable[[UsageRange, str], Awaitable["Dashboard"]]
CreditLoader = Callable[[], Awaitable["KeyInfo | None"]]

RANGES = ("week", "30 days", "month", "year", "custom")


def money(value: float | None) -> str:
    """$1.23, or more digits for the small amounts single replies cost."""
    if value is None:
        return UNKNOWN
    return f"${value:,.2f}" if value >= 1 or value == 0 else f"${value:,.4f}"


def _item(text: str, *, number: bool = False, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


class UsageDialog(QDialog):
    """The usage dashboard; `openConversation(id)` asks to open a conversation."""

    openConversation = Signal(int)
    #: figures shown (for tests and the status bar): the Dashboard
    loaded = Signal(object)

    #: columns of the per-model table
    MODEL_COLUMNS = 10

    def __init__(self, load: Loader, credit: CreditLoader | None = None,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Usage"))
        self.resize(980, 720)
        self._load = load
        self._credit = credit
        self._today = today or date.today()
        self._task: asyncio.Future[None] | None = None
        self._credit_task: asyncio.Future[None] | None = None
        self.dashboard: Dashboard | None = None

        self.range_box = QComboBox(self)
        self.range_box.setAccessibleName(self.tr("Range"))
        for key, label in zip(RANGES, (self.tr("Last 7 days"), self.tr("Last 30 days"),
                                       self.tr("This month"), self.tr("Last 12 months"),
                                       self.tr("Custom")), strict=True):
            self.range_box.addItem(label, key)
        self.range_box.setCurrentIndex(1)
        self.since_edit = QDateEdit(self)
        self.until_edit = QDateEdit(self)
        for edit, name in ((self.since_edit, self.tr("From")), (self.until_edit, self.tr("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.stack_box = QComboBox(self)
        self.stack_box.setAccessibleName(self.tr("Stack bars by"))
        self.stack_box.addItem(self.tr("By model"), "model")
        self.stack_box.addItem(self.tr("By endpoint"), "endpoint")
        self.png_button = QPushButton(self.tr("Save Chart as PNG…"), self)
        self.csv_button = QPushButton(self.tr("Save Numbers as CSV…"), self)
        top = QHBoxLayout()
        top.addWidget(self.range_box)
        top.addWidget(self.since_edit)
        top.addWidget(QLabel("–", self))
        top.addWidget(self.until_edit)
        top.addWidget(self.stack_box)
        top.addStretch(1)
        top.addWidget(self.png_button)
        top.addWidget(self.csv_button)

        self.summary = QLabel(self)
        self.summary.setObjectName("usageSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.budget_line = QLabel(self)
        self.budget_line.setObjectName("usageBudget")
        self.budget_line.setWordWrap(True)
        self.credit_line = QLabel(self)
        self.credit_line.setObjectName("usageCredit")
        self.credit_line.setWordWrap(True)

        self.chart = SpendChart(self)
        self.models_table = QTableWidget(0, self.MODEL_COLUMNS, self)
        self.models_table.setAccessibleName(self.tr("Spend by model"))
        self.models_table.setHorizontalHeaderLabels([
            self.tr("Model"), self.tr("Replies"), self.tr("Prompt"), self.tr("Completion"),
            self.tr("Reasoning"), self.tr("Cached"), self.tr("Cost"), self.tr("Avg / reply"),
            self.tr("Median TTFT"), self.tr("Tokens/s")])
        self.conversations_table = QTableWidget(0, 3, self)
        self.conversations_table.setAccessibleName(self.tr("Most expensive conversations"))
        self.conversations_table.setHorizontalHeaderLabels(
            [self.tr("Conversation"), self.tr("Replies"), self.tr("Cost")])
        self.conversations_table.setToolTip(self.tr("Double-click to open the conversation"))
        for table in (self.models_table, self.conversations_table):
            table.verticalHeader().setVisible(False)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setAlternatingRowColors(True)
            table.setWordWrap(False)
            table.horizontalHeader().setSectionResizeMode(
                QHeaderView.ResizeMode.ResizeToContents)
        self.models_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Interactive)
        self.models_table.setColumnWidth(0, 220)
        self.conversations_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.models_table)
        lower.addWidget(self.conversations_table)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([640, 320])
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(self.chart)
        body.addWidget(lower)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.budget_line)
        layout.addWidget(self.credit_line)
        layout.addWidget(body, 1)
        layout.addWidget(self.buttons)
        self._set_dates(self.span_for("30 days"))
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.range_box.currentIndexChanged.connect(self._range_chosen)
        self.since_edit.dateChanged.connect(self._custom_changed)
        self.until_edit.dateChanged.connect(self._custom_changed)
        self.stack_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.png_button.clicked.connect(self._ask_png)
        self.csv_button.clicked.connect(self._ask_csv)
        self.conversations_table.cellDoubleClicked.connect(self._open_row)
        self.buttons.rejected.connect(self.reject)

    # ---- range ---------------------------------------------------------------------

    def span_for(self, key: str) -> UsageRange:
        """The range a choice of the range box means, ending today."""
        today = self._today
        if key == "week":
            return UsageRange.last_days(7, today)
        if key == "month":
            return UsageRange.this_month(today)
        if key == "year":
            return UsageRange.last_days(365, today)
        if key == "custom":
            return self.custom_span()
        return UsageRange.last_days(30, today)

    def custom_span(self) -> UsageRange:
        """The dates in the two date fields (swapped when given backwards)."""
        a, b = (date(q.year(), q.month(), q.day())
                for q in (self.since_edit.date(), self.until_edit.date()))
        return UsageRange(min(a, b), max(a, b))

    def current_span(self) -> UsageRange:
        """The range shown now."""
        return self.span_for(str(self.range_box.currentData()))

    def _set_dates(self, span: UsageRange) -> None:
        for edit, day in ((self.since_edit, span.since), (self.until_edit, span.until)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _range_chosen(self, _index: int) -> None:
        custom = self.range_box.currentData() == "custom"
        self.since_edit.setEnabled(custom)
        self.until_edit.setEnabled(custom)
        if not custom:
            self._set_dates(self.current_span())
        self.refresh()

    def _custom_changed(self, _date: QDate) -> None:
        if self.range_box.currentData() == "custom":
            self.refresh()

    def set_range(self, key: str) -> None:
        """Choose one of RANGES (as the range box does)."""
        self.range_box.setCurrentIndex(RANGES.index(key))

    # ---- loading -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.dashboard is None and self._task is None:
            self.refresh()
            if self._credit is not None and self._credit_task is None:
                self.credit_line.setText(self.tr("OpenRouter credit: asking…"))
                self._credit_task = asyncio.ensure_future(self._fetch_credit())

    def refresh(self) -> None:
        """Load the figures of the range and stacking chosen now (replacing a load underway)."""
        if self._task is not None:
            self._task.cancel()
        self.summary.setText(self.tr("Adding up…"))
        self._task = asyncio.ensure_future(
            self._fetch(self.current_span(), str(self.stack_box.currentData())))

    async def _fetch(self, span: UsageRange, stack: str) -> None:
        from app.core.errors import ParleyError

        try:
            result = await self._load(span, stack)
        except asyncio.CancelledError:
            raise
        except ParleyError as exc:
            self.summary.setText(f"⚠ {exc}")
            self._task = None
            return
        self._task = None
        self.show_dashboard(result)

    async def _fetch_credit(self) -> None:
        assert self._credit is not None
        try:
            info = await self._credit()
        finally:
            self._credit_task = None
        if info is None:
            self.credit_line.setText(self.tr("OpenRouter credit: unknown (no key, or the "
                                             "endpoint did not answer)."))
        else:
            self.credit_line.setText(self.tr("OpenRouter: {text}.").format(text=info.describe()))

    def show_dashboard(self, d: Dashboard) -> None:
        """Show the figures of one range."""
        self.dashboard = d
        t = d.totals
        noun = self.tr("reply") if t.replies == 1 else self.tr("replies")
        text = self.tr("{since} to {until}: {cost} over {n} {noun}").format(
            since=d.span.since, until=d.span.until, cost=money(t.cost), n=f"{t.replies:,}",
            noun=noun)
        text += self.tr(" · {p} prompt and {c} completion tokens").format(
            p=f"{t.prompt_tokens:,}", c=f"{t.completion_tokens:,}")
        if t.unpriced:
            text += " · " + self.tr("{note} (not in the cost)").format(note=t.unpriced_note())
        self.summary.setText(text)
        self._show_budget(d)
        self.chart.set_data(d.span.days(), [(s.day, s.key, s.cost, s.replies, s.unpriced)
                                             for s in d.days])
        self._fill_models(d)
        self._fill_conversations(d)
        self.loaded.emit(d)

    def _show_budget(self, d: Dashboard) -> None:
        b = d.budget
        if b.monthly_budget is None:
            self.budget_line.setText(self.tr("This month: {spent} (no monthly budget set in "
                                             "Settings).").format(spent=money(b.month_spent)))
        else:
            self.budget_line.setText(self.tr("This month: {spent} of your {budget} budget "
                                             "({share:.0%}).").format(
                spent=money(b.month_spent), budget=money(b.monthly_budget),
                share=b.month_spent / b.monthly_budget if b.monthly_budget else 1.0))
        if b.level:
            self.budget_line.setText(f"⚠ {b.message()}")

    def _fill_models(self, d: Dashboard) -> None:
        table = self.models_table
        table.setSortingEnabled(False)
        table.setRowCount(len(d.models))
        for row, m in enumerate(d.models):
            # Nothing reported a cost: "—", not a $0.00 that reads as "free".
            cost = (UNKNOWN if m.unpriced == m.replies
                    else money(m.cost) + ("*" if m.unpriced else ""))
            cells = [
                _item(m.model),
                _item(f"{m.replies:,}", number=True),
                _item(f"{m.prompt_tokens:,}", number=True),
                _item(f"{m.completion_tokens:,}", number=True),
                _item(f"{m.reasoning_tokens:,}", number=True),
                _item(f"{m.cached_tokens:,}", number=True),
                _item(cost, number=True),
                _item(money(m.average_cost), number=True),
                _item(UNKNOWN if m.median_ttft is None else f"{m.median_ttft:.2f} s",
                      number=True),
                _item(UNKNOWN if m.tokens_per_second is None
                      else f"{m.tokens_per_second:.0f}", number=True),
            ]
            if m.unpriced:
                cells[6].setToolTip(self.tr("{n} replies without a reported cost are not "
                                            "in this figure").format(n=m.unpriced))
            for column, item in enumerate(cells):
                table.setItem(row, column, item)

    def _fill_conversations(self, d: Dashboard) -> None:
        table = self.conversations_table
        table.setRowCount(len(d.conversations))
        for row, c in enumerate(d.conversations):
            title = c.title + (self.tr(" (in the trash)") if c.trashed else "")
            table.setItem(row, 0, _item(title, data=c.conversation_id))
            table.setItem(row, 1, _item(f"{c.replies:,}", number=True))
            cost = (UNKNOWN if c.unpriced == c.replies
                    else money(c.cost) + ("*" if c.unpriced else ""))
            table.setItem(row, 2, _item(cost, number=True))

    def _open_row(self, row: int, _column: int) -> None:
        item = self.conversations_table.item(row, 0)
        if item is not None:
            self.openConversation.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    # ---- export --------------------------------------------------------------------

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save Chart"), "parley-usage.png",
                                              self.tr("PNG image (*.png)"))
        if path:
            self.save_png(Path(path))

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save Numbers"), "parley-usage.csv",
                                              self.tr("CSV (*.csv)"))
        if path:
            self.save_csv(Path(path))

    def save_png(self, path: Path) -> bool:
        """Write the chart to `path`; says in the summary when it could not."""
        if self.chart.save_png(path):
            return True
        self.summary.setText(self.tr("⚠ The chart could not be saved to {path}: check that "
                                     "the folder exists and is writable.").format(path=path))
        return False

    def save_csv(self, path: Path) -> bool:
        """Write the per-model figures of the range as CSV (as `parley usage --csv`)."""
        if self.dashboard is None:
            return False
        try:
            path.write_text(to_csv(self.dashboard.rows), encoding="utf-8")
        except OSError as exc:
            self.summary.setText(self.tr("⚠ The numbers could not be saved to {path}: "
                                         "{error}.").format(path=path,
                                                            error=exc.strerror or exc))
            return False
        return True

    def done(self, result: int) -> None:
        for task in (self._task, self._credit_task):
            if task is not None:
                task.cancel()
        super().done(result)
