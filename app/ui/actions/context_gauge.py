"""The context gauge's glue: keeps its numbers current and carries out its menu's choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.chat_controller import ChatController
    from app.ui.composer import Composer
    from app.ui.context_gauge import ContextGauge


@dataclass
class ContextGaugeActions:
    """Recomputes the gauge when the chat, the model or the options change."""

    composer: Composer
    controller: ChatController

    @property
    def gauge(self) -> ContextGauge:
        """The composer's gauge."""
        return self.composer.gauge

    def connect(self) -> None:
        """Follow the controller and answer the gauge's menu."""
        c = self.controller
        c.conversationOpened.connect(lambda *_: self.refresh())
        c.replyFinished.connect(lambda *_: self.refresh())
        c.modelChanged.connect(lambda *_: self.refresh())
        c.modelsLoaded.connect(lambda *_: self.refresh())
        self.gauge.summaryRequested.connect(c.start_summary_chat)
        self.gauge.dropOldestRequested.connect(self._drop_oldest)
        self.gauge.showAllRequested.connect(self._show_all)
        self.gauge.middleOutRequested.connect(self._middle_out)

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
