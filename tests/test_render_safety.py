"""Hostile replies rendered in a real, shown ChatView fetch nothing and run nothing."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QMessageBox

from app.core.domain import Message, MessageStatus, Role
from app.ui.chat_view import ChatView
from app.ui.message_view import RichText
from tests.text_doc import char_formats


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def trap() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server that records every request made to it."""
    hits: ClassVar[list[str]] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def hostile(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return (
        f"Look: ![x]({base}/x.png?q=secret)\n\n"
        f'<img src={base}/y>\n\n'
        "<script>window.pwned = 1</script>\n\n"
        "[click me](javascript:alert(1)) and [file](file:///etc/passwd)\n\n"
        f'<p style="background:url({base}/z)">styled</p>\n\n'
        f'<div style="background-image: url({base}/w)">div</div>\n\n'
        f"| a |\n|---|\n| ![t]({base}/t.png) |\n"
    )


def anchors(doc: QTextDocument) -> list[str]:
    return [fmt.anchorHref() for fmt in char_formats(doc) if fmt.isAnchor()]


def test_hostile_reply_fetches_nothing_and_runs_nothing(
    qtbot: Any, trap: tuple[int, list[str]]
) -> None:
    port, hits = trap
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(900, 700)
    chat.show()
    qtbot.waitExposed(chat)
    text = hostile(port)
    done = Message(1, 1, Role.ASSISTANT, text)
    streaming = Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    chat.show_messages([done])
    chat.append(streaming)
    for end in range(0, len(text) + 1, 7):  # streamed, every partial state drawn
        chat.update_stream(2, text[:end])
        qtbot.wait(1)
    chat.finish(Message(2, 1, Role.ASSISTANT, text))
    qtbot.wait(500)  # time for any (wrongly) started fetch to arrive

    assert hits == []
    for view in chat.views.values():
        doc = view.settled.document()
        shown = doc.toPlainText()
        assert "<script>" in shown  # raw HTML is text, never markup
        assert "[image: x]" in shown
        for href in anchors(doc):
            assert QUrl(href).scheme() in ("http", "https", "mailto", "parley-copy"), href
            assert not href.startswith(("javascript", "file"))
        assert 'style="background:url(' in shown  # the CSS attempt is shown as text
        html = doc.toHtml()
        assert "background-image:url" not in html  # ...and no format carries an image
        assert "<img" not in html


def test_load_resource_refuses_everything_but_data_images(
    qtbot: Any, trap: tuple[int, list[str]]
) -> None:
    port, hits = trap
    view = RichText()
    qtbot.addWidget(view)
    for url in (f"http://127.0.0.1:{port}/a.png", f"https://127.0.0.1:{port}/b",
                "file:///etc/passwd", f"//127.0.0.1:{port}/c", "qrc:/x.png"):
        assert view.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(url)) is None
    # A 1x1 PNG as a data URL is shown.
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    image = view.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(png))
    assert image is not None and not image.isNull()
    # Even HTML set directly (bypassing the renderer) cannot make it fetch.
    view.setHtml(f'<img src="http://127.0.0.1:{port}/direct.png"><p>x</p>')
    view.show()
    qtbot.wait(300)
    assert hits == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y"])
def test_unsafe_link_asks_first_and_is_not_opened_when_declined(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    opened: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda u: opened.append(u.toString()))

    def decline(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "text")])
    view = chat.views[1]
    view.settled.anchorClicked.emit(QUrl(url))
    assert len(asked) == 1 and url.split(":", maxsplit=1)[0] in asked[0]
    assert opened == []

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    view.settled.anchorClicked.emit(QUrl(url))
    assert opened == [QUrl(url).toString()]


def test_safe_link_opens_on_click_without_asking(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda u: opened.append(u.toString()))

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("must not ask for http links")

    monkeypatch.setattr(QMessageBox, "question", never)
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.show_messages([Message(1, 1, Role.ASSISTANT, "see [docs](https://example.com/d)")])
    view = chat.views[1]
    assert anchors(view.settled.document()) == ["https://example.com/d"]
    assert opened == []  # nothing opens by itself
    view.settled.anchorClicked.emit(QUrl("https://example.com/d"))
    assert opened == ["https://example.com/d"]
