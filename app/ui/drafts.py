"""Drafts: the unsent message of each conversation (and of the new chat) follows the user.

Switching conversations puts the text typed (and the files attached from disk) in the one
left aside and brings back those of the conversation opened. Drafts are written to the
history database half a second after the typing stops (on a thread of their own) and at
exit, so they survive a restart. Sending clears the draft it came from. Pasted images are
not kept (they have no file to attach again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.core.errors import ParleyError
from app.core.history.drafts import Draft, DraftWriter, get_draft
from app.ui.loop_ready import when_loop_runs

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.core.domain import Conversation
    from app.ui.composer import Composer

#: quiet time after the last key before a draft is written
SAVE_DELAY_MS = 500


class Drafts(QObject):
    """Keeps the composer's text per conversation; `None` is the new, unsaved chat."""

    def __init__(self, ctx: AppContext, composer: Composer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.composer = composer
        #: the conversation whose draft the composer shows (None: the new chat)
        self.key: int | None = None
        #: every draft seen in this run, newest text: the truth while Parley runs
        self._drafts: dict[int | None, Draft] = {}
        self._dirty: set[int | None] = set()
        self._loading = False
        self._sending = False
        #: False until the first conversation (or new chat) was shown
        self._shown = False
        self._writer = DraftWriter(ctx.store.path)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.write_pending)
        composer.edit.textChanged.connect(self._changed)
        composer.tray.changed.connect(self._changed)

    def draft(self, conversation_id: int | None) -> Draft:
        """The draft of a conversation (None: the new chat); empty when there is none."""
        if conversation_id in self._drafts:
            return self._drafts[conversation_id]
        try:
            stored = get_draft(self.ctx.store, conversation_id)
        except ParleyError:
            stored = None  # an unreadable draft is no reason to refuse the conversation
        draft = stored or Draft(conversation_id)
        self._drafts[conversation_id] = draft
        return draft

    def opened(self, conv: Conversation | None, _messages: object = None) -> None:
        """A conversation was opened (ChatController.conversationOpened): swap the drafts."""
        key = conv.id if conv is not None else None
        if key == self.key and self._shown:
            return
        self._shown = True
        self.key = key
        if self._sending:
            # The new chat was just stored by the send: the composer keeps what it shows.
            return
        self.write_pending()
        draft = self.draft(key)
        self._loading = True
        try:
            self.composer.set_draft(draft.text)
        finally:
            self._loading = False
        if draft.attachments:
            self._attach_again(key, [Path(p) for p in draft.attachments])

    def _attach_again(self, key: int | None, files: list[Path]) -> None:
        """Attach a draft's files again; reading them needs the event loop, which at
        start-up runs only once the window is shown."""
        when_loop_runs(self, lambda: self._attach_now(key, files))

    def _attach_now(self, key: int | None, files: list[Path]) -> None:
        if key != self.key or self.composer.draft_files():
            return  # another conversation by now, or files attached meanwhile
        existing = [p for p in files if p.is_file()]
        self._loading = True
        try:
            if existing:
                self.composer.tray.add_paths(existing)
        finally:
            self._loading = False
        if len(existing) != len(files):
            self._changed()  # files gone from the disk leave the draft

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        """Around a send: a prompt that was accepted (the composer emptied) leaves no draft."""
        key = self.key
        self._sending = True
        try:
            yield
        finally:
            self._sending = False
        if not self.composer.draft() and not self.composer.tray.chips:
            self._set(Draft(key))
            self.write_pending()

    def _changed(self) -> None:
        if self._loading:
            return
        self._set(Draft(self.key, self.composer.draft(),
                        [str(p) for p in self.composer.draft_files()]))
        self._timer.start()

    def _set(self, draft: Draft) -> None:
        if self._drafts.get(draft.conversation_id) == draft:
            return
        self._drafts[draft.conversation_id] = draft
        self._dirty.add(draft.conversation_id)

    def write_pending(self) -> None:
        """Hand the changed drafts to the writer thread now."""
        self._timer.stop()
        for key in list(self._dirty):
            self._writer.save(self._drafts[key])
        self._dirty.clear()

    def close(self) -> None:
        """At exit: write what changed and wait for it to reach the file."""
        self.write_pending()
        self._writer.close()
