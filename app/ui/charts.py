"""A stacked bar chart of spend per day, drawn with QPainter in the palette's colours."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

#: series hues (degrees); lightness follows the theme so bars read on light and dark
_HUES = (210, 30, 140, 280, 0, 180, 60, 320, 100, 240)
#: the most series drawn apart; the rest are one "other" segment
MAX_SERIES = 8
OTHER = "other"
_MARGIN_LEFT = 64
_MARGIN_BOTTOM = 28
_MARGIN_TOP = 12
_LEGEND_ROW = 20


@dataclass(frozen=True)
class Bar:
    """One day: its segments (series, cost) in legend order, and its replies."""

    day: date
    segments: tuple[tuple[str, float], ...]
    replies: int
    unpriced: int

    @property
    def total(self) -> float:
        """The day's cost."""
        return sum(cost for _key, cost in self.segments)


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 or value == 0 else f"${value:,.4f}"


def series_colour(index: int, dark: bool) -> QColor:
    """A distinct colour for series `index`, light enough (or dark enough) for the theme."""
    hue = _HUES[index % len(_HUES)]
    return QColor.fromHsl(hue, 150, 165 if dark else 105)


class SpendChart(QWidget):
    """Spend per day as stacked bars; hover a bar for its figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spendChart")
        self.setAccessibleName(self.tr("Spend per day"))
        self.setMinimumSize(QSize(420, 220))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.bars: list[Bar] = []
        self.series: list[str] = []

    def set_data(self, days: Sequence[date],
                 segments: Sequence[tuple[date, str, float, int, int]]) -> None:
        """Show `days` (every date of the range) with (day, series, cost, replies, unpriced)
        segments; the dearest series keep their own colour, the rest are "other"."""
        spend: dict[str, float] = {}
        for _day, key, cost, _n, _u in segments:
            spend[key] = spend.get(key, 0.0) + cost
        ranked = sorted(spend, key=lambda k: (-spend[k], k))
        kept = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
        self.series = kept + ([OTHER] if len(ranked) > len(kept) else [])
        per_day: dict[date, dict[str, float]] = {d: {} for d in days}
        counts: dict[date, list[int]] = {d: [0, 0] for d in days}
        for day, key, cost, n, unpriced in segments:
            if day not in per_day:
                continue
            name = key if key in kept else OTHER
            per_day[day][name] = per_day[day].get(name, 0.0) + cost
            counts[day][0] += n
            counts[day][1] += unpriced
        self.bars = [
            Bar(d, tuple((s, per_day[d][s]) for s in self.series if s in per_day[d]),
                counts[d][0], counts[d][1])
            for d in days
        ]
        self.update()

    # ---- geometry ------------------------------------------------------------------

    def _legend_height(self) -> int:
        return _LEGEND_ROW * max(1, (len(self.series) + 2) // 3) if self.series else 0

    def _plot(self) -> QRectF:
        return QRectF(_MARGIN_LEFT, _MARGIN_TOP + self._legend_height(),
                      max(1, self.width() - _MARGIN_LEFT - 12),
                      max(1, self.height() - _MARGIN_TOP - _MARGIN_BOTTOM
                          - self._legend_height()))

    def bar_at(self, pos: QPoint) -> int | None:
        """Index of the bar (day) under `pos`, None outside the plot."""
        plot = self._plot()
        if not self.bars or not plot.contains(pos.toPointF()):
            return None
        index = int((pos.x() - plot.left()) / (plot.width() / len(self.bars)))
        return index if 0 <= index < len(self.bars) else None

    def tooltip_for(self, index: int) -> str:
        """What hovering the bar of `index` shows: date, total, each series, replies."""
        bar = self.bars[index]
        lines = [f"{bar.day:%a %d %b %Y}: {_money(bar.total)}"]
        lines += [f"  {key}: {_money(cost)}" for key, cost in reversed(bar.segments)]
        noun = "reply" if bar.replies == 1 else "replies"
        lines.append(f"{bar.replies:,} {noun}")
        if bar.unpriced:
            lines.append(f"{bar.unpriced:,} without a reported cost")
        return "\n".join(lines)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            index = self.bar_at(e.pos())
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), self.tooltip_for(index), self)
            return True
        return super().event(e)

    def save_png(self, path: Path) -> bool:
        """Write the chart as it is drawn now to a PNG file; False when it failed."""
        return self.grab().save(str(path), "PNG")

    # ---- painting ------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(40)
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        metrics = QFontMetrics(self.font())
        self._paint_legend(painter, metrics, dark, text)
        plot = self._plot()
        top = self._nice_top()
        # As few decimals as show every grid step exactly ($0.125 needs three).
        decimals = next((d for d in range(2, 7)
                         if abs(top / 4 * 10**d - round(top / 4 * 10**d)) < 1e-6), 6)
        painter.setPen(text)
        for i in range(5):
            value = top * i / 4
            y = plot.bottom() - plot.height() * i / 4
            painter.setPen(grid)
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(text)
            label = f"${value:,.{decimals}f}"
            painter.drawText(QRectF(0, y - 8, _MARGIN_LEFT - 6, 16),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             label)
        if not self.bars:
            return
        slot = plot.width() / len(self.bars)
        width = max(1.0, slot * 0.75)
        colours = {s: series_colour(i, dark) for i, s in enumerate(self.series)}
        for index, bar in enumerate(self.bars):
            x = plot.left() + slot * index + (slot - width) / 2
            y = plot.bottom()
            for key, cost in bar.segments:
                h = plot.height() * cost / top
                if h <= 0:
                    continue
                painter.fillRect(QRectF(x, y - h, width, h), colours[key])
                y -= h
        # Date labels: as many as fit without overlapping.
        label_width = metrics.horizontalAdvance("00 Mmm") + 8
        every = max(1, int(label_width / slot) + 1)
        painter.setPen(text)
        for index in range(0, len(self.bars), every):
            day = self.bars[index].day
            x = plot.left() + slot * index + slot / 2
            painter.drawText(QRectF(x - label_width / 2, plot.bottom() + 4, label_width, 18),
                             int(Qt.AlignmentFlag.AlignHCenter), f"{day:%d %b}")

    def _nice_top(self) -> float:
        top = max((b.total for b in self.bars), default=0.0)
        if top <= 0:
            return 1.0
        magnitude = 10.0 ** _floor_log10(top)
        for mult in (1, 2, 2.5, 5, 10):
            if top <= magnitude * mult:
                return magnitude * mult
        return top

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics, dark: bool,
                      text: QColor) -> None:
        column = max(1, (self.width() - _MARGIN_LEFT) // 3)
        for i, key in enumerate(self.series):
            x = _MARGIN_LEFT + (i % 3) * column
            y = _MARGIN_TOP + (i // 3) * _LEGEND_ROW
            painter.fillRect(QRectF(x, y + 3, 12, 12), series_colour(i, dark))
            painter.setPen(text)
            name = metrics.elidedText(key, Qt.TextElideMode.ElideMiddle, column - 24)
            painter.drawText(QRectF(x + 18, y, column - 20, _LEGEND_ROW - 2),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), name)


def _floor_log10(value: float) -> int:
    return math.floor(math.log10(value))
