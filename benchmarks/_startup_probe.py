"""Child process of bench_startup.py: run a GUI and report when its main window is shown.

    python benchmarks/_startup_probe.py bare     # QApplication + QMainWindow, quit after 50 ms
    python benchmarks/_startup_probe.py parley   # exactly `python -m app --smoke`

Both modes wrap `QMainWindow.show` the same way: after the first main window's show(), a
zero-time timer fires on the event loop's first turn (after the show/expose events that
show() posted) and writes ``SHOWN <time.perf_counter()>`` to stderr. (Calling
processEvents() inside show() instead would run Parley's asyncio tasks before the qasync
loop is running, which breaks them.) perf_counter is CLOCK_MONOTONIC on Linux, one
clock for every process, so the parent subtracts its own perf_counter taken just before it
started the process: that is process start -> window shown, with Python's own start-up in.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

_original_show = QMainWindow.show
_reported: list[bool] = []


def _show(self: QMainWindow) -> None:
    _original_show(self)
    if not _reported:
        _reported.append(True)
        QTimer.singleShot(0, _report)


def _report() -> None:
    os.write(2, f"SHOWN {time.perf_counter():.9f}\n".encode())


QMainWindow.show = _show  # type: ignore[method-assign, assignment]


def bare() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1100, 760)
    window.show()
    # Same 50 ms as `python -m app --smoke`, so both include identical idle time.
    QTimer.singleShot(50, window.close)
    QTimer.singleShot(50, app.quit)
    return app.exec()


def parley() -> Any:
    sys.argv = ["app", "--smoke"]
    return runpy.run_module("app", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "bare":
        sys.exit(bare())
    if mode == "parley":
        parley()
        sys.exit(0)
    sys.exit("usage: _startup_probe.py bare|parley")
