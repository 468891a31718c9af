"""What drawing the compared replies costs the window: a long reply is measured at the width
it is shown at, never at the width of a widget that has not been placed yet."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app.ui.message_view import RichText


def test_a_measured_text_hints_the_height_of_its_column_before_it_is_placed(qtbot: Any) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    text = RichText(page)
    text.setPlainText(" ".join(["compare models side by side"] * 300))
    text.heightForWidth(800)  # the chat view measures a new message like this
    column = text.heightForWidth(800)
    # Until it is placed the widget is 100 px wide: a hint at that width is a column many
    # times taller, and laying a long reply out again at 100 px froze the window.
    assert text.width() < 800
    assert text.sizeHint().height() == column
    assert text.heightForWidth(800) == column
