"""Real-style model answers render with the block structure of CommonMark + GFM.

Each file in tests/corpus/ is rendered by Parley and by a reference CommonMark + GFM
renderer (markdown-it-py with the GFM table/strikethrough rules and the footnote,
task-list and math plugins); the block trees (lists and their nesting, list start
numbers, tables and cell alignment, code blocks and their text, quotes, headings,
paragraphs, rules, math blocks) must match. Parley's deliberate differences are taken
out of both sides: the header line above each code block (language and Copy link) and
the footnote definitions (both gather them after the answer, in their own markup).
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from mdit_py_plugins.texmath import texmath_plugin

from app.core.markdown_render import StreamingMarkdown, code_blocks, render_markdown

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.md"))

_BLOCKS = frozenset(
    {"ul", "ol", "li", "table", "tr", "th", "td", "pre", "blockquote", "p", "hr",
     "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip


def _reference(text: str) -> str:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")
    return md.render(text)


class _Tree(HTMLParser):
    """Block tree of an HTML fragment: (tag, detail, children) with code text kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[object] = []
        self.stack: list[tuple[str, list[object]]] = [("root", self.root)]
        self.skip_depth = 0
        self.skip_tag = ""
        self.text_parts: list[list[str]] = []
        self.in_pre = 0

    def _skipped(self, tag: str, attrs: dict[str, str | None]) -> bool:
        cls = attrs.get("class") or ""
        style = (attrs.get("style") or "").replace(" ", "")
        if tag == "section" and "footnotes" in cls:
            return True
        if tag == "hr" and "footnotes-sep" in cls:
            return True
        # Parley: code header line (label + Copy) and in-place footnote definitions.
        return tag == "p" and ("margin-bottom:0px" in style or style == "font-size:small")

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if self._skipped(tag, attrs):
            if tag != "hr":
                self.skip_depth, self.skip_tag = 1, tag
            return
        style = (attrs.get("style") or "").replace(" ", "")
        if tag == "eqn" or "math block" in (attrs.get("class") or ""):
            tag = "math"
        elif tag == "pre" and "color:#8250df" in style:
            tag = "math"  # Parley's display-math block
        if tag == "code" and self.in_pre:
            return
        if tag in ("pre", "code"):
            self.text_parts.append([])
        self.in_pre += tag == "pre"
        if tag in _BLOCKS or tag == "math":
            detail = ""
            if tag == "ol":
                detail = attrs.get("start") or "1"
            elif tag in ("th", "td"):
                m = re.search(r"text-align:(\w+)", style)
                detail = attrs.get("align") or (m.group(1) if m else "")
            node: list[object] = []
            self.stack[-1][1].append((tag, detail, node))
            if tag not in ("hr", "math"):
                self.stack.append((tag, node))
            if tag == "math":
                self.skip_depth, self.skip_tag = 1, "pre" if attrs.get("style") else "eqn"

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if tag == "code" and self.in_pre:
            return
        if tag in ("pre", "code") and self.text_parts:
            text = "".join(self.text_parts.pop()).replace("\xa0", " ").strip("\n")
            self.stack[-1][1].append(("text", text, []))
        self.in_pre -= tag == "pre"
        if tag in _BLOCKS and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and self.text_parts:
            self.text_parts[-1].append(data)


def _tree(html: str) -> list[object]:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_block_structure_matches_commonmark_gfm(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _tree(render_markdown(text)) == _tree(_reference(text))


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_streamed_corpus_answer_equals_whole_render(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rng = random.Random(path.stem)
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text), 60)))
    sm = StreamingMarkdown()
    parts = [h for c in cuts for h in sm.update(text[:c]).new_finished]
    final = sm.finish(text)
    if final.reset:  # links defined after their use: the whole reply once more
        parts.clear()
    parts.extend(final.new_finished)
    assert "".join(parts) == render_markdown(text)


def test_escapes_are_resolved_the_commonmark_way() -> None:
    html = render_markdown("It was \\$244,000.\n\n| cmd |\n|---|\n| `ls \\| grep x` |\n")
    assert "$244,000" in html
    assert "\\$" not in html
    assert ">ls | grep x</code>" in html


def test_backslash_at_line_end_is_a_line_break() -> None:
    html = render_markdown("first\\\nsecond\n")
    assert "first<br>" in html.replace("<br />", "<br>")
    assert "\\" not in html


def test_fenced_code_in_list_items_copies_without_the_list_indent() -> None:
    text = (Path(__file__).parent / "corpus" / "fence-in-list-item.md").read_text()
    assert code_blocks(text)[0] == "docker build -t myapp:latest ."
    assert code_blocks(text)[2] == "spec:\n  replicas: 3"
