"""Untrusted model markdown -> safe HTML for Qt's rich-text engine, whole or streamed.

The dialect is CommonMark + GFM (tables, strikethrough, task lists, autolinks,
footnotes), parsed by markdown-it-py: models write CommonMark, and every other client
renders it that way (lists right after a paragraph line, 2-space nested lists, fences
inside list items, ``1)`` lists, backslash escapes and hard breaks).

Model output is untrusted: raw HTML is shown as text (``html=False``), the output goes
through nh3 with a strict allowlist, links keep an href only for http/https/mailto (an
unsafe link keeps its text), and no image can make Qt fetch anything (only inline
``data:image/...;base64`` images survive as ``<img>``; others become a text placeholder
with a click-only link).

Blocks. The text is cut into top-level blocks with markdown-it's own block parser, and
`render_markdown` is by definition the concatenation of the blocks' HTML, each block
rendered on its own. CommonMark never reopens a top-level block once a later block has
started, so a block followed by another one can no longer change. Streaming renders each
block once, when it is finished, and re-renders only the unfinished tail:
`StreamingMarkdown` produces exactly `render_markdown(text)` by construction, and each
update costs time proportional to the tail. A block is finished when:

* a later top-level block starts on a complete line, or
* it is a top-level fence whose closing line is complete, or
* blank lines follow it and the (still partial) next line can already be classified as
  something that cannot continue it (not indented, not a list item after a list).

Two features are document-wide; blocks stay local all the same:

* Reference-style link definitions (``[1]: https://...``) are collected from the whole
  text first and every block resolves its links against them; a definition shows
  nothing. While streaming, links resolve against the definitions already finished, and
  when a reply holding definitions finishes it is rendered once more, whole
  (`RenderUpdate.reset`): a definition usually comes after its uses.
* Footnotes: a reference ``[^1]`` shows as a superscript ``[1]``; definitions are
  gathered after the reply, in small type (while streaming, the unfinished tail shows
  its own in place).

Math (``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]``) is kept literally, delimiters
included, in a monospace coloured span (a block when a paragraph is only display math).
Inline ``$`` follows Pandoc's rule so prices are not math: the opening ``$`` is not
followed by whitespace, the closing ``$`` is not preceded by whitespace nor followed by a
digit, and an inline formula stays on one line. ``\\$`` is an escaped dollar.

Every regex here is linear, and a single block over 100 KB (no blank line for 100 KB)
is shown as escaped plain text rather than risk freezing the view.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from app.core.math_tex import MATH_SCHEME

if TYPE_CHECKING:
    # pygments loads with the first highlighted block (see `warm_up`): importing it and
    # building a lexer's rules takes ~100 ms, which a reply shown at launch need not wait.
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

__all__ = [
    "THEMES",
    "RenderUpdate",
    "StreamingMarkdown",
    "code_blocks",
    "has_code_block",
    "is_warm",
    "mark_warm",
    "render_markdown",
    "warm_up",
    "warm_up_language",
]

# ---------------------------------------------------------------------------------------
# Styles. Qt's rich text honours inline CSS on blocks/spans and the HTML4 table attributes.

@dataclass(frozen=True)
class _Styles:
    """Inline CSS for one colour theme, and the pygments style that matches it."""

    pre: str
    code_header: str
    inline_code: str
    math: str
    math_block: str
    quote: str
    table: str
    pygments_style: str

    @property
    def formatter(self) -> HtmlFormatter:
        """The pygments formatter for this theme's code colours."""
        return _formatter(self.pygments_style)


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
        pygments_style=pygments_style,
    )


@lru_cache(maxsize=4)
def _formatter(style: str) -> HtmlFormatter:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style=style)


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
# Parser


# Delimited spans exclude their own delimiter from the body, so a scan from an opener
# stops at the next delimiter: no rescans, linear time even on hostile input.
_MATH_RE = re.compile(
    r"(?<![\\$])\$\$(?:[^$]|\$(?!\$))+?\$\$"  # $$ display $$
    r"|\\\[(?:[^\\]|\\(?![\[\]]))+?\\\]"  # \[ display \]
    r"|\\\((?:[^\\]|\\(?![()]))+?\\\)"  # \( inline \)
    r"|(?<![\\$])\$(?=[^\s$])[^$\n]+?(?<=[^\s\\])\$(?![0-9$])"  # $inline$ (Pandoc rule)
)

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


def _math_rule(state: StateInline, silent: bool) -> bool:
    # Runs before "escape", so "\(" and "\[" reach it; code spans start earlier in the
    # line and are consumed first, so `$x$` stays code.
    if state.src[state.pos] not in "$\\":
        return False
    m = _MATH_RE.match(state.src, state.pos, state.posMax)
    if m is None:
        return False
    if not silent:
        raw = m.group(0)
        token = state.push("parley_math", "span", 0)
        token.content = raw
        token.meta = {"display": raw.startswith(("$$", "\\["))}
    state.pos = m.end()
    return True


def _split_urls(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_url) around bare http(s) URLs."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _BARE_URL_RE.finditer(text):
        url = m.group(0)
        # Sentence punctuation after a URL is not part of it; ")" only when unbalanced.
        while url and (
            url[-1] in ".,;:!?*_~'\"]" or (url[-1] == ")" and url.count(")") > url.count("("))
        ):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((url, True))
        pos = m.start() + len(url)
    if out and pos < len(text):
        out.append((text[pos:], False))
    return out


def _linkify_rule(state: StateCore) -> None:
    """Bare http(s) URLs in text become links (outside links and code)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        changed = False
        in_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            elif tok.type == "text" and not in_link and "://" in tok.content:
                pieces = _split_urls(tok.content)
                if pieces:
                    changed = True
                    for piece, is_url in pieces:
                        if is_url:
                            a = Token("link_open", "a", 1, attrs={"href": piece})
                            children.append(a)
                            children.append(Token("text", "", 0, content=piece))
                            children.append(Token("link_close", "a", -1))
                        else:
                            children.append(Token("text", "", 0, content=piece))
                    continue
            children.append(tok)
        if changed:
            block.children = children


def _task_rule(state: StateCore) -> None:
    """GFM task list items show a ballot box instead of "[ ]" / "[x]"."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "list_item_open" or i + 2 >= len(tokens):
            continue
        para, inline = tokens[i + 1], tokens[i + 2]
        if para.type != "paragraph_open" or inline.type != "inline" or not inline.children:
            continue
        first = inline.children[0]
        if first.type != "text":
            continue
        m = _TASK_RE.match(first.content)
        if m:
            box = "☐" if m.group(1) == " " else "☑"
            first.content = box + " " + first.content[m.end() :]


def _display_math_rule(state: StateCore) -> None:
    """A paragraph that is only display math becomes a block keeping its lines."""
    tokens = state.tokens
    out: list[Token] = []
    i = 0
    changed = False
    while i < len(tokens):
        tok = tokens[i]
        if (
            tok.type == "paragraph_open"
            and not tok.hidden
            and i + 2 < len(tokens)
            and tokens[i + 1].children is not None
            and len(tokens[i + 1].children or []) == 1
        ):
            child = (tokens[i + 1].children or [])[0]
            if child.type == "parley_math" and child.meta.get("display"):
                block = Token("parley_math_block", "pre", 0, content=child.content)
                block.level = tok.level
                out.append(block)
                i += 3
                changed = True
                continue
        out.append(tok)
        i += 1
    if changed:
        state.tokens = out


def _new_parser(block_only: bool = False, with_references: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # The splitter sees a definition as a paragraph of its own (its block renders to
    # nothing); link definitions are collected from the whole text (_collect_references).
    if block_only and not with_references:
        md.disable("reference")
    # Footnote references match without their definition, which may be in another block.
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    if block_only:
        md.core.ruler.disable(["inline", "text_join"])
        return md
    if hasattr(md.inline, "add_terminator_char"):
        md.inline.add_terminator_char("$")
    md.inline.ruler.before("escape", "parley_math", _math_rule)
    md.core.ruler.push("parley_linkify", _linkify_rule)
    md.core.ruler.push("parley_tasks", _task_rule)
    md.core.ruler.push("parley_display_math", _display_math_rule)
    # Every URL reaches the renderer, which keeps the safe ones and shows the text of
    # the others (markdown-it would otherwise print an unsafe link's source).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    _add_render_rules(md)
    return md


# Parsers are costly to build and not thread-safe; keep a pair per thread (renders of
# big replies may run in an executor while the GUI thread streams).
_local = threading.local()


def _parser() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "md", None)
    if md is None:
        md = _new_parser()
        _local.md = md
    return md


def _refs_parser() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "refs_md", None)
    if md is None:
        md = _new_parser(block_only=True, with_references=True)
        _local.refs_md = md
    return md


def _block_parser() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "block_md", None)
    if md is None:
        md = _new_parser(block_only=True)
        _local.block_md = md
    return md


# ---------------------------------------------------------------------------------------
# Fenced code


_LANG_RE = re.compile(r"[\w#+.-]+")


def _language(info: str) -> str:
    """Language name from a fence info string ("python", "{.python}", "py title=x")."""
    m = _LANG_RE.search(info.strip().lstrip("{").lstrip("."))
    return m.group(0) if m else ""


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    from pygments.lexers import get_all_lexers

    return frozenset(
        alias for _, aliases, _, _ in get_all_lexers(plugins=False) for alias in aliases
    )


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    # No guess_lexer: guessing runs every lexer over the code and is slow. Unknown names
    # never reach get_lexer_by_name: on a miss it scans installed packages for plugin
    # lexers (a quarter second, importing IPython here) and a half-streamed info string
    # ("pyth") is a miss on every reply.
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    name = lang.lower()
    if name in ("text", "plain", "plaintext", "txt") or name not in _builtin_aliases():
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def _fence_code(token: Token) -> str:
    code = token.content
    return code[:-1] if code.endswith("\n") else code


def _render_fence_html(code: str, info: str, index: int, tail: bool) -> str:
    lang = _language(info)
    lexer = _lexer(lang) if getattr(_local, "highlight", True) else None
    st = _styles()
    if lexer is None or (tail and len(code) > _TAIL_HIGHLIGHT_LIMIT):
        body = html.escape(code, quote=False)
    else:
        from pygments import highlight

        body = highlight(code, lexer, st.formatter)
        if body.endswith("\n") and not code.endswith("\n"):
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


_warm = threading.Event()


def warm_up() -> None:
    """Load what the first render would load (markdown-it, pygments lexers, nh3).

    The first code block in a language imports its lexer, which can stall the window for
    tens of milliseconds in the middle of a streaming reply; the app does this on a worker
    thread after start-up (in `warm_up_language` steps, so that quitting waits for one
    step at most), so that cost is paid while nothing is on screen yet.
    """
    for lang in WARM_LANGUAGES:
        warm_up_language(lang)
    mark_warm()


def warm_up_language(lang: str) -> None:
    """Build the lexer of `lang` (and, the first time, load the renderer itself)."""
    render_markdown(f"# t\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```{lang}\nx = 1\n```\n")


def mark_warm() -> None:
    """Every language of WARM_LANGUAGES is loaded: code is highlighted at once from now."""
    _warm.set()


def is_warm() -> bool:
    """Whether `warm_up` has run: code blocks are then highlighted without a stall."""
    return _warm.is_set()


def has_code_block(text: str) -> bool:
    """Cheap test that `text` may hold a fenced code block (what highlighting changes)."""
    return "```" in text or "~~~" in text


def code_blocks(text: str) -> list[str]:
    """Raw code of each fenced block in `text`, indexed like the parley-copy:N links."""
    tokens = _block_parser().parse(text)
    return [_fence_code(t) for t in tokens if t.type == "fence"]


# ---------------------------------------------------------------------------------------
# HTML rules (on top of markdown-it's renderer)


def _attr(token: Token, name: str) -> str:
    value = token.attrGet(name)
    return "" if value is None else str(value)


def _add_render_rules(md: MarkdownIt) -> None:
    esc = html.escape

    def fence(self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType) -> str:
        index = env["fence_index"]
        env["fence_index"] = index + 1
        token = tokens[idx]
        return _render_fence_html(_fence_code(token), token.info, index, env["tail"])

    def code_block(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        return f'<pre style="{_styles().pre}">{esc(_fence_code(tokens[idx]), quote=False)}</pre>\n'

    def code_inline(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        body = esc(tokens[idx].content, quote=False)
        return f'<code style="{_styles().inline_code}">{body}</code>'

    def math(self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType) -> str:
        # The title carries the source to the window, which swaps in the typeset image.
        raw = tokens[idx].content
        return f'<span style="{_styles().math}" title="{esc(raw)}">{esc(raw, quote=False)}</span>'

    def math_block(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        raw = tokens[idx].content
        body = esc(raw, quote=False)
        return f'<pre style="{_styles().math_block}" title="{esc(raw)}">{body}</pre>\n'

    def blockquote_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        return f'<blockquote style="{_styles().quote}">\n'

    def table_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        # Qt honours the HTML4 table attributes, not CSS borders.
        return (
            f'<table border="1" cellspacing="0" cellpadding="4" style="{_styles().table}">\n'
        )

    def cell_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        style = _attr(token, "style")
        attrs = ""
        for align in ("left", "right", "center"):
            if f"text-align:{align}" in style.replace(" ", ""):
                attrs += f' align="{align}"'
        if token.tag == "th":
            attrs += ' style="font-weight: bold"'
        return f"<{token.tag}{attrs}>"

    def link_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        safe = _safe_href(_attr(tokens[idx], "href"))
        env["links"].append(safe is not None)
        # Keep what the reader was meant to see, drop what a click would run.
        return "" if safe is None else f'<a href="{esc(safe)}">'

    def link_close(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        kept = env["links"].pop() if env["links"] else False
        return "</a>" if kept else ""

    def image(self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = _attr(token, "src").strip()
        alt = self.renderInlineAsText(token.children or [], opts, env)
        if _DATA_IMAGE_RE.match(src):
            return f'<img alt="{esc(alt)}" src="{esc(src)}">'
        # A remote src is a classic exfiltration channel (the URL carries the secret),
        # so show the address as a click-only link and let the user decide.
        label = f"[image: {esc(alt)}]" if alt else "[image]"
        if _scheme(src) in ("http", "https"):
            return f'<span>{label} <a href="{esc(src)}">{esc(src, quote=False)}</a></span>'
        if src:
            return f"<span>{label} ({esc(src, quote=False)})</span>"
        return f"<span>{label}</span>"

    def footnote_ref(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        return f"<sup>[{esc(tokens[idx].meta.get('label', ''))}]</sup>"

    def footnote_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        env["footnote"] = esc(tokens[idx].meta.get("label", ""))
        return ""

    def footnote_close(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        label = env.pop("footnote", None)
        return "" if label is None else f"<p><sup>[{label}]</sup></p>\n"

    def paragraph_open(
        self: Any, tokens: Sequence[Token], idx: int, opts: OptionsDict, env: EnvType
    ) -> str:
        if tokens[idx].hidden:
            return ""
        label = env.pop("footnote", None)
        if label is not None:
            return f'<p style="font-size: small"><sup>[{label}]</sup> '
        return "<p>"

    rules = {
        "fence": fence,
        "code_block": code_block,
        "code_inline": code_inline,
        "parley_math": math,
        "parley_math_block": math_block,
        "blockquote_open": blockquote_open,
        "table_open": table_open,
        "th_open": cell_open,
        "td_open": cell_open,
        "link_open": link_open,
        "link_close": link_close,
        "image": image,
        "footnote_ref": footnote_ref,
        "footnote_reference_open": footnote_open,
        "footnote_reference_close": footnote_close,
        "paragraph_open": paragraph_open,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)


# ---------------------------------------------------------------------------------------
# Block splitter

_LINE_END_RE = re.compile(r"\r\n?|\n")
_DIGITS_RE = re.compile(r"[0-9]+")
_FENCE_CLOSE_RE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t\r]*")


@dataclass(frozen=True, slots=True)
class _Block:
    start: int
    end: int
    fence: bool  # a top-level fenced code block (no 100 KB plain-text cut-off)


@dataclass(frozen=True, slots=True)
class _Split:
    """Top-level blocks of a run of complete lines, and how the last one ends."""

    blocks: list[_Block]
    last_is_list: bool
    last_closed: bool  # the last block can no longer grow (a closed top-level fence)
    ends_blank: bool  # the run ends with a blank line


def _line_starts(src: str) -> list[int]:
    """Offset of each line of `src`, counting line ends the way markdown-it does."""
    starts = [0]
    starts.extend(m.end() for m in _LINE_END_RE.finditer(src))
    return starts


def _split(text: str, pos: int, end: int) -> _Split:
    """Top-level blocks of text[pos:end]; `end` is the end of the text or of a line."""
    src = text[pos:end]
    tokens = _block_parser().parse(src)
    starts = _line_starts(src)
    tops = [t for t in tokens if t.level == 0 and t.nesting >= 0 and t.map is not None]
    blocks: list[_Block] = []
    for k, tok in enumerate(tops):
        assert tok.map is not None
        b_start = pos + starts[tok.map[0]]
        nxt = tops[k + 1].map if k + 1 < len(tops) else None
        b_end = pos + starts[nxt[0]] if nxt is not None else end
        blocks.append(_Block(b_start, b_end, tok.type == "fence"))
    last_closed = False
    if tops and tops[-1].type == "fence":
        tok = tops[-1]
        assert tok.map is not None
        first, stop = tok.map
        if stop - first >= 2 and stop < len(starts):
            closer = src[starts[stop - 1] : starts[stop]].rstrip("\r\n")
            m = _FENCE_CLOSE_RE.fullmatch(closer)
            last_closed = bool(
                m and m.group(1)[0] == tok.markup[0] and len(m.group(1)) >= len(tok.markup)
            )
    last_line = src[starts[-2] : starts[-1]] if len(starts) >= 2 else ""
    return _Split(
        blocks,
        last_is_list=bool(tops) and tops[-1].type in ("bullet_list_open", "ordered_list_open"),
        last_closed=last_closed,
        ends_blank=not last_line.strip(" \t\r\n"),
    )


def _classify_next(line: str) -> str | None:
    """What a partial first line after a blank gap is, as far as splitting cares.

    Returns None while the rest of the line could still make it something else, so a
    block is never declared finished on a guess the rest of the line would overturn.
    """
    s = line.lstrip(" \t")
    if not s:
        return None
    if len(s) < len(line):
        return "indent"
    c = s[0]
    if c in "`~":
        return None if s[:3] == c * min(3, len(s)) else "other"
    if c in "*+-":
        if len(s) == 1:
            return None
        return "list" if s[1] in " \t" else "other"
    m = _DIGITS_RE.match(s)
    if m is not None:
        rest = s[m.end() :]
        if not rest or rest in (".", ")"):
            return None
        return "list" if rest[0] in ".)" and rest[1] in " \t" else "other"
    return "other"


def _finished_blocks(text: str, pos: int) -> list[_Block]:
    """Blocks of text[pos:] (a streaming prefix) that can no longer change."""
    cut = max(text.rfind("\n", pos), text.rfind("\r", pos, len(text) - 1)) + 1
    if cut <= pos:
        return []
    split = _split(text, pos, cut)
    if not split.blocks:
        return []
    done = split.blocks[:-1]
    last = split.blocks[-1]
    if split.last_closed:
        done.append(last)
    elif split.ends_blank and not last.fence and cut < len(text):
        cls = _classify_next(text[cut:])
        if cls is not None and cls != "indent" and not (cls == "list" and split.last_is_list):
            done.append(last)
    return done


# ---------------------------------------------------------------------------------------
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
    "pre": {"title"},
    "span": {"title"},
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
_MATH_SRC_RE = re.compile(MATH_SCHEME + r":[0-9a-f]{32}\Z")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        if _COPY_HREF_RE.match(value):
            return value
        return value if _safe_href(value) is not None else None
    if tag == "img" and attr == "src":
        return value if _DATA_IMAGE_RE.match(value) or _MATH_SRC_RE.match(value) else None
    return value


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(_ALLOWED_TAGS),
    "attributes": {k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
    "attribute_filter": _attribute_filter,
    "url_schemes": {"http", "https", "mailto", "parley-copy", MATH_SCHEME, "data"},
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





# No model writes 100 KB without a blank line; above that a block is shown as plain text
# rather than risk a long inline pass freezing the view.
_MAX_MD_BLOCK = 100_000


def _collect_references(text: str) -> dict[str, Any]:
    """Reference-style link definitions of the whole text, as markdown-it stores them."""
    if "]:" not in text:
        return {}
    env: dict[str, Any] = {}
    _refs_parser().parse(text, env)
    refs: dict[str, Any] = env.get("references", {})
    return refs


def _render_md(
    src: str, first_fence: int = 0, tail: bool = False,
    refs: dict[str, Any] | None = None, notes: list[str] | None = None,
) -> tuple[str, int]:
    """HTML of one top-level block, and how many fenced blocks it holds.

    Links resolve against `refs` (definitions found in this block are added to it).
    Footnote definitions go to `notes` when given (they are shown after the reply),
    else they stay in place.
    """
    md = _parser()
    env: dict[str, Any] = {
        "fence_index": first_fence, "tail": tail, "links": [],
        "references": refs if refs is not None else {},
    }
    tokens = md.parse(src, env)
    if notes is None or not any(t.type == "footnote_reference_open" for t in tokens):
        out = md.renderer.render(tokens, md.options, env)
        return out, env["fence_index"] - first_fence
    # Render in document order (Copy links are numbered that way), diverting each
    # footnote definition to `notes`.
    parts: list[str] = []
    segment: list[Token] = []
    depth = 0
    for tok in tokens:
        if tok.type == "footnote_reference_open":
            if depth == 0 and segment:
                parts.append(md.renderer.render(segment, md.options, env))
                segment = []
            depth += 1
        segment.append(tok)
        if tok.type == "footnote_reference_close":
            depth -= 1
            if depth == 0:
                notes.append(_sanitize(md.renderer.render(segment, md.options, env)))
                segment = []
    if segment:
        parts.append(md.renderer.render(segment, md.options, env))
    return "".join(parts), env["fence_index"] - first_fence


def _render_blocks(
    text: str, blocks: list[_Block], first_fence: int, *, tail: bool, theme: str,
    refs: dict[str, Any], notes: list[str] | None, highlight: bool = True,
) -> tuple[list[str], int]:
    """HTML of each block, and the number of fences; fences are numbered from `first_fence`."""
    _local.theme = theme
    _local.highlight = highlight
    out: list[str] = []
    index = first_fence
    for b in blocks:
        src = text[b.start : b.end]
        if len(src) > _MAX_MD_BLOCK and not b.fence:
            body = html.escape(src.strip("\n"), quote=False).replace("\n", "<br>\n")
            fragment = f"<p>{body}</p>\n"
        else:
            fragment, fences = _render_md(src, index, tail, refs, notes)
            index += fences
        out.append(_sanitize(fragment) if fragment else "")
    return out, index - first_fence


def _check_theme(theme: str) -> str:
    if theme not in _STYLES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {THEMES}")
    return theme


def render_markdown(text: str, theme: str = "light", *, highlight: bool = True) -> str:
    """Whole text -> safe HTML fragment, coloured for `theme` ("light" or "dark").

    `highlight=False` shows code blocks in plain colours (same text and layout), without
    loading pygments or building a lexer.
    """
    blocks = _split(text, 0, len(text)).blocks
    notes: list[str] = []
    html_blocks, _ = _render_blocks(
        text, blocks, 0, tail=False, theme=_check_theme(theme),
        refs=_collect_references(text), notes=notes, highlight=highlight,
    )
    return "".join(html_blocks) + "".join(notes)


# ---------------------------------------------------------------------------------------
# Streaming


@dataclass(frozen=True)
class RenderUpdate:
    """What changed: blocks to append once, and the tail to show after them.

    `reset` (only from `finish`): the blocks shown so far are replaced by `new_finished`
    (a link defined after its first use resolves only once the whole text is known).
    """

    new_finished: list[str]
    tail_html: str
    reset: bool = False


class StreamingMarkdown:
    """Incremental renderer for a reply that grows chunk by chunk."""

    def __init__(self, theme: str = "light") -> None:
        self._theme = _check_theme(theme)
        self._pos = 0  # offset where the unfinished part of the text starts
        self._fences = 0  # fenced blocks in the finished part: the next Copy index
        self._finished: list[str] = []
        self._refs: dict[str, Any] = {}  # link definitions in the finished part
        self._notes: list[str] = []  # footnote definitions of the finished part
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
        if final:
            self._done = True
            refs = _collect_references(text)
            if refs:
                # Definitions usually come last: render the whole reply once with them,
                # exactly as render_markdown does.
                self._finished = [render_markdown(text, self._theme)]
                return RenderUpdate(list(self._finished), "", reset=True)
            blocks = _split(text, self._pos, len(text)).blocks
        else:
            blocks = _finished_blocks(text, self._pos)
        new, fences = _render_blocks(
            text, blocks, self._fences, tail=False, theme=self._theme,
            refs=self._refs, notes=self._notes,
        )
        self._fences += fences
        self._finished.extend(new)
        if blocks:
            self._pos = blocks[-1].end
        if final:
            if self._notes:
                new.append("".join(self._notes))
                self._finished.append(new[-1])
            return RenderUpdate(new, "")
        tail_blocks = _split(text, self._pos, len(text)).blocks
        # The tail may hold half a definition: it must not reach the finished part.
        tail, _ = _render_blocks(
            text, tail_blocks, self._fences, tail=True, theme=self._theme,
            refs=dict(self._refs), notes=None,
        )
        return RenderUpdate(new, "".join(tail))
