"""The application stylesheet. Colours come from the palette so light and dark both work."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

STYLESHEET = """
QWidget#chatContainer, QWidget#emptyState, QWidget#welcome { background: palette(base); }
QScrollArea#chatScroll { border: none; background: palette(base); }
QFrame#userMessage {
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-radius: 8px;
}
QFrame#message { background: transparent; }
QLabel#messageHeader { color: palette(placeholder-text); font-size: 11px; font-weight: 600; }
QLabel#messageNotice { color: palette(placeholder-text); font-size: 11px; font-style: italic; }
QLabel#messageNotice[severity="error"] { color: #c0392b; font-style: normal; }
QLabel#messageNotice[severity="warning"] { color: #b26a00; font-style: normal; }
QLabel#emptyTitle { font-size: 22px; font-weight: 600; }
QLabel#emptyBody { color: palette(placeholder-text); font-size: 13px; }
QPlainTextEdit#composer {
    border: 1px solid palette(mid);
    border-radius: 8px;
    padding: 6px;
    background: palette(base);
}
QPlainTextEdit#composer:focus { border: 1px solid palette(highlight); }
QPushButton#sendButton {
    border-radius: 8px;
    background: palette(highlight);
    color: palette(highlighted-text);
    font-weight: 600;
    border: none;
}
QPushButton#sendButton[stop="true"] { background: #c0392b; color: white; }
QPushButton#newChatButton { padding: 6px; text-align: left; }
QListView#conversationList { border: none; background: transparent; }
QListView#conversationList::item { padding: 6px 6px; border-radius: 6px; }
QListView#conversationList::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QListView#conversationList::item:hover:!selected { background: palette(midlight); }
QLabel#usageLabel { color: palette(placeholder-text); padding-right: 6px; }
QLabel#hint { color: palette(placeholder-text); }
QToolButton#messageAction {
    color: palette(placeholder-text);
    border: none;
    padding: 1px 5px;
    font-size: 11px;
    border-radius: 4px;
}
QToolButton#messageAction:hover { color: palette(text); background: palette(midlight); }
QToolButton#messageAction:disabled { color: transparent; }
QLabel#branchLabel { color: palette(placeholder-text); font-size: 11px; }
QToolButton#reasoningToggle {
    color: palette(placeholder-text);
    border: none;
    font-size: 11px;
    font-style: italic;
    padding: 0px;
}
QPushButton#jumpButton {
    background: palette(highlight);
    color: palette(highlighted-text);
    border: none;
    border-radius: 13px;
    padding: 5px 14px;
    font-weight: 600;
}
QWidget#findBar { background: palette(window); border-bottom: 1px solid palette(mid); }
QLabel#findCount { color: palette(placeholder-text); }
QFrame#attachmentChip {
    background: palette(alternate-base);
    border: 1px solid palette(midlight);
    border-radius: 6px;
}
QFrame#attachmentChip[error="true"] { border: 1px solid #c0392b; }
QLabel#chipLabel { font-size: 11px; }
QToolButton#chipRemove { border: none; padding: 0px 4px; font-size: 14px; border-radius: 4px; }
QToolButton#chipRemove:hover, QToolButton#chipRemove:focus { background: palette(midlight); }
QToolButton#attachButton {
    border: 1px solid palette(mid);
    border-radius: 8px;
    background: palette(base);
}
QToolButton#attachButton:hover, QToolButton#attachButton:focus {
    border: 1px solid palette(highlight);
}
QToolButton#attachmentThumb, QToolButton#generatedPicture {
    border: 1px solid palette(midlight);
    border-radius: 4px;
    padding: 2px;
}
QToolButton#attachmentThumb:hover, QToolButton#generatedPicture:hover,
QToolButton#attachmentThumb:focus, QToolButton#generatedPicture:focus {
    border: 1px solid palette(highlight);
}
QToolButton#attachmentFile {
    border: 1px solid palette(midlight);
    border-radius: 4px;
    padding: 4px 8px;
}
QToolButton#attachmentFile:hover { background: palette(midlight); }
"""


def apply_style(app: QApplication) -> None:
    """Set the application stylesheet (re-apply after a palette change)."""
    app.setStyleSheet(STYLESHEET)
