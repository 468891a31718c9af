"""Stop latency: a click on Stop -> the server sees the TCP disconnect (DESIGN: median <= 20 ms).

The real GUI path, offscreen: `app.main.build()` over a temporary PARLEY_HOME on a
`qasync.QEventLoop`, pointed at the fake OpenRouter (real HTTP on 127.0.0.1, server in a
background thread). Each sample sends a prompt with a click on Send, waits until the reply
has started to show (`replyProgress`), then clicks Stop with `QTest.mouseClick`; the latency
is the server's own `perf_counter()` at the disconnect minus the one taken just before the
click (perf_counter is one monotonic clock for every thread of the process).

Baselines, same run, same server and stream:
  * bare httpx: an `httpx.AsyncClient.stream` in a task, stopped with `task.cancel()`,
    on a plain asyncio loop without Qt (half of the samples before the GUI part, half after);
  * bare httpx on the qasync loop: the same, interleaved with the GUI samples, which splits
    the overhead into "Qt event loop" and "the app's own path".

    python benchmarks/bench_stop.py [--quick] [-n N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _util import Summary, header, ms, print_table, ratio, temp_home

from tests.fake_openrouter import Disconnect, FakeOpenRouter, stall

TARGET_MS = 20.0
#: idle time between "reply visible" and the click, so the click does not land mid-render
SETTLE = 0.05
STALL_SECONDS = 30.0
BODY = {
    "model": "openai/gpt-4o-mini",
    "messages": [{"role": "user", "content": "Tell me a long story"}],
    "stream": True,
}


class DisconnectWaiter:
    """Hands out the server's disconnects one by one without blocking the event loop."""

    def __init__(self, fake: FakeOpenRouter) -> None:
        self.fake = fake
        self.seen = len(fake.disconnects)  # earlier series' disconnects are not ours

    async def next(self, within: float = 5.0) -> Disconnect:
        deadline = time.perf_counter() + within
        # The server stamps the time itself, so the polling interval does not matter.
        while len(self.fake.disconnects) <= self.seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no disconnect seen by the server within {within} s")
            await asyncio.sleep(0.002)
        gone = self.fake.disconnects[self.seen]
        self.seen += 1
        return gone


async def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.002)


async def bare_httpx_once(
    client: httpx.AsyncClient, fake: FakeOpenRouter, waiter: DisconnectWaiter
) -> float:
    """Stream with bare httpx, cancel the owning task; seconds until the server noticed."""
    fake.enqueue(stall("Partial", seconds=STALL_SECONDS))
    got = asyncio.Event()

    async def consume() -> None:
        async with client.stream("POST", f"{fake.base_url}/chat/completions", json=BODY) as r:
            async for _ in r.aiter_bytes():
                got.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(got.wait(), 10)
    await asyncio.sleep(SETTLE)
    t0 = time.perf_counter()
    task.cancel()
    gone = await waiter.next()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return gone.at - t0


async def bare_httpx_series(fake: FakeOpenRouter, waiter: DisconnectWaiter, n: int) -> list[float]:
    async with httpx.AsyncClient(headers={"Authorization": "Bearer test-key"}) as client:
        await bare_httpx_once(client, fake, waiter)  # warm-up: imports, first connection
        return [await bare_httpx_once(client, fake, waiter) for _ in range(n)]


def plain_asyncio_baseline(fake: FakeOpenRouter, n: int) -> list[float]:
    """The no-Qt baseline on a fresh plain asyncio loop."""
    return asyncio.run(bare_httpx_series(fake, DisconnectWaiter(fake), n))


def run_gui(fake: FakeOpenRouter, n: int) -> tuple[list[float], list[float]]:
    """GUI samples interleaved with bare-httpx-on-qasync samples."""
    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.core.context import AppContext
    from app.main import build

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    ctx = AppContext.open()
    parley = build(ctx)
    window, controller = parley.window, parley.controller
    parley.start()
    window.show()
    button = window.composer.button
    progressed: list[int] = []
    controller.replyProgress.connect(lambda mid, _text, _reasoning: progressed.append(mid))
    waiter = DisconnectWaiter(fake)
    gui: list[float] = []
    bare: list[float] = []

    async def gui_once() -> float:
        controller.new_conversation()
        progressed.clear()
        fake.enqueue(stall("Partial", seconds=STALL_SECONDS))
        window.composer.edit.setPlainText("Tell me a long story")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # Send
        await wait_until(lambda: controller.busy and bool(progressed))
        await asyncio.sleep(SETTLE)
        if button.text() != "Stop":
            raise RuntimeError(f"the button says {button.text()!r}, not 'Stop'")
        t0 = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # Stop
        gone = await waiter.next()
        await wait_until(lambda: not controller.busy)
        return gone.at - t0

    async def main() -> None:
        async with httpx.AsyncClient(headers={"Authorization": "Bearer test-key"}) as client:
            await gui_once()  # warm-up: first render, first connection, lazy imports
            await bare_httpx_once(client, fake, waiter)
            for _ in range(n):
                gui.append(await gui_once())
                bare.append(await bare_httpx_once(client, fake, waiter))
        await controller.shutdown()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        window.close()
        ctx.store.close()
    return gui, bare


def count_stopped(home: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(home / "history.sqlite3")) as db:
        row = db.execute(
            "SELECT count(*) FROM messages WHERE role = 'assistant' AND status = 'stopped'"
        ).fetchone()
    return int(row[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10 samples instead of 30")
    parser.add_argument("-n", type=int, default=None, help="samples per series")
    args = parser.parse_args(argv)
    n = args.n or (10 if args.quick else 30)

    header(
        "Stop click -> server sees the disconnect",
        f"{n} samples per series; target: app median <= {TARGET_MS:.0f} ms",
    )
    with FakeOpenRouter() as fake, temp_home() as home:
        os.environ["PARLEY_HOME"] = str(home)
        os.environ["OPENROUTER_API_KEY"] = "test-key"
        os.environ["OPENROUTER_BASE_URL"] = fake.base_url
        first = n // 2
        plain = plain_asyncio_baseline(fake, first)
        gui, bare_qasync = run_gui(fake, n)
        plain += plain_asyncio_baseline(fake, n - first)
        stopped = count_stopped(home)

    s_gui, s_qa, s_plain = Summary.of(gui), Summary.of(bare_qasync), Summary.of(plain)
    rows = []
    for name, s in (
        ("Parley GUI: QTest click on Stop", s_gui),
        ("bare httpx task.cancel(), qasync loop", s_qa),
        ("bare httpx task.cancel(), asyncio (baseline)", s_plain),
    ):
        rows.append(
            [name, str(s.n), ms(s.median), ms(s.p90), ms(s.maximum),
             ratio(s.median, s_plain.median)]
        )
    print()
    print_table(["series", "n", "median ms", "p90 ms", "max ms", "vs baseline"], rows)
    print()
    print(f"app / bare httpx on the same qasync loop (median): {ratio(s_gui.median, s_qa.median)}")
    print(f"app - baseline (median): {ms(s_gui.median - s_plain.median)} ms")
    verdict = "meets" if s_gui.median * 1000 <= TARGET_MS else "MISSES"
    print(f"target median <= {TARGET_MS:.0f} ms: {verdict} ({ms(s_gui.median)} ms)")
    print(f"replies stored as 'stopped' (incl. warm-up): {stopped} of {n + 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
