"""The composer's "/" prompt picker, the `{{variable}}` fill-in form, and the row painter
shared with the prompt library.

The picker is a frameless popup list: keys pressed while it is open are handed to the
message box (as QCompleter does), so typing goes on refining the query while Up/Down,
Enter, Tab and Esc steer the list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHideEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.core.history.prompts import Prompt, fill, variables

_Index = QModelIndex | QPersistentModelIndex

#: item data: the prompt id (-1 for the "open the library" row)
ID_ROLE = Qt.ItemDataRole.UserRole
#: item data: the dimmed second line (tags, or the start of the body)
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
#: item data: bool, draw a star before the title
FAVOURITE_ROLE = Qt.ItemDataRole.UserRole + 2
#: item data: text of a small badge after the title ("" for none)
BADGE_ROLE = Qt.ItemDataRole.UserRole + 3

#: the picker row that opens the library instead of a prompt
LIBRARY_ROW_ID = -1

_STAR = "★"
_STAR_COLOUR = QColor("#e0a800")

#: variable names that usually hold more than one line of text
_LONG_NAMES = re.compile(
    r"(text|code|content|input|document|doc|body|context|diff|article|passage|essay|message"
    r"|email|notes?|transcript|log|source|snippet|paragraph|draft|data|json|html|markdown)",
    re.IGNORECASE,
)


class PromptRowDelegate(QStyledItemDelegate):
    """Two-line rows: ★ title and a badge on the first line, a dimmed detail on the second."""

    PADDING = 6

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.9))
        return title, small

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        title, small = self._fonts(option)
        height = QFontMetrics(title).height() + 2 * self.PADDING
        if index.data(DETAIL_ROLE):
            height += QFontMetrics(small).height() + 2
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim_colour = text_colour if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        title_font, small_font = self._fonts(opt)
        rect: QRect = opt.rect.adjusted(
            self.PADDING + 2, self.PADDING, -self.PADDING - 2, -self.PADDING
        )
        title_metrics = QFontMetrics(title_font)
        small_metrics = QFontMetrics(small_font)
        line_height = title_metrics.height()
        painter.save()
        x = rect.left()
        right = rect.right()
        badge = str(index.data(BADGE_ROLE) or "")
        if badge:
            badge_width = small_metrics.horizontalAdvance(badge) + 12
            badge_rect = QRect(right - badge_width + 1, rect.top() + 1, badge_width,
                               line_height - 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            accent = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(text_colour if selected else accent)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(badge_rect, 6, 6)
            painter.setFont(small_font)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
            right = badge_rect.left() - 8
        if index.data(FAVOURITE_ROLE):
            painter.setFont(title_font)
            painter.setPen(text_colour if selected else _STAR_COLOUR)
            star_width = title_metrics.horizontalAdvance(_STAR + " ")
            painter.drawText(QRect(x, rect.top(), star_width, line_height),
                             Qt.AlignmentFlag.AlignVCenter, _STAR)
            x += star_width
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(ID_ROLE) == LIBRARY_ROW_ID:
            # Not a prompt: an action, drawn quieter and set apart by a rule.
            if not selected:
                painter.setPen(palette.color(QPalette.ColorRole.Mid))
                painter.drawLine(opt.rect.left() + 4, opt.rect.top(),
                                 opt.rect.right() - 4, opt.rect.top())
            title_font.setWeight(QFont.Weight.Normal)
            title_font.setItalic(True)
            text_colour = dim_colour
        painter.setFont(title_font)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(x, rect.top(), max(0, right - x), line_height),
            Qt.AlignmentFlag.AlignVCenter,
            title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, max(0, right - x)),
        )
        detail = str(index.data(DETAIL_ROLE) or "")
        if detail:
            painter.setFont(small_font)
            painter.setPen(dim_colour)
            top = rect.top() + line_height + 2
            painter.drawText(
                QRect(rect.left(), top, rect.width(), small_metrics.height()),
                Qt.AlignmentFlag.AlignVCenter,
                small_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()),
            )
        painter.restore()


def first_line(text: str, limit: int = 160) -> str:
    """The first non-empty line of `text`, shortened, for a one-line preview."""
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())[:limit]
    return ""


class PromptPicker(QListWidget):
    """Frameless popup list of prompts under the message box's cursor."""

    #: a row was clicked
    picked = Signal()
    #: the popup closed by itself (a click elsewhere), not through `dismiss()`
    closedOutside = Signal()

    MAX_ROWS = 8

    def __init__(self, target: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target = target
        self._closing = False
        self.setWindowFlags(Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("promptPicker")
        self.setAccessibleName(self.tr("Prompts"))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusProxy(target)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setMouseTracking(True)
        self.setItemDelegate(PromptRowDelegate(self))
        self.setStyleSheet(
            "QListWidget#promptPicker { border: 1px solid palette(mid); border-radius: 0px;"
            " background: palette(base); padding: 2px; }"
        )
        self.itemClicked.connect(lambda _item: self.picked.emit())

    # ---- content --------------------------------------------------------------------

    def set_prompts(self, prompts: Sequence[Prompt], *, library_row: bool = True) -> None:
        """Show `prompts` (first one current), then the "Open Prompt Library…" row."""
        self.clear()
        for prompt in prompts:
            item = QListWidgetItem(prompt.title, self)
            item.setData(ID_ROLE, prompt.id)
            item.setData(DETAIL_ROLE, first_line(prompt.body))
            item.setData(FAVOURITE_ROLE, prompt.favourite)
            item.setData(BADGE_ROLE, self.tr("system preset") if prompt.is_system else "")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, prompt.title)
        if library_row:
            item = QListWidgetItem(self.tr("Open Prompt Library…"), self)
            item.setData(ID_ROLE, LIBRARY_ROW_ID)
        if self.count():
            self.setCurrentRow(0)

    def prompt_ids(self) -> list[int]:
        """Ids of the prompt rows, in order (the library row is left out)."""
        ids = [int(self.item(i).data(ID_ROLE)) for i in range(self.count())]
        return [i for i in ids if i != LIBRARY_ROW_ID]

    def current_id(self) -> int | None:
        """The id of the highlighted row (LIBRARY_ROW_ID for the library row)."""
        item = self.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def step(self, step: int) -> None:
        """Move the highlight by `step` rows, wrapping around."""
        if self.count():
            self.setCurrentRow((self.currentRow() + step) % self.count())

    # ---- showing --------------------------------------------------------------------

    def popup_at(self, anchor: QRect) -> None:
        """Show below `anchor` (global cursor rectangle), or above it when there is no room."""
        rows = min(self.count(), self.MAX_ROWS)
        delegate = self.itemDelegate()
        option = QStyleOptionViewItem()
        option.initFrom(self)
        height = sum(
            delegate.sizeHint(option, self.model().index(i, 0)).height() for i in range(rows)
        ) + 2 * self.frameWidth() + 6
        width = max(340, min(480, self.sizeHintForColumn(0) + 40))
        self.resize(width, height)
        screen = QGuiApplication.screenAt(anchor.center()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        pos = QPoint(anchor.left(), anchor.bottom() + 4)
        if pos.y() + height > area.bottom() and anchor.top() - height - 4 >= area.top():
            pos.setY(anchor.top() - height - 4)
        pos.setX(max(area.left(), min(pos.x(), area.right() - width)))
        self.move(pos)
        if not self.isVisible():
            self.show()

    def dismiss(self) -> None:
        """Hide without reporting `closedOutside`."""
        self._closing = True
        try:
            self.hide()
        finally:
            self._closing = False

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        if not self._closing:
            self.closedOutside.emit()

    def event(self, event: QEvent) -> bool:
        # While the popup is open, Qt delivers the keyboard to it: hand every key to the
        # message box, which both edits the query and steers this list.
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                            QEvent.Type.ShortcutOverride, QEvent.Type.InputMethod):
            return QApplication.sendEvent(self._target, event)
        return super().event(event)


# ---- the {{variable}} fill-in form ------------------------------------------------------


def _is_long(name: str, body: str) -> bool:
    """Multi-line field for names like `text` or `code`, or a variable on a line of its own."""
    if _LONG_NAMES.search(name):
        return True
    alone = re.compile(r"^[ \t]*\{\{\s*" + re.escape(name) + r"\s*\}\}[ \t]*$", re.MULTILINE)
    return bool(alone.search(body))


#: values typed this session, offered again the next time a form asks for the same name
_REMEMBERED: dict[str, str] = {}


class VariableForm(QDialog):
    """One field per `{{variable}}` and a live preview of the filled prompt."""

    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fill in “{title}”").format(title=title))
        self.setMinimumWidth(520)
        self._body = body
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        intro = QLabel(self.tr("This prompt has placeholders. Fill them in to insert it."), self)
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for name in variables(body):
            field: QLineEdit | QPlainTextEdit
            if _is_long(name, body):
                field = QPlainTextEdit(self)
                field.setTabChangesFocus(True)
                field.setFixedHeight(90)
                field.setPlainText(_REMEMBERED.get(name, ""))
                field.textChanged.connect(self._update_preview)
            else:
                field = QLineEdit(_REMEMBERED.get(name, ""), self)
                field.textChanged.connect(self._update_preview)
            field.setObjectName(f"variable:{name}")
            field.setAccessibleName(name)
            label = QLabel(name + ":", self)
            label.setBuddy(field)
            form.addRow(label, field)
            self.fields[name] = field
        preview_label = QLabel(self.tr("Preview"), self)
        preview_label.setObjectName("hint")
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("Preview of the filled prompt"))
        self.preview.setMinimumHeight(110)
        # Read-only: drawn on the window colour so it does not look like a field to type in.
        self.preview.setStyleSheet("QPlainTextEdit { background: palette(window); }")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Insert"))
        ok.setAccessibleName(self.tr("Insert"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            self.tr("Cancel")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(preview_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._update_preview()

    def values(self) -> dict[str, str]:
        """What was typed, by variable name."""
        return {
            name: field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
            for name, field in self.fields.items()
        }

    def filled(self) -> str:
        """The body with the typed values put in."""
        return fill(self._body, self.values())

    def _update_preview(self) -> None:
        self.preview.setPlainText(self.filled())

    def accept(self) -> None:
        _REMEMBERED.update(self.values())
        super().accept()


def fill_variables(parent: QWidget | None, title: str, body: str) -> str | None:
    """Ask for the prompt's `{{variables}}`; the filled text, or None when cancelled.

    A body without variables is returned at once, without a dialog.
    """
    if not variables(body):
        return fill(body, {})  # turns `{{{literal}}}` escapes into `{{literal}}`
    form = VariableForm(title, body, parent)
    try:
        if form.exec() != QDialog.DialogCode.Accepted:
            return None
        return form.filled()
    finally:
        form.deleteLater()

