"""One message in the chat: a header line and its rendered markdown body.

A streaming reply is drawn in two parts: a `settled` document holding finished markdown
blocks, re-set only every `SETTLE_CHARS` of new text, and a small `live` document with
the blocks since then plus the unfinished tail, re-set each frame. Per-frame work is thus
bounded by the size of the live part, not by the length of the reply.
"""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Message, MessageStatus, Role

if TYPE_CHECKING:
    from app.core.markdown_render import StreamingMarkdown

#: live HTML beyond this many characters is moved into the settled document
SETTLE_CHARS = 6000

SAFE_SCHEMES = {"http", "https", "mailto"}


class RichText(QTextBrowser):
    """Read-only rich text that grows to fit its content and never fetches anything."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(2)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.setFixedHeight(0)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 (Qt API)
        """Only inline `data:` images are shown; any other URL is refused, never fetched."""
        qurl = QUrl(url) if isinstance(url, str) else url
        if qurl.scheme() == "data":
            raw = qurl.toString()
            _, _, payload = raw.partition(",")
            if ";base64" in raw.split(",", 1)[0]:
                image = QImage()
                if image.loadFromData(base64.b64decode(payload, validate=False)):
                    return image
        return None

    def _fit(self, *_: object) -> None:
        height = math.ceil(self.document().size().height()) + 4
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.document().setTextWidth(self.viewport().width())
        self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(400, self.height())


_ROLE_TITLE = {Role.USER: "You", Role.SYSTEM: "System", Role.TOOL: "Tool"}


class MessageView(QFrame):
    """Header (who, model, status, usage) and body of one message."""

    #: a short confirmation for the status bar, e.g. after copying a code block
    copied = Signal(str)

    def __init__(self, message: Message, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.setObjectName("userMessage" if message.role is Role.USER else "message")
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.header = QLabel(self)
        self.header.setObjectName("messageHeader")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.settled = RichText(self)
        self.live = RichText(self)
        self.live.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("messageNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        for widget in (self.header, self.settled, self.live, self.notice):
            layout.addWidget(widget)
        for browser in (self.settled, self.live):
            browser.anchorClicked.connect(self._on_link)
        self._stream: StreamingMarkdown | None = None
        self._settled_len = 0
        self._text = ""
        self.set_message(message)

    # ---- content -------------------------------------------------------------------

    def set_message(self, message: Message) -> None:
        """Show the stored state of the message (one full render)."""
        self.message = message
        self._stream = None
        self._text = message.content
        self.live.clear()
        self.live.hide()
        if message.role is Role.USER:
            # What the user typed is shown as typed (markdown is for replies).
            self.settled.setPlainText(message.content)
        elif message.content:
            # Imported on first use: markdown and pygments are not needed to show the window.
            from app.core.markdown_render import render_markdown

            self.settled.setHtml(render_markdown(message.content))
        else:
            self.settled.clear()
        self.settled.setVisible(bool(message.content) or message.status is MessageStatus.STREAMING)
        self._update_header()
        self._update_notice()

    def update_stream(self, text: str) -> None:
        """Draw a reply that is still arriving; called at most once a frame."""
        if text == self._text:
            return
        if self._stream is None or not text.startswith(self._text):
            from app.core.markdown_render import StreamingMarkdown

            self._stream = StreamingMarkdown()
            self._settled_len = 0
            self.settled.clear()
        self._text = text
        tail_html = self._stream.update(text).tail_html
        finished = self._stream.finished_html
        if len(finished) - self._settled_len > SETTLE_CHARS:
            self.settled.setHtml(finished)
            self._settled_len = len(finished)
        live_html = finished[self._settled_len :] + tail_html
        self.live.setHtml(live_html)
        self.live.setVisible(bool(live_html))
        self.settled.setVisible(self._settled_len > 0)

    # ---- header / notice -----------------------------------------------------------

    def _update_header(self) -> None:
        msg = self.message
        who = _ROLE_TITLE.get(msg.role) or (msg.model or "Assistant")
        parts = [who]
        if msg.role is Role.ASSISTANT:
            if msg.provider:
                parts.append(f"via {msg.provider}")
            if msg.usage is not None:
                parts.append(f"{msg.usage.completion_tokens:,} tokens")
                if msg.usage.cost is not None:
                    parts.append(f"${msg.usage.cost:.6f}".rstrip("0").rstrip("."))
            if msg.status is MessageStatus.STREAMING:
                parts.append("writing…")
            elif msg.status is MessageStatus.STOPPED:
                parts.append("stopped")
            elif msg.status is MessageStatus.ERROR:
                parts.append("failed")
        self.header.setText("  ·  ".join(parts))

    def _update_notice(self) -> None:
        msg = self.message
        text = ""
        if msg.status is MessageStatus.ERROR:
            text = f"⚠ {msg.error or 'The reply failed.'}"
        elif msg.status is MessageStatus.STOPPED:
            text = msg.error or "Stopped — the text received so far is kept."
        elif msg.finish_reason == "length":
            text = "The reply was cut off at the token limit."
        self.notice.setText(text)
        severity = "error" if msg.status is MessageStatus.ERROR else "info"
        self.notice.setProperty("severity", severity)
        self.notice.setVisible(bool(text))

    # ---- links ---------------------------------------------------------------------

    def _on_link(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == "parley-copy":
            self._copy_code(url.path())
            return
        if scheme not in SAFE_SCHEMES:
            answer = QMessageBox.question(
                self,
                "Open link?",
                f"This link uses “{scheme or 'no'}” as its scheme, which may start another "
                f"program:\n\n{url.toString()[:300]}\n\nOpen it anyway?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        QDesktopServices.openUrl(url)

    def _copy_code(self, index_text: str) -> None:
        try:
            index = int(index_text)
        except ValueError:
            return
        from app.core.markdown_render import code_blocks

        blocks = code_blocks(self._text or self.message.content)
        if 0 <= index < len(blocks):
            QGuiApplication.clipboard().setText(blocks[index])
            self.copied.emit("Code copied to the clipboard.")
