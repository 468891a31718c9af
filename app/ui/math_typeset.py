"""Typeset math in rendered replies: the TeX spans of a document become images.

The markdown renderer leaves every formula as a literal span titled with its source
(see app/core/math_tex.py). `MathTypesetter.typeset` finds those spans in a document and
replaces each one whose image is ready with that image; the others keep showing their
TeX and are drawn off the GUI thread (ziamath to SVG in a child process, then
QSvgRenderer into a QImage on a reader thread), after which `ready` is emitted and the
owner calls `typeset` again. The GUI thread only walks the document and inserts images.

Images are cached per (formula, colour, size, device pixel ratio), so a message scrolled
out and back, or the same formula twice, is drawn once. A formula that cannot be
typeset stays as its source. The image keeps the source (`TEX_PROPERTY`, also its
tooltip), so copying gives the TeX, not an object character.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QObject, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
)
from PySide6.QtSvg import QSvgRenderer

from app.core.math_tex import MATH_SCHEME, MathError, MathKey, MathSvg, split_formula

__all__ = ["TEX_PROPERTY", "MathTypesetter", "text_with_tex", "typesetter"]

#: the QTextFormat property of a formula image that holds its TeX source
TEX_PROPERTY = QTextFormat.Property.UserProperty + 17
_OBJECT = "\ufffc"
#: display math is set a little larger than the text around it
DISPLAY_SCALE = 1.15
#: x-height of the math font (STIX Two Math, ziamath's default) as a fraction of its size
MATH_X_HEIGHT_EM = 0.473


def inline_size(pixel_size: float, x_height: float) -> float:
    """The size that gives an inline formula the x-height of the text around it.

    UI fonts have a taller x-height than the math font (DejaVu Sans 0.55 em, STIX 0.47),
    so a formula set at the text's own size looks a size smaller than its sentence.
    """
    scale = x_height / (MATH_X_HEIGHT_EM * pixel_size) if pixel_size > 0 else 1.0
    return round(pixel_size * min(1.3, max(1.0, scale)), 1)


def _worker_command() -> list[str]:
    """How to start the formula drawing child: the frozen app has no `python -m`."""
    if getattr(sys, "frozen", False):
        # packaging/pyinstaller_entry.py answers this flag before the command line is parsed
        return [sys.executable, "--math-worker"]
    return [sys.executable, "-m", "app.core.math_tex"]


@dataclass(frozen=True, slots=True)
class _Drawn:
    image: QImage
    width: float  # logical pixels, padding included
    height: float


def _rasterize(drawn: MathSvg, dpr: float, x_height: float) -> _Drawn | None:
    """The formula as an image padded so that Qt sets it on the baseline.

    Qt places an inline image either bottom-on-baseline or centred on half the
    x-height (AlignMiddle). Centred, with transparent rows added above or below, puts
    the formula's own baseline exactly on the line's baseline. QImage and QPainter are
    safe off the GUI thread, where this runs.
    """
    ascent, descent = drawn.ascent, drawn.descent
    # With AlignMiddle, an image of height H spans (H + x/2)/2 above the baseline.
    shift = descent - ascent + x_height / 2
    pad_top, pad_bottom = max(0.0, shift), max(0.0, -shift)
    width = drawn.width
    height = pad_top + ascent + descent + pad_bottom
    renderer = QSvgRenderer(QByteArray(drawn.svg.encode("utf-8")))
    if not renderer.isValid():
        return None
    image = QImage(
        max(1, math.ceil(width * dpr)), max(1, math.ceil(height * dpr)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, pad_top * dpr, width * dpr, (ascent + descent) * dpr))
    painter.end()
    image.setDevicePixelRatio(dpr)
    return _Drawn(image, width, height)


def _formula_at(block: QTextBlock) -> tuple[str, int] | None:
    """(source, blocks it spans) when `block` starts a display-math block."""
    it = block.begin()
    if it.atEnd() or not block.blockFormat().nonBreakableLines():
        return None
    source = it.fragment().charFormat().toolTip()
    if not source.startswith(("$$", "\\[")):
        return None
    lines: list[str] = []
    b = block
    while b.isValid() and len("\n".join(lines)) < len(source):
        lines.append(b.text())
        b = b.next()
    if "\n".join(lines) != source:
        return None
    return source, len(lines)


_Requests = queue.SimpleQueue[tuple[MathKey, float] | None]


class _Worker:
    """The child process that draws formulas (ziamath), and the threads that talk to it.

    ziamath is pure Python: in a thread of this process it would hold the GIL that the
    GUI thread needs between any two Qt calls, and a reply full of formulas would make
    every frame wait for it. In a child process it costs the window nothing; the SVG
    it sends back is rasterized on the reader thread (Qt code, which runs without the GIL).
    """

    def __init__(self, on_result: Callable[[MathKey, _Drawn | None], None]) -> None:
        self._on_result = on_result
        #: requests for the running child (each child has its own queue and threads)
        self._requests: _Requests | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _start(self) -> _Requests:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        requests: _Requests = queue.SimpleQueue()
        try:
            proc = subprocess.Popen(  # our own interpreter and module
                _worker_command(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", env=env, bufsize=1,
            )
        except OSError:
            self._closed = True
            return requests
        self._proc = proc
        waiting: dict[int, tuple[MathKey, float]] = {}
        threading.Thread(target=self._write, args=(proc, requests, waiting),
                         name="parley-math-in", daemon=True).start()
        threading.Thread(target=self._read, args=(proc, waiting),
                         name="parley-math-out", daemon=True).start()
        return requests

    def submit(self, key: MathKey, x_height: float) -> None:
        """Ask for `key` to be drawn; the result comes to `on_result` (None: stays TeX)."""
        with self._lock:
            if not self._closed and self._requests is None:
                self._requests = self._start()
            requests = None if self._closed else self._requests
            if requests is not None:
                # Under the lock: a child that just ended must not get it after its last.
                requests.put((key, x_height))
                return
        self._on_result(key, None)  # stays as its TeX

    def _fail(self, items: list[tuple[MathKey, float]]) -> None:
        for key, _ in items:
            self._on_result(key, None)

    def _write(self, proc: subprocess.Popen[str], requests: _Requests,
               waiting: dict[int, tuple[MathKey, float]]) -> None:
        stdin = proc.stdin
        assert stdin is not None
        ids = itertools.count(1)
        try:
            while (item := requests.get()) is not None:
                key = item[0]
                n = next(ids)
                with self._lock:
                    waiting[n] = item
                stdin.write(json.dumps({
                    "id": n, "source": key.source, "color": key.color,
                    "size": key.size, "dpr": key.dpr,
                }) + "\n")
                stdin.flush()
            stdin.close()
        except (OSError, ValueError):
            # The child is gone: whatever was not answered, and whatever is still
            # queued for it, stays as TeX.
            with self._lock:
                lost = list(waiting.values())
                waiting.clear()
            while True:
                try:
                    item = requests.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    lost.append(item)
            self._fail(lost)

    def _read(self, proc: subprocess.Popen[str],
              waiting: dict[int, tuple[MathKey, float]]) -> None:
        stdout = proc.stdout
        assert stdout is not None
        answered = 0
        for line in stdout:
            answered += 1
            try:
                answer = json.loads(line)
                with self._lock:
                    key, x_height = waiting.pop(int(answer["id"]))
            except (ValueError, KeyError, TypeError):
                continue
            drawn: _Drawn | None = None
            if "svg" in answer:
                svg = MathSvg(str(answer["svg"]), float(answer["width"]),
                              float(answer["ascent"]), float(answer["descent"]))
                drawn = _rasterize(svg, key.dpr, x_height)
            self._on_result(key, drawn)
        proc.wait()
        with self._lock:
            lost = list(waiting.values())
            waiting.clear()
            if answered == 0:
                # It could not even start: formulas stay as TeX rather than respawn.
                self._closed = True
            if self._proc is proc:
                # The next formula starts a new child; this one's writer gets None.
                self._proc = None
                if self._requests is not None:
                    self._requests.put(None)
                self._requests = None
        self._fail(lost)

    def close(self) -> None:
        """Stop the child: it ends when its input closes."""
        with self._lock:
            self._closed = True
            requests, proc = self._requests, self._proc
        if requests is not None:
            requests.put(None)
        if proc is not None and proc.poll() is None:
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                proc.kill()


class MathTypesetter(QObject):
    """Draws formulas off the GUI thread and swaps them into documents."""

    #: formulas finished drawing since the last emission: typeset the documents again
    ready = Signal()
    _drawn = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: False draws nothing: formulas stay as their source (benchmark baseline)
        self.enabled = os.environ.get("PARLEY_NO_MATH", "") == ""
        self._cache: dict[MathKey, _Drawn | None] = {}
        self._pending: set[MathKey] = set()
        self._results: queue.SimpleQueue[tuple[MathKey, _Drawn | None]] = queue.SimpleQueue()
        self._worker = _Worker(self._deliver)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Batch the results of a burst into one re-typeset per frame or two.
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.ready)
        self._drawn.connect(self._on_drawn, Qt.ConnectionType.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    def close(self) -> None:
        """Stop the drawing process (the app is quitting)."""
        self._worker.close()

    def cached(self, key: MathKey) -> bool:
        """True when `key` has been drawn (or found impossible to typeset)."""
        return key in self._cache

    def _deliver(self, key: MathKey, drawn: _Drawn | None) -> None:
        # Reader thread: hand over to the GUI thread.
        self._results.put((key, drawn))
        self._drawn.emit()

    def _request(self, key: MathKey, x_height: float) -> None:
        if key in self._pending:
            return
        self._pending.add(key)
        self._worker.submit(key, x_height)

    def _on_drawn(self) -> None:
        got = False
        while True:
            try:
                key, drawn = self._results.get_nowait()
            except queue.Empty:
                break
            self._pending.discard(key)
            self._cache[key] = drawn
            got = True
        if got and not self._timer.isActive():
            self._timer.start()

    def pending(self) -> int:
        """How many formulas are being drawn."""
        return len(self._pending)

    def typeset(self, doc: QTextDocument, color: str, dpr: float, start: int = 0) -> bool:
        """Swap the ready formulas of `doc` in; True while some are still being drawn.

        Only blocks from character `start` on are looked at (a streaming reply passes
        where the text it just appended begins).
        """
        if not self.enabled:
            return False
        font = QFont(doc.defaultFont())
        size = round(max(6.0, float(QFontInfo(font).pixelSize())), 1)
        x_height = QFontMetricsF(font).xHeight()
        inline: list[tuple[int, int, MathKey]] = []
        display: list[tuple[int, int, MathKey]] = []
        block = doc.findBlock(start) if start > 0 else doc.begin()
        while block.isValid():
            text = block.text()
            if "$" not in text and "\\" not in text:
                block = block.next()  # most blocks hold no formula: skip their fragments
                continue
            found = _formula_at(block)
            if found is not None:
                source, count = found
                last = block
                for _ in range(count - 1):
                    last = last.next()
                key = MathKey(source, color, round(size * DISPLAY_SCALE, 1), dpr)
                display.append((block.position(), last.position() + last.length() - 1, key))
                block = last.next()
                continue
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                source = fmt.toolTip()
                if source and not fmt.isImageFormat() and frag.text() == source:
                    try:
                        split_formula(source)
                    except MathError:
                        pass
                    else:
                        key = MathKey(source, color, inline_size(size, x_height), dpr)
                        inline.append((frag.position(), frag.position() + frag.length(), key))
                it += 1
            block = block.next()
        if not inline and not display:
            return False
        waiting = False
        edits: list[tuple[int, int, MathKey, _Drawn, bool]] = []
        for spans, is_display in ((inline, False), (display, True)):
            for a, b, key in spans:
                drawn = self._lookup(key, x_height)
                if drawn is None:
                    waiting = waiting or key in self._pending
                    continue
                edits.append((a, b, key, drawn, is_display))
        if edits:
            self._apply(doc, font, sorted(edits, key=lambda e: e[0], reverse=True))
        return waiting

    def _lookup(self, key: MathKey, x_height: float) -> _Drawn | None:
        if key in self._cache:
            return self._cache[key]
        self._request(key, x_height)
        return None

    @staticmethod
    def _apply(
        doc: QTextDocument, font: QFont, edits: list[tuple[int, int, MathKey, _Drawn, bool]]
    ) -> None:
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        for start, end, key, drawn, is_display in edits:
            url = f"{MATH_SCHEME}:{key.digest()}"
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), drawn.image)
            fmt = QTextImageFormat()
            fmt.setName(url)
            fmt.setWidth(drawn.width)
            fmt.setHeight(drawn.height)
            fmt.setFont(font)
            fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
            fmt.setToolTip(key.source)
            fmt.setProperty(TEX_PROPERTY, key.source)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            old = cursor.blockFormat()
            centred = QTextBlockFormat()
            centred.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            centred.setTopMargin(max(6.0, old.topMargin()))
            centred.setBottomMargin(max(6.0, old.bottomMargin()))
            centred.setLeftMargin(old.leftMargin())
            centred.setIndent(old.indent())
            if is_display:
                cursor.insertImage(fmt)
                cursor.setBlockFormat(centred)
            elif (
                split_formula(key.source)[1]
                and cursor.block().textList() is None
                and cursor.currentTable() is None
            ):
                # "$$..$$" written inside a paragraph still gets a line of its own
                # (the spaces its line breaks became go with it).
                char_fmt = cursor.charFormat()
                a = start - 1 if doc.characterAt(start - 1) == " " else start
                b = end + 1 if doc.characterAt(end) == " " else end
                cursor.setPosition(a)
                cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
                cursor.insertBlock(centred, char_fmt)
                cursor.insertImage(fmt)
                cursor.insertBlock(old, char_fmt)
            else:
                cursor.insertImage(fmt)
        cursor.endEditBlock()


def text_with_tex(doc: QTextDocument, start: int = 0, end: int | None = None) -> str:
    """Plain text of doc[start:end] with each formula image given back as its TeX."""
    stop = doc.characterCount() - 1 if end is None else end
    lines: list[str] = []
    block = doc.findBlock(start)
    while block.isValid() and block.position() <= stop:
        parts: list[str] = []
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            a, b = max(start, frag.position()), min(stop, frag.position() + frag.length())
            if a < b:
                fmt = frag.charFormat()
                tex = fmt.property(TEX_PROPERTY) if fmt.isImageFormat() else None
                if isinstance(tex, str) and tex:
                    parts.append(tex * (b - a))
                else:
                    parts.append(frag.text()[a - frag.position() : b - frag.position()])
            it += 1
        lines.append("".join(parts))
        block = block.next()
        if block.isValid() and block.position() > stop:
            break
    return "\n".join(lines).replace("\u2029", "\n").replace("\u2028", "\n")


def has_formula_images(text: str) -> bool:
    """True when plain text taken from a document holds object characters."""
    return _OBJECT in text


@lru_cache(maxsize=1)
def typesetter() -> MathTypesetter:
    """The window's one typesetter (its cache and worker are shared by every message)."""
    return MathTypesetter(QCoreApplication.instance())
