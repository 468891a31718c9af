"""McpManager against real MCP servers that behave like awkward ones in the wild: a
streamable-HTTP server that restarts and forgets its sessions, tools that need MCP tasks, a
stdio server that ignores SIGTERM and leaves a grandchild behind."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

import pytest

from app.core.tools.mcp import McpManager, McpServerConfig
from tests import aio
from tests.test_mcp import SERVER, pid_alive

pytest.importorskip("mcp", reason="MCP tests need the mcp package (pip install -e .[mcp])")


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------- stopping


@pytest.mark.parametrize(("mode", "stop_timeout"), [
    ("--stubborn", 5.0), ("--grandchild", 5.0), ("--stubborn", 0.3)])
def test_aclose_leaves_no_server_process_behind(mode: str, stop_timeout: float) -> None:
    # --stubborn: the server ignores SIGTERM and hangs; --grandchild: the server exits
    # when its stdin closes, but the process it started ignores SIGTERM and stays. A short
    # stop_timeout runs out before the SDK's own shutdown sequence has finished.
    pids: list[int] = []

    async def go() -> float:
        config = McpServerConfig("stubborn", command=sys.executable, args=[str(SERVER), mode])
        manager = McpManager({"stubborn": config}, stop_timeout=stop_timeout)
        try:
            family = await manager.call_tool("stubborn", "family", {})
            pids.extend(int(p) for p in family.text.split())
            assert len(pids) == 2 and all(pid_alive(p) for p in pids)
        finally:
            started = time.monotonic()
            await manager.aclose()
        return time.monotonic() - started

    try:
        took = aio.run(go())
        assert not pid_alive(pids[0]), "the server outlived aclose()"
        assert not pid_alive(pids[1]), "the server's grandchild outlived aclose()"
        assert took < 10
    finally:
        _kill(pids)
