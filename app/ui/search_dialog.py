"""Ctrl+K: search every conversation; choosing a result opens it at the message."""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.search_field import SearchField

#: the markers app.core.history.search puts around matches in snippets
MATCH_START = "\x02"
MATCH_END = "\x03"

#: wait this long after the last key press before searching
DEBOUNCE_MS = 120


class Hit(Protocol):
    """What the dialog needs of a search result (app.core.history.search.SearchHit)."""

    @property
    def conversation_id(self) -> int: ...
    @property
    def message_id(self) -> int | None: ...
    @property
    def conversation_title(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def snippet(self) -> str: ...
    @property
    def created_at(self) -> float: ...


def snippet_html(snippet: str) -> str:
    """Escape the text, then turn the match markers into highlighted spans."""
    escaped = html.escape(snippet.replace("\n", " "))
    return escaped.replace(MATCH_START, '<b style="background-color:#ffe58a;color:#000">') \
        .replace(MATCH_END, "</b>")


class SearchDialog(QDialog):
    """A search field over ranked results with highlighted snippets."""

    #: (conversation id, message id or -1 for a title match)
    openRequested = Signal(int, int)

    def __init__(
        self, search: Callable[[str], Sequence[Hit]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Search Conversations"))
        self.resize(720, 520)
        self._search = search
        self._hits: list[Hit] = []
        self.field = SearchField(parent=self)
        self.field.setAccessibleName(self.tr("Search text"))
        self.field.setPlaceholderText(
            self.tr('Search all conversations — words, "a phrase", prefix*')
        )
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self._open_current)
        self.field.moved.connect(self._move)
        self._timer.timeout.connect(self.run_search)
        self.results.itemActivated.connect(lambda _i: self._open_current())

    def run_search(self) -> None:
        """Search now for the field's text (also called by the debounce timer)."""
        self._timer.stop()
        query = self.field.text().strip()
        self.results.clear()
        self._hits = []
        if not query:
            self.summary.clear()
            return
        started = time.perf_counter()
        hits = list(self._search(query))
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._hits = hits
        for hit in hits:
            self._add_row(hit)
        if hits:
            self.results.setCurrentRow(0)
            self.summary.setText(
                self.tr("{n} results in {ms} ms · Enter opens the conversation").format(
                    n=len(hits), ms=f"{elapsed_ms:.0f}"
                )
            )
        else:
            self.summary.setText(self.tr("No matches."))

    def _add_row(self, hit: Hit) -> None:
        when = time.strftime("%Y-%m-%d", time.localtime(hit.created_at))
        who = {
            "user": self.tr("You"),
            "assistant": self.tr("Assistant"),
            "title": self.tr("Title"),
        }.get(hit.role, hit.role)
        label = QLabel(
            f"<b>{html.escape(hit.conversation_title)}</b>"
            f" <span style='color:gray'>· {html.escape(who)} · {when}</span><br>"
            f"{snippet_html(hit.snippet)}"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setContentsMargins(6, 4, 6, 4)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        item = QListWidgetItem(self.results)
        # Plain text for screen readers and keyboard search.
        item.setText("")
        item.setData(Qt.ItemDataRole.AccessibleTextRole,
                     f"{hit.conversation_title}: {hit.snippet}".replace(MATCH_START, "")
                     .replace(MATCH_END, ""))
        item.setSizeHint(label.sizeHint())
        self.results.setItemWidget(item, label)

    def _move(self, step: int) -> None:
        if self.results.count():
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)

    def _open_current(self) -> None:
        if self._timer.isActive():
            self.run_search()
        row = self.results.currentRow()
        if 0 <= row < len(self._hits):
            hit = self._hits[row]
            self.openRequested.emit(hit.conversation_id,
                                    hit.message_id if hit.message_id is not None else -1)
            self.accept()
