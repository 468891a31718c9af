"""One message in the chat: header, reasoning, rendered markdown body, sources and actions.

A streaming reply is drawn in two parts: a `settled` document holding the finished
markdown blocks, which are *appended* to it as they finish (each block's HTML is
inserted once at the end, so a frame never re-parses the reply), and a small `live`
document holding only the unfinished tail, re-set each frame. Per-frame work is thus
bounded by the size of the tail, not by the length of the reply, and when the reply
finishes the settled document holds exactly what a one-shot `setHtml` of the whole
reply would (see `_append_html`; tests compare the two).

Heights follow the width (`hasHeightForWidth`), so the chat view can measure a message
for a column width without showing it (it lays messages out itself, see chat_view.py).
"""

from __future__ import annotations

import base64
import math
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QMimeData,
    QObject,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QEnterEvent,
    QGuiApplication,
    QImage,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.domain import Message, MessageStatus, Role
from app.core.events import stream_warning
from app.core.math_tex import MATH_SCHEME
from app.core.think import split_think
from app.ui.style import ICON_S, LIST_INDENT, SPACE_M, SPACE_S, SPACE_XS

if TYPE_CHECKING:
    from app.core.markdown_render import StreamingMarkdown
    from app.ui.attachment_chips import AttachmentBackend, AttachmentStrip, GeneratedImages

#: new reply text drawn per step at most (about 1 ms of rendering per 1,000 chars)
CATCH_UP_CHARS = 3000

SAFE_SCHEMES = {"http", "https", "mailto"}

# A throwaway first paragraph for appended HTML: Qt merges the first block of inserted
# HTML into the block at the cursor (losing its format), so that block is a dummy and is
# deleted right after. U+2063 (invisible separator) never occurs in a rendered reply.
_DUMMY_BLOCK = "<p>\u2063</p>"


def _append_html(doc: QTextDocument, fragment: str) -> None:
    """Append block-level HTML at the end of `doc` as if it had been part of setHtml."""
    fragment = fragment.strip()
    if not fragment:
        return
    if doc.isEmpty():
        doc.setHtml(fragment)
        return
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
    dummy_start = cursor.position()
    cursor.insertHtml(_DUMMY_BLOCK + fragment)
    dummy = doc.findBlock(dummy_start)
    cut = QTextCursor(doc)
    cut.setPosition(dummy_start - 1)
    cut.setPosition(dummy.position() + dummy.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    cut.removeSelectedText()
    cursor.endEditBlock()


@lru_cache(maxsize=256)
def rendered_html(content: str, theme: str, highlight: bool = True) -> str:
    """Markdown -> HTML, cached: messages scrolled out and back are not rendered twice.

    `highlight=False`: code blocks in plain colours (same text and layout)."""
    from app.core.markdown_render import render_markdown

    return render_markdown(content, theme=theme, highlight=highlight).strip()


def _highlight_now(content: str) -> bool:
    """Whether to highlight `content`'s code now. Until the renderer is warm (a worker
    thread loads pygments and the common lexers after start-up) code is shown plain and
    highlighted once it is: building a lexer's rules on the GUI thread takes up to ~70 ms,
    which would delay the first paint of a conversation shown at launch."""
    from app.core.markdown_render import has_code_block, is_warm

    return is_warm() or not has_code_block(content)


# Formulas are rendered as spans titled with their source (app/core/math_tex.py).
_MATH_MARK = ' title="'


def _may_hold_math(text: str) -> bool:
    """Cheap test that `text` might contain a formula (then the document is searched)."""
    return "$" in text or "\\(" in text or "\\[" in text


def _text_without_copy_links(doc: QTextDocument) -> str:
    """Plain text of a rendered reply, leaving out the code blocks' "python  Copy" lines."""
    lines = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        is_header = False
        while not it.atEnd():
            if it.fragment().charFormat().anchorHref().startswith("parley-copy:"):
                is_header = True
                break
            it += 1
        if not is_header:
            text = block.text()
            if "\ufffc" in text:  # a typeset formula: copy its TeX
                from app.ui.math_typeset import text_with_tex

                text = text_with_tex(doc, block.position(), block.position() + block.length() - 1)
            lines.append(text)
        block = block.next()
    return "\n".join(lines).replace("\u00a0", " ").strip("\n")


class RichText(QTextBrowser):
    """Read-only rich text that is as tall as its content and never fetches anything."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Prose wraps to the column; a code line wider than it scrolls sideways instead of
        # being clipped (the scroll bar only appears when a line does not fit).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.document().setDocumentMargin(2)
        # Qt indents each list level by 40 px; nested lists then drift far to the right of
        # the text column. One step of the spacing scale per level reads as nesting.
        self.document().setIndentWidth(LIST_INDENT)
        # Transparent without a widget stylesheet: one would stop the zoom font from
        # propagating to this widget.
        self.viewport().setAutoFillBackground(False)
        self.document().documentLayout().documentSizeChanged.connect(self._size_changed)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 (Qt API)
        """Only inline `data:` images are shown; any other URL is refused, never fetched."""
        qurl = QUrl(url) if isinstance(url, str) else url
        if qurl.scheme() == MATH_SCHEME:
            return None  # only what the typesetter added to this document is shown
        if qurl.scheme() == "data":
            raw = qurl.toString()
            _, _, payload = raw.partition(",")
            if ";base64" in raw.split(",", 1)[0]:
                image = QImage()
                if image.loadFromData(base64.b64decode(payload, validate=False)):
                    return image
        return None

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 (Qt API)
        """A selection holding typeset formulas is copied with their TeX as the text."""
        data = super().createMimeDataFromSelection()
        cursor = self.textCursor()
        if "\ufffc" not in cursor.selectedText():
            return data
        from app.ui.math_typeset import text_with_tex

        # Qt's own mime data fills its formats lazily and would overwrite the text.
        copied = QMimeData()
        copied.setHtml(data.html())
        copied.setText(
            text_with_tex(self.document(), cursor.selectionStart(), cursor.selectionEnd())
        )
        return copied

    def _size_changed(self, *_: object) -> None:
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        doc = self.document()
        margins = self.contentsMargins()
        text_width = max(1, width - margins.left() - margins.right())
        if doc.textWidth() != text_width:
            doc.setTextWidth(text_width)
        height = math.ceil(doc.size().height()) + 2
        if doc.size().width() > text_width + 0.5:
            height += self.horizontalScrollBar().sizeHint().height()
        return height

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # The height at the width the text is laid out at: a new widget is 100 px wide
        # until it is placed, and laying a long reply out at that width (and then again at
        # its column's) costs more than the rest of building the message.
        width = self.width() if self.width() > 0 else 400
        text_width = self.document().textWidth()
        if text_width > 0:
            margins = self.contentsMargins()
            width = math.ceil(text_width) + margins.left() + margins.right()
        return QSize(400, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(0, 0)


_ROLE_TITLE = {
    Role.USER: QT_TRANSLATE_NOOP("MessageView", "You"),
    Role.SYSTEM: QT_TRANSLATE_NOOP("MessageView", "System"),
    Role.TOOL: QT_TRANSLATE_NOOP("MessageView", "Tool"),
}


def _when(epoch: float) -> str:
    if epoch <= 0:
        return ""
    t = time.localtime(epoch)
    if time.strftime("%Y-%m-%d", t) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M", t)
    return time.strftime("%Y-%m-%d %H:%M", t)


def _citations(message: Message) -> list[tuple[str, str]]:
    """(url, title) of the web sources of a reply, in order, without duplicates."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    annotations = message.extra.get("annotations")
    if not isinstance(annotations, list):
        return out
    for item in annotations:
        if not isinstance(item, dict) or item.get("type") != "url_citation":
            continue
        cite = item.get("url_citation")
        if not isinstance(cite, dict):
            continue
        url = str(cite.get("url") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        out.append((url, str(cite.get("title") or "").strip()))
    return out


def _reasoning_encrypted(message: Message) -> bool:
    details = message.extra.get("reasoning_details")
    if not isinstance(details, list) or not details:
        return False
    has_text = any(isinstance(d, dict) and (d.get("text") or d.get("summary")) for d in details)
    encrypted = any(
        isinstance(d, dict) and str(d.get("type", "")).endswith("encrypted") for d in details
    )
    return encrypted and not has_text


def _tool_markdown(message: Message) -> str | None:
    """A tool result, or a reply that only calls tools, as readable blocks."""
    import json

    fence = "~~~~"  # tool output may contain ``` itself
    if message.role is Role.TOOL:
        args = message.extra.get("arguments")
        shown_args = json.dumps(args, indent=2, ensure_ascii=False) if args else "{}"
        return (f"{fence}json\n{shown_args}\n{fence}\n\n"
                f"{fence}text\n{message.content.rstrip()}\n{fence}")
    calls = message.extra.get("tool_calls")
    if message.role is Role.ASSISTANT and calls and not message.content.strip():
        lines = []
        for call in calls if isinstance(calls, list) else []:
            function = call.get("function", {}) if isinstance(call, dict) else {}
            lines.append(f"{fence}\n{function.get('name', '?')}"
                         f"({str(function.get('arguments', ''))[:2000]})\n{fence}")
        return "\n\n".join(lines) or None
    return None


def _pretty_json(message: Message) -> str | None:
    """A structured-output reply as a fenced, indented JSON block (None: not one)."""
    if "structured_check" not in message.extra:
        return None
    import json

    text = message.content.strip()
    if text.startswith("```"):
        text = text.strip("`").split("\n", 1)[-1].rsplit("```", 1)[0]
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"


def _sources_html(citations: list[tuple[str, str]]) -> str:
    import html

    from app.core.markdown_render import _safe_href

    rows = []
    for i, (url, title) in enumerate(citations, 1):
        label = html.escape(title or url)
        href = _safe_href(url)
        shown = f'<a href="{html.escape(href)}">{label}</a>' if href else label
        rows.append(f"{i}. {shown}")
    title = html.escape(QCoreApplication.translate("MessageView", "Sources"))
    return f'<p style="margin: 0px"><b>{title}</b><br>' + "<br>".join(rows) + "</p>"


class _TextOnlyDocument(QTextDocument):
    """A document read for its text only: it loads no resource of any kind."""

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 (Qt API)
        return None


def _content_and_reasoning(message: Message) -> tuple[str, str]:
    """The answer shown as the body, and the reasoning for the fold.

    A reply that opens its content with a <think> block has that block moved into the
    reasoning (after any reasoning the provider sent separately).
    """
    if message.role is Role.USER:
        return message.content, message.reasoning
    think, answer = split_think(message.content)
    return answer, _join_reasoning(message.reasoning, think)


def _join_reasoning(separate: str, think: str) -> str:
    if not think:
        return separate
    return f"{separate}\n\n{think}" if separate else think


def searchable_text(message: Message, theme: str = "light") -> str:
    """The text a stored message shows on screen, built without any widget.

    Find in conversation counts matches in this for every message, so the count is the
    same whether a message is on screen or not (see MessageView.set_message: the same
    rendering decisions).
    """
    if message.role is Role.USER:
        return message.content
    structured = _pretty_json(message) or _tool_markdown(message)
    source = structured if structured is not None else _content_and_reasoning(message)[0]
    if not source:
        return ""
    doc = _TextOnlyDocument()
    # Highlighting changes colours only, never the text.
    doc.setHtml(rendered_html(source, theme, highlight=False))
    return doc.toPlainText()


class MessageView(QFrame):
    """Header, reasoning, body, sources, notice and actions of one message."""

    #: a short confirmation for the status bar, e.g. after copying a code block
    copied = Signal(str)
    #: text that was just put on the clipboard by Copy / Copy as Markdown
    textCopied = Signal(str)
    editRequested = Signal(int)
    regenerateRequested = Signal(int)
    #: "Compare with…": answer this reply's prompt with other models too
    compareWithRequested = Signal(int)
    deleteRequested = Signal(int)
    #: (message id, -1 previous | +1 next)
    branchRequested = Signal(int, int)
    #: the view drew more of a reply on its own (catching up): its height changed
    grown = Signal()

    def __init__(
        self, message: Message, parent: QWidget | None = None, theme: str = "light",
        backend: AttachmentBackend | None = None,
    ) -> None:
        super().__init__(parent)
        self.message = message
        self.theme = theme
        #: code was drawn plain because the renderer was not warm yet (see rehighlight)
        self._plain_code = False
        #: where attached and generated files are read (None: they are not shown)
        self.backend = backend
        self.attachment_strip: AttachmentStrip | None = None
        self.images: GeneratedImages | None = None
        self.setObjectName("userMessage" if message.role is Role.USER else "message")
        self.setFrameShape(QFrame.Shape.NoFrame)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE_M, SPACE_S, SPACE_M, SPACE_XS)
        layout.setSpacing(SPACE_XS)
        # Header: the model (and provider) as a badge, then time, tokens and cost, muted.
        self.header_row = QWidget(self)
        header_layout = QHBoxLayout(self.header_row)
        header_layout.setContentsMargins(0, 0, 0, 0)
        header_layout.setSpacing(SPACE_S)
        self.badge = QLabel(self.header_row)
        self.badge.setObjectName("modelBadge")
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.header = QLabel(self.header_row)
        self.header.setObjectName("messageHeader")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        header_layout.addWidget(self.badge)
        header_layout.addWidget(self.header, 1)

        self.reasoning_toggle = QToolButton(self)
        self.reasoning_toggle.setObjectName("reasoningToggle")
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setAutoRaise(True)
        self.reasoning_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reasoning_toggle.toggled.connect(self._on_reasoning_toggled)
        self.reasoning = RichText(self)
        self.reasoning.setObjectName("reasoning")

        self.settled = RichText(self)
        self.live = RichText(self)
        self.sources = RichText(self)
        self.sources.setObjectName("sources")
        for browser, name in ((self.reasoning, self.tr("Reasoning")),
                              (self.settled, self.tr("Message text")),
                              (self.live, self.tr("Message text still arriving")),
                              (self.sources, self.tr("Sources"))):
            browser.setAccessibleName(name)
        # Under the reply: parts of its stream that could not be read (a small line,
        # not a dialog: the text that did arrive is still worth reading).
        self.stream_warning = QLabel(self)
        self.stream_warning.setObjectName("messageNotice")
        self.stream_warning.setProperty("severity", "warning")
        self.stream_warning.setWordWrap(True)
        self.stream_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel(self)
        self.notice.setObjectName("messageNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.actions_row = QWidget(self)
        self.actions_row.setObjectName("messageActions")
        row = QHBoxLayout(self.actions_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.copy_button = self._action("copy", self.tr("Copy"), self.tr("Copy the text"))
        self.copy_md_button = self._action(
            "file-code", self.tr("Copy as Markdown"), self.tr("Copy the markdown source")
        )
        self.edit_button = self._action(
            "pencil", self.tr("Edit"), self.tr("Edit this message and send it again")
        )
        self.regenerate_button = self._action(
            "refresh-cw", self.tr("Regenerate"), self.tr("Ask for a new reply"))
        self.compare_button = self._action(
            "git-compare", self.tr("Compare with…"),
            self.tr("Ask other models the same prompt, side by side")
        )
        self.delete_button = self._action(
            "trash-2", self.tr("Delete"), self.tr("Delete this message"))
        self.branch_prev = self._action("chevron-left", "‹", self.tr("Previous version"))
        self.branch_label = QLabel(self.actions_row)
        self.branch_label.setObjectName("branchLabel")
        self.branch_next = self._action("chevron-right", "›", self.tr("Next version"))
        for w in (self.copy_button, self.copy_md_button, self.edit_button,
                  self.regenerate_button, self.compare_button, self.delete_button):
            row.addWidget(w)
        # The version switcher sits in the header, always visible: the actions fade in on
        # hover only, and "there are other versions" must not depend on the pointer.
        for part in (self.branch_prev, self.branch_label, self.branch_next):
            header_layout.addWidget(part)
        user = message.role is Role.USER
        if user:
            # Your own message keeps its actions on its header line, so its frame has no
            # empty band where hidden actions wait.
            header_layout.addWidget(self.actions_row)
        else:
            row.addStretch(1)

        for widget in (self.header_row, self.reasoning_toggle, self.reasoning, self.settled,
                       self.live, self.stream_warning, self.sources, self.notice):
            layout.addWidget(widget)
        if not user:
            layout.addWidget(self.actions_row)
        for widget in (self.reasoning_toggle, self.reasoning, self.live, self.stream_warning,
                       self.sources, self.notice):
            widget.hide()
        # The actions keep their place (no jump on hover) but are drawn only on hover or
        # focus; an opacity of 0 skips their painting entirely.
        self._reveal = QGraphicsOpacityEffect(self.actions_row)
        self._reveal.setOpacity(0.0)
        self.actions_row.setGraphicsEffect(self._reveal)
        for browser in (self.settled, self.live):
            browser.installEventFilter(self)
        self.set_branch_info(0, 1)
        self._connect_signals()

        self._stream: StreamingMarkdown | None = None
        #: text received but not drawn yet, and the final message waiting for it
        self._behind: str | None = None
        self._final: Message | None = None
        self._catch_up_scheduled = False
        self._text = ""
        self._reasoning_text = ""
        self._reasoning_user_choice: bool | None = None
        #: the reply holds formulas (typeset them), and some are still being drawn
        self._math_seen = False
        self._math_waiting = False
        self._math_connected = False
        self.set_message(message)

    def _action(self, icon_name: str, text: str, tip: str) -> QToolButton:
        from app.ui.icons import icon

        button = QToolButton(self.actions_row)
        button.setObjectName("messageAction")
        button.setText(text)
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(ICON_S, ICON_S))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setAccessibleDescription(tip)
        button.setAutoRaise(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Focus on a button shows the row (keyboard users see what they are on).
        button.installEventFilter(self)
        return button

    # ---- showing the actions on hover and focus ----------------------------------------

    def actions_shown(self) -> bool:
        """True while the action buttons are drawn (pointer over the message, or focus in it)."""
        return self._reveal.opacity() > 0

    def _update_reveal(self) -> None:
        focus = QApplication.focusWidget()
        show = self.underMouse() or (focus is not None and self.isAncestorOf(focus))
        self._reveal.setOpacity(1.0 if show else 0.0)

    def enterEvent(self, event: QEnterEvent) -> None:  # noqa: N802 (Qt API)
        super().enterEvent(event)
        self._reveal.setOpacity(1.0)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().leaveEvent(event)
        self._update_reveal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Show the actions while the message or one of its buttons has the focus."""
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._update_reveal()
        return super().eventFilter(watched, event)

    def _connect_signals(self) -> None:
        for browser in (self.settled, self.live, self.sources):
            browser.anchorClicked.connect(self._on_link)
        self.copy_button.clicked.connect(self.copy_text)
        self.copy_md_button.clicked.connect(self.copy_markdown)
        self.edit_button.clicked.connect(lambda: self.editRequested.emit(self.message.id))
        self.regenerate_button.clicked.connect(
            lambda: self.regenerateRequested.emit(self.message.id)
        )
        self.compare_button.clicked.connect(
            lambda: self.compareWithRequested.emit(self.message.id)
        )
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(self.message.id))
        self.branch_prev.clicked.connect(lambda: self.branchRequested.emit(self.message.id, -1))
        self.branch_next.clicked.connect(lambda: self.branchRequested.emit(self.message.id, 1))

    # ---- geometry ------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        layout = self.layout()
        assert layout is not None
        height = int(layout.totalHeightForWidth(width))
        if height < 0:
            # No visible child depends on the width (a prompt of attachments only).
            height = layout.totalSizeHint().height()
        return height

    # ---- content -------------------------------------------------------------------

    def set_message(self, message: Message) -> None:
        """Show the stored state of the message.

        A reply that was streamed here is finished incrementally (only the last blocks
        are rendered). A long reply shown from scratch, or one that arrived faster than it
        could be drawn, is drawn in bounded steps on the following turns of the event loop,
        so the window never freezes for the whole text; anything else is one render.
        """
        content, reasoning = _content_and_reasoning(message)
        markdown = message.role is not Role.USER and "structured_check" not in message.extra
        streamed_behind = (
            self._stream is not None
            and content.startswith(self._text)
            and len(content) - len(self._text) > CATCH_UP_CHARS
        )
        long_fresh = self._stream is None and len(content) > CATCH_UP_CHARS
        if markdown and _tool_markdown(message) is None and (streamed_behind or long_fresh):
            self.message = message
            self._final = message
            self._update_header()
            self._update_notice()
            self._update_actions()
            self.update_stream(content, reasoning)
            return
        self._final = None
        self._behind = None
        self.message = message
        self._math_seen = markdown and _may_hold_math(content)
        structured = _pretty_json(message) or _tool_markdown(message)
        self._plain_code = False
        if structured is not None:
            # Structured output: shown pretty-printed as a JSON block, checked notice below.
            highlight = _highlight_now(structured)
            self._plain_code = not highlight
            self.settled.setHtml(rendered_html(structured, self.theme, highlight))
        elif (
            self._stream is not None
            and message.role is not Role.USER
            and content.startswith(self._text)
        ):
            update = self._stream.finish(content)
            if update.reset:
                self.settled.setHtml("".join(update.new_finished).strip())
            else:
                for fragment in update.new_finished:
                    _append_html(self.settled.document(), fragment)
        elif message.role is Role.USER:
            # What the user typed is shown as typed (markdown is for replies).
            self.settled.setPlainText(content)
        elif content:
            highlight = _highlight_now(content)
            self._plain_code = not highlight
            self.settled.setHtml(rendered_html(content, self.theme, highlight))
        else:
            self.settled.clear()
        self._stream = None
        self._text = content
        self.live.clear()
        self.live.hide()
        self.settled.setVisible(
            bool(content) or structured is not None or message.status is MessageStatus.STREAMING
        )
        self._set_reasoning(reasoning)
        self._typeset_math()
        self._update_sources()
        self._update_attachments()
        self._update_header()
        self._update_notice()
        self._update_actions()

    # ---- math ---------------------------------------------------------------------

    def _typeset_math(self, settled_from: int = 0) -> None:
        """Swap typeset formulas in for their TeX (those not drawn yet follow later).

        `settled_from` is where new text starts in the settled document (-1: nothing
        new there); formulas before it were handled when they arrived.
        """
        if not self._math_seen:
            return
        from app.ui.math_typeset import typesetter

        setter = typesetter()
        if not self._math_connected:
            setter.ready.connect(self._on_math_ready)
            self._math_connected = True
        # The application's palette: it is already the new one when the theme changes,
        # while widgets may still be getting theirs.
        color = QGuiApplication.palette().color(QPalette.ColorRole.Text).name()
        dpr = self.devicePixelRatioF()
        waiting = self._math_waiting if settled_from != 0 else False
        settled = self.settled.document()
        if settled_from >= 0 and not settled.isEmpty():
            waiting = setter.typeset(settled, color, dpr, start=settled_from) or waiting
        if not self.live.isHidden():
            waiting = setter.typeset(self.live.document(), color, dpr) or waiting
        self._math_waiting = waiting

    def refit_math(self) -> None:
        """Draw the formulas again at the current text size (after a zoom)."""
        if self._math_seen and self._stream is None and self.message.role is not Role.USER:
            self.set_message(self.message)

    def _on_math_ready(self) -> None:
        if self._math_waiting:
            self._typeset_math()
            self.grown.emit()

    # ---- files --------------------------------------------------------------------

    def _update_attachments(self) -> None:
        message = self.message
        if self.backend is None:
            return
        if message.attachments and self.attachment_strip is None:
            from app.ui.attachment_chips import AttachmentStrip

            self.attachment_strip = AttachmentStrip(
                message.attachments, self.backend, self)
            self._insert_after_text(self.attachment_strip)
        images = message.extra.get("images")
        if isinstance(images, list) and images:
            self.set_images([i for i in images if isinstance(i, dict)])

    def _insert_after_text(self, widget: QWidget) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.live) + 1, widget)

    def set_images(self, images: list[dict[str, Any]]) -> None:
        """Draw the reply's generated images under its text (new ones as they arrive)."""
        if self.backend is None:
            return
        if self.images is None:
            from app.ui.attachment_chips import GeneratedImages

            self.images = GeneratedImages(self.backend, self)
            self._insert_after_text(self.images)
        if self.images.set_images(images):
            self.images.show()
            self.grown.emit()

    def update_stream(self, text: str, reasoning: str = "") -> None:
        """Draw a reply that is still arriving; called at most once a frame.

        At most CATCH_UP_CHARS of new text are drawn per call: when a burst arrives, the
        rest is drawn in the following turns of the event loop, so the window never
        freezes for longer than one bounded step.
        """
        if self.message.role is not Role.USER:
            think, text = split_think(text)
            reasoning = _join_reasoning(reasoning, think)
        if reasoning != self._reasoning_text:
            self._set_reasoning(reasoning)
        if text == self._text:
            return
        if self._stream is None or not text.startswith(self._text):
            from app.core.markdown_render import StreamingMarkdown

            self._stream = StreamingMarkdown(theme=self.theme)
            self.settled.clear()
            self._text = ""
        if len(text) - len(self._text) > CATCH_UP_CHARS:
            self._behind = text
            text = text[: len(self._text) + CATCH_UP_CHARS]
            if not self._catch_up_scheduled:
                self._catch_up_scheduled = True
                QTimer.singleShot(0, self, self._catch_up)
        else:
            self._behind = None
        self._text = text
        update = self._stream.update(text)
        doc = self.settled.document()
        appended_at = max(0, doc.characterCount() - 1)
        for fragment in update.new_finished:
            _append_html(doc, fragment)
        self.live.setHtml(update.tail_html)
        self.live.setVisible(bool(update.tail_html))
        self.settled.setVisible(not doc.isEmpty())
        if any(_MATH_MARK in f for f in update.new_finished) or _MATH_MARK in update.tail_html:
            self._math_seen = True
        self._typeset_math(settled_from=appended_at if update.new_finished else -1)

    def _catch_up(self) -> None:
        """Draw the next bounded step of text that arrived faster than it was drawn."""
        self._catch_up_scheduled = False
        if self._behind is not None and self._behind.startswith(self._text):
            self.update_stream(self._behind, self._reasoning_text)
        if self._behind is None and self._final is not None:
            final, self._final = self._final, None
            self.set_message(final)
        self.grown.emit()

    def rehighlight(self) -> None:
        """Draw again with highlighted code, if it was drawn plain before the renderer was
        warm (see `_highlight_now`)."""
        if self._plain_code and self._stream is None:
            self.set_message(self.message)

    def set_theme(self, theme: str) -> None:
        """Re-render in another colour theme (a streaming reply keeps its theme)."""
        if theme == self.theme:
            return
        self.theme = theme
        if self._stream is None:
            self.set_message(self.message)

    def set_branch_info(self, index: int, count: int) -> None:
        """Show "‹ index+1 / count ›" when the message has other versions (count > 1)."""
        show = count > 1
        self.branch_label.setText(f"{index + 1} / {count}")
        for w in (self.branch_prev, self.branch_label, self.branch_next):
            w.setVisible(show)
        self.branch_prev.setEnabled(index > 0)
        self.branch_next.setEnabled(index < count - 1)

    # ---- reasoning and sources -----------------------------------------------------

    def _set_reasoning(self, text: str) -> None:
        msg = self.message
        streaming = msg.status is MessageStatus.STREAMING
        encrypted = not text and _reasoning_encrypted(msg)
        doc = self.reasoning.document()
        if text.startswith(self._reasoning_text) and self._reasoning_text:
            cursor = QTextCursor(doc)
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(self._reasoning_text) :])
        elif text != self._reasoning_text or doc.isEmpty():
            self.reasoning.setPlainText(text)
        self._reasoning_text = text
        if not text and not encrypted:
            self.reasoning_toggle.hide()
            self.reasoning.hide()
            return
        if encrypted:
            self.reasoning_toggle.setText(self.tr("Reasoning is encrypted by the provider"))
            self.reasoning_toggle.setCheckable(False)
            self.reasoning_toggle.setArrowType(Qt.ArrowType.NoArrow)
            self.reasoning_toggle.show()
            self.reasoning.hide()
            return
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setText(self.tr("Thinking…") if streaming else self.tr("Reasoning"))
        expanded = self._reasoning_user_choice
        if expanded is None:
            expanded = streaming  # follow the thinking live; fold it away once answered
        self.reasoning_toggle.blockSignals(True)
        self.reasoning_toggle.setChecked(expanded)
        self.reasoning_toggle.blockSignals(False)
        self.reasoning_toggle.setArrowType(
            Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow
        )
        self.reasoning_toggle.show()
        self.reasoning.setVisible(expanded)

    def _on_reasoning_toggled(self, checked: bool) -> None:
        self._reasoning_user_choice = checked
        self.reasoning.setVisible(checked)
        self.reasoning_toggle.setArrowType(
            Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        )

    def _update_sources(self) -> None:
        citations = _citations(self.message)
        if citations:
            self.sources.setHtml(_sources_html(citations))
        else:
            self.sources.clear()
        self.sources.setVisible(bool(citations))

    # ---- header / notice / actions ---------------------------------------------------

    def _update_header(self) -> None:
        msg = self.message
        title = _ROLE_TITLE.get(msg.role)
        parts: list[str] = []
        badge = ""
        if msg.role is Role.ASSISTANT:
            model = msg.model or self.tr("Assistant")
            badge = model.rsplit("/", 1)[-1]
            tip = model
            if msg.provider:
                badge += f" · {msg.provider}"
                tip = self.tr("{model} via {provider}").format(model=model, provider=msg.provider)
            self.badge.setToolTip(tip)
            self.badge.setAccessibleName(tip)
        else:
            parts.append(self.tr(str(title)) if title else self.tr("Assistant"))
        when = _when(msg.created_at)
        if when:
            parts.append(when)
        if msg.role is Role.ASSISTANT:
            if msg.usage is not None:
                parts.append(self.tr("{n} tokens").format(n=f"{msg.usage.completion_tokens:,}"))
                if msg.usage.cost is not None:
                    parts.append(f"${msg.usage.cost:.6f}".rstrip("0").rstrip("."))
            if msg.status is MessageStatus.STREAMING:
                parts.append(self.tr("writing…"))
            elif msg.status is MessageStatus.STOPPED:
                parts.append(self.tr("stopped"))
            elif msg.status is MessageStatus.ERROR:
                parts.append(self.tr("failed"))
        elif msg.role is Role.TOOL:
            name = msg.extra.get("name")
            if name:
                parts[0] = self.tr("Tool {name}").format(name=name)
            duration = msg.extra.get("duration_ms")
            if isinstance(duration, int | float):
                parts.append(f"{duration:,.0f} ms")
            approved = msg.extra.get("approved")
            if approved == "always":
                parts.append(self.tr("always allowed"))
            elif approved == "denied":
                parts.append(self.tr("denied"))
            if msg.status is MessageStatus.ERROR:
                parts.append(self.tr("failed"))
            elif msg.status is MessageStatus.STOPPED:
                parts.append(self.tr("stopped"))
        self.badge.setText(badge)
        self.badge.setVisible(bool(badge))
        self.header.setText(self.tr("  ·  ").join(parts))

    def _update_notice(self) -> None:
        msg = self.message
        text = ""
        if msg.status is MessageStatus.ERROR:
            text = "⚠ " + (msg.error or self.tr("The reply failed."))
        elif msg.status is MessageStatus.STOPPED:
            text = msg.error or self.tr("Stopped — the text received so far is kept.")
        elif msg.finish_reason == "length":
            text = self.tr("The reply was cut off at the token limit.")
        raw_check = msg.extra.get("structured_check")
        check: dict[str, Any] = raw_check if isinstance(raw_check, dict) else {}
        invalid = bool(check) and not check.get("valid", True)
        if invalid and not text:
            problems = "; ".join(str(p) for p in check.get("problems", [])[:5])
            text = "⚠ " + self.tr("Does not match the schema: {problems}").format(
                problems=problems)
        elif check and not text:
            text = self.tr("✓ Matches the schema.")
        self.notice.setText(text)
        severity = "error" if msg.status is MessageStatus.ERROR or invalid else "info"
        self.notice.setProperty("severity", severity)
        self.notice.setVisible(bool(text))
        warning = stream_warning(msg.extra) if msg.role is Role.ASSISTANT else None
        self.stream_warning.setText(f"⚠ {warning}" if warning else "")
        self.stream_warning.setVisible(bool(warning))

    def _update_actions(self) -> None:
        msg = self.message
        user = msg.role is Role.USER
        self.edit_button.setVisible(user)
        self.regenerate_button.setVisible(msg.role is Role.ASSISTANT)
        self.compare_button.setVisible(msg.role is Role.ASSISTANT)
        self.actions_row.setEnabled(msg.status is not MessageStatus.STREAMING)

    # ---- copying -------------------------------------------------------------------

    def plain_text(self) -> str:
        """The message as read on screen (code headers left out)."""
        if self.message.role is Role.USER:
            return self.message.content
        parts = [_text_without_copy_links(self.settled.document())]
        if self.live.isVisible():
            parts.append(_text_without_copy_links(self.live.document()))
        return "\n".join(p for p in parts if p)

    def copy_text(self) -> None:
        self._to_clipboard(self.plain_text(), self.tr("Message copied to the clipboard."))

    def copy_markdown(self) -> None:
        self._to_clipboard(
            self._text or _content_and_reasoning(self.message)[0],
            self.tr("Markdown copied to the clipboard."),
        )

    def _to_clipboard(self, text: str, note: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.textCopied.emit(text)
        self.copied.emit(note)

    # ---- links ---------------------------------------------------------------------

    def _on_link(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == "parley-copy":
            self._copy_code(url.path())
            return
        if scheme not in SAFE_SCHEMES:
            answer = QMessageBox.question(
                self,
                self.tr("Open link?"),
                self.tr("This link uses “{scheme}” as its scheme, which may start another "
                        "program:\n\n{url}\n\nOpen it anyway?").format(
                    scheme=scheme or "no", url=url.toString()[:300]
                ),
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

        blocks = code_blocks(self._text or _content_and_reasoning(self.message)[0])
        if 0 <= index < len(blocks):
            QGuiApplication.clipboard().setText(blocks[index])
            self.copied.emit(self.tr("Code copied to the clipboard."))
