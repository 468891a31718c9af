"""Scroll areas whose viewport is made in Python, set up as Qt sets up its own.

PySide wraps a widget that C++ created the first time Python asks for it (`viewport()`),
and to find its most derived class it sets up every QWidget subclass it has: ~15 ms, paid
at start-up before the window can be shown. A viewport made in Python is wrapped already.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


def use_python_viewport(area: QAbstractScrollArea, role: QPalette.ColorRole) -> None:
    """Give `area` a viewport made here, with the settings of the one Qt makes (its name,
    a filled `role` background, touch events)."""
    viewport = QWidget()
    viewport.setObjectName("qt_scrollarea_viewport")
    viewport.setBackgroundRole(role)
    viewport.setAutoFillBackground(True)
    viewport.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    area.setViewport(viewport)
