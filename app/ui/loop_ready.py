"""Waiting for the asyncio loop without loading asyncio before the window is painted.

At launch the window is shown and painted before asyncio and qasync are even imported
(they take tens of milliseconds to load), so work that needs the loop and is queued
during start-up must wait for it without importing asyncio itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: how soon to look again for the event loop while it is not running yet
RETRY_MS = 10


def loop_running() -> bool:
    """Whether an asyncio loop runs on this thread (False while asyncio is not loaded)."""
    asyncio = sys.modules.get("asyncio")
    return asyncio is not None and asyncio.events._get_running_loop() is not None


def when_loop_runs(receiver: QObject, call: Callable[[], object],
                   retry_ms: int = RETRY_MS) -> None:
    """Call `call` now if the loop runs, else as soon as it does (dropped with `receiver`)."""
    if loop_running():
        call()
        return
    QTimer.singleShot(retry_ms, receiver, lambda: when_loop_runs(receiver, call, retry_ms))
