"""Compare: 4 models x 2,000 chunks streaming at once into the Compare dialog.

The real GUI path, offscreen: `app.main.build()` over a temporary PARLEY_HOME on a
`qasync.QEventLoop`, the fake OpenRouter answering each model id with its own stream.
Measured from the request until every reply is stored and drawn: the longest gap of a 1 ms
heartbeat timer (the longest the window froze) and the GUI thread's CPU time (network
reads, storing, drawing and painting: everything the window's thread did), for

  * the first send after start-up, a short reply, apart (it imports the request path and
    builds the first message views; the series below are measured after it);
  * baseline, same run: one reply of 2,000 chunks sent the normal way (the chat view);
  * the comparison: 4 models x 2,000 chunks in the Compare dialog's columns;
  * Stop all: 4 stalled columns, `controller.stop()` -> each server-side disconnect
    (median over the samples).

Targets (issue): longest stall <= 30 ms, total GUI time <= 4x the single stream, every
Stop-all disconnect <= 20 ms (median). Nothing asserts; read the table.

    python benchmarks/bench_compare.py [--quick] [--chunks N] [--why]

--why samples the GUI thread's stack and prints what it did during the longest stalls.
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


class Sampler:
    """Samples the GUI thread's stack every ~0.5 ms on a side thread (--why)."""

    def __init__(self) -> None:
        import threading

        self.main = threading.main_thread().ident
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            frame = sys._current_frames().get(self.main)
            stack = []
            while frame is not None and len(stack) < 40:
                code = frame.f_code
                stack.append(f"{Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}")
                frame = frame.f_back
            if stack:
                self.samples.append((time.perf_counter(), tuple(stack)))
            time.sleep(0.001)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def explain(self, start: float, end: float) -> None:
        """Print the frames seen most often between `start` and `end`."""
        from collections import Counter

        inside = [stack for t, stack in self.samples if start <= t <= end]
        counts: Counter[str] = Counter()
        for stack in inside:
            for frame in set(stack):
                if "/app/" in frame or frame.split(":")[0] not in ("", "bench_compare.py"):
                    counts[frame] += 1
        print(f"  {len(inside)} samples")
        for frame, n in counts.most_common(25):
            print(f"  {n:4d}  {frame}")


class Heart:
    """A 1 ms timer whose longest gap is how long the GUI thread was busy at a stretch."""

    def __init__(self, sampler: Sampler | None = None) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        #: the GUI thread's CPU time in each gap: the stall without the time other
        #: processes on a loaded machine took the CPU away
        self.cpu_gaps: list[float] = []
        self.ends: list[float] = []
        self.sampler = sampler
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self.beat)

    def beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(now - self.last)
        self.cpu_gaps.append(cpu - self.last_cpu)
        self.ends.append(now)
        self.last, self.last_cpu = now, cpu

    def why(self, top: int = 3) -> None:
        """With a sampler: what the GUI thread did in the `top` longest gaps."""
        if self.sampler is None:
            return
        # Ranked by CPU time: on a busy machine the longest wall gaps are other processes.
        order = sorted(range(len(self.gaps)), key=lambda i: -self.cpu_gaps[i])[:top]
        for i in order:
            print(f"stall of {ms(self.gaps[i])} ms ({ms(self.cpu_gaps[i])} ms CPU):")
            self.sampler.explain(self.ends[i] - self.gaps[i], self.ends[i])

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def wait(cond: Callable[[], bool], timeout: float = 120.0) -> None:
    """Run the Qt event loop until `cond()` holds. The loop sleeps while idle, so waiting
    costs the GUI thread almost no CPU time (polling with processEvents would)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if cond():
        return
    deadline = time.perf_counter() + timeout
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(1)
    check.timeout.connect(
        lambda: loop.quit() if cond() or time.perf_counter() > deadline else None)
    check.start()
    loop.exec()
    check.stop()
    if not cond():
        raise TimeoutError("the benchmark step did not finish in time")


def drawn(chat: Any) -> bool:
    """The chat view has drawn all of its replies (no bounded catch-up step is pending)."""
    return all(view._behind is None and view._final is None for view in chat.views.values())


class Series:
    """One measured stream: wall time, GUI-thread CPU time and the longest stall, from the
    request until every reply is stored and drawn (the catch-up steps and the final
    redraws included)."""

    def __init__(self, sampler: Sampler | None) -> None:
        self.heart = Heart(sampler)
        self.wall = self.cpu = self.stall = self.cpu_stall = 0.0

    def run(self, start: Callable[[], object], done: Callable[[], bool]) -> None:
        self.heart.start()
        t0, c0 = time.perf_counter(), time.thread_time()
        start()
        wait(done)
        self.wall, self.cpu = time.perf_counter() - t0, time.thread_time() - c0
        self.heart.stop()
        self.stall = max(self.heart.gaps)
        self.cpu_stall = max(self.heart.cpu_gaps)
        self.heart.why()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer Stop-all samples")
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("-n", type=int, default=0, help="Stop-all samples (default 10)")
    parser.add_argument("--why", action="store_true",
                        help="sample the GUI thread and print where the longest stalls went")
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
        chat = parley.window.chat
        controller._client()  # the HTTP stack loaded, as after start-up
        # ... the request path imported and the renderer warmed up (the app does both on a
        # worker thread at start-up)
        importlib.import_module("app.ui.chat_controller").warm_up_send_path()
        sampler = Sampler() if args.why else None
        if sampler is not None:
            sampler.start()

        # The first send of a session imports the request path and builds the first
        # message views: measured apart, so both series below compare streaming only.
        header("first send after start-up: a short reply (cold)")
        fake.by_model[MODELS[0]] = text_stream("Hello there.", model=MODELS[0])
        controller.set_model(MODELS[0])
        cold = Series(sampler)
        cold.run(lambda: controller.send("Hi"), lambda: not controller.busy and drawn(chat))
        controller.new_conversation()

        header(f"single stream: 1 x {args.chunks:,} chunks into the chat view (baseline)")
        fake.by_model[MODELS[0]] = text_stream(reply_text(WORDS, "a"), chunks=args.chunks,
                                               model=MODELS[0])
        controller.set_model(MODELS[0])  # a new chat starts on the default model
        single = Series(sampler)
        single.run(lambda: controller.send("Write a long answer"),
                   lambda: not controller.busy and drawn(chat))
        reply = ctx.store.get_thread(controller.current.id)[-1]  # type: ignore[union-attr]
        single_ok = reply.status.value == "complete" and len(reply.content) > WORDS

        header(f"compare: {len(MODELS)} x {args.chunks:,} chunks into the Compare dialog")
        controller.new_conversation()
        dialog = CompareDialog(controller, parley.window)
        dialog.resize(1200, 700)
        dialog.show()
        app.processEvents()
        for i, model in enumerate(MODELS):
            fake.by_model[model] = text_stream(reply_text(WORDS, "abcd"[i]), chunks=args.chunks,
                                               model=model)
        compare = Series(sampler)
        # Done when every column is final and the chat view shows the chosen branch.
        compare.run(lambda: controller.compare("Write a long answer", MODELS),
                    lambda: not controller.busy and drawn(chat))
        complete = all(c.figures.text().endswith("complete") for c in dialog.columns)
        if sampler is not None:
            sampler.stop()

        header(f"Stop all: {len(MODELS)} stalled columns, {samples} samples")
        latencies: list[float] = []
        for model in MODELS:
            fake.by_model[model] = stall("Partial", seconds=30)
        for _ in range(samples):
            seen = len(fake.disconnects)
            controller.compare("Tell me a long story", MODELS)
            wait(lambda: len(dialog.columns) == len(MODELS) and all(
                "Partial" in c.text.toPlainText() for c in dialog.columns), timeout=20)
            t_stop = time.perf_counter()
            controller.stop()
            wait(lambda seen=seen: len(fake.disconnects) >= seen + len(MODELS), timeout=20)
            latencies += [d.at - t_stop for d in fake.disconnects[seen:seen + len(MODELS)]]
            wait(lambda: not controller.busy and drawn(chat), timeout=20)

        print_table(
            ["series", "wall ms", "GUI CPU ms", "longest stall ms", "its CPU: longest ms"],
            [[name, ms(x.wall), ms(x.cpu), ms(x.stall), ms(x.cpu_stall)]
             for name, x in (("first send (cold)", cold), ("single stream", single),
                             (f"compare x{len(MODELS)}", compare))],
        )
        print("(longest stall: wall time between two heartbeats; its CPU: the most CPU time "
              "the GUI thread used between two heartbeats, which other processes on a busy "
              "machine do not inflate)")
        print(f"compare GUI time / single: {ratio(compare.cpu, single.cpu)} "
              f"(target <= 4x); single reply complete: {single_ok}, every column complete: "
              f"{complete}")
        print(f"Stop all -> server disconnect: median {ms(statistics.median(latencies))} ms, "
              f"max {ms(max(latencies))} ms over {len(latencies)} connections (target median "
              "<= 20 ms)")
        print(f"targets: longest stall <= 30 ms (load average now: {os.getloadavg()[0]:.2f})")
        dialog.close()
        parley.window.close()
        done = asyncio.ensure_future(controller.shutdown())
        while not done.done():
            app.processEvents()
        ctx.store.close()
        asyncio.events._set_running_loop(None)


if __name__ == "__main__":
    main()
