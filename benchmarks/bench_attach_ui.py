"""GUI-thread cost of attachments in the window.

(a) Attaching a 12-megapixel photo (4000x3000 JPEG) through the composer's chip tray with
    the real ingest (classify, hash, store, downscale) and chip thumbnail on a worker
    thread: the longest gap between turns of the GUI event loop while it runs (a 1 ms
    timer measures the gaps). Baseline, same run: the same work done on the GUI thread
    (the stall a user would feel if it were not moved off it). Target: <= 30 ms.
(b) A 100-message conversation in which each of the 50 prompts carries a photo (stored with its
    downscaled copy) is opened: time from show_messages to the viewport's first paint,
    thumbnail cache cold. Baseline, same run: the same conversation without attachments.
    Target: <= 150 ms.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_attach_ui.py [-n RUNS]

Figures and ratios are printed; nothing is asserted (DESIGN: timing is not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _util import header, ms, ratio
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMainWindow

from app.core.attachments import AttachmentFiles, ingest_bytes
from app.core.domain import Attachment, AttachmentKind, Message, MessageStatus, Role
from app.ui import attachment_chips
from app.ui.attachment_chips import CHIP_THUMB, thumbnail
from app.ui.chat_view import ChatView
from app.ui.composer import Composer
from app.ui.style import apply_style

TARGET_STALL = 0.030
TARGET_PAINT = 0.150


def photo(width: int = 4000, height: int = 3000, seed: int = 0) -> bytes:
    """A photo-like JPEG (noise over a gradient, so it neither compresses to nothing nor
    decodes trivially)."""
    from PIL import Image, ImageFilter

    noise = Image.effect_noise((width // 4, height // 4), 60 + seed).resize((width, height))
    base = Image.linear_gradient("L").resize((width, height))
    img = Image.merge("RGB", (noise, base, noise.filter(ImageFilter.BLUR)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


class Backend:
    """The controller's attachment calls, with its worker thread (no network, no store)."""

    def __init__(self, files: AttachmentFiles) -> None:
        self.files = files
        self.executor = ThreadPoolExecutor(1)
        self.tasks: set[asyncio.Future[Any]] = set()

    def spawn(self, coro: Any, *, closing: bool = False) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def run_blocking(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    def work(self, source: Path | bytes, name: str) -> tuple[Attachment, QImage]:
        data = source if isinstance(source, bytes) else source.read_bytes()
        a = ingest_bytes(data, name, self.files)
        return a, thumbnail(self.files.path(a.sent_sha256 or a.sha256), CHIP_THUMB)

    async def ingest_attachment(
        self, source: Path | bytes, name: str
    ) -> tuple[Attachment, QImage]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.work, source, name)

    def attachment_warnings(self, attachments: Sequence[Attachment]) -> list[str]:
        return []

    def attachment_path(self, sha256: str) -> Path:
        return self.files.path(sha256)

    async def fetch_image(self, url: str) -> bytes:
        raise NotImplementedError


async def longest_gap(composer: Composer, data: bytes) -> float:
    """Attach `data` and return the longest gap between GUI event-loop turns meanwhile."""
    gaps: list[float] = []
    last = time.perf_counter()
    done = asyncio.Event()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps.append(now - last)
        last = now

    def changed() -> None:
        if not composer.tray.reading:
            done.set()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    composer.tray.changed.connect(changed)
    timer.start()
    last = time.perf_counter()
    composer.tray.add_bytes(data, "photo.jpg")
    await done.wait()
    timer.stop()
    composer.tray.changed.disconnect(changed)
    return max(gaps)


def bench_attach(app: QApplication, files: AttachmentFiles, runs: int) -> None:
    import qasync

    header("(a) attaching a 12-megapixel photo")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    backend = Backend(files)
    win = QMainWindow()
    composer = Composer(win)
    composer.tray.set_backend(backend)
    win.setCentralWidget(composer)
    win.resize(900, 300)
    win.show()
    app.processEvents()
    photos = [photo(seed=i) for i in range(runs)]
    print(f"photo: 4000x3000 JPEG, {len(photos[0]) / 1e6:.1f} MB")

    worst: list[float] = []
    for data in photos:
        attachment_chips.clear_thumbnails()
        worst.append(loop.run_until_complete(longest_gap(composer, data)))
        assert composer.tray.attachments(), "the photo was not attached"
        composer.tray.clear()
        app.processEvents()

    inline: list[float] = []
    for i, data in enumerate(photos):
        attachment_chips.clear_thumbnails()
        s = time.perf_counter()
        backend.work(data + bytes(i + 1), "photo.jpg")  # a new file: no dedup shortcut
        inline.append(time.perf_counter() - s)

    best_worst, naive = min(worst), min(inline)
    print(f"worker thread: longest GUI-thread gap {ms(best_worst)} ms "
          f"(runs: {', '.join(ms(w) for w in worst)})")
    print(f"baseline, same work on the GUI thread: {ms(naive)} ms stall")
    print(f"ratio: {ratio(best_worst, naive)}; target <= {ms(TARGET_STALL)} ms: "
          f"{'met' if best_worst <= TARGET_STALL else 'NOT met'}")
    backend.executor.shutdown()


class PaintProbe(QObject):
    """Counts paint events of one widget."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0
        self.painted = asyncio.Event()

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
            self.painted.set()
        return False


def conversation(files: AttachmentFiles, n: int, with_images: bool) -> list[Message]:
    out: list[Message] = []
    stored = [ingest_bytes(photo(3000, 2000, seed=i), f"photo-{i}.jpg", files)
              for i in range(12)] if with_images else []
    for i in range(n):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        attachments = [replace(stored[i % len(stored)], name=f"photo-{i}.jpg")] \
            if with_images and role is Role.USER else []
        text = f"Message {i}: what do you see in this picture? " * 3
        out.append(Message(id=i + 1, conversation_id=1, role=role, content=text,
                           status=MessageStatus.COMPLETE, attachments=attachments))
    return out


async def first_paint(chat: ChatView, msgs: list[Message]) -> float:
    """Seconds from show_messages to the first paint of the chat's viewport."""
    chat.clear()
    for _ in range(3):
        await asyncio.sleep(0)
    attachment_chips.clear_thumbnails()
    probe = PaintProbe()
    chat.scroller.viewport().installEventFilter(probe)
    t0 = time.perf_counter()
    chat.show_messages(msgs)
    await asyncio.wait_for(probe.painted.wait(), 30)
    elapsed = time.perf_counter() - t0
    chat.scroller.viewport().removeEventFilter(probe)
    await asyncio.sleep(0.3)  # let the thumbnails arrive before the next run
    return elapsed


def bench_open(app: QApplication, files: AttachmentFiles, runs: int) -> None:
    header("(b) opening a conversation with 50 photos (one per prompt)")
    with_images = conversation(files, 100, True)
    images = sum(len(m.attachments) for m in with_images)
    print(f"conversation: {len(with_images)} messages, {images} image attachments "
          "(3000x2000 photos, stored with their downscaled copies)")
    plain = conversation(files, 100, False)
    win = QMainWindow()
    chat = ChatView(win)
    chat.set_attachment_backend(Backend(files))
    win.setCentralWidget(chat)
    win.resize(1100, 800)
    win.show()
    loop = asyncio.get_event_loop()
    loop.run_until_complete(first_paint(chat, plain[:4]))  # warm imports and fonts once
    t_img, t_plain = [], []
    for _ in range(runs):
        t_plain.append(loop.run_until_complete(first_paint(chat, plain)))
        t_img.append(loop.run_until_complete(first_paint(chat, with_images)))
    best, base = min(t_img), min(t_plain)
    print(f"with images: first paint {ms(best)} ms (runs: {', '.join(ms(t) for t in t_img)})")
    print(f"baseline, same conversation without attachments: {ms(base)} ms")
    print(f"ratio: {ratio(best, base)}; target <= {ms(TARGET_PAINT)} ms: "
          f"{'met' if best <= TARGET_PAINT else 'NOT met'}")
    assert AttachmentKind.IMAGE  # the attachments above are images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_style(app)
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        files = AttachmentFiles(Path(tmp) / "attachments")
        bench_attach(app, files, args.runs)
        bench_open(app, files, args.runs)


if __name__ == "__main__":
    main()
