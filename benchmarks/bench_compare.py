"""Compare: 4 models x 2,000 chunks streaming at once into the Compare dialog.

The real GUI path, offscreen: `app.main.build()` over a temporary PARLEY_HOME on a
`qasync.QEventLoop`, the fake OpenRouter answering each model id with its own stream.
Measured: the longest gap of a 1 ms heartbeat timer (the longest the window froze) and the
GUI-thread time spent in the progress slots (with the paint they cause), for

  * baseline, same run: one reply of 2,000 chunks sent the normal way (the chat view);
  * the comparison: 4 models x 2,000 chunks in the Compare dialog's columns;
  * Stop all: 4 stalled columns, `controller.stop()` -> each server-side disconnect
    (median over the samples).

Targets (issue): longest stall <= 30 ms, total GUI time <= 4x the single stream, every
Stop-all disconnect <= 20 ms (median). Nothing asserts; read the table.

    python benchmarks/bench_compare.py [--quick] [--chunks N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _util import header, ms, print_table, ratio, temp_home

from tests.fake_openrouter import FakeOpenRouter, stall, text_stream

MODELS = ["vendor/model-a", "vendor/model-b", "vendor/model-c", "vendor/model-d"]
WORDS = 6000


def reply_text(words: int, tag: str) -> str:
    """A plain multi-paragraph reply of `words` words."""
    vocab = ["compare", "models", "side", "by", "side", "kept", "as", "branches", tag]
    out = []
    for i in range(words):
        out.append(vocab[i % len(vocab)])
        if i % 60 == 59:
            out.append("\n\n")
    return " ".join(out)


class Heart:
    """A 1 ms timer whose longest gap is how long the GUI thread was busy at a stretch."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self.beat)

    def beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def timed_slot(app: Any, slot: Callable[..., None], spent: list[float]) -> Callable[..., None]:
    """`slot`, with its time (and the paint it causes) added to `spent[0]`."""

    def wrapper(*args: Any) -> None:
        s = time.perf_counter()
        slot(*args)
        app.processEvents()
        spent[0] += time.perf_counter() - s

    return wrapper


def wait(app: Any, cond: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > deadline:
            raise TimeoutError("the benchmark step did not finish in time")
        app.processEvents()
        time.sleep(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer Stop-all samples")
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("-n", type=int, default=0, help="Stop-all samples (default 10)")
    args = parser.parse_args()
    samples = args.n or (4 if args.quick else 10)

    import qasync
    from PySide6.QtWidgets import QApplication

    from app.core.config import Settings
    from app.core.context import AppContext
    from app.core.history import Store
    from app.main import build
    from app.ui.compare_dialog import CompareDialog

    app = QApplication.instance() or QApplication(sys.argv)
    with temp_home() as home, FakeOpenRouter() as fake:
        os.environ["PARLEY_HOME"] = str(home)
        os.environ["OPENROUTER_API_KEY"] = "test-key"
        os.environ["OPENROUTER_BASE_URL"] = fake.base_url
        loop = qasync.QEventLoop(app, already_running=True)
        asyncio.set_event_loop(loop)
        ctx = AppContext(Settings.load(), Store.open(Path(home) / "history.sqlite3"))
        parley = build(ctx)
        parley.window.resize(1200, 800)
        parley.window.show()
        app.processEvents()
        controller = parley.controller
        controller._client()  # the HTTP stack loaded, as after start-up
        # ... and the renderer warmed up (the app does it on a worker thread at start-up)
        importlib.import_module("app.core.markdown_render").warm_up()

        header(f"single stream: 1 x {args.chunks:,} chunks into the chat view (baseline)")
        single_spent = [0.0]
        original = parley.window.chat.update_stream
        controller.replyProgress.disconnect()
        controller.replyProgress.connect(timed_slot(app, original, single_spent))
        fake.by_model[MODELS[0]] = text_stream(reply_text(WORDS, "a"), chunks=args.chunks,
                                               model=MODELS[0])
        controller.set_model(MODELS[0])
        heart = Heart()
        heart.start()
        t0 = time.perf_counter()
        controller.send("Write a long answer")
        wait(app, lambda: not controller.busy)
        single_wall = time.perf_counter() - t0
        app.processEvents()
        heart.stop()
        single_gap = max(heart.gaps)

        header(f"compare: {len(MODELS)} x {args.chunks:,} chunks into the Compare dialog")
        controller.new_conversation()
        dialog = CompareDialog(controller, parley.window)
        dialog.resize(1200, 700)
        dialog.show()
        compare_spent = [0.0]
        controller.compareProgress.disconnect(dialog._progress)
        controller.compareProgress.connect(timed_slot(app, dialog._progress, compare_spent))
        for i, model in enumerate(MODELS):
            fake.by_model[model] = text_stream(reply_text(WORDS, "abcd"[i]), chunks=args.chunks,
                                               model=model)
        heart = Heart()
        heart.start()
        t0 = time.perf_counter()
        controller.compare("Write a long answer", MODELS)
        wait(app, lambda: not controller.busy)
        compare_wall = time.perf_counter() - t0
        app.processEvents()
        heart.stop()
        compare_gap = max(heart.gaps)
        complete = all(c.figures.text().endswith("complete") for c in dialog.columns)

        header(f"Stop all: {len(MODELS)} stalled columns, {samples} samples")
        latencies: list[float] = []
        for model in MODELS:
            fake.by_model[model] = stall("Partial", seconds=30)
        for _ in range(samples):
            seen = len(fake.disconnects)
            controller.compare("Tell me a long story", MODELS)
            wait(app, lambda: len(dialog.columns) == len(MODELS) and all(
                "Partial" in c.text.toPlainText() for c in dialog.columns), timeout=20)
            t_stop = time.perf_counter()
            controller.stop()
            wait(app, lambda seen=seen: len(fake.disconnects) >= seen + len(MODELS), timeout=20)
            latencies += [d.at - t_stop for d in fake.disconnects[seen:seen + len(MODELS)]]
            wait(app, lambda: not controller.busy, timeout=20)

        print_table(
            ["series", "wall ms", "GUI slot ms", "longest stall ms"],
            [["single stream", ms(single_wall), ms(single_spent[0]), ms(single_gap)],
             [f"compare x{len(MODELS)}", ms(compare_wall), ms(compare_spent[0]),
              ms(compare_gap)]],
        )
        print(f"compare GUI time / single: {ratio(compare_spent[0], single_spent[0])} "
              f"(target <= 4x); every column complete: {complete}")
        print(f"Stop all -> server disconnect: median {ms(statistics.median(latencies))} ms, "
              f"max {ms(max(latencies))} ms over {len(latencies)} connections (target median "
              "<= 20 ms)")
        print("targets: longest stall <= 30 ms")
        dialog.close()
        parley.window.close()
        done = asyncio.ensure_future(controller.shutdown())
        while not done.done():
            app.processEvents()
        ctx.store.close()
        asyncio.events._set_running_loop(None)


if __name__ == "__main__":
    main()
