"""Markdown -> safe HTML: elements, safety, math, and streaming == whole render."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from typing import Any

import pytest

from app.core.markdown_render import (
    RenderUpdate,
    StreamingMarkdown,
    code_blocks,
    render_markdown,
)

# --- elements ------------------------------------------------------------------------


def test_headings_and_emphasis() -> None:
    html = render_markdown("# Big\n\n### Small\n\nsome *em* and **bold** and ***both***")
    assert "<h1>Big</h1>" in html
    assert "<h3>Small</h3>" in html
    assert "<em>em</em>" in html
    assert "<strong>bold</strong>" in html


def test_unordered_and_ordered_lists_keep_start_number() -> None:
    html = render_markdown("- a\n- b\n\ntext\n\n3. three\n4. four\n")
    assert "<ul>" in html
    assert "<li>a</li>" in html
    assert '<ol start="3">' in html


def test_loose_list_stays_one_list() -> None:
    html = render_markdown("1. one\n\n2. two\n\n3. three\n")
    assert html.count("<ol") == 1
    assert html.count("<li>") == 3


def test_fence_inside_list_item_stays_in_the_item() -> None:
    text = "1. Install:\n   ```bash\n   pip install foo\n   ```\n2. Run it\n"
    html = render_markdown(text)
    assert html.count("<ol") == 1
    assert re.search(r"<li>Install:.*<pre.*</pre>\n</li>\n<li>Run it</li>", html, re.S)
    assert code_blocks(text) == ["pip install foo"]


def test_task_list() -> None:
    html = render_markdown("- [ ] todo\n- [x] done\n- [X] also\n")
    assert "☐ todo" in html
    assert "☑ done" in html
    assert "☑ also" in html
    assert "[ ]" not in html


def test_table_has_borders_bold_header_and_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert re.search(r'<table[^>]*border="1"', html)
    assert 'cellspacing="0"' in html
    assert 'cellpadding="4"' in html
    assert re.search(r'<th[^>]*align="left"[^>]*font-weight:bold[^>]*>a</th>', html)
    assert re.search(r'<td[^>]*align="right"[^>]*>2</td>', html)


def test_block_quote_is_styled() -> None:
    html = render_markdown("> quoted\n> text\n")
    assert re.search(r'<blockquote style="[^"]*margin-left', html)
    assert "quoted" in html


def test_inline_code_has_background() -> None:
    html = render_markdown("use `x = 1 < 2` here")
    assert re.search(r'<code style="[^"]*background-color[^"]*">x = 1 &lt; 2</code>', html)


def test_fenced_code_is_highlighted_with_header_and_copy_link() -> None:
    html = render_markdown("```python\ndef f():\n    return 1\n```\n")
    assert '<a href="parley-copy:0">Copy</a>' in html
    assert "python" in html.split("<pre")[0]
    assert re.search(r'<pre style="[^"]*background-color', html)
    assert '<span style="' in html
    assert "class=" not in html


def test_unknown_language_is_plain_and_escaped() -> None:
    html = render_markdown("```nosuchlang\n<b>x</b>\n```\n")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "nosuchlang" in html


def test_tilde_fence_and_longer_closing_fence() -> None:
    text = "~~~~\nline ~~~ inside\n~~~\nstill code\n~~~~~\nafter\n"
    assert code_blocks(text) == ["line ~~~ inside\n~~~\nstill code"]
    assert "<p>after</p>" in render_markdown(text)


def test_backtick_fence_needs_matching_closer() -> None:
    text = "```\na\n~~~\n``\nb\n```\n"
    assert code_blocks(text) == ["a\n~~~\n``\nb"]


def test_code_blocks_numbering_matches_copy_links() -> None:
    text = (
        "intro\n\n```py\none\n```\n\ntext\n\n~~~\ntwo\n~~~\n\n- item\n\n  ```js\n  three\n  ```\n"
    )
    html = render_markdown(text)
    links = re.findall(r'href="parley-copy:(\d+)"', html)
    assert links == ["0", "1", "2"]
    assert code_blocks(text) == ["one", "two", "three"]


def test_links() -> None:
    html = render_markdown(
        "[site](https://example.com) [mail](mailto:a@b.c) <https://x.org> "
        "bare https://bare.example/path. end"
    )
    assert '<a href="https://example.com">site</a>' in html
    assert '<a href="mailto:a@b.c">mail</a>' in html
    assert '<a href="https://x.org">https://x.org</a>' in html
    assert '<a href="https://bare.example/path">https://bare.example/path</a>.' in html


def test_horizontal_rule_and_line_break() -> None:
    html = render_markdown("one  \ntwo\n\n---\n\nthree")
    assert "<br>" in html
    assert "<hr>" in html


def test_reference_definitions_become_links_and_are_not_shown() -> None:
    html = render_markdown("See [docs][1] and [Py].\n\n[1]: https://docs.example\n"
                           "[py]: https://python.org \"Python\"\n")
    assert '<a href="https://docs.example">docs</a>' in html
    assert '<a href="https://python.org">Py</a>' in html
    assert "[1]" not in html and "[docs]" not in html
    assert "https://docs.example\n" not in html and "[py]:" not in html


def test_reference_definitions_with_unsafe_urls_give_no_link() -> None:
    html = render_markdown("[click][x] and [y]\n\n[x]: javascript:alert(1)\n"
                           "[y]: data:text/html;base64,PGI+\n")
    assert "<a " not in html
    assert "javascript" not in html.replace("[x]", "")


def test_streamed_reply_resolves_links_defined_after_their_use() -> None:
    text = "Intro [docs][1].\n\nMiddle paragraph.\n\nEnd.\n\n[1]: https://docs.example\n"
    sm = StreamingMarkdown()
    for end in range(0, len(text), 7):
        sm.update(text[:end])
    final = sm.finish(text)
    assert final.reset
    assert "".join(final.new_finished) == render_markdown(text)
    assert '<a href="https://docs.example">docs</a>' in render_markdown(text)


def test_footnote_definitions_are_gathered_after_the_reply() -> None:
    text = "First[^1] point.\n\n[^1]: The note.\n\nLast paragraph.\n"
    html = render_markdown(text)
    assert html.index("Last paragraph.") < html.index("The note.")
    assert re.search(r'<p style="font-size:small"><sup>\[1\]</sup> The note\.</p>\s*$', html)
    updates, final = _stream(text, list(range(len(text) + 1)))
    assert _joined(updates, final) == html


# --- safety --------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=http://127.0.0.1:9/x>",
    "<img src=x onerror=alert(1)>",
    "![x](http://127.0.0.1:9/?q=secret)",
    "![x](file:///etc/passwd)",
    '![x](https://127.0.0.1:9/a.png "title")',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox)",
    "[click](file:///etc/passwd)",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="http://127.0.0.1:9/"></iframe>',
    '<div onmouseover="alert(1)">hover</div>',
    "<style>body{background:url(http://127.0.0.1:9/)}</style>",
    '<form action="http://127.0.0.1:9/"><input></form>',
    "[![img](http://127.0.0.1:9/i.png)](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "<object data=http://127.0.0.1:9/></object>",
    "<http://127.0.0.1:9/ok>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_inert(text: str) -> None:
    for html in (render_markdown(text), render_markdown(f"- {text}\n\n| {text} |\n|--|\n")):
        lower = html.lower()
        assert "<script" not in lower
        assert "<iframe" not in lower
        assert "<style" not in lower
        assert "<form" not in lower
        assert "<svg" not in lower
        assert "<object" not in lower
        assert "<input" not in lower
        assert "<div" not in lower
        assert not re.search(r"<[^>]*\son\w+\s*=", lower)
        assert not re.search(r"<img[^>]*src=", lower)
        # Escaped text may say href="javascript:..."; only real tags matter.
        for href in re.findall(r'<a\s[^>]*href="([^"]*)"', lower):
            assert href.startswith(("http://", "https://", "mailto:", "parley-copy:")), href


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("<b>not bold</b> <script>alert(1)</script>")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_remote_image_becomes_text_and_click_only_link() -> None:
    html = render_markdown("![chart](https://host.example/x.png?q=secret)")
    assert "<img" not in html
    assert "[image: chart]" in html
    assert (
        '<a href="https://host.example/x.png?q=secret">https://host.example/x.png?q=secret</a>'
        in html
    )


def test_data_image_is_kept() -> None:
    html = render_markdown("![dot](data:image/png;base64,iVBORw0KGgo=)")
    assert '<img alt="dot" src="data:image/png;base64,iVBORw0KGgo=">' in html


def test_non_image_data_uri_is_not_an_image() -> None:
    html = render_markdown("![x](data:image/svg+xml;base64,PHN2Zz4=)")
    assert "<img" not in html
    assert "[image: x]" in html


def test_unsafe_link_keeps_its_text() -> None:
    html = render_markdown("[click me](javascript:alert(1)) ok")
    assert "click me" in html
    assert "javascript" not in html
    assert "<a" not in html


def test_model_cannot_forge_copy_links() -> None:
    html = render_markdown("[copy](parley-copy:0)")
    assert "parley-copy" not in html


# --- math ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "math",
    [
        "$a_1 * b_2 * c$",
        "$$x_1 = \\frac{a*b}{c_2}$$",
        "\\(a_1 * b_1\\)",
        "\\[\\sum_{i=1}^n x_i * y_i\\]",
    ],
)
def test_math_is_kept_literal(math: str) -> None:
    html = render_markdown(f"before {math} after")
    assert math.replace("&", "&amp;") in html
    assert "<em>" not in html
    assert "font-family:monospace" in html


def test_display_math_block_keeps_lines() -> None:
    html = render_markdown("$$\nx_1 = a*b\ny_2 = c*d\n$$\n")
    assert re.search(r"<pre[^>]*>\$\$\nx_1 = a\*b\ny_2 = c\*d\n\$\$</pre>", html)


def test_prices_are_not_math() -> None:
    html = render_markdown("It costs $5 and $10, or $20.")
    assert "monospace" not in html
    assert "$5 and $10, or $20." in html


def test_math_inside_code_span_stays_code() -> None:
    html = render_markdown("`$x_1$`")
    assert re.search(r"<code[^>]*>\$x_1\$</code>", html)
    assert "8250df" not in html


# --- streaming -----------------------------------------------------------------------

SAMPLES = [
    "Hello *world*.\n\nSecond paragraph.\n",
    "# Title\n\nIntro text\nwith two lines.\n\n- a\n- b\n\n  continued\n\n- c\n\nEnd.",
    "1. one\n2. two\n\n3. three\n\ntext\n\n7. seven\n",
    "```python\ndef f():\n\n    return 1\n```\nafter fence\n\n~~~\nraw\n\n\n~~~\n",
    "| a | b |\n|---|--:|\n| 1 | 2 |\n| 3 | 4 |\n\nafter table\n",
    "> q1\n\n> q2\n\nnot quote\n",
    "para\n```\nopen fence never closed\n\nmore code",
    "    indented code\n\n    more indented\n\npara $x_1$ and $$y$$ \\(z\\)\n",
    "- [ ] a\n- [x] b\n\n---\n\n![img](http://h/x.png) [l](javascript:x)\n",
    "1. Install:\n   ```bash\n   pip install x\n   ```\n2. Run:\n   ```\n   x --go\n   ```\n3. Done\n",
    "Setext\n======\n\ntext  \nbreak\n\n* * *\n\n+ plus\n+ list\n",
    "````md\n```py\ninner\n```\n````\n\n```\n",
    "\n\n\n  \n",
    "",
]

PIECES = [
    "# H\n", "para *x* _y_\n", "\n", "\n\n", "- a\n", "1. b\n", "3. c\n", "  cont\n",
    "    code\n", "```py\n", "```\n", "~~~\n", "````\n", "> q\n", "| a | b |\n",
    "|---|---|\n", "| 1 | 2 |\n", "$$\n", "x_1$\n", "\\[a\\]\n", "   ```bash\n",
    "text `code` more\n", "* ", "12", ".", " ", "-", "`", "~", ">", "\t", "***\n",
    "[x]: http://a\n", "- [ ] t\n", "<script>", "http://u.v/w ",
]  # fmt: skip


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(1, 40))) for _ in range(count)]


def _stream(text: str, cuts: list[int]) -> tuple[list[RenderUpdate], RenderUpdate]:
    sm = StreamingMarkdown()
    updates = [sm.update(text[:c]) for c in cuts]
    return updates, sm.finish(text)


def _joined(updates: list[RenderUpdate], final: RenderUpdate) -> str:
    """The document a view builds from the updates (a reset replaces what it holds)."""
    shown: list[str] = []
    for u in [*updates, final]:
        if u.reset:
            shown.clear()
        shown.extend(u.new_finished)
    return "".join(shown)


@pytest.mark.parametrize("text", SAMPLES)
def test_streaming_char_by_char_equals_whole_render(text: str) -> None:
    updates, final = _stream(text, list(range(len(text) + 1)))
    assert _joined(updates, final) == render_markdown(text)
    assert final.tail_html == ""


def test_streaming_random_splits_equal_whole_render() -> None:
    rng = random.Random(1234)
    texts = SAMPLES + _random_texts(600, seed=99)
    for text in texts:
        for _ in range(3):
            k = rng.randint(0, min(len(text), 25))
            cuts = sorted(rng.sample(range(len(text) + 1), k))
            updates, final = _stream(text, cuts)
            assert _joined(updates, final) == render_markdown(text), (text, cuts)


def test_finished_html_accumulates() -> None:
    text = SAMPLES[1]
    sm = StreamingMarkdown()
    seen: list[str] = []
    for c in range(0, len(text) + 1, 7):
        seen.extend(sm.update(text[:c]).new_finished)
        assert sm.finished_html == "".join(seen)
    seen.extend(sm.finish(text).new_finished)
    assert sm.finished_html == "".join(seen) == render_markdown(text)


def test_open_block_only_changes_the_tail() -> None:
    sm = StreamingMarkdown()
    first = sm.update("Done paragraph.\n\nGrowing para")
    assert first.new_finished == [render_markdown("Done paragraph.\n")]
    assert "Growing para" in first.tail_html
    second = sm.update("Done paragraph.\n\nGrowing paragraph more")
    assert second.new_finished == []
    assert "Growing paragraph more" in second.tail_html
    # The last block may still grow: without a later line it is not finished.
    third = sm.update("Done paragraph.\n\nGrowing paragraph more.\n\n")
    assert third.new_finished == []
    fourth = sm.update("Done paragraph.\n\nGrowing paragraph more.\n\nNext")
    assert fourth.new_finished == [render_markdown("Growing paragraph more.\n")]
    assert "Next" in fourth.tail_html


def test_open_fence_renders_as_code_in_tail() -> None:
    sm = StreamingMarkdown()
    update = sm.update("Intro\n\n```python\nx = 1\n\n\ny = 2\n")
    assert update.new_finished == [render_markdown("Intro\n")]
    assert "<pre" in update.tail_html
    assert "parley-copy:0" in update.tail_html
    assert "y" in update.tail_html
    closed = sm.update("Intro\n\n```python\nx = 1\n\n\ny = 2\n```\n")
    assert len(closed.new_finished) == 1
    assert "parley-copy:0" in closed.new_finished[0]
    assert closed.tail_html == ""


def test_streaming_keeps_fence_numbering_across_blocks() -> None:
    text = "```\na\n```\n\ntext\n\n```\nb\n```\n\n```\nc"
    sm = StreamingMarkdown()
    tails = [sm.update(text[:c]).tail_html for c in range(len(text) + 1)]
    assert "parley-copy:2" in tails[-1]
    final = sm.finish(text)
    assert re.findall(r"parley-copy:(\d)", sm.finished_html) == ["0", "1", "2"]
    assert final.tail_html == ""
    assert code_blocks(text) == ["a", "b", "c"]


def test_list_item_after_blank_waits_until_marker_is_known() -> None:
    sm = StreamingMarkdown()
    sm.update("1. one\n")
    # "2" could still become "2. two" (same list) or "2024 was..." (new paragraph).
    assert sm.update("1. one\n\n2").new_finished == []
    assert sm.update("1. one\n\n2. two").new_finished == []
    assert sm.update("1. one\n\n2. two\n\nAfter").new_finished != []
    sm.finish("1. one\n\n2. two\n\nAfter")
    assert sm.finished_html == render_markdown("1. one\n\n2. two\n\nAfter")
    assert sm.finished_html.count("<ol") == 1


def test_update_cost_scans_only_the_tail() -> None:
    # Counting work instead of timing it: the finished part is never re-rendered.
    import app.core.markdown_render as mr

    rendered: list[int] = []
    original = mr._render_md

    def counting(src: str, *args: Any) -> tuple[str, int]:
        rendered.append(len(src))
        return original(src, *args)

    paragraphs = [f"Paragraph {i} " + "word " * 50 + "\n\n" for i in range(200)]
    text = "".join(paragraphs)
    sm = StreamingMarkdown()
    mr._render_md = counting
    try:
        for c in range(0, len(text), 97):
            sm.update(text[:c])
        sm.finish(text)
    finally:
        mr._render_md = original
    # Each render sees at most about two paragraphs, never the growing whole.
    assert max(rendered) < 3 * len(paragraphs[0])


def test_finish_twice_is_an_error() -> None:
    sm = StreamingMarkdown()
    sm.finish("x")
    with pytest.raises(RuntimeError):
        sm.update("x")


# --- size ----------------------------------------------------------------------------


def test_one_megabyte_reply_completes() -> None:
    block = (
        "## Section\n\nSome *text* with `code`, $x_1$ and a [link](https://e.x).\n\n"
        "- item one\n- item two\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n"
        "| 1 | 2 |\n\n"
    )
    text = block * (1_000_000 // len(block) + 1)
    html = render_markdown(text)
    assert html.count("parley-copy:") == text.count("```python")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "[a](" * 50_000,
        "\\( " * 30_000,
        "$a " * 100_000,
        "word " * 250_000,
        "`" * 100_000 + "\n" + "x\n" * 1000,
    ],
    ids=["brackets", "open-links", "math-openers", "dollars", "words", "huge-fence"],
)
def test_pathological_input_does_not_hang(text: str) -> None:
    assert isinstance(render_markdown(text), str)


def test_core_module_does_not_import_qt() -> None:
    code = (
        "import sys, app.core.markdown_render as m; m.render_markdown('# x');"
        "sys.exit(any(n.split('.')[0] in ('PySide6', 'shiboken6') for n in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


COMMONMARK_PIECES = [
    "Para line\n", "Here:\n", "1) one\n", "2) two\n", "  - nested\n", "   - three\n", "- a\n",
    "  ```py\n", "  x = 1\n", "  ```\n", "```\n", "| a | b |\n", "|---|---|\n",
    "| `x \\| y` | 2 |\n", "> - q\n", "> ```\n", "> code\n", ">\n", "[^1]: note\n",
    "    more note\n", "text[^1]\n", "~~s~~\n", "\\$5\n", "line\\\n", "\n", "\n\n", "# H\n",
    "Setext\n", "===\n", "---\n", "- [ ] t\n", "$$\n", "x\n", "\t- tab\n", "10. ten\n",
    "* ", "1", ")", " ", "`", "~",
]  # fmt: skip


def test_streaming_commonmark_shapes_equals_whole_render() -> None:
    # Lists right after paragraph lines, 2/3-space nesting, fences in items, tables that
    # turn a paragraph line into a header, quotes holding lists and fences, footnotes.
    rng = random.Random(7)
    for _ in range(150):
        text = "".join(rng.choices(COMMONMARK_PIECES, k=rng.randint(1, 30)))
        k = rng.randint(0, min(len(text), 30))
        cuts = sorted(rng.sample(range(len(text) + 1), k))
        updates, final = _stream(text, cuts)
        assert _joined(updates, final) == render_markdown(text), (text, cuts)
