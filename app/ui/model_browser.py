"""Model browser: search, sort and star the endpoint's models, pick variant suffixes.

The dialog only shows data it is given (`ModelInfo` objects) and reports results through
signals; the app loads the catalog and saves favourites. With a few hundred models the
text filter runs on every key press: each row's lower-cased search text is computed once.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import math
from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.models_cache import ModelCatalog, format_price, price_per_million
from app.core.options import SUFFIXES, ConversationOptions
from app.ui.search_field import SearchField

if TYPE_CHECKING:
    # Types only: widgets never import the HTTP client at run time.
    from app.core.client import ModelInfo

AUTO_ID = "openrouter/auto"

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    FAVOURITE = 0
    NAME = 1
    ID = 2
    CONTEXT = 3
    PROMPT = 4
    COMPLETION = 5
    INPUT = 6
    BADGES = 7


#: roles beyond Qt's own
ID_ROLE = Qt.ItemDataRole.UserRole + 1
FAVOURITE_ROLE = Qt.ItemDataRole.UserRole + 2


def compact_count(n: int | None) -> str:
    """200000 -> "200K", 1048576 -> "1.05M"; "" when unknown."""
    if n is None or n <= 0:
        return ""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g}M"
    if n >= 1000:
        return f"{n / 1000:.0f}K"
    return str(n)


def _price_cell(price: float | None, free: str, varies: str) -> str:
    """A per-token price as USD per million tokens for the table."""
    per_million = price_per_million(price)
    if per_million is None:
        return "—"
    if per_million < 0:
        return varies  # OpenRouter lists -1 when the price depends on the routed model
    if per_million == 0:
        return free
    return f"${per_million:,.2f}" if per_million >= 0.01 else f"${per_million:.4f}"


def _unit_price(price: float) -> str:
    return "$0" if price == 0 else f"${price:.6g}"


def _price_key(price: float | None) -> float:
    # Unknown and "varies" sort after every real price in ascending order.
    return math.inf if price is None or price < 0 else price


class ModelTableModel(QAbstractTableModel):
    """The models as table rows; the pseudo "auto" entry, when present, is row 0."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ModelInfo] = []
        self._haystacks: list[str] = []
        self._favourites: list[str] = []
        self._favourite_set: set[str] = set()
        self.pinned_id: str | None = None

    # ---- data in

    def set_models(self, models: Sequence[ModelInfo], *, with_auto: bool) -> None:
        """Replace the rows (a model reset: the view's selection must be restored)."""
        self.beginResetModel()
        rows = [m for m in models if not (with_auto and m.id == AUTO_ID)]
        self.pinned_id = None
        if with_auto:
            listed = next((m for m in models if m.id == AUTO_ID), None)
            rows.insert(0, self._auto_entry(listed))
            self.pinned_id = AUTO_ID
        self._rows = rows
        self._haystacks = [
            f"{m.name}\n{m.id}\n{m.description}".casefold() for m in rows
        ]
        self.endResetModel()

    def _auto_entry(self, listed: ModelInfo | None) -> ModelInfo:
        """The pinned "openrouter/auto" row: the catalog's entry when it has one, renamed."""
        name = self.tr("Auto (best model for the prompt)")
        description = self.tr(
            "OpenRouter picks a model for each prompt and bills that model's price.")
        if listed is not None:
            return dataclasses.replace(
                listed, name=name, description=listed.description or description)
        # Not listed (an old cache): a /models entry of our own; -1 means "price varies".
        raw = {"id": AUTO_ID, "name": name, "description": description,
               "pricing": {"prompt": "-1", "completion": "-1"}}
        return ModelCatalog(AUTO_ID, 0.0, raw=[raw]).models[0]

    def set_favourites(self, favourites: Sequence[str]) -> None:
        self._favourites = list(dict.fromkeys(favourites))
        self._favourite_set = set(self._favourites)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.FAVOURITE), self.index(len(self._rows) - 1, Column.FAVOURITE)
            )

    def favourites(self) -> list[str]:
        return list(self._favourites)

    def toggle_favourite(self, row: int) -> bool:
        """Star or unstar the model in `row`; returns True when it is now a favourite."""
        model_id = self._rows[row].id
        if model_id in self._favourite_set:
            self._favourite_set.discard(model_id)
            self._favourites.remove(model_id)
            starred = False
        else:
            self._favourite_set.add(model_id)
            self._favourites.append(model_id)
            starred = True
        idx = self.index(row, Column.FAVOURITE)
        self.dataChanged.emit(idx, idx)
        return starred

    # ---- data out

    def info(self, row: int) -> ModelInfo:
        return self._rows[row]

    def row_of(self, model_id: str) -> int:
        for i, m in enumerate(self._rows):
            if m.id == model_id:
                return i
        return -1

    def haystack(self, row: int) -> str:
        return self._haystacks[row]

    def is_favourite(self, row: int) -> bool:
        return self._rows[row].id in self._favourite_set

    def sort_key(self, row: int, column: int) -> tuple[Any, ...]:
        """What a column sorts by: numbers as numbers, text case-insensitively."""
        m = self._rows[row]
        name = m.name.casefold()
        if column == Column.FAVOURITE:
            return (0 if m.id in self._favourite_set else 1, name)
        if column == Column.ID:
            return (m.id.casefold(),)
        if column == Column.CONTEXT:
            return (m.context_length or 0, name)
        if column == Column.PROMPT:
            return (_price_key(m.prompt_price), name)
        if column == Column.COMPLETION:
            return (_price_key(m.completion_price), name)
        if column == Column.INPUT:
            return (", ".join(m.input_modalities), name)
        if column == Column.BADGES:
            return (self._badges(m), name)
        return (name, m.id)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                Column.FAVOURITE: "★",
                Column.NAME: self.tr("Name"),
                Column.ID: self.tr("ID"),
                Column.CONTEXT: self.tr("Context"),
                Column.PROMPT: self.tr("Prompt $/1M"),
                Column.COMPLETION: self.tr("Completion $/1M"),
                Column.INPUT: self.tr("Input"),
                Column.BADGES: self.tr("Badges"),
            }.get(Column(section))
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                Column.FAVOURITE: self.tr("Favourite (click a star, or Ctrl+D)"),
                Column.CONTEXT: self.tr("Context window in tokens"),
                Column.PROMPT: self.tr("USD per million prompt tokens"),
                Column.COMPLETION: self.tr("USD per million completion tokens"),
                Column.INPUT: self.tr("What the model accepts as input"),
            }.get(Column(section))
        return None

    def _badges(self, m: ModelInfo) -> str:
        badges = []
        if m.is_free:
            badges.append(self.tr("free"))
        if m.is_reasoning:
            badges.append(self.tr("reasoning"))
        return " · ".join(badges)

    def tooltip(self, m: ModelInfo) -> str:
        params = ", ".join(m.supported_parameters) or self.tr("not listed")
        return self.tr("{name}\n{id}\nSupported parameters: {params}").format(
            name=m.name, id=m.id, params=params
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            free, varies = self.tr("free"), self.tr("varies")
            if col == Column.FAVOURITE:
                return "★" if m.id in self._favourite_set else "☆"
            if col == Column.NAME:
                return m.name
            if col == Column.ID:
                return m.id
            if col == Column.CONTEXT:
                return compact_count(m.context_length)
            if col == Column.PROMPT:
                return _price_cell(m.prompt_price, free, varies)
            if col == Column.COMPLETION:
                return _price_cell(m.completion_price, free, varies)
            if col == Column.INPUT:
                return ", ".join(m.input_modalities)
            if col == Column.BADGES:
                return self._badges(m)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == Column.FAVOURITE:
                return (self.tr("Remove from favourites") if m.id in self._favourite_set
                        else self.tr("Add to favourites"))
            return self.tooltip(m)
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (Column.CONTEXT, Column.PROMPT, Column.COMPLETION):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == Column.FAVOURITE:
                return int(Qt.AlignmentFlag.AlignCenter)
        elif role == Qt.ItemDataRole.AccessibleTextRole and col == Column.FAVOURITE:
            return self.tr("favourite") if m.id in self._favourite_set else self.tr(
                "not a favourite")
        elif role == ID_ROLE:
            return m.id
        elif role == FAVOURITE_ROLE:
            return m.id in self._favourite_set
        return None


class ModelFilter(QSortFilterProxyModel):
    """Text and favourites filter; numeric sort keys; the pinned entry stays on top."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._favourites_only = False

    def _table(self) -> ModelTableModel:
        source = self.sourceModel()
        assert isinstance(source, ModelTableModel)
        return source

    def set_text(self, text: str) -> None:
        terms = text.casefold().split()
        if terms == self._terms:
            return
        self.beginFilterChange()
        self._terms = terms
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_favourites_only(self, on: bool) -> None:
        self.beginFilterChange()
        self._favourites_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        table = self._table()
        if self._favourites_only and not table.is_favourite(source_row):
            return False
        haystack = table.haystack(source_row)
        return all(term in haystack for term in self._terms)

    def lessThan(self, left: _Index, right: _Index) -> bool:  # noqa: N802
        table = self._table()
        pinned = table.pinned_id
        if pinned is not None:
            left_pinned = table.info(left.row()).id == pinned
            right_pinned = table.info(right.row()).id == pinned
            if left_pinned != right_pinned:
                # Qt reverses lessThan for a descending sort; the pinned row stays first.
                ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
                return left_pinned if ascending else right_pinned
        column = left.column()
        return table.sort_key(left.row(), column) < table.sort_key(right.row(), column)


class ModelBrowser(QDialog):
    """Choose a model from the catalog; Enter or double-click chooses, Esc cancels."""

    #: the model id to use, with any chosen :suffix appended
    modelChosen = Signal(str)
    #: the favourite model ids, in the order they were starred
    favouritesChanged = Signal(list)

    def __init__(
        self,
        models: list[ModelInfo],
        *,
        current: str,
        favourites: list[str],
        endpoint_kind: str = "openrouter",
        favourites_first: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose a Model"))
        self.resize(1080, 660)
        self._openrouter = endpoint_kind == "openrouter"
        self._catalog = ModelCatalog("browser", 0.0, models=list(models))

        self.search = SearchField(parent=self, page_step=10)
        self.search.setObjectName("modelSearch")
        self.search.setAccessibleName(self.tr("Search models"))
        self.search.setPlaceholderText(self.tr("Search name, id or description…"))
        self.search.setClearButtonEnabled(True)
        self.favourites_only = QCheckBox(self.tr("Favourites only"), self)
        self.favourites_only.setAccessibleName(self.tr("Favourites only"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("hint")

        self.table_model = ModelTableModel(self)
        self.table_model.set_favourites(favourites)
        self.proxy = ModelFilter(self)
        self.proxy.setSourceModel(self.table_model)
        self.table = QTableView(self)
        self.table.setObjectName("modelTable")
        self.table.setAccessibleName(self.tr("Models"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((Column.FAVOURITE, 34), (Column.ID, 230), (Column.CONTEXT, 72),
                              (Column.PROMPT, 96), (Column.COMPLETION, 118),
                              (Column.INPUT, 100), (Column.BADGES, 150)):
            self.table.setColumnWidth(column, width)
        # As a picker for one slot of several (Compare), the starred models lead.
        header.setSortIndicator(Column.FAVOURITE if favourites_first else Column.NAME,
                                Qt.SortOrder.AscendingOrder)

        self.favourite_button = QPushButton("☆ " + self.tr("Favourite"), self)
        self.favourite_button.setAccessibleName(self.tr("Toggle favourite"))
        self.favourite_button.setToolTip(self.tr("Star or unstar the selected model (Ctrl+D)"))
        self.favourite_button.setAutoDefault(False)
        self.favourite_shortcut = QShortcut(QKeySequence("Ctrl+D"), self)

        self.details = QTextBrowser(self)
        self.details.setObjectName("modelDetails")
        self.details.setAccessibleName(self.tr("Model details"))
        self.details.setOpenLinks(False)
        self.details.setMinimumHeight(110)

        self.suffix_box = QWidget(self)
        variant_label = QLabel(self.tr("Variant:"), self.suffix_box)
        self.online_check = QCheckBox(self.tr(":online — web search"), self.suffix_box)
        self.online_check.setAccessibleName(self.tr("Online: add web search results"))
        self.nitro_check = QCheckBox(self.tr(":nitro — fastest provider"), self.suffix_box)
        self.nitro_check.setAccessibleName(self.tr("Nitro: prefer the fastest provider"))
        self.floor_check = QCheckBox(self.tr(":floor — cheapest provider"), self.suffix_box)
        self.floor_check.setAccessibleName(self.tr("Floor: prefer the cheapest provider"))
        self.free_check = QCheckBox(self.tr(":free — free variant"), self.suffix_box)
        self.free_check.setAccessibleName(self.tr("Free: use the free variant"))
        suffix_row = QHBoxLayout(self.suffix_box)
        suffix_row.setContentsMargins(0, 0, 0, 0)
        suffix_row.addWidget(variant_label)
        for box in (self.online_check, self.nitro_check, self.floor_check, self.free_check):
            suffix_row.addWidget(box)
        self.suffix_box.setVisible(self._openrouter)

        self.chosen_label = QLabel(self)
        self.chosen_label.setObjectName("hint")
        self.chosen_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chosen_label.setAccessibleName(self.tr("Model id that will be used"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.choose_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.choose_button.setText(self.tr("Choose"))
        self.choose_button.setAccessibleName(self.tr("Choose model"))
        self.choose_button.setDefault(True)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.favourites_only)
        top.addWidget(self.count_label)
        actions = QHBoxLayout()
        actions.addWidget(self.favourite_button)
        actions.addStretch(1)
        actions.addWidget(self.suffix_box)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([440, 140])
        bottom = QHBoxLayout()
        bottom.addWidget(self.chosen_label, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        layout.addLayout(bottom)

        order: list[QWidget] = [
            self.search, self.favourites_only, self.table, self.details, self.favourite_button,
            self.online_check, self.nitro_check, self.floor_check, self.free_check,
            self.choose_button,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

        self._connect_signals()
        self.table_model.set_models(models, with_auto=self._openrouter)
        self._apply_current(current)
        self._update_count()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._filter_changed)
        self.search.moved.connect(self._move_selection)
        self.favourites_only.toggled.connect(self._favourites_only_toggled)
        self.table.clicked.connect(self._cell_clicked)
        self.table.doubleClicked.connect(self._double_clicked)
        # selectionChanged, not currentRowChanged: selectRow() moves the current index
        # before it selects, so the selection is not there yet when the current changes.
        self.table.selectionModel().selectionChanged.connect(self._current_changed)
        self.favourite_button.clicked.connect(self.toggle_favourite)
        self.favourite_shortcut.activated.connect(self.toggle_favourite)
        self.nitro_check.toggled.connect(self._nitro_toggled)
        self.floor_check.toggled.connect(self._floor_toggled)
        for box in (self.online_check, self.free_check):
            box.toggled.connect(self._update_chosen_label)
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.search.setFocus()
        self._scroll_to_current()

    # ---- public API ----------------------------------------------------------------

    def set_models(self, models: list[ModelInfo]) -> None:
        """Show a newer catalog; the selected model and the suffixes stay as they were."""
        keep = self.selected_id()
        self._catalog = ModelCatalog("browser", 0.0, models=list(models))
        self.table_model.set_models(models, with_auto=self._openrouter)
        if keep is not None:
            self.select_model(keep)
        self._update_count()

    def favourites(self) -> list[str]:
        return self.table_model.favourites()

    def selected_id(self) -> str | None:
        """The selected model's id, without suffixes; None when nothing is selected."""
        row = self._selected_source_row()
        return None if row < 0 else self.table_model.info(row).id

    def selected_info(self) -> ModelInfo | None:
        row = self._selected_source_row()
        return None if row < 0 else self.table_model.info(row)

    def suffixes(self) -> list[str]:
        """The chosen suffixes (without colons) that apply to the selected model."""
        if not self._openrouter:
            return []
        chosen = []
        for suffix in SUFFIXES:
            box = self._suffix_box(suffix)
            if box.isChecked() and box.isEnabled():
                chosen.append(suffix)
        return chosen

    def chosen_id(self) -> str | None:
        """The id `modelChosen` would send: the selected model with its suffixes."""
        base = self.selected_id()
        if base is None:
            return None
        variant = ConversationOptions()
        for suffix in self.suffixes():
            setattr(variant, suffix, True)
        return variant.model_id(base, "openrouter")

    def select_model(self, model_id: str) -> bool:
        """Select the row of `model_id` (shown even if the filter hid it); False if unknown."""
        row = self.table_model.row_of(model_id)
        if row < 0:
            return False
        source = self.table_model.index(row, Column.NAME)
        proxied = self.proxy.mapFromSource(source)
        if not proxied.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            proxied,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(proxied, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def toggle_favourite(self) -> None:
        """Star or unstar the selected model."""
        row = self._selected_source_row()
        if row >= 0:
            self._toggle_row(row)

    def choose(self) -> None:
        """Emit the chosen id and close; nothing happens while no model is selected."""
        chosen = self.chosen_id()
        if chosen is None:
            return
        self.modelChosen.emit(chosen)
        self.accept()

    # ---- internals -----------------------------------------------------------------

    def _suffix_box(self, suffix: str) -> QCheckBox:
        return {"online": self.online_check, "nitro": self.nitro_check,
                "floor": self.floor_check, "free": self.free_check}[suffix]

    def _apply_current(self, current: str) -> None:
        """Select `current`, turning its :suffixes into checked boxes."""
        model_id = current.strip()
        chosen: list[str] = []
        while (
            self._openrouter and self.table_model.row_of(model_id) < 0 and ":" in model_id
        ):
            base, _, suffix = model_id.rpartition(":")
            if suffix not in SUFFIXES:
                break
            chosen.append(suffix)
            model_id = base
        if "free" in chosen and self.table_model.row_of(f"{model_id}:free") >= 0:
            model_id = f"{model_id}:free"  # the listed free variant is its own row
            chosen.remove("free")
        for suffix in chosen:
            self._suffix_box(suffix).setChecked(True)
        if not self.select_model(model_id) and self.proxy.rowCount() > 0:
            self.table.selectRow(0)
        self._update_suffix_availability()

    def _selected_source_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.mapToSource(rows[0]).row() if rows else -1

    def _scroll_to_current(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self.table.scrollTo(current, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _filter_changed(self, text: str) -> None:
        keep = self.selected_id()
        self.proxy.set_text(text)
        self._after_filter(keep)

    def _favourites_only_toggled(self, on: bool) -> None:
        keep = self.selected_id()
        self.proxy.set_favourites_only(on)
        self._after_filter(keep)

    def _after_filter(self, keep: str | None) -> None:
        # Keep the selection when it is still shown; otherwise select the best match so
        # Enter in the search field chooses what is on top.
        if (keep is None or not self.select_model(keep)) and self.proxy.rowCount() > 0:
            self.table.selectRow(0)
        self._update_count()
        self._show_details()

    def _move_selection(self, step: int) -> None:
        rows = self.proxy.rowCount()
        if rows == 0:
            return
        current = self.table.currentIndex()
        row = 0 if not current.isValid() else max(0, min(rows - 1, current.row() + step))
        self.table.selectRow(row)

    def _cell_clicked(self, index: QModelIndex) -> None:
        if index.column() == Column.FAVOURITE:
            self._toggle_row(self.proxy.mapToSource(index).row())

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() != Column.FAVOURITE:
            self.choose()

    def _toggle_row(self, row: int) -> None:
        self.table_model.toggle_favourite(row)
        if self.favourites_only.isChecked():
            keep = self.selected_id()
            self.proxy.refilter()
            self._after_filter(keep)
        self._update_favourite_button()
        self.favouritesChanged.emit(self.table_model.favourites())

    def _current_changed(self, *_: object) -> None:
        self._show_details()
        self._update_suffix_availability()
        self._update_favourite_button()

    def _update_favourite_button(self) -> None:
        row = self._selected_source_row()
        self.favourite_button.setEnabled(row >= 0)
        starred = row >= 0 and self.table_model.is_favourite(row)
        self.favourite_button.setText(
            "★ " + self.tr("Unfavourite") if starred else "☆ " + self.tr("Favourite")
        )

    def _nitro_toggled(self, on: bool) -> None:
        if on:
            self.floor_check.setChecked(False)  # OpenRouter takes one provider sort
        self._update_chosen_label()

    def _floor_toggled(self, on: bool) -> None:
        if on:
            self.nitro_check.setChecked(False)
        self._update_chosen_label()

    def _update_suffix_availability(self) -> None:
        model_id = self.selected_id()
        auto = model_id == AUTO_ID
        for suffix in ("online", "nitro", "floor"):
            # openrouter/auto picks the model itself: variants don't apply to it.
            self._suffix_box(suffix).setEnabled(model_id is not None and not auto)
        has_free = (
            model_id is not None and not auto and not model_id.endswith(":free")
            and self._catalog.suffix_available(model_id, "free", openrouter=self._openrouter)
        )
        self.free_check.setEnabled(has_free)
        self.free_check.setToolTip(
            self.tr("Use the free variant {id}:free (rate limited)").format(id=model_id)
            if has_free else self.tr("This model has no free variant.")
        )
        self._update_chosen_label()

    def _update_chosen_label(self, *_: object) -> None:
        chosen = self.chosen_id()
        self.choose_button.setEnabled(chosen is not None)
        self.chosen_label.setText(
            self.tr("Will use: {id}").format(id=chosen) if chosen else ""
        )

    def _update_count(self, *_: object) -> None:
        total = self.table_model.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(
            self.tr("{total} models").format(total=total) if shown == total
            else self.tr("{shown} of {total}").format(shown=shown, total=total)
        )

    def _show_details(self) -> None:
        m = self.selected_info()
        if m is None:
            self.details.setHtml(
                html.escape(self.tr("No model matches the search.")
                            if self.proxy.rowCount() == 0 else self.tr("No model selected."))
            )
            return
        facts: list[tuple[str, str]] = []
        if m.context_length:
            facts.append((self.tr("Context"), self.tr("{n} tokens").format(
                n=f"{m.context_length:,}")))
        if m.max_completion_tokens:
            facts.append((self.tr("Max completion"), self.tr("{n} tokens").format(
                n=f"{m.max_completion_tokens:,}")))
        if m.input_modalities:
            facts.append((self.tr("Input types"), ", ".join(m.input_modalities)))
        if m.output_modalities:
            facts.append((self.tr("Output types"), ", ".join(m.output_modalities)))
        facts.append((self.tr("Moderated"), self.tr("yes") if m.is_moderated else self.tr("no")))
        free = self.tr("free")

        def per_million(value: float | None) -> str:
            return free if value == 0 else format_price(value)

        prompt_label, completion_label = self.tr("Prompt"), self.tr("Completion")
        prices = [f"{prompt_label} {per_million(m.prompt_price)}",
                  f"{completion_label} {per_million(m.completion_price)}"]
        # The extras are listed only where the endpoint states a charge.
        per_token = (
            (self.tr("reasoning"), m.internal_reasoning_price),
            (self.tr("cache read"), m.input_cache_read_price),
            (self.tr("cache write"), m.input_cache_write_price),
        )
        prices += [f"{label} {per_million(value)}" for label, value in per_token
                   if value is not None and value > 0]
        per_unit = (
            (self.tr("per request"), m.request_price),
            (self.tr("per image"), m.image_price),
            (self.tr("per web search"), m.web_search_price),
        )
        prices += [f"{_unit_price(value)} {label}" for label, value in per_unit
                   if value is not None and value > 0]
        facts.append((self.tr("Prices"), " · ".join(prices)))
        facts.append((self.tr("Parameters"),
                      ", ".join(m.supported_parameters) or self.tr("not listed")))
        rows = "".join(
            f"<tr><td style='padding-right:12px'><b>{html.escape(k)}</b></td>"
            f"<td>{html.escape(v)}</td></tr>" for k, v in facts
        )
        description = html.escape(m.description or self.tr("No description.")).replace(
            "\n", "<br>")
        self.details.setHtml(
            f"<p><b>{html.escape(m.name)}</b> &nbsp;<code>{html.escape(m.id)}</code></p>"
            f"<p>{description}</p><table cellspacing='0'>{rows}</table>"
        )
