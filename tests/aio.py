"""`asyncio.run` that also works after the GUI tests ran.

The session's qasync loop is created with `already_running=True`, which marks it as the
running loop of the main thread for the rest of the session; a plain `asyncio.run` in any
later test module then raises "cannot be called from a running event loop". This helper
hides that loop while a fresh one runs the coroutine, then puts it back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion on a new event loop, whatever loop is marked running."""
    running = asyncio.events._get_running_loop()
    if running is None:
        return asyncio.run(coro)
    try:
        current = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        current = None
    asyncio.events._set_running_loop(None)
    try:
        return asyncio.run(coro)
    finally:
        asyncio.events._set_running_loop(running)
        asyncio.set_event_loop(current)
