"""Untrusted model markdown -> safe HTML for Qt's rich-text engine, whole or streamed.

Model output is untrusted: raw HTML is shown as text, the output goes through nh3 with a
strict allowlist, links keep an href only for http/https/mailto, and no image can make
Qt fetch anything (only inline ``data:image/...;base64`` images survive as ``<img>``).

The text is cut into top-level blocks by one line scanner (`_scan`), and
`render_markdown` is by definition the concatenation of the blocks' HTML. Streaming
renders each block once, when it can no longer change, and re-renders only the
unfinished tail, so `StreamingMarkdown` produces exactly `render_markdown(text)` by
construction and each update costs time proportional to the tail.

Block rules (all decided line by line, never looking back past the finished part):

* Fenced code: a line of optional indentation + 3 or more backticks or tildes opens a
  fence (a backtick fence's info string may not contain a backtick). It closes at a line
  holding only the same character, at least as many of them (CommonMark), any
  indentation. The scanner owns fences, not Python-Markdown's ``fenced_code``: fences
  indented inside list items (the usual LLM shape ``1. Install:\\n   ```bash``) come out
  as real code blocks, numbering for the Copy links is global, and the opener's
  indentation is removed from the code lines. A fence cuts the surrounding markdown, so
  a list interrupted by a fence resumes as a new list (sane_lists keeps its number).
  Blank lines inside a fence never split. A fence still open at the end renders as code.
* Elsewhere blocks split at blank lines, except when the next non-blank line would
  continue the block in Python-Markdown: it is indented (list continuation, nested
  list, indented code), or it is a list item while the block holds a list (loose
  lists, "3." keeps counting), or it starts with ">" while the block holds a quote
  (Python-Markdown merges consecutive quotes).
* A markdown block is finished once the first line after the blank gap is long enough
  to classify; a fence is finished as soon as its closing line ends.
* Reference-style link definitions (``[1]: https://...``) are NOT resolved: a
  definition normally sits blocks away from its use, and resolving it would change
  blocks already shown. Definitions stay visible as text (their URL becomes a link),
  and ``[text][1]`` stays literal, so nothing is silently lost.

Math (``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]``) is kept literally, delimiters
included, in a monospace coloured span (a block when a paragraph is only display
math). Inline ``$`` follows Pandoc's rule so prices are not math: the opening ``$`` is
not followed by whitespace, the closing ``$`` is not preceded by whitespace nor followed
by a digit, and an inline formula stays on one line.

Every regex here is linear: no nested quantifiers, and delimited spans cannot contain
their own opener, so a failed match never rescans the rest of a 5 MB reply. Python-
Markdown's own quadratic spots are bounded: link text/URL scans are capped, and a single
block over 100 KB (no blank line for 100 KB) is shown as escaped plain text.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    IMAGE_LINK_RE,
    LINK_RE,
    ImageInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["THEMES", "RenderUpdate", "StreamingMarkdown", "code_blocks", "render_markdown"]

# ---------------------------------------------------------------------------------------
# Styles. Qt's rich text honours inline CSS on blocks/spans and the HTML4 table attributes.

@dataclass(frozen=True)
class _Styles:
    """Inline CSS for one colour theme, and the pygments formatter that matches it."""

    pre: str
    code_header: str
    inline_code: str
    math: str
    math_block: str
    quote: str
    table: str
    formatter: HtmlFormatter


def _make_styles(
    *,
    code_bg: str, code_fg: str, muted: str, inline_bg: str, math: str, quote_bg: str,
    border: str, pygments_style: str,
) -> _Styles:
    # Code is set a little smaller than prose (monospace faces run wide) and blocks get
    # room above and below, so a table or paragraph after a fence does not touch it.
    mono = "font-family: monospace; font-size: 10pt"
    return _Styles(
        pre=(
            f"background-color: {code_bg}; color: {code_fg}; {mono}; "
            "margin-top: 0px; margin-bottom: 12px"
        ),
        code_header=(
            f"font-family: monospace; font-size: small; color: {muted}; "
            f"background-color: {code_bg}; margin-top: 10px; margin-bottom: 0px"
        ),
        inline_code=f"background-color: {inline_bg}; font-family: monospace",
        math=f"font-family: monospace; color: {math}",
        math_block=f"font-family: monospace; color: {math}; background-color: {code_bg}",
        quote=(
            f"margin-left: 12px; margin-right: 0px; color: {muted}; "
            f"background-color: {quote_bg}; font-style: italic"
        ),
        table=(
            f"border-collapse: collapse; border-color: {border}; "
            "margin-top: 10px; margin-bottom: 10px"
        ),
        formatter=HtmlFormatter(noclasses=True, nowrap=True, style=pygments_style),
    )


#: the colour themes a render can use (see `render_markdown(text, theme=...)`)
THEMES = ("light", "dark")

_STYLES = {
    "light": _make_styles(
        code_bg="#f6f8fa", code_fg="#24292e", muted="#6a737d", inline_bg="#eef0f3",
        math="#8250df", quote_bg="#f3f4f6", border="#888", pygments_style="default",
    ),
    "dark": _make_styles(
        code_bg="#161b22", code_fg="#e6edf3", muted="#8b949e", inline_bg="#2d333b",
        math="#d2a8ff", quote_bg="#22272e", border="#666", pygments_style="github-dark",
    ),
}


def _styles() -> _Styles:
    """The styles of the render running on this thread."""
    return _STYLES[getattr(_local, "theme", "light")]


# Beyond this many characters an *unfinished* fence in the tail is shown unhighlighted:
# it is re-rendered on every update, and highlighting arrives when the fence closes.
_TAIL_HIGHLIGHT_LIMIT = 20_000

# ---------------------------------------------------------------------------------------
# Block scanner

BlockKind = Literal["md", "fence"]

_FENCE_OPEN_RE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_FENCE_CLOSE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t\r]*")
_LIST_ITEM_RE = re.compile(r" {0,3}(?:[*+-]|[0-9]+\.)[ \t]")
_QUOTE_RE = re.compile(r" {0,3}>")
_DIGITS_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class _Block:
    kind: BlockKind
    start: int
    end: int


def _fence_open(line: str) -> tuple[str, int, str] | None:
    """(fence char, fence length, info) if `line` (complete) opens a fence."""
    m = _FENCE_OPEN_RE.match(line)
    if m is None:
        return None
    fence = m.group(1)
    info = line[m.end() :]
    # CommonMark: "```a`b" is inline code, not a fence.
    if fence[0] == "`" and "`" in info:
        return None
    return fence[0], len(fence), info.strip()


def _classify_next(line: str, complete: bool) -> str | None:
    """What the first line after a blank gap is, as far as splitting cares.

    Returns None while a partial line could still become something else (so a block is
    never declared finished on a guess that the rest of the line would overturn).
    """
    s = line.lstrip(" \t")
    indent = len(line) - len(s)
    c = s[0]
    if c in "`~":
        could_fence = s[:3] == c * min(3, len(s))
        if could_fence:
            if not complete:
                return None
            if _fence_open(line) is not None:
                return "fence"
        return "indent" if indent else "other"
    if indent:
        return "indent"
    if c == ">":
        return "quote"
    if c in "*+-":
        if len(s) == 1:
            return None if not complete else "other"
        return "list" if s[1] in " \t" else "other"
    m = _DIGITS_RE.match(s)
    if m is not None:
        rest = s[m.end() :]
        if not rest or rest == ".":
            return None if not complete else "other"
        return "list" if rest[0] == "." and rest[1] in " \t" else "other"
    return "other"


def _scan(text: str, pos: int, final: bool) -> tuple[list[_Block], int]:
    """Split text[pos:] into blocks.

    `pos` must be a block boundary (0 or a value this function returned). Returns the
    blocks that can no longer change and the offset where the unfinished rest starts;
    with `final` the text is complete and everything is returned as finished.
    """
    blocks: list[_Block] = []
    n = len(text)
    i = pos
    start = -1  # start of the open block, -1 when between blocks
    kind: BlockKind = "md"
    fence_char, fence_len = "", 0
    in_list = in_quote = pending_blank = False

    while i < n:
        j = text.find("\n", i)
        if j == -1:
            line, nxt, complete = text[i:], n, final
        else:
            line, nxt, complete = text[i:j], j + 1, True

        if start >= 0 and kind == "fence":
            if not complete:
                break
            m = _FENCE_CLOSE_RE.fullmatch(line)
            if m and m.group(1)[0] == fence_char and len(m.group(1)) >= fence_len:
                blocks.append(_Block("fence", start, nxt))
                start = -1
            i = nxt
            continue

        if not line.strip(" \t\r"):
            if not complete:
                break
            pending_blank = start >= 0
            i = nxt
            continue

        if start >= 0 and pending_blank:
            cls = _classify_next(line, complete)
            if cls is None:
                break
            joins = cls == "indent" or (cls == "list" and in_list) or (cls == "quote" and in_quote)
            if not joins:
                blocks.append(_Block("md", start, i))
                start = -1
        if not complete:
            # The open block (if any) may still grow; a block closed just above is final.
            break
        pending_blank = False

        fence = _fence_open(line)
        if fence is not None:
            if start >= 0:
                blocks.append(_Block("md", start, i))
            start, kind = i, "fence"
            fence_char, fence_len = fence[0], fence[1]
        else:
            if start < 0:
                start, kind = i, "md"
                in_list = in_quote = False
            if _LIST_ITEM_RE.match(line):
                in_list = True
            elif _QUOTE_RE.match(line):
                in_quote = True
        i = nxt

    if final:
        if start >= 0:
            blocks.append(_Block(kind, start, n))
        return blocks, n
    return blocks, (start if start >= 0 else i)


# ---------------------------------------------------------------------------------------
# Fenced code


@dataclass(frozen=True, slots=True)
class _Fence:
    info: str
    code: str


def _parse_fence(src: str) -> _Fence:
    """Info string and code of a fence block's source (opener, code, optional closer)."""
    lines = src.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    opener = lines[0]
    parsed = _fence_open(opener)
    assert parsed is not None  # the scanner only makes fence blocks from openers
    char, length, info = parsed
    indent = len(opener) - len(opener.lstrip(" \t"))
    body = lines[1:]
    if body:
        m = _FENCE_CLOSE_RE.fullmatch(body[-1])
        if m and m.group(1)[0] == char and len(m.group(1)) >= length:
            body.pop()
    # CommonMark removes up to the opener's indentation, so fences nested in list items
    # copy out without the list's indent.
    code_lines = []
    for ln in body:
        k = 0
        while k < indent and k < len(ln) and ln[k] in " \t":
            k += 1
        code_lines.append(ln[k:].rstrip("\r"))
    return _Fence(info, "\n".join(code_lines))


_LANG_RE = re.compile(r"[\w#+.-]+")


def _language(info: str) -> str:
    """Language name from a fence info string ("python", "{.python}", "py title=x")."""
    m = _LANG_RE.search(info.lstrip("{").lstrip("."))
    return m.group(0) if m else ""


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    return frozenset(
        alias for _, aliases, _, _ in get_all_lexers(plugins=False) for alias in aliases
    )


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    # No guess_lexer: guessing runs every lexer over the code and is slow. Unknown names
    # never reach get_lexer_by_name: on a miss it scans installed packages for plugin
    # lexers (a quarter second, importing IPython here) and a half-streamed info string
    # ("pyth") is a miss on every reply.
    name = lang.lower()
    if name in ("text", "plain", "plaintext", "txt") or name not in _builtin_aliases():
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None




def _render_fence(src: str, index: int, tail: bool) -> str:
    fence = _parse_fence(src)
    lang = _language(fence.info)
    lexer = _lexer(lang)
    st = _styles()
    if lexer is None or (tail and len(fence.code) > _TAIL_HIGHLIGHT_LIMIT):
        body = html.escape(fence.code, quote=False)
    else:
        body = highlight(fence.code, lexer, st.formatter)
        if body.endswith("\n") and not fence.code.endswith("\n"):
            body = body[:-1]
    label = html.escape(lang or "text")
    return (
        f'<p style="{st.code_header}">{label}&nbsp;&nbsp;'
        f'<a href="parley-copy:{index}">Copy</a></p>\n'
        f'<pre style="{st.pre}">{body}</pre>\n'
    )


#: languages whose lexers `warm_up` loads ahead of the first reply that uses them
WARM_LANGUAGES = (
    "python", "javascript", "typescript", "bash", "json", "sql", "html", "css", "c", "cpp",
    "java", "go", "rust", "yaml", "diff", "text",
)


def warm_up() -> None:
    """Load what the first render would load (Python-Markdown, pygments lexers, nh3).

    The first code block in a language imports its lexer, which can stall the window for
    tens of milliseconds in the middle of a streaming reply; the app calls this in a
    worker thread after start-up so that cost is paid while nothing is on screen yet.
    """
    sample = "# t\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" + "".join(
        f"```{lang}\nx = 1\n```\n\n" for lang in WARM_LANGUAGES
    )
    render_markdown(sample)


def code_blocks(text: str) -> list[str]:
    """Raw code of each fenced block in `text`, indexed like the parley-copy:N links."""
    blocks, _ = _scan(text, 0, final=True)
    return [_parse_fence(text[b.start : b.end]).code for b in blocks if b.kind == "fence"]


# ---------------------------------------------------------------------------------------
# Markdown blocks

# Delimited spans exclude their own delimiter from the body, so a scan from an opener
# stops at the next delimiter: no rescans, linear time even on hostile input.
_MATH_RE = (
    r"(?<![\\$])\$\$(?:[^$]|\$(?!\$))+?\$\$"  # $$ display $$
    r"|\\\[(?:[^\\]|\\(?![\[\]]))+?\\\]"  # \[ display \]
    r"|\\\((?:[^\\]|\\(?![()]))+?\\\)"  # \( inline \)
    r"|(?<![\\$])\$(?=[^\s$])[^$\n]+?(?<=[^\s\\])\$(?![0-9$])"  # $inline$ (Pandoc rule)
)
_MATH_DISPLAY_ATTR = "data-parley-math"


class _MathPattern(InlineProcessor):  # type: ignore[misc]  # untyped base
    """Keep math literal: an AtomicString is never touched by emphasis or escapes."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        raw = m.group(0)
        el = etree.Element("span")
        el.set("style", _styles().math)
        if raw.startswith(("$$", "\\[")):
            el.set(_MATH_DISPLAY_ATTR, "1")
        el.text = AtomicString(raw)
        return el, m.start(0), m.end(0)


_SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_CTRL_WS_RE = re.compile(r"[\x00-\x20\x7f]+")
_DATA_IMAGE_RE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_BARE_URL_RE = re.compile(r"https?://[^\s<>\"'`\x02\x03]+")
_TASK_RE = re.compile(r"\[([ xX])\][ \t]")


def _scheme(url: str) -> str:
    # Browsers ignore control characters and whitespace inside a scheme
    # ("java\tscript:"), so judge the URL the way they would read it.
    m = _SCHEME_RE.match(_CTRL_WS_RE.sub("", url))
    return m.group(1).lower() if m else ""


def _safe_href(url: str) -> str | None:
    """The URL if a click on it may be offered (http, https, mailto), else None."""
    url = url.strip()
    return url if _scheme(url) in _SAFE_LINK_SCHEMES else None


class _SafetyTreeprocessor(Treeprocessor):  # type: ignore[misc]  # untyped base
    """Neutralise links and images, add the inline styles Qt needs, mark task lists."""

    def run(self, root: etree.Element) -> None:
        self._walk(root)
        _linkify(root)

    def _walk(self, parent: etree.Element) -> None:
        # Children are rebuilt into a new list and assigned once: removing or inserting
        # in place is O(children) per edit, quadratic on a paragraph of 100k links.
        kept: list[etree.Element] = []
        changed = False
        for child in parent:
            tag = child.tag
            if tag == "p" and self._display_math_only(child):
                kept.append(child)
                continue
            # Children first, so an <img> inside a link that gets unwrapped is handled.
            self._walk(child)
            if tag == "a" and not self._link(child):
                # Keep what the reader was meant to see, drop what a click would run.
                _add_text(parent, kept, child.text or "")
                kept.extend(child)
                _add_text(parent, kept, child.tail or "")
                changed = True
                continue
            if tag == "img" and not _DATA_IMAGE_RE.match((child.get("src") or "").strip()):
                kept.append(_image_placeholder(child))
                changed = True
                continue
            kept.append(child)
            if tag == "img":
                src, alt = (child.get("src") or "").strip(), child.get("alt") or ""
                child.attrib.clear()
                child.set("src", src)
                child.set("alt", alt)
            elif tag == "span" and child.get(_MATH_DISPLAY_ATTR) is not None:
                del child.attrib[_MATH_DISPLAY_ATTR]
            elif tag == "code":
                if parent.tag != "pre":
                    child.set("style", _styles().inline_code)
            elif tag == "pre":
                child.set("style", _styles().pre)
                code = child[0] if len(child) else None
                if code is not None and code.text and code.text.endswith("\n"):
                    # Qt shows the trailing newline as an empty last line.
                    code.text = AtomicString(code.text[:-1])
            elif tag == "blockquote":
                child.set("style", _styles().quote)
            elif tag == "table":
                child.set("border", "1")
                child.set("cellspacing", "0")
                child.set("cellpadding", "4")
                child.set("style", _styles().table)
            elif tag in ("th", "td"):
                self._cell(child)
            elif tag == "li":
                self._task(child)
        if changed:
            parent[:] = kept

    def _link(self, a: etree.Element) -> bool:
        """Keep only a safe href on `a`; False when the link must go."""
        href = a.get("href") or ""
        if AMP_SUBSTITUTE in href:
            # <user@example.com> hides its mailto: behind numeric entities.
            href = html.unescape(href.replace(AMP_SUBSTITUTE, "&"))
        safe = _safe_href(href)
        if safe is None:
            return False
        a.attrib.clear()
        a.set("href", safe)
        return True

    # Blocks ---------------------------------------------------------------------------

    def _display_math_only(self, p: etree.Element) -> bool:
        """A paragraph that is only display math becomes a block keeping its lines."""
        kids = list(p)
        if (
            len(kids) != 1
            or (p.text or "").strip()
            or (kids[0].tail or "").strip()
            or kids[0].get(_MATH_DISPLAY_ATTR) is None
        ):
            return False
        math = kids[0]
        p.tag = "pre"
        p.set("style", _styles().math_block)
        p.text = math.text
        p.remove(math)
        return True

    def _cell(self, cell: etree.Element) -> None:
        # Qt reads the HTML4 align attribute; tables emits text-align CSS.
        style = cell.get("style") or ""
        for align in ("left", "right", "center"):
            if f"text-align: {align}" in style:
                cell.set("align", align)
        if "style" in cell.attrib:
            del cell.attrib["style"]
        if cell.tag == "th":
            cell.set("style", "font-weight: bold")

    def _task(self, li: etree.Element) -> None:
        target = li
        if not (li.text or "").strip() and len(li) and li[0].tag == "p":
            target = li[0]  # loose list: the marker sits in the first paragraph
        text = target.text or ""
        m = _TASK_RE.match(text)
        if m:
            box = "☐" if m.group(1) == " " else "☑"
            target.text = box + " " + text[m.end() :]


def _add_text(parent: etree.Element, kept: list[etree.Element], text: str) -> None:
    """Append text after the last kept child (or to the parent's own text)."""
    if not text:
        return
    if kept:
        kept[-1].tail = (kept[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _image_placeholder(img: etree.Element) -> etree.Element:
    """Visible stand-in for an image whose src Qt would fetch the moment it is shown."""
    # A remote src is a classic exfiltration channel (the URL carries the secret), so
    # show the address as a click-only link and let the user decide.
    src = (img.get("src") or "").strip()
    alt = img.get("alt") or ""
    span = etree.Element("span")
    span.text = f"[image: {alt}]" if alt else "[image]"
    if _scheme(src) in ("http", "https"):
        span.text += " "
        a = etree.SubElement(span, "a")
        a.set("href", src)
        a.text = AtomicString(src)
    elif src:
        span.text += f" ({src})"
    span.tail = img.tail
    return span


def _linkify(el: etree.Element) -> None:
    """Turn bare http(s) URLs in text into links, outside links and code."""
    if el.tag in _NO_LINKIFY:
        return
    kept: list[etree.Element] = []
    changed = False
    if el.text and not isinstance(el.text, AtomicString):
        first, nodes = _split_urls(el.text)
        if nodes:
            el.text = first
            kept.extend(nodes)
            changed = True
    for child in el:
        _linkify(child)
        kept.append(child)
        if child.tail and not isinstance(child.tail, AtomicString):
            first, nodes = _split_urls(child.tail)
            if nodes:
                child.tail = first
                kept.extend(nodes)
                changed = True
    if changed:
        el[:] = kept


_NO_LINKIFY = frozenset({"a", "code", "pre"})


def _split_urls(text: str) -> tuple[str, list[etree.Element]]:
    """Cut bare http(s) URLs out of `text` as <a> elements (text before, elements)."""
    pos = 0
    first: str | None = None
    nodes: list[etree.Element] = []
    for m in _BARE_URL_RE.finditer(text):
        url = m.group(0)
        # Sentence punctuation after a URL is not part of it; ")" only when unbalanced.
        while url and (
            url[-1] in ".,;:!?*_~'\"]" or (url[-1] == ")" and url.count(")") > url.count("("))
        ):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        end = m.start() + len(url)
        before = text[pos : m.start()]
        if first is None:
            first = before
        else:
            nodes[-1].tail = before
        a = etree.Element("a")
        a.set("href", url)
        a.text = AtomicString(url)
        nodes.append(a)
        pos = end
    if first is None:
        return text, []
    nodes[-1].tail = text[pos:]
    return first, nodes


# Python-Markdown scans from every "[" to its matching "]" and from every "](" to its ")"
# in Python loops, O(n^2) on a line of "[[[[...". Link texts and URLs are bounded here
# (data: image URLs excepted, found with one C-speed search).
_LINK_TEXT_LIMIT = 4096
_LINK_URL_LIMIT = 4096


class _BoundedLink(LinkInlineProcessor):  # type: ignore[misc]  # untyped base
    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        limit = min(len(data), index + _LINK_TEXT_LIMIT)
        depth, pos = 1, index
        while True:
            close = data.find("]", pos, limit)
            if close == -1:
                return "", limit, False
            depth += data.count("[", pos, close) - 1
            if depth == 0:
                return data[index:close], close + 1, True
            pos = close + 1

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        close = data.find(")", index)
        if close == -1:  # nothing can close it: skip the scan to the end
            return "", None, index, False
        if data.startswith("(data:", index):
            return data[index + 1 : close].strip(), None, close + 1, True
        window = data[: index + _LINK_URL_LIMIT]
        result: tuple[str, str | None, int, bool] = super().getLink(window, index)
        return result


class _BoundedImageLink(_BoundedLink, ImageInlineProcessor):  # type: ignore[misc]
    pass


class _ParleyExtension(Extension):  # type: ignore[misc]  # untyped base
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML from the model is shown as text, never interpreted.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # Definitions are kept visible instead of resolved (see module docstring).
        md.parser.blockprocessors.deregister("reference")
        for name in ("reference", "image_reference", "short_reference", "short_image_ref"):
            md.inlinePatterns.deregister(name)  # nothing left for them to resolve
        md.inlinePatterns.register(_BoundedLink(LINK_RE, md), "link", 160)
        md.inlinePatterns.register(_BoundedImageLink(IMAGE_LINK_RE, md), "image_link", 150)
        # After code spans (190) so `$x$` stays code, before escapes (180) so \( survives.
        md.inlinePatterns.register(_MathPattern(_MATH_RE, md), "parley_math", 185)
        # After "unescape" (0), so hrefs are judged in their final form.
        md.treeprocessors.register(_SafetyTreeprocessor(md), "parley_safety", -10)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "sane_lists", _ParleyExtension()],
        output_format="html",
    )


# Building a Markdown instance costs far more than a block render; keep one per thread
# (renders of big replies may run in an executor while the GUI thread streams).
_local = threading.local()


def _markdown() -> markdown.Markdown:
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = _new_markdown()
        _local.md = md
    return md


# ---------------------------------------------------------------------------------------
# Sanitizer (defence in depth: even a bug above must not let active content through)

_ALLOWED_TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"style"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start"},
    "table": {"border", "cellspacing", "cellpadding"},
    "td": {"align"},
    "th": {"align"},
}
# No background/background-image/list-style-image: they can carry url(), which Qt loads.
_ALLOWED_CSS = frozenset(
    {
        "background-color", "border-collapse", "border-color", "border-style",
        "border-width", "color", "font-family", "font-size", "font-style", "font-weight",
        "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
        "text-align", "text-decoration", "vertical-align", "white-space",
    }
)  # fmt: skip
_COPY_HREF_RE = re.compile(r"parley-copy:[0-9]+\Z")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        if _COPY_HREF_RE.match(value):
            return value
        return value if _safe_href(value) is not None else None
    if tag == "img" and attr == "src":
        return value if _DATA_IMAGE_RE.match(value) else None
    return value


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(_ALLOWED_TAGS),
    "attributes": {k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
    "attribute_filter": _attribute_filter,
    "url_schemes": {"http", "https", "mailto", "parley-copy", "data"},
    "filter_style_properties": set(_ALLOWED_CSS),
    "link_rel": None,
    "strip_comments": True,
}
# Building the sanitizer costs more than running it on a small block; nh3 >= 0.2.18 can
# keep one (older versions rebuild it per call).
_CLEANER = nh3.Cleaner(**_NH3_OPTIONS) if hasattr(nh3, "Cleaner") else None


def _sanitize(fragment: str) -> str:
    if _CLEANER is not None:
        cleaned: str = _CLEANER.clean(fragment)
        return cleaned
    return str(nh3.clean(fragment, **_NH3_OPTIONS))


# Python-Markdown's inline pass rebuilds the paragraph string on every match, so one
# paragraph costs O(size x matches). No model writes 100 KB without a blank line; above
# that a block is shown as plain text rather than risk freezing the view.
_MAX_MD_BLOCK = 100_000


def _render_md(src: str) -> str:
    if len(src) > _MAX_MD_BLOCK:
        body = html.escape(src.strip("\n"), quote=False).replace("\n", "<br>\n")
        return f"<p>{body}</p>\n"
    md = _markdown()
    md.reset()
    out: str = md.convert(src)
    return out + "\n" if out else ""


def _render_blocks(
    text: str, blocks: list[_Block], first_fence: int, tail: bool, theme: str
) -> list[str]:
    """HTML of each block; fences are numbered from `first_fence`."""
    _local.theme = theme
    out: list[str] = []
    index = first_fence
    for b in blocks:
        src = text[b.start : b.end]
        if b.kind == "fence":
            fragment = _render_fence(src, index, tail)
            index += 1
        else:
            fragment = _render_md(src)
        out.append(_sanitize(fragment) if fragment else "")
    return out


def _check_theme(theme: str) -> str:
    if theme not in _STYLES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {THEMES}")
    return theme


def render_markdown(text: str, theme: str = "light") -> str:
    """Whole text -> safe HTML fragment, coloured for `theme` ("light" or "dark")."""
    blocks, _ = _scan(text, 0, final=True)
    return "".join(_render_blocks(text, blocks, 0, tail=False, theme=_check_theme(theme)))


# ---------------------------------------------------------------------------------------
# Streaming


@dataclass(frozen=True)
class RenderUpdate:
    """What changed: blocks to append once, and the tail to show after them."""

    new_finished: list[str]
    tail_html: str


class StreamingMarkdown:
    """Incremental renderer for a reply that grows chunk by chunk."""

    def __init__(self, theme: str = "light") -> None:
        self._theme = _check_theme(theme)
        self._pos = 0  # offset where the unfinished part of the text starts
        self._fences = 0  # fenced blocks in the finished part: the next Copy index
        self._finished: list[str] = []
        self._done = False

    def update(self, text: str) -> RenderUpdate:
        """Render `text` (the whole reply so far, extending the previous one)."""
        return self._advance(text, final=False)

    def finish(self, text: str) -> RenderUpdate:
        """Render the final `text`: every block becomes finished and the tail empties."""
        return self._advance(text, final=True)

    @property
    def finished_html(self) -> str:
        """Concatenation of all finished blocks so far."""
        return "".join(self._finished)

    def _advance(self, text: str, final: bool) -> RenderUpdate:
        if self._done:
            raise RuntimeError("StreamingMarkdown.finish() was already called")
        if len(text) < self._pos:
            raise ValueError("text must extend the text of the previous update")
        blocks, rest = _scan(text, self._pos, final)
        new = _render_blocks(text, blocks, self._fences, tail=False, theme=self._theme)
        self._fences += sum(1 for b in blocks if b.kind == "fence")
        self._finished.extend(new)
        self._pos = rest
        if final:
            self._done = True
            return RenderUpdate(new, "")
        tail_blocks, _ = _scan(text, rest, final=True)
        tail = "".join(
            _render_blocks(text, tail_blocks, self._fences, tail=True, theme=self._theme)
        )
        return RenderUpdate(new, tail)
