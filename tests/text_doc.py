"""Walking a QTextDocument's text the way Qt lays it out: blocks, then their fragments."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextDocument


def block_formats(block: QTextBlock) -> Iterator[QTextCharFormat]:
    """The character format of each fragment of `block`, in order."""
    it = block.begin()
    while not it.atEnd():
        yield it.fragment().charFormat()
        it += 1


def char_formats(doc: QTextDocument) -> Iterator[QTextCharFormat]:
    """The character format of each fragment of `doc`, in order."""
    block = doc.begin()
    while block.isValid():
        yield from block_formats(block)
        block = block.next()
