"""Typeset math: TeX -> SVG in core, formulas swapped into the reply as images, Copy gives TeX."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QApplication

from app.core.domain import Message, MessageStatus, Role
from app.core.markdown_render import render_markdown
from app.core.math_tex import MathError, MathKey, split_formula, tex_to_svg
from app.ui.chat_view import ChatView
from app.ui.math_typeset import TEX_PROPERTY, typesetter
from app.ui.theme import apply_theme
from tests.text_doc import char_formats

# --- core ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "body", "display"),
    [
        ("$x^2$", "x^2", False),
        ("$$\n\\sum_i x_i\n$$", "\\sum_i x_i", True),
        ("\\(a+b\\)", "a+b", False),
        ("\\[\\frac{1}{2}\\]", "\\frac{1}{2}", True),
    ],
)
def test_all_four_delimiters_split_into_body_and_kind(
    source: str, body: str, display: bool
) -> None:
    assert split_formula(source) == (body, display)


def test_a_formula_with_a_subscript_reaches_below_the_baseline() -> None:
    drawn = tex_to_svg(MathKey("$x_1$", "#123456", 16.0, 1.0))
    assert drawn.width > 0 and drawn.ascent > 0
    assert drawn.descent > 1.5
    assert "#123456" in drawn.svg
    assert "<use" not in drawn.svg  # glyphs as paths: Qt's SVG renderer draws them


@pytest.mark.parametrize("source", ["$x^$", "$\\left( x$", "$\\notacommand{x}$", "$$ $$"])
def test_a_formula_that_cannot_be_typeset_is_an_error(source: str) -> None:
    with pytest.raises(MathError):
        tex_to_svg(MathKey(source, "#000000", 16.0, 1.0))


def test_cache_keys_differ_by_colour_size_and_pixel_ratio() -> None:
    base = MathKey("$x$", "#000000", 16.0, 1.0)
    others = [
        MathKey("$y$", "#000000", 16.0, 1.0),
        MathKey("$x$", "#ffffff", 16.0, 1.0),
        MathKey("$x$", "#000000", 18.0, 1.0),
        MathKey("$x$", "#000000", 16.0, 2.0),
    ]
    assert len({base.digest(), *(k.digest() for k in others)}) == 5
    assert base.digest() == MathKey("$x$", "#000000", 16.0, 1.0).digest()


# --- detection in markdown -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Costs $5 and $10.",
        "costs $5, or $10 with tax",
        "Between $5 and $10 a month",
        "escaped \\$x$ stays text",
        "from $ 5 to $ 10",
    ],
)
def test_dollar_amounts_are_not_math(text: str) -> None:
    html = render_markdown(text)
    assert "title=" not in html


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Energy $E=mc^2$ here", "$E=mc^2$"),
        ("Sum $$\\sum_i x_i$$ inline", "$$\\sum_i x_i$$"),
        ("Paren \\(a+b\\) here", "\\(a+b\\)"),
        ("Bracket \\[a+b\\] here", "\\[a+b\\]"),
        ("Price $5 then $x_1$", "$x_1$"),
    ],
)
def test_formulas_carry_their_source_for_the_typesetter(text: str, source: str) -> None:
    html = render_markdown(text)
    titles = re.findall(r'title="([^"]*)"', html)
    assert [t.replace("&amp;", "&") for t in titles] == [source]


# --- in the window -----------------------------------------------------------------------


def make_chat(qtbot: Any) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(900, 600)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def images(doc: QTextDocument) -> list[str]:
    """The TeX source of each formula image in `doc`, in order."""
    return [str(fmt.property(TEX_PROPERTY)) for fmt in char_formats(doc)
            if fmt.isImageFormat()]


def wait_typeset(qtbot: Any, doc: QTextDocument, count: int) -> None:
    qtbot.waitUntil(lambda: len(images(doc)) >= count and typesetter().pending() == 0,
                    timeout=10_000)


REPLY = "Energy $E=mc^2$ and \\(a_1+b\\) here.\n\n$$\n\\frac{x}{y}\n$$\n\nBad $x^$ stays."


def test_formulas_become_images_and_copy_gives_the_tex(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, REPLY)])
    view = chat.views[1]
    doc = view.settled.document()
    wait_typeset(qtbot, doc, 3)
    assert images(doc) == ["$E=mc^2$", "\\(a_1+b\\)", "$$\n\\frac{x}{y}\n$$"]
    text = doc.toPlainText()
    assert "E=mc^2" not in text and "\\frac" not in text  # typeset, not shown as TeX
    assert "Bad $x^$ stays." in text  # what cannot be typeset stays as its source
    view.copy_text()
    copied = QGuiApplication.clipboard().text()
    assert "Energy $E=mc^2$ and \\(a_1+b\\) here." in copied
    assert "$$\n\\frac{x}{y}\n$$" in copied
    assert "\ufffc" not in copied


def test_selection_copy_gives_the_tex(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "Energy $E=mc^2$ here.")])
    browser = chat.views[1].settled
    wait_typeset(qtbot, browser.document(), 1)
    browser.selectAll()
    mime = browser.createMimeDataFromSelection()
    assert mime.text() == "Energy $E=mc^2$ here."


def test_display_math_is_centred_on_its_own_line(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "Before\n\n$$\n\\int_0^1 x\\,dx\n$$\n\nAfter")])
    doc = chat.views[1].settled.document()
    wait_typeset(qtbot, doc, 1)
    block = doc.begin().next()
    assert block.text() == "\ufffc"
    assert block.blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter
    assert doc.begin().text() == "Before" and block.next().text() == "After"


def test_streamed_math_is_typeset_and_ends_like_a_one_shot_render(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    text = "Intro $\\alpha_1$ line.\n\nMore $\\beta^2$ text and more words.\n"
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    for end in range(0, len(text) + 1, 5):
        chat.update_stream(2, text[:end])
    chat.finish(Message(2, 1, Role.ASSISTANT, text))
    view = chat.views[2]
    wait_typeset(qtbot, view.settled.document(), 2)
    chat.show_messages([Message(2, 1, Role.ASSISTANT, text)])
    one_shot = chat.views[2].settled.document()
    assert images(one_shot) == ["$\\alpha_1$", "$\\beta^2$"]


def test_theme_switch_redraws_formulas_in_the_new_text_colour(
    qtbot: Any, qapp: QApplication
) -> None:
    chat = make_chat(qtbot)
    try:
        apply_theme(qapp, "light")
        chat.show_messages([Message(1, 1, Role.ASSISTANT, "Energy $E=mc^2$ here.")])
        wait_typeset(qtbot, chat.views[1].settled.document(), 1)
        light = _formula_image_names(chat.views[1].settled.document())
        apply_theme(qapp, "dark")
        qtbot.waitUntil(lambda: chat.theme == "dark")
        doc = chat.views[1].settled.document()
        wait_typeset(qtbot, doc, 1)
        dark = _formula_image_names(doc)
        assert light and dark and light != dark
        image = doc.resource(QTextDocument.ResourceType.ImageResource, dark[0])
        assert _brightest_alpha_pixel(image) > 160  # light ink on the dark background
    finally:
        apply_theme(qapp, "light")


def _formula_image_names(doc: QTextDocument) -> list[Any]:
    from PySide6.QtCore import QUrl

    return [QUrl(fmt.toImageFormat().name()) for fmt in char_formats(doc)
            if fmt.isImageFormat()]


def _brightest_alpha_pixel(image: Any) -> int:
    best = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > 200:
                best = max(best, c.lightness())
    return best


def test_display_math_inside_a_paragraph_gets_a_centred_line(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    text = "The roots are\n$$x = \\frac{-b}{2a}$$\nfor any $a$."
    chat.show_messages([Message(1, 1, Role.ASSISTANT, text)])
    view = chat.views[1]
    doc = view.settled.document()
    wait_typeset(qtbot, doc, 2)
    blocks = []
    block = doc.begin()
    while block.isValid():
        blocks.append(block)
        block = block.next()
    assert [b.text() for b in blocks] == ["The roots are", "\ufffc", "for any \ufffc."]
    assert blocks[1].blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter
    view.copy_text()
    assert QGuiApplication.clipboard().text() == (
        "The roots are\n$$x = \\frac{-b}{2a}$$\nfor any $a$."
    )


def test_formulas_stay_as_tex_when_the_drawing_process_cannot_run(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from app.ui.math_typeset import _Worker

    results: list[tuple[str, object]] = []
    monkeypatch.setattr(sys, "executable", "/bin/false")
    worker = _Worker(lambda key, drawn: results.append((key.source, drawn)))
    try:
        worker.submit(MathKey("$a$", "#000000", 16.0, 1.0), 8.0)
        qtbot.waitUntil(lambda: len(results) == 1, timeout=5000)
        worker.submit(MathKey("$b$", "#000000", 16.0, 1.0), 8.0)
        qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    finally:
        worker.close()
    assert sorted(results) == [("$a$", None), ("$b$", None)]


def test_zooming_draws_formulas_at_the_new_text_size(qtbot: Any) -> None:
    chat = make_chat(qtbot)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "Energy $E=mc^2$ here.")])
    doc = chat.views[1].settled.document()
    wait_typeset(qtbot, doc, 1)
    before = _image_widths(doc)
    chat.set_zoom(4)
    doc = chat.views[1].settled.document()
    wait_typeset(qtbot, doc, 1)
    after = _image_widths(doc)
    assert len(before) == len(after) == 1
    assert after[0] > before[0] * 1.2


def _image_widths(doc: QTextDocument) -> list[float]:
    return [fmt.toImageFormat().width() for fmt in char_formats(doc) if fmt.isImageFormat()]


def test_an_inline_formula_gets_the_x_height_of_its_sentence() -> None:
    from app.ui.math_typeset import MATH_X_HEIGHT_EM, inline_size

    # DejaVu Sans at 12 px: x-height 6.6 px; set at 12 px the math font's would be 5.7 px.
    size = inline_size(12.0, 6.6)
    assert abs(size * MATH_X_HEIGHT_EM - 6.6) < 0.1
    assert inline_size(12.0, 4.0) == 12.0  # never smaller than the text
    assert inline_size(12.0, 20.0) == round(12.0 * 1.3, 1)  # an odd font does not blow it up
