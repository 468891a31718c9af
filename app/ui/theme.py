"""Light and dark themes: follow the system (Qt 6.5+ colour scheme) or force one.

`apply_theme(app, "system" | "light" | "dark")` sets the palette; widgets read colours
from it (the stylesheet uses palette() roles) and the chat view re-renders replies
with code colours for the new background when it sees the palette change.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

_state: dict[str, object] = {"theme": "system", "connected": False}


def system_is_dark(app: QApplication) -> bool:
    """What the desktop asks for (False where the platform cannot tell)."""
    return bool(app.styleHints().colorScheme() == Qt.ColorScheme.Dark)


def _palette(dark: bool) -> QPalette:
    role = QPalette.ColorRole
    if dark:
        colors = {
            role.Window: "#202225", role.WindowText: "#e6e6e6", role.Base: "#1b1d20",
            role.AlternateBase: "#26292e", role.Text: "#e6e6e6", role.Button: "#2b2e33",
            role.ButtonText: "#e6e6e6", role.Highlight: "#3d7bd9",
            role.HighlightedText: "#ffffff", role.Link: "#6cb6ff", role.LinkVisited: "#b392f0",
            role.ToolTipBase: "#2b2e33", role.ToolTipText: "#e6e6e6",
            role.PlaceholderText: "#8b949e", role.Mid: "#3c4047", role.Midlight: "#33373d",
            role.Dark: "#111214", role.Light: "#4a4f57", role.Shadow: "#000000",
            role.BrightText: "#ffffff",
        }
    else:
        colors = {
            role.Window: "#f3f3f3", role.WindowText: "#1f2328", role.Base: "#ffffff",
            role.AlternateBase: "#f2f4f7", role.Text: "#1f2328", role.Button: "#f3f3f3",
            role.ButtonText: "#1f2328", role.Highlight: "#2f6fd6",
            role.HighlightedText: "#ffffff", role.Link: "#0969da", role.LinkVisited: "#8250df",
            role.ToolTipBase: "#ffffdc", role.ToolTipText: "#1f2328",
            role.PlaceholderText: "#6e7781", role.Mid: "#c8ccd1", role.Midlight: "#e4e7eb",
            role.Dark: "#9aa0a6", role.Light: "#ffffff", role.Shadow: "#767676",
            role.BrightText: "#ffffff",
        }
    palette = QPalette()
    for r, c in colors.items():
        palette.setColor(r, QColor(c))
    # Disabled text is dimmed in both themes.
    for r in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor(colors[role.PlaceholderText]))
    return palette


def effective_theme(app: QApplication, theme: str) -> str:
    """"light" or "dark": what `theme` means on this desktop right now."""
    if theme == "dark" or (theme == "system" and system_is_dark(app)):
        return "dark"
    return "light"


def apply_theme(app: QApplication, theme: str) -> str:
    """Use `theme` ("system", "light" or "dark"); returns the effective "light"/"dark"."""
    if theme not in THEMES:
        theme = "system"
    _state["theme"] = theme
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+: native parts follow as well
        scheme = {
            "light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark
        }.get(theme, Qt.ColorScheme.Unknown)
        hints.setColorScheme(scheme)
    if not _state["connected"]:
        hints.colorSchemeChanged.connect(lambda _scheme: _follow_system(app))
        _state["connected"] = True
    effective = effective_theme(app, theme)
    app.setPalette(_palette(effective == "dark"))
    # Stylesheet palette() references are resolved when set: set it again.
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())
    return effective


def current_theme() -> str:
    """The theme last passed to `apply_theme`."""
    return str(_state["theme"])


def _follow_system(app: QApplication) -> None:
    if _state["theme"] == "system":
        effective = effective_theme(app, "system")
        dark_now = app.palette().color(QPalette.ColorRole.Base).lightness() < 128
        if dark_now != (effective == "dark"):
            apply_theme(app, "system")
