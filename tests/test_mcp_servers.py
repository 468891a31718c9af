"""McpManager against real MCP servers that behave like awkward ones in the wild: a
streamable-HTTP server that restarts and forgets its sessions, tools that need MCP tasks, a
stdio server that ignores SIGTERM and leaves a grandchild behind."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from app.core.tools.mcp import McpManager, McpServerConfig, _tool_from_sdk
from app.core.tools.registry import ToolError, ToolRegistry
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


# ---------------------------------------------------------------------- MCP tasks


def test_tools_that_need_tasks_are_not_offered() -> None:
    async def go() -> None:
        config = McpServerConfig("jobs", command=sys.executable, args=[str(SERVER), "--tasks"])
        manager = McpManager({"jobs": config})
        registry = ToolRegistry(manager)
        try:
            specs, problems = await registry.available()
            names = {spec.name for spec in specs}
            assert "jobs__add" in names
            assert "jobs__batch_report" not in names and "jobs__render_video" not in names
            assert "2 tools need task execution" in problems["jobs"]
            assert "batch_report" in problems["jobs"] and "render_video" in problems["jobs"]
            # a call that names one anyway (an old "always allow") gets a clear answer
            with pytest.raises(ToolError, match="only runs as an MCP task"):
                await manager.call_tool("jobs", "batch_report", {"month": "May"})
            result = await registry.call(registry.resolve("jobs__add") or specs[0],
                                         {"a": 1, "b": 2})
            assert float(result.text) == 3
        finally:
            await manager.aclose()

    aio.run(go())


class _OldSdkTool(BaseModel):
    """A tool as an SDK that does not model `execution` keeps it (an extra field)."""

    model_config = ConfigDict(extra="allow")
    name: str
    inputSchema: dict[str, Any]  # noqa: N815 - the wire name


@pytest.mark.parametrize("tool", [
    {"name": "render", "inputSchema": {"type": "object"}, "execution": {"taskSupport": "required"}},
    _OldSdkTool.model_validate({"name": "render", "inputSchema": {"type": "object"},
                                "execution": {"taskSupport": "required"}}),
], ids=["raw-dict", "extra-field"])
def test_task_support_is_read_whatever_the_sdk_models(tool: Any) -> None:
    parsed = _tool_from_sdk("media", tool)
    assert parsed.name == "render" and parsed.needs_task
    optional = _tool_from_sdk("media", {"name": "x", "execution": {"taskSupport": "optional"}})
    assert not optional.needs_task
    assert not _tool_from_sdk("media", {"name": "y", "execution": "odd"}).needs_task
