"""Parley's icon set: Lucide SVGs (ISC licence, see app/ui/lucide/LICENSE) shipped in the package.

`icon("copy")` returns a QIcon at once without reading anything: the SVG is read and
rendered the first time the icon is painted, at the size and device pixel ratio it is
painted at (crisp on HiDPI). Its stroke takes the application palette's text colour at
paint time, so icons follow a theme switch without being rebuilt; disabled icons use the
dimmed text colour, icons on a selection the highlighted-text colour.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
    QPixmapCache,
)

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

#: where the SVG files are, inside the installed package
ICON_DIR = Path(__file__).resolve().with_name("lucide")


@cache
def icon_path(name: str) -> Path:
    """The SVG file of icon `name` (e.g. "copy"); FileNotFoundError when it is not shipped."""
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"Parley has no icon named {name!r} in {ICON_DIR}.")
    return path


def available_icons() -> list[str]:
    """Names of every shipped icon."""
    return sorted(p.stem for p in ICON_DIR.glob("*.svg"))


@cache
def _svg_source(name: str) -> str:
    return icon_path(name).read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def _renderer(name: str, color: str) -> QSvgRenderer:
    # QtSvg is imported on the first paint, not at start-up.
    from PySide6.QtSvg import QSvgRenderer

    data = _svg_source(name).replace("currentColor", color)
    return QSvgRenderer(data.encode("utf-8"))


def _palette_color(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.Text)


class _SvgEngine(QIconEngine):
    """Draws one SVG in a colour fixed at creation, or the palette's text colour."""

    def __init__(self, name: str, color: str | None) -> None:
        super().__init__()
        self.name = name
        self.color = color

    def _color(self, mode: QIcon.Mode) -> str:
        if self.color is not None and mode != QIcon.Mode.Disabled:
            return self.color
        return _palette_color(mode).name()

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        """Render the SVG into `rect` (vector: sharp at any scale)."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _renderer(self.name, self._color(mode)).render(painter, rect)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """A pixmap of `size` device-independent pixels at ratio 1."""
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(  # noqa: N802 (Qt API)
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        """A pixmap with `scale` device pixels per logical pixel (HiDPI screens).

        Kept in Qt's pixmap cache by name, colour, size and scale: buttons ask again on
        every repaint (hover, scrolling), and rendering the SVG each time is wasted work.
        """
        width = max(1, round(size.width() * scale))
        height = max(1, round(size.height() * scale))
        key = f"parley-icon:{self.name}:{self._color(mode)}:{width}x{height}@{scale}"
        pixmap = QPixmap()
        if QPixmapCache.find(key, pixmap):
            return pixmap
        pixmap = QPixmap(width, height)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, width, height), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        QPixmapCache.insert(key, pixmap)
        return pixmap

    def clone(self) -> QIconEngine:
        """A copy (Qt copies engines when an icon is detached)."""
        return _SvgEngine(self.name, self.color)

    def key(self) -> str:
        """The engine's identifier."""
        return "parley-svg"


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """The Lucide icon `name`, in `color` or (default) the palette's text colour."""
    return _icon(name, QColor(color).name() if color is not None else None)


@lru_cache(maxsize=512)
def _icon(name: str, color: str | None) -> QIcon:
    # One QIcon per name and colour (QIcon is shared, not copied): a reply's eight action
    # buttons do not each build their own.
    icon_path(name)  # a typo fails where the icon is made, not silently at paint time
    return QIcon(_SvgEngine(name, color))
