"""Paints one sidebar row: a folder with its chevron and count, or a conversation's
elided title over a subtle "model · time" line, with a date heading above the first row of
each group. One painter for every row (no widget per row), so long lists stay fast."""

from __future__ import annotations

import functools

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.ui.sidebar.model import (
    ConversationListModel,
    CountRole,
    GroupRole,
    IsFolderRole,
    SubtitleRole,
)

_Index = QModelIndex | QPersistentModelIndex

#: inner padding of a row, and the gap above a date heading (px)
PAD = 6
HEADING_GAP = 10


def _small(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    return small


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    return bold


class _Fonts:
    """The fonts of one row and their metrics, made once per list font: building them on
    every paint cost more than drawing the text."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.small = _small(font)
        self.bold = _bold(font)
        self.small_bold = _bold(self.small)
        self.fm = QFontMetrics(self.font)
        self.sfm = QFontMetrics(self.small)
        self.bfm = QFontMetrics(self.bold)
        self.sbfm = QFontMetrics(self.small_bold)
        self.line = self.fm.height()
        self.small_line = self.sfm.height()



@functools.cache
def _state_bits() -> tuple[int, int, int, int]:
    """QStyle's selected, hovered, focused and open flags as plain ints: testing Qt's enum
    flags in Python costs more than the rest of a row's logic. Looked up at the first
    paint, because setting up QStyle's ~600 enum members takes ~7 ms."""
    from PySide6.QtWidgets import QStyle

    flag = QStyle.StateFlag
    return (flag.State_Selected.value, flag.State_MouseOver.value, flag.State_HasFocus.value,
            flag.State_Open.value)

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: elided texts kept before the cache starts afresh (a few screens of rows at a few widths)
_ELIDED_MAX = 4096


class SidebarDelegate(QStyledItemDelegate):
    """Rows never ask to be wider than the list: a long title ends in "…" (the full one is
    the tooltip) instead of widening the list and giving it a horizontal scrollbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: font key -> the row's fonts and metrics: measured once per font
        self._fonts: dict[tuple[str, float, int], _Fonts] = {}
        #: (text, width, metrics) -> the text elided to that width, laid out once: a
        #: keystroke in the filter repaints the same rows, and laying out text is most of
        #: a row's paint
        self._elided: dict[tuple[str, int, int], QStaticText] = {}

    def _fonts_for(self, font: QFont) -> _Fonts:
        # Keyed by the font's size and family: QFont.key() costs more than the lookup.
        key = (font.family(), font.pointSizeF(), font.pixelSize())
        fonts = self._fonts.get(key)
        if fonts is None:
            fonts = self._fonts[key] = _Fonts(font)
        return fonts

    def _line_heights(self, font: QFont) -> tuple[int, int]:
        fonts = self._fonts_for(font)
        return fonts.line, fonts.small_line

    def _static(self, fm: QFontMetrics, text: str, width: int) -> QStaticText:
        key = (text, width, id(fm))  # the metrics live as long as the delegate
        static = self._elided.get(key)
        if static is None:
            if len(self._elided) >= _ELIDED_MAX:
                self._elided.clear()
            static = QStaticText(fm.elidedText(text, Qt.TextElideMode.ElideRight, width))
            # A title is never markup: "<b>" in it is shown as typed.
            static.setTextFormat(Qt.TextFormat.PlainText)
            self._elided[key] = static
        return static

    def _draw(self, painter: QPainter, fm: QFontMetrics, rect: QRect, text: str) -> None:
        """`text` elided into `rect`, at its left, centred in its height."""
        painter.drawStaticText(rect.left(), rect.top() + (rect.height() - fm.height()) // 2,
                               self._static(fm, text, rect.width()))

    @staticmethod
    def _heading(index: _Index) -> str:
        model = index.model()
        if isinstance(model, ConversationListModel):
            return model.heading(index)
        return str(index.data(GroupRole) or "")

    def _heading_height(self, option: QStyleOptionViewItem, index: _Index) -> int:
        if not self._heading(index):
            return 0
        return self._line_heights(option.font)[1] + HEADING_GAP + 2

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        line, small = self._line_heights(option.font)
        model = index.model()
        if isinstance(model, ConversationListModel):
            kind = model.row_kind(index)
        else:
            kind = 0 if index.data(IsFolderRole) else 2 if index.data(GroupRole) else 1
        if kind == 0:
            height = line + 2 * PAD + 2
        else:
            height = line + small + 2 * PAD + 2
            if kind == 2:
                height += small + HEADING_GAP + 2
        # Width 1: rows are stretched to the list's width when drawn.
        return QSize(1, height)

    def row_rect(self, option: QStyleOptionViewItem, index: _Index) -> QRect:
        """The part of the row below its heading (where the title and selection are)."""
        return option.rect.adjusted(2, self._heading_height(option, index), -2, 0)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        palette = option.palette
        fonts = self._fonts_for(option.font)
        model = index.model()
        ours = model if isinstance(model, ConversationListModel) else None
        heading = ours.heading(index) if ours is not None else str(
            index.data(GroupRole) or "")
        rect = option.rect
        if heading:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            head = rect.adjusted(PAD + 2, HEADING_GAP, -PAD, 0)
            head.setHeight(fonts.small_line)
            painter.setFont(fonts.small_bold)
            self._draw(painter, fonts.sbfm, head, heading)
            row = rect.adjusted(2, fonts.small_line + HEADING_GAP + 2, -2, 0)
        else:
            row = rect.adjusted(2, 0, -2, 0)
        state = option.state.value
        is_selected, is_hovered, has_focus, _ = _state_bits()
        selected = bool(state & is_selected)
        hovered = bool(state & is_hovered)
        if selected or hovered:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight if selected
                                           else QPalette.ColorRole.Midlight))
            painter.drawRoundedRect(row, 6, 6)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        subtle = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText)
        inner = row.adjusted(PAD, PAD, -PAD, -PAD)
        conv = ours.conversation_at(index) if ours is not None else None
        if conv is None and (ours is not None or index.data(IsFolderRole)):
            self._paint_folder(painter, option, index, inner, (text_color, subtle))
        else:
            painter.setFont(fonts.font)
            painter.setPen(text_color)
            width = inner.width()
            title_rect = QRect(inner.left(), inner.top(), width, fonts.line)
            # The plain title: "pinned" is said by the heading or the line below it.
            title = conv.title if conv is not None else str(
                index.data(Qt.ItemDataRole.EditRole) or "")
            self._draw(painter, fonts.fm, title_rect, title)
            painter.setFont(fonts.small)
            painter.setPen(subtle)
            sub_rect = QRect(inner.left(), title_rect.bottom() + 1, width, fonts.small_line)
            subtitle = ours.data(index, SubtitleRole) if ours is not None else index.data(
                SubtitleRole)
            self._draw(painter, fonts.sfm, sub_rect, str(subtitle or ""))
        if state & has_focus and not selected:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(row.adjusted(0, 0, -1, -1), 6, 6)
        painter.restore()

    def _paint_folder(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index,
                      inner: QRect, colors: tuple[QColor, QColor]) -> None:
        text_color, subtle = colors
        fonts = self._fonts_for(option.font)
        fm = fonts.fm
        view = option.widget
        expanded = bool(option.state.value & _state_bits()[3])
        if view is not None and hasattr(view, "isExpanded"):
            expanded = bool(view.isExpanded(index))
        chevron = "▾" if expanded else "▸"
        painter.setPen(subtle)
        painter.setFont(fonts.font)
        chevron_w = fm.horizontalAdvance("▾ ") + 2
        painter.drawText(QRect(inner.left(), inner.top(), chevron_w, fm.height()),
                         _LEFT, chevron)
        count = str(index.data(CountRole) or 0)
        count_w = fonts.sfm.horizontalAdvance(count) + 4
        painter.setFont(fonts.bold)
        painter.setPen(text_color)
        name_rect = QRect(inner.left() + chevron_w, inner.top(),
                          max(0, inner.width() - chevron_w - count_w), fm.height())
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        self._draw(painter, fonts.bfm, name_rect, name)
        painter.setFont(fonts.small)
        painter.setPen(subtle)
        painter.drawText(QRect(inner.right() - count_w, inner.top(), count_w, fm.height()),
                         _RIGHT, count)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                             index: _Index) -> None:
        row = self.row_rect(option, index)
        height = QFontMetrics(option.font).height() + PAD
        editor.setGeometry(QRect(row.left() + 2, row.top() + 2, row.width() - 4, height))
