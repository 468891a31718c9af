"""The context gauge in the composer: how full the model's context will be with the next
message, amber from 80 %, red above 100 %, with what to do about it in its menu.

The numbers come from app.core.context_budget (through the controller); the widget adds
the draft being typed and its attachments, so typing never reads the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from app.ui.style import ICON_S, set_style_property

if TYPE_CHECKING:
    from app.core.context_budget import ContextEstimate
    from app.core.domain import Attachment


def compact_tokens(n: int) -> str:
    """12 -> "12", 12_345 -> "12.3k", 128_000 -> "128k", 1_048_576 -> "1.05M"."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        value = f"{n / 1000:.1f}" if n < 100_000 else f"{n / 1000:.0f}"
        return value.removesuffix(".0") + "k"
    return f"{n / 1_000_000:.2f}".rstrip("0").rstrip(".") + "M"


class ContextGauge(QToolButton):
    """"12.3k / 128k" in the composer; its menu offers ways out when the context is full."""

    #: start a new chat whose system prompt is a summary of this one
    summaryRequested = Signal()
    #: hide the oldest turns from requests (they stay in the chat)
    dropOldestRequested = Signal()
    #: send every turn again
    showAllRequested = Signal()
    #: turn on OpenRouter's middle-out transform for this conversation
    middleOutRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.ui.icons import icon

        self.setObjectName("contextGauge")
        self.setAccessibleName(self.tr("Context used"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(icon("gauge"))
        self.setIconSize(QSize(ICON_S - 2, ICON_S - 2))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._base: ContextEstimate | None = None
        self.estimate: ContextEstimate | None = None
        self._hidden = False
        self._middle_out: bool | None = None
        menu = QMenu(self)
        self.summary_action = menu.addAction(self.tr("Start a New Chat with a Summary"))
        self.drop_action = menu.addAction(self.tr("Drop Oldest Turns"))
        self.show_all_action = menu.addAction(self.tr("Send All Turns Again"))
        self.middle_out_action = menu.addAction(self.tr("Enable Middle-Out Compression"))
        self.summary_action.setToolTip(
            self.tr("Ask the model for a summary and continue from it in a new chat"))
        self.drop_action.setToolTip(
            self.tr("Leave the oldest turns out of requests; they stay in the chat"))
        self.middle_out_action.setToolTip(
            self.tr("Let OpenRouter cut the middle of the conversation when it does not fit"))
        menu.setToolTipsVisible(True)
        self.setMenu(menu)
        self.summary_action.triggered.connect(self.summaryRequested)
        self.drop_action.triggered.connect(self.dropOldestRequested)
        self.show_all_action.triggered.connect(self.showAllRequested)
        self.middle_out_action.triggered.connect(self.middleOutRequested)
        self._show(None)

    @property
    def level(self) -> str:
        """"ok", "warn", "over" or "unknown" (no model context length known)."""
        return self.estimate.level if self.estimate is not None else "unknown"

    def set_base(
        self, estimate: ContextEstimate | None, *, hidden: bool = False,
        middle_out: bool | None = None,
    ) -> None:
        """The conversation's size without the draft; `hidden`: oldest turns are left out;
        `middle_out`: the conversation's transform setting."""
        self._base = estimate
        self._hidden = hidden
        self._middle_out = middle_out
        self.set_draft("", ())

    def set_draft(self, text: str, attachments: Sequence[Attachment] = ()) -> None:
        """Count the message being written (called as it changes)."""
        if self._base is None:  # not counted yet (the first count follows the first paint)
            self._show(None)
            return
        from app.core.context_budget import with_draft

        self._show(with_draft(self._base, text, attachments))

    def _show(self, estimate: ContextEstimate | None) -> None:
        self.estimate = estimate
        level = self.level
        if estimate is None:
            self.setText("")
            self.setToolTip(self.tr("How much of the model's context the next message uses"))
        elif estimate.limit:
            percent = round(100 * (estimate.ratio or 0))
            self.setText(f"{compact_tokens(estimate.tokens)} / {compact_tokens(estimate.limit)}")
            self.setToolTip(self.tr(
                "About {tokens} tokens go to the model with the next message: {percent} % of "
                "its context of {limit}.").format(
                tokens=f"{estimate.tokens:,}", percent=percent, limit=f"{estimate.limit:,}")
                + ("\n" + self.tr("Over the limit: the request may be refused or cut. "
                                  "Click for choices.") if level == "over" else "")
                + ("\n" + self.tr("Oldest turns are left out.") if self._hidden else ""))
        else:
            self.setText(compact_tokens(estimate.tokens))
            self.setToolTip(self.tr(
                "About {tokens} tokens go to the model with the next message (its context "
                "length is not known).").format(tokens=f"{estimate.tokens:,}"))
        self.setAccessibleDescription(self.toolTip())
        self.setVisible(estimate is not None)
        self.show_all_action.setVisible(self._hidden)
        self.middle_out_action.setEnabled(self._middle_out is not True)
        set_style_property(self, "level", level)
