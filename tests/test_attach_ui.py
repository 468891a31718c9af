"""Attachments in the window: chips (paste, drop, remove, errors), sending them, the files
under a sent message, generated images under a reply, and the image viewer."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import QApplication, QFileDialog

from app.core.attachments import AttachmentFiles
from app.core.domain import AttachmentKind, Role
from app.main import Parley
from app.ui.attachment_chips import GeneratedImage
from app.ui.image_viewer import ImageViewer
from tests import attachment_samples as samples
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, gui  # noqa: F401 (fixture)


def chips_ready(app: Parley, n: int) -> bool:
    tray = app.window.composer.tray
    return len(tray.chips) == n and not tray.reading


def drop_on(widget: Any, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    # What a drag from a file manager delivers: enter, move, then the drop.
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                          Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, move)
    assert move.isAccepted()
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_pasting_an_image_from_the_clipboard_adds_a_chip_with_a_thumbnail(
    gui: Parley, qtbot: Any  # noqa: F811
) -> None:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    edit = gui.window.composer.edit
    edit.setPlainText("about this")
    edit.paste()
    qtbot.waitUntil(lambda: chips_ready(gui, 1), timeout=5000)
    chip = gui.window.composer.tray.chips[0]
    assert chip.attachment is not None
    assert chip.attachment.kind is AttachmentKind.IMAGE
    assert (chip.attachment.width, chip.attachment.height) == (64, 48)
    assert not chip.picture.pixmap().isNull()
    assert edit.toPlainText() == "about this"  # the image did not become text
    assert gui.window.composer.tray.isVisible()


def test_dropping_files_on_the_message_box_attaches_them_and_remove_drops_one(
    gui: Parley, qtbot: Any, tmp_path: Path  # noqa: F811
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(samples.png(300, 200))
    doc = tmp_path / "paper.pdf"
    doc.write_bytes(samples.pdf())
    drop_on(gui.window.composer.edit.viewport(), [photo, doc])
    qtbot.waitUntil(lambda: chips_ready(gui, 2), timeout=5000)
    tray = gui.window.composer.tray
    assert [a.name for a in tray.attachments()] == ["photo.png", "paper.pdf"]
    pdf_chip = tray.chips[1]
    assert "paper.pdf" in pdf_chip.label.text()
    assert "1 page" in pdf_chip.label.text()
    qtbot.mouseClick(tray.chips[0].remove_button, Qt.MouseButton.LeftButton)
    assert [a.name for a in tray.attachments()] == ["paper.pdf"]
    qtbot.mouseClick(tray.chips[0].remove_button, Qt.MouseButton.LeftButton)
    assert tray.attachments() == []
    assert not tray.isVisible()


def test_dropping_on_the_window_attaches_too(
    gui: Parley, qtbot: Any, tmp_path: Path  # noqa: F811
) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("remember the milk\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(note))])
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    gui.window.dropEvent(event)
    qtbot.waitUntil(lambda: chips_ready(gui, 1), timeout=5000)
    assert gui.window.composer.attachments()[0].kind is AttachmentKind.TEXT


def test_a_file_the_model_cannot_read_gets_a_warning_but_can_be_sent(
    gui: Parley, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    from app.core.client import ModelInfo

    text_only = ModelInfo(id="acme/text-only", name="Text only", input_modalities=("text",))
    monkeypatch.setattr(gui.controller, "model_info", lambda model_id=None: text_only)
    photo = tmp_path / "cat.png"
    photo.write_bytes(samples.png(20, 20))
    gui.window.composer.add_files([photo])
    qtbot.waitUntil(lambda: chips_ready(gui, 1), timeout=5000)
    chip = gui.window.composer.tray.chips[0]
    assert chip.warning.isVisibleTo(chip)
    assert "cat.png" in chip.warning.toolTip()
    assert gui.window.composer.attachments()  # still sent if the user insists


def test_a_file_that_cannot_be_attached_says_why_and_keeps_the_text(
    gui: Parley, qtbot: Any, tmp_path: Path, fake: FakeOpenRouter  # noqa: F811
) -> None:
    junk = tmp_path / "program.exe"
    junk.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 4)
    edit = gui.window.composer.edit
    edit.setPlainText("what is this?")
    gui.window.composer.add_files([junk])
    qtbot.waitUntil(lambda: gui.window.composer.tray.chips[0].error is not None, timeout=5000)
    chip = gui.window.composer.tray.chips[0]
    assert "program.exe" in (chip.error or "")
    assert "program.exe" in gui.window.statusBar().currentMessage()
    assert edit.toPlainText() == "what is this?"
    assert gui.window.composer.attachments() == []


def test_sending_an_image_delivers_an_image_part_and_shows_it_under_the_prompt(
    gui: Parley, qtbot: Any, tmp_path: Path, fake: FakeOpenRouter  # noqa: F811
) -> None:
    fake.enqueue(text_stream("A red square."))
    photo = tmp_path / "square.png"
    photo.write_bytes(samples.png(40, 40))
    gui.window.composer.add_files([photo])
    qtbot.waitUntil(lambda: chips_ready(gui, 1), timeout=5000)
    qtbot.keyClicks(gui.window.composer.edit, "What is it?")
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gui.controller.busy and bool(chat_requests(fake)),
                    timeout=5000)
    body = chat_requests(fake)[-1].json()
    parts = body["messages"][-1]["content"]
    kinds = [p["type"] for p in parts]
    assert "image_url" in kinds and "text" in kinds
    image_part = next(p for p in parts if p["type"] == "image_url")
    assert image_part["image_url"]["url"].startswith("data:image/png;base64,")
    assert gui.window.composer.tray.chips == []  # cleared after the send
    user_view = next(v for v in gui.window.chat.views.values()
                     if v.message.role is Role.USER)
    assert user_view.attachment_strip is not None
    button = user_view.attachment_strip.buttons[0]
    qtbot.waitUntil(lambda: button.loaded, timeout=5000)  # type: ignore[attr-defined]
    assert button.iconSize().width() == 40
    assert button.icon().pixmap(40, 40).toImage().pixelColor(20, 20).red() == 200
    # Clicking the thumbnail opens the viewer on the original.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def viewers() -> list[ImageViewer]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, ImageViewer) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(viewers()), timeout=5000)
    assert viewers()[-1].image.width() == 40
    viewers()[-1].close()


def test_attachments_alone_can_be_sent_and_a_sent_file_opens(
    gui: Parley, qtbot: Any, tmp_path: Path, fake: FakeOpenRouter,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.enqueue(text_stream("It is a note."))
    note = tmp_path / "todo.md"
    note.write_text("# Todo\n- ship it\n")
    gui.window.composer.add_files([note])
    qtbot.waitUntil(lambda: chips_ready(gui, 1), timeout=5000)
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gui.controller.busy and bool(chat_requests(fake)),
                    timeout=5000)
    conv = gui.controller.current
    assert conv is not None
    user = gui.ctx.store.get_messages(conv.id)[0]
    assert [a.name for a in user.attachments] == ["todo.md"]
    assert "ship it" in str(chat_requests(fake)[-1].json()["messages"][-1]["content"])

    # Clicking the file under the prompt opens a copy, its name kept, in the default app.
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view = gui.window.chat.views[user.id]
    assert view.attachment_strip is not None
    # A prompt of attachments only still takes its room in the chat.
    assert view.height() >= view.attachment_strip.buttons[0].height() > 0
    qtbot.mouseClick(view.attachment_strip.buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    copy = Path(opened[0].toLocalFile())
    assert copy.name == "todo.md"
    assert copy.read_text() == "# Todo\n- ship it\n"


def test_streamed_generated_images_show_and_save_as_writes_the_same_bytes(
    gui: Parley, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    fake: FakeOpenRouter,
) -> None:
    fake.enqueue(text_stream("Here is your picture."))
    qtbot.keyClicks(gui.window.composer.edit, "Draw a cat")
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    reply = next(v for v in gui.window.chat.views.values()
                 if v.message.role is Role.ASSISTANT)
    first = samples.png(500, 400)
    second = samples.jpeg(30, 20)
    digest = AttachmentFiles.in_data_dir(gui.ctx.store.path.parent).put(second)
    inline = {"data_url": "data:image/png;base64," + base64.b64encode(first).decode(),
              "mime": "image/png"}
    gui.controller.replyImages.emit(reply.message.id, [inline])
    assert reply.images is not None and len(reply.images.items) == 1
    stored = {"sha256": digest, "mime": "image/jpeg", "size": len(second),
              "width": 30, "height": 20}
    gui.controller.replyImages.emit(reply.message.id, [inline, stored])
    items = reply.images.items
    assert len(items) == 2
    qtbot.waitUntil(lambda: all(i.loaded for i in items), timeout=5000)
    # Drawn smaller than a large original, never beyond the inline size.
    assert items[0].picture.iconSize().width() == 320
    assert items[1].picture.iconSize().width() == 30

    for item, expected in ((items[0], first), (items[1], second)):
        target = tmp_path / f"saved-{item.name}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *a, t=target, **k: (str(t), ""))
        qtbot.mouseClick(item.save_button, Qt.MouseButton.LeftButton)
        assert target.read_bytes() == expected

    qtbot.mouseClick(items[1].copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().image().width() == 30


def test_a_remote_image_is_a_placeholder_until_clicked(
    gui: Parley, qtbot: Any, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    fetched: list[str] = []
    png = samples.png(16, 16)

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return png

    monkeypatch.setattr(gui.controller, "fetch_image", fetch)
    item = GeneratedImage({"url": "https://images.example.com/a.png"}, 0, gui.controller)
    qtbot.addWidget(item)
    assert "images.example.com" in item.picture.text()
    assert fetched == []
    assert not item.save_button.isVisibleTo(item)
    qtbot.mouseClick(item.picture, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: item.loaded, timeout=5000)
    assert item.picture.iconSize().width() == 16
    assert fetched == ["https://images.example.com/a.png"]
    assert item.image_bytes() == png


def test_viewer_fits_the_window_zooms_and_shows_100_percent(qtbot: Any) -> None:
    data = samples.png(2000, 1000)
    viewer = ImageViewer(None, "big.png", data=data)
    qtbot.addWidget(viewer)
    viewer.resize(800, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.fit and viewer.label.width() <= viewer.scroll_area.viewport().width()
    fitted = viewer.label.width()
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.label.width() > fitted
    qtbot.mouseClick(viewer.actual_button, Qt.MouseButton.LeftButton)
    assert viewer.label.width() == 2000
    qtbot.mouseClick(viewer.fit_button, Qt.MouseButton.LeftButton)
    assert viewer.label.width() == fitted




def _serve(body: bytes, status: int = 200) -> Any:
    import httpx

    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


@pytest.mark.parametrize(
    ("body", "status", "limit", "words"),
    [
        (b"<html>not found</html>", 404, 1 << 20, "could not be loaded"),
        (b"<html>hello</html>", 200, 1 << 20, "not an image"),
        (samples.png(64, 64), 200, 20, "larger than"),
    ],
)
def test_loading_a_remote_image_refuses_errors_non_images_and_huge_files(
    body: bytes, status: int, limit: int, words: str
) -> None:
    import asyncio

    from app.core.errors import AttachmentError
    from app.core.remote_images import fetch_image

    with pytest.raises(AttachmentError) as info:
        asyncio.run(fetch_image("https://img.example.net/x.png", limit=limit,
                                transport=_serve(body, status)))
    assert words in str(info.value) and "img.example.net" in str(info.value)


def test_loading_a_remote_image_returns_its_bytes() -> None:
    import asyncio

    from app.core.remote_images import fetch_image

    png = samples.png(10, 10)
    assert asyncio.run(fetch_image("https://img.example.net/x.png",
                                   transport=_serve(png))) == png


def test_a_reply_with_streamed_images_shows_them_as_they_arrive_and_saves_them(
    gui: Parley, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    fake: FakeOpenRouter,
) -> None:
    from tests.fake_openrouter import image_stream

    first, second = samples.png(64, 32), samples.png(20, 40)
    urls = ["data:image/png;base64," + base64.b64encode(b).decode() for b in (first, second)]
    fake.enqueue(image_stream([*urls, "https://cdn.example.org/big.png"],
                              hold_after_images=1.0))
    qtbot.keyClicks(gui.window.composer.edit, "Draw two boxes")
    qtbot.keyClick(gui.window.composer.edit, Qt.Key.Key_Return)

    def reply() -> Any:
        return next((v for v in gui.window.chat.views.values()
                     if v.message.role is Role.ASSISTANT), None)

    # Drawn while the reply is still streaming.
    qtbot.waitUntil(lambda: reply() is not None and reply().images is not None
                    and len(reply().images.items) == 3, timeout=5000)
    assert gui.controller.busy
    qtbot.waitUntil(lambda: not gui.controller.busy, timeout=5000)
    items = reply().images.items
    qtbot.waitUntil(lambda: all(i.loaded for i in items[:2]), timeout=5000)
    assert [i.picture.iconSize().width() for i in items[:2]] == [64, 20]
    assert "cdn.example.org" in items[2].picture.text()
    stored = gui.ctx.store.get_message(reply().message.id)
    assert stored is not None and len(stored.extra["images"]) == 3
    for item, expected in zip(items[:2], (first, second), strict=True):
        target = tmp_path / item.name
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *a, t=target, **k: (str(t), ""))
        qtbot.mouseClick(item.save_button, Qt.MouseButton.LeftButton)
        assert target.read_bytes() == expected
