"""The application stylesheet, the spacing and type scale, built from the theme's palette.

Everything visual is defined here and in theme.py, once: docs/design.md describes it.
"""

from __future__ import annotations

from string import Template

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.theme import palette_is_dark, tokens

#: spacing scale in px: gaps, margins and paddings use only these
SPACE_XS, SPACE_S, SPACE_M, SPACE_L, SPACE_XL = 4, 8, 12, 16, 24
#: type scale in px: captions and meta lines, body, section titles, page titles
TEXT_SMALL, TEXT_BODY, TEXT_TITLE, TEXT_DISPLAY = 12, 13, 15, 18
#: corner radii in px: small controls, boxes, pills (fully rounded at control height)
RADIUS_S, RADIUS_M, RADIUS_PILL = 6, 10, 14
#: height of the composer's buttons in px
CONTROL_HEIGHT = 32
#: icon sizes in px: inline actions, toolbar and composer buttons
ICON_S, ICON_M = 16, 20
#: indent of each list level in rendered replies, in px (Qt's default is 40)
LIST_INDENT = SPACE_XL

_BASE = Template("""
QWidget#chatContainer, QWidget#emptyState, QWidget#welcome { background: $base; }
QScrollArea#chatScroll { border: none; background: $base; }
QToolTip {
    background: $tooltip; color: $tooltip_text; border: none;
    padding: ${xs}px ${s}px; border-radius: ${rs}px;
}
QToolBar#mainToolbar {
    background: $window; border: none; border-bottom: 1px solid $border_soft;
    padding: ${xs}px ${s}px; spacing: ${xs}px;
}
QToolBar#mainToolbar QToolButton {
    border: 1px solid transparent; border-radius: ${rs}px; padding: ${xs}px ${s}px;
    font-size: ${body}px;
}
QToolBar#mainToolbar QToolButton:hover { background: $hover; }
QToolBar#mainToolbar QToolButton:focus { border: 1px solid $accent; }
QToolBar#mainToolbar QToolButton:pressed { background: $border_soft; }
QFrame#userMessage {
    background: $alternate;
    border: 1px solid $border_soft;
    border-radius: ${rm}px;
}
QFrame#message { background: transparent; }
QLabel#messageHeader { color: $muted; font-size: ${small}px; }
QLabel#modelBadge {
    background: $accent_soft; color: $accent_soft_text; border-radius: ${rs}px;
    padding: 1px ${s}px; font-size: ${small}px; font-weight: 600;
}
QLabel#roleLabel { color: $text; font-size: ${small}px; font-weight: 600; }
QLabel#messageNotice { color: $muted; font-size: ${small}px; font-style: italic; }
QLabel#messageNotice[severity="error"] { color: $danger; font-style: normal; }
QLabel#messageNotice[severity="warning"] { color: $warning; font-style: normal; }
QLabel#emptyTitle { font-size: 22px; font-weight: 600; }
QLabel#emptyBody { color: $muted; font-size: ${body}px; }
QFrame#composerBox {
    background: $base;
    border: 1px solid $border;
    border-radius: ${rm}px;
}
QFrame#composerBox[focused="true"] { border: 1px solid $accent; }
QPlainTextEdit#composer {
    border: none;
    padding: ${xs}px;
    background: transparent;
    font-size: ${body}px;
}
QToolButton#sendButton {
    border-radius: ${rpill}px;
    background: $accent;
    border: none;
}
QToolButton#sendButton:disabled { background: $border; }
QToolButton#sendButton:focus { border: 2px solid $accent_soft_text; }
QToolButton#sendButton[stop="true"] { background: $danger; }
QToolButton#modelPill {
    background: $alternate; border: 1px solid $border_soft; border-radius: ${rpill}px;
    padding: 2px ${s}px; font-size: ${small}px; color: $text;
}
QToolButton#modelPill:hover { background: $hover; }
QToolButton#modelPill:focus { border: 1px solid $accent; }
QToolButton#modelPill::menu-indicator { image: none; width: 0px; }
QToolButton#contextGauge {
    border: 1px solid transparent; border-radius: ${rpill}px; padding: 2px ${s}px;
    font-size: ${small}px; color: $muted;
}
QToolButton#contextGauge:hover { background: $hover; }
QToolButton#contextGauge:focus { border: 1px solid $accent; }
QToolButton#contextGauge[level="warn"] { color: $warning; font-weight: 600; }
QToolButton#contextGauge[level="over"] { color: $danger; font-weight: 600; }
QToolButton#contextGauge::menu-indicator { image: none; width: 0px; }
QPushButton#newChatButton { padding: 6px; text-align: left; }
QListView#conversationList { border: none; background: transparent; }
QListView#conversationList::item { padding: 6px 6px; border-radius: 6px; }
QListView#conversationList::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QListView#conversationList::item:hover:!selected { background: palette(midlight); }
QLabel#usageLabel { color: $muted; padding-right: 6px; }
QLabel#hint { color: $muted; }
QToolButton#messageAction {
    border: 1px solid transparent;
    padding: 3px;
    border-radius: ${rs}px;
    color: $muted;
    font-size: ${small}px;
}
QToolButton#messageAction:hover { background: $hover; }
QToolButton#messageAction:focus { border: 1px solid $accent; }
QToolButton#messageAction:pressed { background: $border_soft; }
QLabel#branchLabel { color: $muted; font-size: ${small}px; }
QToolButton#reasoningToggle {
    color: $muted;
    border: none;
    font-size: ${small}px;
    font-style: italic;
    padding: 0px;
}
QPushButton#jumpButton {
    background: $accent;
    color: $accent_text;
    border: none;
    border-radius: 13px;
    padding: 5px 14px;
    font-weight: 600;
}
QWidget#findBar { background: $window; border-bottom: 1px solid $border; }
QLabel#findCount { color: $muted; }
QFrame#attachmentChip {
    background: $alternate;
    border: 1px solid $border_soft;
    border-radius: ${rs}px;
}
QFrame#attachmentChip[error="true"] { border: 1px solid $danger; }
QLabel#chipLabel { font-size: 11px; }
QToolButton#chipRemove { border: none; padding: 0px 4px; font-size: 14px; border-radius: 4px; }
QToolButton#chipRemove:hover, QToolButton#chipRemove:focus { background: $hover; }
QToolButton#attachButton {
    border: 1px solid transparent;
    border-radius: ${rpill}px;
    background: transparent;
}
QToolButton#attachButton:hover { background: $hover; }
QToolButton#attachButton:focus { border: 1px solid $accent; }
QToolButton#attachmentThumb, QToolButton#generatedPicture {
    border: 1px solid $border_soft;
    border-radius: 4px;
    padding: 2px;
}
QToolButton#attachmentThumb:hover, QToolButton#generatedPicture:hover,
QToolButton#attachmentThumb:focus, QToolButton#generatedPicture:focus {
    border: 1px solid $accent;
}
QToolButton#attachmentFile {
    border: 1px solid $border_soft;
    border-radius: 4px;
    padding: 4px 8px;
}
QToolButton#attachmentFile:hover { background: $hover; }
""")


def stylesheet(dark: bool) -> str:
    """The stylesheet for the light or dark palette."""
    return _BASE.substitute(
        tokens(dark), xs=SPACE_XS, s=SPACE_S, m=SPACE_M, l=SPACE_L, xl=SPACE_XL,
        small=TEXT_SMALL, body=TEXT_BODY, title=TEXT_TITLE, display=TEXT_DISPLAY,
        rs=RADIUS_S, rm=RADIUS_M, rpill=RADIUS_PILL,
    )


def apply_style(app: QApplication) -> None:
    """Set the application stylesheet for the palette in use (again after a theme change)."""
    app.setStyleSheet(stylesheet(palette_is_dark(app)))


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on (`[stop="true"]`), and apply the stylesheet
    again if the value changed.

    A widget that was never shown is not polished yet and is left alone: it is polished
    with its properties as they are when it is first shown. That also keeps start-up fast,
    because the first call of `widget.style()` makes PySide set up its QStyle class
    (~600 enum members, ~7 ms) before the window could be shown.
    """
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
