"""The context gauge's glue: keeps its numbers current and carries out its menu's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from app.ui.chat_controller import ChatController
    from app.ui.composer import Composer
    from app.ui.context_gauge import ContextGauge


@dataclass
class ContextGaugeActions:
    """Recomputes the gauge when the chat, the model or the options change."""

    composer: Composer
    controller: ChatController
    #: counting waits for `start()`: at launch the window is painted first, and the first
    #: count loads the request options (~6 ms)
    _started: bool = field(default=False, init=False)
    #: a recount is due on the next turn of the event loop
    _due: bool = field(default=False, init=False)

    @property
    def gauge(self) -> ContextGauge:
        """The composer's gauge."""
        return self.composer.gauge

    def connect(self) -> None:
        """Follow the controller and answer the gauge's menu."""
        c = self.controller
        # Opening a chat also changes the model: one recount (one read of the thread) for
        # the lot, on the next turn, instead of one per signal.
        for signal in (c.conversationOpened, c.replyFinished, c.modelChanged, c.modelsLoaded):
            signal.connect(lambda *_: self.schedule())
        self.gauge.summaryRequested.connect(c.start_summary_chat)
        self.gauge.dropOldestRequested.connect(self._drop_oldest)
        self.gauge.showAllRequested.connect(self._show_all)
        self.gauge.middleOutRequested.connect(self._middle_out)

    def start(self) -> None:
        """Begin counting (a change seen before is counted now)."""
        self._started = True
        if self._due:
            self._due = False
            self.schedule()

    def schedule(self) -> None:
        """Recount once on the next turn of the event loop, however many changes came."""
        if not self._due:
            self._due = True
            if self._started:
                QTimer.singleShot(0, self.composer, self._run_due)

    def _run_due(self) -> None:
        self._due = False
        self.refresh()

    def refresh(self) -> None:
        """Recompute the conversation's size (the gauge adds the draft itself)."""
        if self.controller.busy:
            return  # the reply's usage arrives with replyFinished
        options = self.controller.options()
        self.gauge.set_base(
            self.controller.context_estimate(),
            hidden=options.first_sent_message is not None,
            middle_out=options.middle_out,
        )
        self.composer.update_gauge()

    def _drop_oldest(self) -> None:
        self.controller.hide_oldest_turns()
        self.refresh()

    def _show_all(self) -> None:
        self.controller.send_all_turns()
        self.refresh()

    def _middle_out(self) -> None:
        self.controller.enable_middle_out()
        self.refresh()
