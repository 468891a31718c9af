"""Paints one sidebar row: a folder with its chevron and count, or a conversation's
elided title over a subtle "model · time" line, with a date heading above the first row of
each group. One painter for every row (no widget per row), so long lists stay fast."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

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


class SidebarDelegate(QStyledItemDelegate):
    """Rows never ask to be wider than the list: a long title ends in "…" (the full one is
    the tooltip) instead of widening the list and giving it a horizontal scrollbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: font key -> (line height, small line height): measured once per font
        self._heights: dict[tuple[str, float, int], tuple[int, int]] = {}

    def _line_heights(self, font: QFont) -> tuple[int, int]:
        # Keyed by the font's size and family: QFont.key() costs more than the lookup.
        key = (font.family(), font.pointSizeF(), font.pixelSize())
        heights = self._heights.get(key)
        if heights is None:
            heights = (QFontMetrics(font).height(), QFontMetrics(_small(font)).height())
            self._heights[key] = heights
        return heights

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
        heading = self._heading(index)
        small = _small(option.font)
        if heading:
            painter.setFont(small)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            rect = option.rect.adjusted(PAD + 2, HEADING_GAP, -PAD, 0)
            rect.setHeight(QFontMetrics(small).height())
            bold = QFont(small)
            bold.setWeight(QFont.Weight.DemiBold)
            painter.setFont(bold)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             QFontMetrics(bold).elidedText(str(heading),
                                                           Qt.TextElideMode.ElideRight,
                                                           rect.width()))
        row = self.row_rect(option, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(row, 6, 6)
        elif hovered:
            painter.setBrush(palette.color(QPalette.ColorRole.Midlight))
            painter.drawRoundedRect(row, 6, 6)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        subtle = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText)
        inner = row.adjusted(PAD, PAD, -PAD, -PAD)
        fm = QFontMetrics(option.font)
        if index.data(IsFolderRole):
            self._paint_folder(painter, option, index, inner, (text_color, subtle))
        else:
            painter.setFont(option.font)
            painter.setPen(text_color)
            title_rect = QRect(inner.left(), inner.top(), inner.width(), fm.height())
            # The plain title: "pinned" is said by the heading or the line below it.
            title = str(index.data(Qt.ItemDataRole.EditRole) or "")
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(title, Qt.TextElideMode.ElideRight, inner.width()))
            painter.setFont(small)
            painter.setPen(subtle)
            sfm = QFontMetrics(small)
            sub_rect = QRect(inner.left(), title_rect.bottom() + 1, inner.width(), sfm.height())
            painter.drawText(sub_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             sfm.elidedText(str(index.data(SubtitleRole) or ""),
                                            Qt.TextElideMode.ElideRight, inner.width()))
        if option.state & QStyle.StateFlag.State_HasFocus and not selected:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(row.adjusted(0, 0, -1, -1), 6, 6)
        painter.restore()

    def _paint_folder(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index,
                      inner: QRect, colors: tuple[QColor, QColor]) -> None:
        text_color, subtle = colors
        fm = QFontMetrics(option.font)
        view = option.widget
        expanded = bool(option.state & QStyle.StateFlag.State_Open)
        if view is not None and hasattr(view, "isExpanded"):
            expanded = bool(view.isExpanded(index))
        chevron = "▾" if expanded else "▸"
        painter.setPen(subtle)
        painter.setFont(option.font)
        chevron_w = fm.horizontalAdvance("▾ ") + 2
        painter.drawText(QRect(inner.left(), inner.top(), chevron_w, fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, chevron)
        count = str(index.data(CountRole) or 0)
        small = _small(option.font)
        sfm = QFontMetrics(small)
        count_w = sfm.horizontalAdvance(count) + 4
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color)
        name_rect = QRect(inner.left() + chevron_w, inner.top(),
                          max(0, inner.width() - chevron_w - count_w), fm.height())
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideRight,
                                                       name_rect.width()))
        painter.setFont(small)
        painter.setPen(subtle)
        painter.drawText(QRect(inner.right() - count_w, inner.top(), count_w, fm.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                             index: _Index) -> None:
        row = self.row_rect(option, index)
        height = QFontMetrics(option.font).height() + PAD
        editor.setGeometry(QRect(row.left() + 2, row.top() + 2, row.width() - 4, height))
