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


#: The palette, defined once (docs/design.md shows it): QPalette roles plus the few colours
#: Qt has no role for (states, the model badge, the context gauge).
PALETTES: dict[str, dict[str, str]] = {
    "light": {
        "window": "#f6f7f9", "base": "#ffffff", "alternate": "#f1f3f6", "text": "#1f2328",
        "muted": "#656d76", "border": "#d0d7de", "border_soft": "#e6e9ee",
        "accent": "#2563eb", "accent_text": "#ffffff", "accent_soft": "#e7efff",
        "accent_soft_text": "#1d4ed8", "hover": "#eceff3", "link": "#0969da",
        "link_visited": "#8250df", "tooltip": "#1f2328", "tooltip_text": "#ffffff",
        "warning": "#b45309", "danger": "#c62828", "success": "#1a7f37", "shadow": "#8c959f",
        "dark": "#9aa0a6",
    },
    "dark": {
        "window": "#17181b", "base": "#1e1f23", "alternate": "#27292e", "text": "#e6e7ea",
        "muted": "#9a9ea6", "border": "#3b3e45", "border_soft": "#2e3036",
        "accent": "#4c8dff", "accent_text": "#ffffff", "accent_soft": "#22314d",
        "accent_soft_text": "#a9c7ff", "hover": "#2c2e34", "link": "#6cb6ff",
        "link_visited": "#b392f0", "tooltip": "#2c2e34", "tooltip_text": "#e6e7ea",
        "warning": "#f0a020", "danger": "#f26d6d", "success": "#4ac26b", "shadow": "#000000",
        "dark": "#0f1012",
    },
}


def tokens(dark: bool) -> dict[str, str]:
    """The named colours of the light or dark theme."""
    return PALETTES["dark" if dark else "light"]


def palette_is_dark(app: QApplication) -> bool:
    """True when the palette in use has a dark background."""
    return bool(app.palette().color(QPalette.ColorRole.Base).lightness() < 128)


def _palette(dark: bool) -> QPalette:
    role = QPalette.ColorRole
    t = tokens(dark)
    colors = {
        role.Window: t["window"], role.WindowText: t["text"], role.Base: t["base"],
        role.AlternateBase: t["alternate"], role.Text: t["text"], role.Button: t["window"],
        role.ButtonText: t["text"], role.Highlight: t["accent"],
        role.HighlightedText: t["accent_text"], role.Link: t["link"],
        role.LinkVisited: t["link_visited"], role.ToolTipBase: t["tooltip"],
        role.ToolTipText: t["tooltip_text"], role.PlaceholderText: t["muted"],
        role.Mid: t["border"], role.Midlight: t["border_soft"], role.Dark: t["dark"],
        role.Light: t["base"], role.Shadow: t["shadow"], role.BrightText: "#ffffff",
    }
    palette = QPalette()
    for r, c in colors.items():
        palette.setColor(r, QColor(c))
    # Disabled text is dimmed in both themes.
    for r in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor(t["muted"]))
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
    # The stylesheet holds this theme's colours (and palette() references are resolved
    # when it is set): build it again.
    if app.styleSheet():
        from app.ui.style import apply_style

        apply_style(app)
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
