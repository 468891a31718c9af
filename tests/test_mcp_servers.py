"""McpManager against real MCP servers that behave like awkward ones in the wild: a
streamable-HTTP server that restarts and forgets its sessions, tools that need MCP tasks, a
stdio server that ignores SIGTERM and leaves a grandchild behind."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from app.core.tools.mcp import McpManager, McpServerConfig, _tool_from_sdk, parse_mcp_servers
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
    finally:
        survivors = [pid for pid in pids if pid_alive(pid)]
        _kill(survivors)  # never leave them running, whatever failed
    assert pids[0] not in survivors, "the server outlived aclose()"
    assert pids[1] not in survivors, "the server's grandchild outlived aclose()"
    assert took < 10


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


# ---------------------------------------------------------------------- HTTP sessions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _start_http(port: int, *extra: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(SERVER), "--http", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the HTTP MCP server did not start")
            time.sleep(0.1)


def _stop_http(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def http_port() -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield _free_port(), procs
    for proc in procs:
        if proc.poll() is None:
            _stop_http(proc)


def test_a_restarted_http_server_gets_a_new_session(
        http_port: tuple[int, list[subprocess.Popen[bytes]]]) -> None:
    port, procs = http_port
    procs.append(_start_http(port))

    async def go() -> None:
        manager = McpManager(parse_mcp_servers(
            {"mcpServers": {"web": {"url": f"http://127.0.0.1:{port}/mcp"}}}))
        try:
            first = await manager.call_tool("web", "pid", {})
            # the server restarts on the same port and forgets every session
            _stop_http(procs[0])
            procs.append(_start_http(port))
            second = await manager.call_tool("web", "pid", {})
            assert not second.is_error
            assert int(second.text) == procs[1].pid != int(first.text)
            assert "add" in {t.name for t in await manager.list_tools("web")}
            assert "starting a new one" in manager.stderr_text("web")
            # and the new session keeps working
            assert float((await manager.call_tool("web", "add", {"a": 2, "b": 3})).text) == 5
        finally:
            await manager.aclose()

    aio.run(go())


def test_a_server_that_keeps_losing_the_session_gives_a_clear_error(
        http_port: tuple[int, list[subprocess.Popen[bytes]]]) -> None:
    port, procs = http_port
    procs.append(_start_http(port, "--forget-sessions"))

    async def go() -> None:
        manager = McpManager(parse_mcp_servers(
            {"mcpServers": {"web": {"url": f"http://127.0.0.1:{port}/mcp"}}}))
        registry = ToolRegistry(manager)
        try:
            _, problems = await registry.available()
            assert problems == {}
            spec = registry.resolve("web__add")
            assert spec is not None
            result = await registry.call(spec, {"a": 1, "b": 2})
            assert result.is_error
            assert "rejected Parley's session again" in result.text
            assert "Session not found" in result.text
            # one new session was tried, not an endless loop of them
            assert manager.stderr_text("web").count("starting a new one") == 1
        finally:
            await manager.aclose()

    aio.run(go())


# ---------------------------------------------------------------------- listing


def test_tools_listed_in_pages_are_all_offered() -> None:
    async def go() -> None:
        config = McpServerConfig("paged", command=sys.executable,
                                 args=[str(SERVER), "--page-size", "2"])
        manager = McpManager({"paged": config})
        try:
            names = {t.name for t in await manager.list_tools("paged")}
            assert {"add", "divide", "read_file", "slow", "huge", "pid",
                    "shout_stderr"} <= names
            refreshed = {t.name for t in await manager.list_tools("paged", refresh=True)}
            assert refreshed == names
        finally:
            await manager.aclose()

    aio.run(go())


def test_an_input_schema_without_type_keeps_its_arguments() -> None:
    schema = {"properties": {"path": {"type": "string"}}, "required": ["path"]}
    tool = _tool_from_sdk("files", {"name": "read", "inputSchema": schema})
    assert tool.input_schema == {"type": "object", **schema}
    odd = _tool_from_sdk("files", {"name": "odd", "inputSchema": {"type": "string"}})
    assert odd.input_schema == {"type": "object", "properties": {}}


def test_a_changed_tool_list_is_listed_again() -> None:
    async def go() -> None:
        config = McpServerConfig("calc", command=sys.executable, args=[str(SERVER)])
        manager = McpManager({"calc": config})
        registry = ToolRegistry(manager)
        try:
            specs, _ = await registry.available()
            assert "calc__weather" not in {s.name for s in specs}
            added = await manager.call_tool("calc", "grow", {"name": "weather"})
            assert added.text == "added weather", added.text
            names: set[str] = set()
            for _ in range(50):  # the notification may land just after the result
                specs, _ = await registry.available()
                names = {s.name for s in specs}
                if "calc__weather" in names:
                    break
                await asyncio.sleep(0.05)
            assert "calc__weather" in names
            spec = registry.resolve("calc__weather")
            assert spec is not None
            assert (await registry.call(spec, {})).text == "hello from weather"
        finally:
            await manager.aclose()

    aio.run(go())


def test_plain_text_on_stdout_is_shown_in_the_server_log() -> None:
    async def go() -> None:
        config = McpServerConfig("noisy", command=sys.executable,
                                 args=[str(SERVER), "--noisy-stdout"])
        manager = McpManager({"noisy": config})
        try:
            result = await manager.call_tool("noisy", "add", {"a": 1, "b": 2})
            assert float(result.text) == 3  # the session survives the stray line
            log = manager.stderr_text("noisy")
            assert "could not read the server's output as MCP" in log
            assert "Starting parley-test on stdio..." in log
        finally:
            await manager.aclose()

    aio.run(go())
