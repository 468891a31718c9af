"""`ChatController.send(text, attachments)`: the window's send carries ingested files."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.attachments import AttachmentFiles, ingest_bytes
from app.core.domain import MessageStatus
from app.main import Parley
from tests import attachment_samples as samples
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, close_app, open_app


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


def test_send_with_an_image_and_no_text_goes_out_as_content_parts(
    gui: Parley, qtbot: Any, fake: FakeOpenRouter
) -> None:
    files = AttachmentFiles.in_data_dir(gui.ctx.store.path.parent)
    image = ingest_bytes(samples.png(), "screenshot.png", files)
    fake.enqueue(text_stream("A red square."))
    assert gui.controller.send("", [image]) is True
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    (request,) = chat_requests(fake)
    url = f"data:image/png;base64,{base64.b64encode(samples.png()).decode()}"
    assert request.json()["messages"][-1] == {
        "role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
    conv = gui.controller.current
    assert conv is not None
    user, reply = gui.ctx.store.get_thread(conv.id)
    assert user.attachments == [image]
    assert (reply.content, reply.status) == ("A red square.", MessageStatus.COMPLETE)
    # Nothing to send: no text and no file.
    assert gui.controller.send("   ", []) is False
