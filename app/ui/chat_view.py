"""The scrolling list of messages of the open conversation, with an empty state.

Long conversations are laid out lazily. The view keeps every `Message` but builds a
`MessageView` (a few QTextDocuments and their layouts) only for the messages near the
viewport; the others are just a height in a list — measured when the message was last
built at this width, estimated from its text length otherwise. The column widget is as
tall as the sum of those heights and realized views are placed on it by hand, so
opening a 2,000-message chat costs about one screenful of rendering, and scrolling
builds views as they come near and releases the ones far away (memory stays bounded).
When a height changes (an estimate replaced by a measurement, a reply growing), the
scroll position is re-anchored on the first visible message, so what the reader looks
at does not move — unless the view follows the end of the chat, which it does only
while the user is at the bottom; otherwise a "Jump to latest" button appears.

A jump builds only the messages on screen at once; those just above and below follow
one per turn of the event loop. While the scrollbar handle is dragged nothing is built:
a screenful of new messages costs more than a frame, so the column paints light
stand-ins (header, first lines, bars for the rest, at the messages' heights) and the
real messages are built when the handle is released or rests for SETTLE_MS. Even then
they are built a few at a time — from the viewport's centre outwards, one time-sliced
batch of about BUILD_SLICE_MS per turn of the event loop — because a screenful built at
once freezes the window for a noticeable moment; the stand-ins cover the rest until
their turn comes. While that happens the message at the centre of the viewport is the
scroll anchor, so the one the reader looks at stays where it is as heights settle.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Message, MessageStatus, Role
from app.ui.viewports import use_python_viewport

if TYPE_CHECKING:
    from PySide6.QtGui import QTextCursor, QTextDocument

    from app.ui.attachment_chips import AttachmentBackend
    from app.ui.find_bar import FindBar
    from app.ui.message_view import MessageView, RichText

#: the messages column is capped at this width and centred (readable line length)
MAX_COLUMN_WIDTH = 900
#: views are built this many viewport heights above and below the visible part...
BUILD_MARGIN = 1.0
#: ...and released once they are this many viewport heights away
RELEASE_MARGIN = 4.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, SPACING = 16, 12, 12, 8
ZOOM_MIN, ZOOM_MAX, ZOOM_FACTOR = -5, 10, 1.1
#: messages rendered (for their text) per turn of the event loop while find counts
FIND_RENDERS_PER_STEP = 8
#: a dragged scrollbar that rests this long gets its messages built
SETTLE_MS = 90
#: lines of text shown at the top of a stand-in and of each newly exposed part of it
#: (the other lines are drawn as bars)
PLACEHOLDER_TEXT_LINES = 3
#: after a drag, messages are built per turn of the event loop until this much time has
#: gone (at least one): with the paint that follows, a turn stays well under 30 ms
BUILD_SLICE_MS = 12.0


class EmptyState(QWidget):
    """What a new chat shows: what to do next, and a way to Settings when there is no key."""

    openSettings = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        # Paint the stylesheet background so the empty chat matches the message area.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.title = QLabel(self.tr("Start a conversation"), self)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel(self)
        self.body.setObjectName("emptyBody")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.button = QPushButton(self.tr("Open Settings…"), self)
        self.button.setAccessibleName(self.tr("Open Settings"))
        self.button.clicked.connect(self.openSettings)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(3)
        self.set_has_key(True)

    def set_has_key(self, has_key: bool) -> None:
        if has_key:
            self.body.setText(
                self.tr("Type below and press Enter to send · Shift+Enter for a new line\n"
                        "Esc stops a reply · Ctrl+N new chat · Ctrl+, settings · Ctrl+F find")
            )
        else:
            self.body.setText(
                self.tr("No API key is set. Add your OpenRouter key in Settings (Ctrl+,) —\n"
                        "it is kept in the system keychain — or set $OPENROUTER_API_KEY.")
            )
        self.button.setVisible(not has_key)


class _Column(QWidget):
    """The tall widget messages are placed on; paints stand-ins where none is built yet."""

    def __init__(self, paint_placeholders: Callable[[QPainter, QRect], None]) -> None:
        super().__init__()
        self._paint_placeholders = paint_placeholders

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        painter = QPainter(self)
        try:
            self._paint_placeholders(painter, event.rect())
        finally:
            painter.end()


class _Scroller(QScrollArea):
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # (A QScrollArea's own viewport has no background role of its own: Window.)
        use_python_viewport(self, QPalette.ColorRole.Window)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.resized.emit()


def is_dark(palette: QPalette) -> bool:
    """True when the palette draws light text on a dark background."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class ChatView(QStackedWidget):
    """Messages of one conversation. Follows a streaming reply while scrolled to the end."""

    openSettings = Signal()
    statusMessage = Signal(str)
    #: text put on the clipboard by a message's Copy / Copy as Markdown
    copyText = Signal(str)
    editRequested = Signal(int)
    regenerateRequested = Signal(int)
    compareWithRequested = Signal(int)
    deleteRequested = Signal(int)
    #: (message id, -1 previous | +1 next version)
    branchRequested = Signal(int, int)
    #: the zoom step changed (0 = default size); the owner stores it in Settings
    zoomChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = EmptyState(self)
        self.empty.openSettings.connect(self.openSettings)

        self.page = QWidget(self)
        page_layout = QVBoxLayout(self.page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        # The find bar and message views are built when first needed: the window does
        # not need them to open.
        self._find_bar: FindBar | None = None
        self._page_layout = page_layout
        self.scroller = _Scroller(self.page)
        self.scroller.setObjectName("chatScroll")
        self.scroller.setAccessibleName(self.tr("Conversation"))
        self.scroller.setWidgetResizable(False)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.container = _Column(self._paint_placeholders)
        self.container.setObjectName("chatContainer")
        self.container.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.scroller.setWidget(self.container)
        page_layout.addWidget(self.scroller, 1)
        self.jump_button = QPushButton(self.tr("Jump to latest ↓"), self.scroller)
        self.jump_button.setObjectName("jumpButton")
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.hide()
        self.addWidget(self.empty)
        self.addWidget(self.page)

        #: realized views by message id (only the messages near the viewport)
        self.views: dict[int, MessageView] = {}
        self._messages: list[Message] = []
        self._index: dict[int, int] = {}
        self._heights: list[int] = []
        self._tops: list[int] = [MARGIN_TOP]
        self._col_x, self._col_w = MARGIN_X, 600
        self._pending_stream: dict[int, tuple[str, str]] = {}
        #: a streaming reply's images, kept until it is stored (its view may be rebuilt)
        self._pending_images: dict[int, list[dict[str, Any]]] = {}
        self.attachment_backend: AttachmentBackend | None = None
        self._branch_info: dict[int, tuple[int, int]] = {}
        self._follow = True
        self._programmatic = 0
        self._in_layout = False
        self._theme = "light"
        self._base_point_size = QApplication.font().pointSizeF()
        self.zoom = 0
        self._find_query = ""
        self._matches: list[tuple[int, int]] = []
        self._match_pos = -1
        #: message id -> (what it was derived from, its text as shown), for find
        self._plain: dict[int, tuple[tuple[str, bool], str]] = {}
        self._find_generation = 0
        self._find_pending = False
        # While the scrollbar is dragged, messages are drawn as light stand-ins and built
        # when the drag pauses or ends (building a screenful takes longer than a frame).
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._prefetch_scheduled = False
        #: after a drag: the message kept in place while the visible ones are built
        self._anchor_id: int | None = None
        self._build_generation = 0
        self._building = False
        self._update_column_geometry()
        self._make_actions()
        self._connect_signals()
        self._sync_theme()

    @property
    def find_bar(self) -> FindBar:
        """Ctrl+F's bar above the messages, created on first use."""
        if self._find_bar is None:
            from app.ui.find_bar import FindBar

            bar = FindBar(self.page)
            bar.hide()
            self._page_layout.insertWidget(0, bar)
            bar.queryChanged.connect(self.find_text)
            bar.nextRequested.connect(lambda: self.find_step(1))
            bar.previousRequested.connect(lambda: self.find_step(-1))
            bar.closed.connect(self._on_find_closed)
            self._find_bar = bar
        return self._find_bar

    def _connect_signals(self) -> None:
        bar = self.scroller.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)
        bar.sliderReleased.connect(self._on_settled)
        self._settle.timeout.connect(self._on_settled)
        self.scroller.resized.connect(self._on_resized)
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.find_action.triggered.connect(self.open_find)
        self.zoom_in_action.triggered.connect(self.zoom_in)
        self.zoom_out_action.triggered.connect(self.zoom_out)
        self.zoom_reset_action.triggered.connect(self.zoom_reset)

    def _make_actions(self) -> None:
        # QActions rather than bare shortcuts so the window can also list them in a menu
        # (and its shortcuts page); added to this widget they work anywhere in the window.
        def action(text: str, *keys: str) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(act)
            return act

        self.find_action = action(self.tr("Find in Conversation…"), "Ctrl+F")
        self.zoom_in_action = action(self.tr("Zoom In"), "Ctrl+=", "Ctrl++")
        self.zoom_out_action = action(self.tr("Zoom Out"), "Ctrl+-")
        self.zoom_reset_action = action(self.tr("Actual Size"), "Ctrl+0")

    def view_actions(self) -> list[QAction]:
        """Find and zoom actions, for the window's View menu."""
        return [self.find_action, self.zoom_in_action, self.zoom_out_action,
                self.zoom_reset_action]

    # ---- content -------------------------------------------------------------------

    def show_messages(self, messages: list[Message]) -> None:
        """Replace the view with these messages (only those near the end are built)."""
        self.clear()
        self._messages = list(messages)
        self._index = {m.id: i for i, m in enumerate(self._messages)}
        self._heights = [self._estimate(m) for m in self._messages]
        self._follow = True
        self.setCurrentWidget(self.page if messages else self.empty)
        self._relayout()
        self._fill()
        if self._find_query:
            self.find_text(self._find_query)

    def clear(self) -> None:
        for view in self.views.values():
            view.hide()
            view.deleteLater()
        self.views.clear()
        self._messages, self._index, self._heights = [], {}, []
        self._tops = [MARGIN_TOP]
        self._pending_stream.clear()
        self._pending_images.clear()
        self._branch_info.clear()
        self._plain.clear()
        self._find_generation += 1
        self._find_pending = False
        self._matches, self._match_pos = [], -1
        self._stop_building()
        self.jump_button.hide()
        self.setCurrentWidget(self.empty)

    def append(self, message: Message) -> None:
        self._index[message.id] = len(self._messages)
        self._messages.append(message)
        self._heights.append(self._estimate(message))
        self.setCurrentWidget(self.page)
        self._follow = True
        self._realize(len(self._messages) - 1)
        self._relayout()
        self._fill()
        QTimer.singleShot(0, self.scroll_to_end)

    def update_stream(self, message_id: int, text: str, reasoning: str = "") -> None:
        view = self.views.get(message_id)
        if view is None:
            self._pending_stream[message_id] = (text, reasoning)
            return
        view.update_stream(text, reasoning)
        self._relayout()
        if self._follow:
            self._fill()

    def set_attachment_backend(self, backend: AttachmentBackend) -> None:
        """Where messages read their attached and generated files (the controller)."""
        self.attachment_backend = backend

    def update_images(self, message_id: int, images: list[dict[str, Any]]) -> None:
        """A streaming reply's images so far: drawn under its text as they arrive."""
        self._pending_images[message_id] = images
        view = self.views.get(message_id)
        if view is not None:
            view.set_images(images)

    def _on_view_grown(self) -> None:
        self._relayout()
        if self._follow:
            self._fill()

    def finish(self, message: Message) -> None:
        i = self._index.get(message.id)
        if i is None:
            return
        self._messages[i] = message
        self._pending_stream.pop(message.id, None)
        self._pending_images.pop(message.id, None)
        view = self.views.get(message.id)
        if view is not None:
            view.set_message(message)
        else:
            self._heights[i] = self._estimate(message)
        self._relayout()
        self._fill()

    def set_branch_info(self, message_id: int, index: int, count: int) -> None:
        """Show a "‹ 2 / 3 ›" switcher on a message that has other versions."""
        self._branch_info[message_id] = (index, count)
        view = self.views.get(message_id)
        if view is not None:
            view.set_branch_info(index, count)
            self._relayout()

    def messages(self) -> list[Message]:
        return list(self._messages)

    def realized_count(self) -> int:
        """How many messages currently have a built MessageView."""
        return len(self.views)

    def streaming_view(self) -> MessageView | None:
        for view in reversed(list(self.views.values())):
            if view.message.status is MessageStatus.STREAMING:
                return view
        return None

    # ---- building and releasing views ------------------------------------------------

    def _realize(self, i: int) -> MessageView:
        msg = self._messages[i]
        existing = self.views.get(msg.id)
        if existing is not None:
            return existing
        from app.ui.message_view import MessageView

        view = MessageView(msg, self.container, theme=self._theme,
                           backend=self.attachment_backend)
        view.copied.connect(self.statusMessage)
        view.textCopied.connect(self.copyText)
        view.editRequested.connect(self.editRequested)
        view.regenerateRequested.connect(self.regenerateRequested)
        view.compareWithRequested.connect(self.compareWithRequested)
        view.deleteRequested.connect(self.deleteRequested)
        view.branchRequested.connect(self.branchRequested)
        view.grown.connect(self._on_view_grown)
        pending = self._pending_stream.pop(msg.id, None)
        if pending is not None:
            view.update_stream(*pending)
        images = self._pending_images.get(msg.id)
        if images is not None:
            view.set_images(images)
        branch = self._branch_info.get(msg.id)
        if branch is not None:
            view.set_branch_info(*branch)
        self.views[msg.id] = view
        self._heights[i] = view.heightForWidth(self._col_w)
        view.setGeometry(self._col_x, self._tops[i] if i < len(self._tops) else 0,
                         self._col_w, self._heights[i])
        view.show()
        if self._find_query:
            self._highlight(view)
        return view

    def _release(self, message_id: int) -> None:
        view = self.views.pop(message_id)
        view.hide()
        view.deleteLater()

    def _band(self, margin: float) -> tuple[int, int]:
        """Indices of the messages within `margin` viewport heights of the visible part."""
        if not self._messages:
            return 0, -1
        vh = max(1, self.scroller.viewport().height())
        value = self.scroller.verticalScrollBar().value()
        lo_y, hi_y = value - margin * vh, value + vh + margin * vh
        lo = max(0, bisect.bisect_right(self._tops, lo_y) - 1)
        hi = min(len(self._messages) - 1, bisect.bisect_left(self._tops, hi_y))
        return lo, hi

    def _missing(self, margin: float) -> list[int]:
        lo, hi = self._band(margin)
        return [i for i in range(lo, hi + 1) if self._messages[i].id not in self.views]

    def _fill(self) -> None:
        """Build the views on screen now and those near it soon; release the far ones."""
        for _ in range(8):  # each round's measurements can move the band; converges fast
            missing = self._missing(0.0)
            if not missing:
                break
            for i in missing:
                self._realize(i)
            self._relayout()
        # The ones just outside the viewport are built on the next turns of the event
        # loop, one at a time, so a jump costs one screenful, not three.
        if self._missing(BUILD_MARGIN) and not self._prefetch_scheduled:
            self._prefetch_scheduled = True
            QTimer.singleShot(0, self, self._prefetch)
        lo, hi = self._band(RELEASE_MARGIN)
        focus = QApplication.focusWidget()
        for mid, view in list(self.views.items()):
            pos = self._index.get(mid)
            if pos is None:
                self._release(mid)
                continue
            if lo <= pos <= hi or view.message.status is MessageStatus.STREAMING:
                continue
            if focus is not None and view.isAncestorOf(focus):
                continue
            self._release(mid)

    def _prefetch(self) -> None:
        """Build one view near the viewport (the next one on the following turn)."""
        self._prefetch_scheduled = False
        if (self.scroller.verticalScrollBar().isSliderDown() or not self._messages
                or self._building):
            return  # the visible messages come first; building them ends with a _fill
        missing = self._missing(BUILD_MARGIN)
        if not missing:
            return
        hi = self._band(0.0)[1]
        # Below the viewport first: that is where a reader goes next.
        below = [i for i in missing if i > hi]
        self._realize(below[0] if below else missing[-1])
        self._relayout()
        if self._missing(BUILD_MARGIN):
            self._prefetch_scheduled = True
            QTimer.singleShot(0, self, self._prefetch)

    def _on_settled(self) -> None:
        """The scrollbar drag paused or ended: build what is on screen, a slice per turn."""
        self._settle.stop()
        self._stop_building()
        if self._messages:
            if not self._follow:  # (a view that follows the end stays pinned to it)
                vh = self.scroller.viewport().height()
                centre = self.scroller.verticalScrollBar().value() + vh // 2
                i = bisect.bisect_right(self._tops, centre) - 1
                self._anchor_id = self._messages[max(0, min(len(self._messages) - 1, i))].id
            self._building = True
            self._build_step(self._build_generation)
        self._update_jump_button()

    def building(self) -> bool:
        """Whether visible messages are still stand-ins being built after a drag."""
        return self._building

    def _stop_building(self) -> None:
        self._build_generation += 1
        self._building = False
        self._anchor_id = None

    def _by_distance_from_centre(self, indices: list[int]) -> list[int]:
        centre = self.scroller.verticalScrollBar().value() + self.scroller.viewport().height() / 2

        def distance(i: int) -> float:
            top, bottom = self._tops[i], self._tops[i] + self._heights[i]
            return 0.0 if top <= centre < bottom else min(abs(top - centre), abs(bottom - centre))

        return sorted(indices, key=distance)

    def _build_step(self, generation: int) -> None:
        """Build the visible messages nearest the centre for one time slice, then yield."""
        if generation != self._build_generation:
            return  # the user moved on (scrolled, dragged again, another chat)
        if not self._messages:
            self._stop_building()
            return
        start = time.perf_counter()
        while True:
            missing = self._by_distance_from_centre(self._missing(0.0))
            if not missing:
                break
            self._realize(missing[0])
            self._relayout()
            if (time.perf_counter() - start) * 1000 >= BUILD_SLICE_MS:
                break
        if self._missing(0.0):
            QTimer.singleShot(0, self, partial(self._build_step, generation))
            return
        # Everything visible is real: the usual rules take over (prefetch, release).
        self._stop_building()
        self._fill()

    def _paint_placeholders(self, painter: QPainter, rect: QRect) -> None:
        """Draw each message in `rect` that has no view yet as its header and plain text."""
        if not self._messages or len(self._tops) <= len(self._messages):
            return
        lo = max(0, bisect.bisect_right(self._tops, rect.top()) - 1)
        hi = min(len(self._messages) - 1, bisect.bisect_left(self._tops, rect.bottom()))
        palette = self.container.palette()
        font = self.container.font()
        for i in range(lo, hi + 1):
            msg = self._messages[i]
            view = self.views.get(msg.id)
            if view is not None and view.isVisible():
                continue
            box = QRect(self._col_x, self._tops[i], self._col_w, self._heights[i])
            if msg.role is Role.USER:
                painter.fillRect(box, palette.color(QPalette.ColorRole.AlternateBase))
            inner = box.adjusted(12, 8, -12, -6)
            painter.setClipRect(inner.intersected(rect))
            painter.setFont(font)
            metrics = QFontMetrics(font)
            step = metrics.lineSpacing()
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            who = self.tr("You") if msg.role is Role.USER else (msg.model or self.tr("Assistant"))
            y = inner.top() + metrics.ascent()
            painter.drawText(inner.left(), y, who)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            # Text cut into column-wide lines by character count (as the height estimate
            # counts them): real wrapping costs more than a frame has, and the built view
            # replaces this as soon as the drag rests. Only the lines in `rect` are drawn.
            top = y + step + 4
            bar = QColor(palette.color(QPalette.ColorRole.Text))
            bar.setAlpha(40)
            bar_h = max(2, metrics.xHeight())
            per_line = max(20, inner.width() // max(1, metrics.averageCharWidth()))
            first = max(0, (rect.top() - top) // step)
            last = (min(inner.bottom(), rect.bottom() + step) - top) // step
            k = 0
            for para in msg.content.splitlines():
                pieces = max(1, -(-len(para) // per_line))
                if k + pieces <= first:
                    k += pieces
                    continue
                for j in range(pieces):
                    if k > last:
                        break
                    if k >= first:
                        piece = para[j * per_line : (j + 1) * per_line]
                        if k < PLACEHOLDER_TEXT_LINES or k < first + PLACEHOLDER_TEXT_LINES:
                            painter.drawText(inner.left(), top + k * step, piece)
                        elif piece.strip():
                            # Further lines as bars of their length: drawing text costs
                            # more than a frame allows for a whole screenful.
                            width = inner.width() * len(piece) // per_line
                            painter.fillRect(inner.left(), top + k * step - bar_h,
                                             width, bar_h, bar)
                    k += 1
                if k > last:
                    break

    # ---- layout --------------------------------------------------------------------

    def _update_column_geometry(self) -> None:
        width = max(200, self.scroller.viewport().width())
        col_w = min(MAX_COLUMN_WIDTH, width - 2 * MARGIN_X)
        self._col_w = max(100, col_w)
        self._col_x = max(MARGIN_X, (width - self._col_w) // 2)

    def _estimate(self, msg: Message) -> int:
        """A height for a message that is not built, from its text length."""
        metrics = QFontMetrics(self.container.font())
        char_w = max(1, metrics.averageCharWidth())
        line_h = metrics.lineSpacing()
        per_line = max(20, (self._col_w - 28) // char_w)
        content = msg.content
        lines = content.count("\n") + 1 + len(content) // per_line
        chrome = 14 + 2 * (line_h + 8)  # margins, header and action row
        files = 0
        if msg.attachments:
            files += 130  # the row of thumbnails
        images = msg.extra.get("images")
        if isinstance(images, list):
            files += 360 * len(images)  # each generated image with its buttons
        return chrome + lines * line_h + files

    def _relayout(self) -> None:
        """Measure built views, stack all heights, keep the reader's place."""
        if self._in_layout:
            return
        self._in_layout = True
        try:
            bar = self.scroller.verticalScrollBar()
            anchor, offset = -1, 0
            if not self._follow and self._messages:
                value = bar.value()
                kept = self._index.get(self._anchor_id) if self._anchor_id is not None else None
                if kept is not None and kept < len(self._tops):
                    anchor = kept
                else:
                    anchor = max(0, bisect.bisect_right(self._tops, value) - 1)
                    anchor = min(anchor, len(self._messages) - 1)
                offset = value - self._tops[anchor]
            for mid, view in self.views.items():
                self._heights[self._index[mid]] = view.heightForWidth(self._col_w)
            self._tops = list(
                itertools.accumulate((h + SPACING for h in self._heights), initial=MARGIN_TOP)
            )
            total = self._tops[-1] - (SPACING if self._heights else 0) + MARGIN_BOTTOM
            viewport = self.scroller.viewport()
            self.container.resize(viewport.width(), max(total, viewport.height()))
            for mid, view in self.views.items():
                i = self._index[mid]
                view.setGeometry(self._col_x, self._tops[i], self._col_w, self._heights[i])
            self._programmatic += 1
            try:
                if self._follow:
                    bar.setValue(bar.maximum())
                elif anchor >= 0:
                    bar.setValue(self._tops[anchor] + offset)
            finally:
                self._programmatic -= 1
        finally:
            self._in_layout = False
        self._update_jump_button()

    def _on_resized(self) -> None:
        old = self._col_w
        self._update_column_geometry()
        if self._col_w != old:
            for i, msg in enumerate(self._messages):
                if msg.id not in self.views:
                    self._heights[i] = self._estimate(msg)
        self._relayout()
        self._fill()
        self._place_jump_button()

    # ---- scrolling -----------------------------------------------------------------

    def at_bottom(self) -> bool:
        bar = self.scroller.verticalScrollBar()
        return bar.value() >= bar.maximum() - 24

    def scroll_to_end(self) -> None:
        bar = self.scroller.verticalScrollBar()
        self._programmatic += 1
        try:
            bar.setValue(bar.maximum())
        finally:
            self._programmatic -= 1
        self._fill()

    def jump_to_latest(self) -> None:
        self._stop_building()
        self._follow = True
        self.scroll_to_end()
        self._relayout()
        self._fill()

    def _on_scrolled(self, _value: int) -> None:
        if self._programmatic:
            return
        # The user scrolling up stops the view from following the reply.
        self._follow = self.at_bottom()
        # A new position: what was being built for the old one no longer matters.
        self._stop_building()
        if self.scroller.verticalScrollBar().isSliderDown():
            # Dragging: stand-ins are painted now, views built when the drag rests.
            self._settle.start()
            self._update_jump_button()
            return
        self._fill()
        self._update_jump_button()

    def _on_range_changed(self, _lo: int, _hi: int) -> None:
        if self._follow and not self._in_layout:
            self.scroll_to_end()

    def _update_jump_button(self) -> None:
        show = bool(self._messages) and not self._follow and not self.at_bottom()
        if show != self.jump_button.isVisible():
            self.jump_button.setVisible(show)
            if show:
                self._place_jump_button()
                self.jump_button.raise_()

    def _place_jump_button(self) -> None:
        self.jump_button.adjustSize()
        viewport = self.scroller.viewport()
        size = self.jump_button.size()
        pos = viewport.mapTo(
            self.scroller,
            QPoint((viewport.width() - size.width()) // 2, viewport.height() - size.height() - 12),
        )
        self.jump_button.move(pos)

    def scroll_to_message(self, message_id: int, y_in_message: int = 0) -> None:
        """Bring a message (and a point inside it) into view, building it if needed."""
        i = self._index.get(message_id)
        if i is None:
            return
        self._stop_building()  # the anchor would be a message the reader is leaving
        self._follow = False
        bar = self.scroller.verticalScrollBar()
        vh = self.scroller.viewport().height()
        for _ in range(3):  # estimates above the target turn into measurements
            target = self._tops[i] + y_in_message - vh // 3
            self._programmatic += 1
            try:
                bar.setValue(max(0, target))
            finally:
                self._programmatic -= 1
            self._fill()
        self._update_jump_button()

    # ---- zoom and theme ------------------------------------------------------------

    def set_zoom(self, steps: int) -> None:
        """Text size: 0 is the application font, each step is 10% larger or smaller."""
        steps = max(ZOOM_MIN, min(ZOOM_MAX, steps))
        changed = steps != self.zoom
        self.zoom = steps
        font = QFont(QApplication.font())
        base = self._base_point_size if self._base_point_size > 0 else 10.0
        font.setPointSizeF(round(base * ZOOM_FACTOR**steps, 1))
        self.container.setFont(font)
        for i, msg in enumerate(self._messages):
            if msg.id not in self.views:
                self._heights[i] = self._estimate(msg)
        if changed:
            for view in self.views.values():
                view.refit_math()
        self._relayout()
        self._fill()
        if changed:
            self.zoomChanged.emit(steps)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom + 1)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom - 1)

    def zoom_reset(self) -> None:
        self.set_zoom(0)

    @property
    def theme(self) -> str:
        """The colour theme replies are rendered in ("light" or "dark")."""
        return self._theme

    def rehighlight(self) -> None:
        """The renderer is warm: highlight code drawn plain until now."""
        for view in self.views.values():
            view.rehighlight()
        self._relayout()

    def _sync_theme(self) -> None:
        theme = "dark" if is_dark(self.palette()) else "light"
        if theme == self._theme:
            return
        self._theme = theme
        for view in self.views.values():
            view.set_theme(theme)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._sync_theme()

    # ---- find ----------------------------------------------------------------------

    def open_find(self) -> None:
        if self.currentWidget() is self.page:
            self.find_bar.open_bar()

    def _search_text(self, i: int) -> str:
        """What message `i` shows, the same whether it is built or not."""
        msg = self._messages[i]
        view = self.views.get(msg.id)
        if view is not None and msg.status is MessageStatus.STREAMING:
            # Still arriving: only the view knows the text so far.
            return view.settled.toPlainText() + "\n" + view.live.toPlainText()
        cached = self._plain.get(msg.id)
        if cached is not None and cached[0] == self._plain_key(msg):
            return cached[1]
        from app.ui.message_view import searchable_text

        text = searchable_text(msg, self._theme)
        self._plain[msg.id] = (self._plain_key(msg), text)
        return text

    @staticmethod
    def _plain_key(msg: Message) -> tuple[str, bool]:
        return msg.content, "structured_check" in msg.extra

    def _needs_render(self, i: int) -> bool:
        msg = self._messages[i]
        cached = self._plain.get(msg.id)
        return msg.role is not Role.USER and (
            cached is None or cached[0] != self._plain_key(msg)
        )

    def find_text(self, query: str) -> None:
        """Count and highlight every match of `query` (case-insensitive).

        Matches are counted in the text each message shows (rendered markdown), for
        built and unbuilt messages alike. Messages not searched before are rendered a
        few at a time, on later turns of the event loop, so a long chat never freezes
        the window; the count says "so far" until every message is counted.
        """
        self._find_query = query
        self._matches = []
        self._match_pos = -1
        self._find_generation += 1
        if not query:
            self._find_finished()
            return
        self._find_from(self._find_generation, query.casefold(), 0)

    def find_counting(self) -> bool:
        """Whether matches are still being counted (a long chat searched the first time)."""
        return self._find_pending

    def _find_from(self, generation: int, needle: str, start: int) -> None:
        if generation != self._find_generation:
            return  # a newer query, another conversation, or the bar was closed
        renders = 0
        i = start
        while i < len(self._messages):
            if self._needs_render(i):
                if renders >= FIND_RENDERS_PER_STEP:
                    self._find_pending = True
                    self.find_bar.set_count(-1, len(self._matches), counting=True)
                    QTimer.singleShot(0, self, partial(self._find_from, generation, needle, i))
                    return
                renders += 1
            n = self._search_text(i).casefold().count(needle)
            self._matches.extend((i, k) for k in range(n))
            i += 1
        self._find_finished()

    def _find_finished(self) -> None:
        self._find_pending = False
        if self._matches:
            lo, _ = self._band(0)
            first = next((p for p, (i, _k) in enumerate(self._matches) if i >= lo), 0)
            self._go_to_match(first)
        for view in self.views.values():
            self._highlight(view)
        self.find_bar.set_count(self._match_pos, len(self._matches))

    def find_step(self, direction: int) -> None:
        if not self._matches:
            return
        pos = (self._match_pos + direction) % len(self._matches)
        self._go_to_match(pos)
        self.find_bar.set_count(self._match_pos, len(self._matches))

    def match_count(self) -> int:
        return len(self._matches)

    def _go_to_match(self, pos: int) -> None:
        self._match_pos = pos
        i, k = self._matches[pos]
        mid = self._messages[i].id
        self.scroll_to_message(mid)
        view = self.views.get(mid)
        if view is None:
            return
        for v in self.views.values():
            self._highlight(v)
        found = self._occurrence(view, k)
        if found is not None:
            browser, cursor = found
            rect = browser.cursorRect(cursor)
            self.scroll_to_message(mid, browser.y() + rect.y())

    def _occurrence(self, view: MessageView, k: int) -> tuple[RichText, QTextCursor] | None:
        """The k-th match in a view (the last one when it has fewer)."""
        last: tuple[RichText, QTextCursor] | None = None
        count = 0
        for browser in (view.settled, view.live):
            for cursor in self._cursors(browser.document()):
                last = (browser, cursor)
                if count == k:
                    return last
                count += 1
        return last

    def _cursors(self, doc: QTextDocument) -> list[QTextCursor]:
        out: list[QTextCursor] = []
        if not self._find_query:
            return out
        cursor = doc.find(self._find_query, 0)
        while not cursor.isNull():
            out.append(cursor)
            cursor = doc.find(self._find_query, cursor)
        return out

    def _highlight(self, view: MessageView) -> None:
        """Mark all matches in a view; the current match stronger than the rest."""
        current = None
        if 0 <= self._match_pos < len(self._matches):
            i, k = self._matches[self._match_pos]
            if self._messages[i].id == view.message.id:
                current = k
        # Imported here: setting up the text-format classes costs ~4 ms at start-up.
        from PySide6.QtGui import QTextCharFormat

        all_fmt = QTextCharFormat()
        all_fmt.setBackground(QColor("#fff176"))
        all_fmt.setForeground(QColor("#000000"))
        cur_fmt = QTextCharFormat()
        cur_fmt.setBackground(QColor("#ff9800"))
        cur_fmt.setForeground(QColor("#000000"))
        count = 0
        for browser in (view.settled, view.live):
            selections = []
            for cursor in self._cursors(browser.document()):
                sel = QTextEdit.ExtraSelection()
                sel.cursor = cursor
                sel.format = cur_fmt if count == current else all_fmt
                selections.append(sel)
                count += 1
            browser.setExtraSelections(selections)

    def _on_find_closed(self) -> None:
        self._find_generation += 1
        self._find_pending = False
        self._find_query = ""
        self._matches, self._match_pos = [], -1
        for view in self.views.values():
            view.settled.setExtraSelections([])
            view.live.setExtraSelections([])
