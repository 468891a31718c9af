"""TeX formulas of a reply -> SVG, for typesetting math in the chat (no Qt here).

The markdown renderer keeps each formula as a literal span whose ``title`` is the
formula's source with its delimiters (``$x$``, ``$$x$$``, ``\\(x\\)``, ``\\[x\\]``); the
window replaces the span with an image once `tex_to_svg` has drawn it on a worker
thread. Drawing is ziamath (pure Python LaTeX -> MathML -> SVG with glyphs as paths).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

__all__ = [
    "MATH_SCHEME", "MathError", "MathKey", "MathSvg", "serve", "split_formula", "tex_to_svg",
]


#: URL scheme of typeset formulas: names in a document's own resources, never fetched
MATH_SCHEME = "parley-math"


class MathError(ValueError):
    """A formula that cannot be typeset; it stays shown as its TeX source."""


@dataclass(frozen=True, slots=True)
class MathKey:
    """Everything a drawn formula depends on: one cache entry per key."""

    source: str  # with delimiters, as written in the reply
    color: str  # "#rrggbb"
    size: float  # font size in logical pixels
    dpr: float  # device pixel ratio the image is drawn for

    @property
    def display(self) -> bool:
        """True for display math (``$$..$$``, ``\\[..\\]``)."""
        return split_formula(self.source)[1]

    def digest(self) -> str:
        """A short stable name for the key (used in resource URLs)."""
        raw = f"{self.source}\x00{self.color}\x00{self.size:.2f}\x00{self.dpr:.2f}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class MathSvg:
    """A drawn formula: SVG text and its box in logical pixels around the baseline."""

    svg: str
    width: float
    ascent: float  # above the baseline
    descent: float  # below the baseline


_DELIMITERS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False))


def split_formula(source: str) -> tuple[str, bool]:
    """(TeX body, is display math) of a formula written with its delimiters."""
    for opener, closer, display in _DELIMITERS:
        if (
            len(source) >= len(opener) + len(closer)
            and source.startswith(opener)
            and source.endswith(closer)
        ):
            return source[len(opener) : len(source) - len(closer)].strip(), display
    raise MathError("not a delimited formula")


_VIEWBOX_RE = re.compile(r'viewBox="([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+)"')
_UNKNOWN_COMMAND_RE = re.compile(r"<m[io][^>]*>\\[A-Za-z]")
# The longest formula worth drawing; a longer "formula" is more likely a stray dollar.
MAX_TEX = 4000
# ziamath and latex2mathml keep module-level state while they convert: one at a time.
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _configure() -> None:
    import warnings

    from ziafont.config import config

    # ziamath finds its font with a deprecated importlib call; that is its business.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="ziamath")
    # SVG 2 glyph references (<use href>) draw nothing in Qt's SVG Tiny renderer.
    config.svg2 = False


def tex_to_svg(key: MathKey) -> MathSvg:
    """Draw the formula of `key` as SVG; raises MathError when it cannot be typeset."""
    body, display = split_formula(key.source)
    if not body or len(body) > MAX_TEX:
        raise MathError("empty or oversized formula")
    with _lock:
        try:
            _configure()
            from ziamath.zmath import Latex
        except ImportError as exc:  # an install without ziamath shows formulas as TeX
            raise MathError("ziamath is not installed") from exc

        try:
            latex = Latex(body, size=key.size, color=key.color, inline=not display)
            mathml = latex.mathmlstr()
            # An unknown command comes back as its own name in italics: not typeset.
            if "merror" in mathml or _UNKNOWN_COMMAND_RE.search(mathml):
                raise MathError("the formula uses a command that cannot be drawn")
            svg = latex.svg()
        except MathError:
            raise
        except Exception as exc:  # any parser failure means "keep the source"
            raise MathError(str(exc) or type(exc).__name__) from exc
    m = _VIEWBOX_RE.search(svg)
    if m is None:
        raise MathError("no drawing box")
    _, y, w, h = (float(v) for v in m.groups())
    if w <= 0 or h <= 0:
        raise MathError("empty drawing")
    return MathSvg(svg=svg, width=w, ascent=-y, descent=h + y)


def serve(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
    """Answer formula requests, one JSON object a line, until stdin closes.

    The window runs this in a child process (``python -m app.core.math_tex``): ziamath
    is pure Python, and in a thread it would hold the GIL the GUI thread needs for every
    frame. A request is ``{"id", "source", "color", "size", "dpr"}``; the answer is
    ``{"id", "svg", "width", "ascent", "descent"}`` or ``{"id", "error"}``.
    """
    import json
    import os
    import sys

    if stdin is None and hasattr(os, "nice"):
        # Drawing can wait a little; the window's frames cannot.
        with contextlib.suppress(OSError):
            os.nice(10)
    src = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    for line in src:
        if not line.strip():
            continue
        answer: dict[str, object]
        req: object = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise TypeError("a request is an object")
            key = MathKey(
                str(req["source"]), str(req["color"]), float(req["size"]), float(req["dpr"])
            )
            drawn = tex_to_svg(key)
            answer = {
                "id": req["id"], "svg": drawn.svg, "width": drawn.width,
                "ascent": drawn.ascent, "descent": drawn.descent,
            }
        except (MathError, ValueError, KeyError, TypeError) as exc:
            answer = {"id": req.get("id") if isinstance(req, dict) else None, "error": str(exc)}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
