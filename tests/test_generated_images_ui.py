"""The window's controller announces generated images while a reply streams (offscreen)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.attachments import AttachmentFiles, sha256_hex
from app.core.context import AppContext
from app.ui.chat_controller import ChatController
from tests.fake_openrouter import FakeOpenRouter, image_stream, png_bytes


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.fixture
def controller(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[ChatController]:
    ctx = AppContext.open()
    ctrl = ChatController(ctx)
    yield ctrl
    task = asyncio.ensure_future(ctrl.shutdown())
    qtbot.waitUntil(task.done, timeout=5000)
    ctx.store.close()


def test_images_arrive_during_the_stream_and_with_the_final_message(
    controller: ChatController, qtbot: Any, fake: FakeOpenRouter
) -> None:
    first, second = png_bytes(10, 10, seed=1), png_bytes(20, 5, seed=2)
    fake.enqueue(image_stream([data_url(first), data_url(second)], split=200,
                              hold_after_images=0.3))
    announced: list[tuple[int, list[dict[str, Any]]]] = []
    finished: list[Any] = []
    controller.replyImages.connect(lambda mid, images: announced.append((mid, images)))
    controller.replyFinished.connect(finished.append)
    assert controller.send("Draw two squares")
    qtbot.waitUntil(lambda: bool(finished), timeout=10000)
    reply = finished[-1]
    assert announced, "no replyImages while the reply streamed"
    assert {mid for mid, _ in announced} == {reply.id}
    counts = [len(images) for _, images in announced]
    assert counts == sorted(set(counts))  # only when new images arrived, never fewer
    last = announced[-1][1]
    assert [i["sha256"] for i in last] == [sha256_hex(first), sha256_hex(second)]
    assert reply.extra["images"] == last
    files = AttachmentFiles.in_data_dir(controller.ctx.store.path.parent)
    assert files.read(last[1]["sha256"]) == second
