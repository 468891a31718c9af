"""The scrolling list of messages of the open conversation, with an empty state."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Message, MessageStatus
from app.ui.message_view import MessageView


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
        self.title = QLabel("Start a conversation", self)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel(self)
        self.body.setObjectName("emptyBody")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.button = QPushButton("Open Settings…", self)
        self.button.setAccessibleName("Open Settings")
        self.button.clicked.connect(self.openSettings)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(3)
        self.set_has_key(True)

    def set_has_key(self, has_key: bool) -> None:
        if has_key:
            self.body.setText(
                "Type below and press Enter to send · Shift+Enter for a new line\n"
                "Esc stops a reply · Ctrl+N new chat · Ctrl+, settings"
            )
        else:
            self.body.setText(
                "No API key is set. Add your OpenRouter key in Settings (Ctrl+,) —\n"
                "it is kept in the system keychain — or set $OPENROUTER_API_KEY."
            )
        self.button.setVisible(not has_key)


class ChatView(QStackedWidget):
    """Messages of one conversation. Follows a streaming reply while scrolled to the end."""

    openSettings = Signal()
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = EmptyState(self)
        self.empty.openSettings.connect(self.openSettings)
        self.scroller = QScrollArea(self)
        self.scroller.setObjectName("chatScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.container = QWidget()
        self.container.setObjectName("chatContainer")
        self.column = QVBoxLayout(self.container)
        self.column.setContentsMargins(16, 12, 16, 12)
        self.column.setSpacing(6)
        self.column.addStretch(1)
        self.scroller.setWidget(self.container)
        self.addWidget(self.empty)
        self.addWidget(self.scroller)
        self.views: dict[int, MessageView] = {}
        self._follow = True
        bar = self.scroller.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    # ---- content -------------------------------------------------------------------

    def show_messages(self, messages: list[Message]) -> None:
        """Replace the view with these messages."""
        self.clear()
        for msg in messages:
            self._add(msg)
        self._follow = True
        self.setCurrentWidget(self.scroller if messages else self.empty)
        QTimer.singleShot(0, self.scroll_to_end)

    def clear(self) -> None:
        for view in self.views.values():
            self.column.removeWidget(view)
            view.deleteLater()
        self.views.clear()
        self.setCurrentWidget(self.empty)

    def append(self, message: Message) -> None:
        self._add(message)
        self.setCurrentWidget(self.scroller)
        self._follow = True
        QTimer.singleShot(0, self.scroll_to_end)

    def update_stream(self, message_id: int, text: str) -> None:
        view = self.views.get(message_id)
        if view is not None:
            view.update_stream(text)

    def finish(self, message: Message) -> None:
        view = self.views.get(message.id)
        if view is not None:
            view.set_message(message)

    def _add(self, message: Message) -> MessageView:
        view = MessageView(message, self.container)
        view.copied.connect(self.statusMessage)
        # Insert before the trailing stretch.
        self.column.insertWidget(self.column.count() - 1, view)
        self.views[message.id] = view
        return view

    def streaming_view(self) -> MessageView | None:
        for view in reversed(list(self.views.values())):
            if view.message.status is MessageStatus.STREAMING:
                return view
        return None

    # ---- scrolling -----------------------------------------------------------------

    def at_bottom(self) -> bool:
        bar = self.scroller.verticalScrollBar()
        return bar.value() >= bar.maximum() - 24

    def scroll_to_end(self) -> None:
        bar = self.scroller.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, _value: int) -> None:
        # The user scrolling up stops the view from following the reply.
        self._follow = self.at_bottom()

    def _on_range_changed(self, _lo: int, _hi: int) -> None:
        if self._follow:
            self.scroll_to_end()
