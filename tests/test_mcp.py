"""McpManager against a real MCP server (tests/mcp_test_server.py) over stdio and HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.errors import ConfigError
from app.core.tools.mcp import McpManager, McpServerConfig, parse_mcp_servers
from app.core.tools.registry import ToolError, ToolRegistry
from tests import aio

pytest.importorskip("mcp", reason="MCP tests need the mcp package (pip install -e .[mcp])")

SERVER = Path(__file__).with_name("mcp_test_server.py")


def stdio_config(root: Path, name: str = "calc") -> McpServerConfig:
    return McpServerConfig(name=name, command=sys.executable,
                           args=[str(SERVER), "--root", str(root)])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# ---------------------------------------------------------------------- configuration


def test_parse_desktop_client_json() -> None:
    pasted = """{"mcpServers": {
        "files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
                  "env": {"DEBUG": 1}},
        "remote": {"url": "https://example.org/mcp", "headers": {"Authorization": "Bearer x"}},
        "old": {"type": "sse", "url": "https://example.org/sse"},
        "off": {"command": "x", "disabled": true}
    }}"""
    servers = parse_mcp_servers(pasted)
    assert servers["files"].transport == "stdio"
    assert servers["files"].args[-1] == "/tmp"
    assert servers["files"].env == {"DEBUG": "1"}
    assert servers["remote"].transport == "http"
    assert servers["remote"].headers["Authorization"] == "Bearer x"
    assert servers["old"].transport == "sse"
    assert servers["off"].disabled
    # VS Code's shape and the bare mapping work too
    assert parse_mcp_servers({"servers": {"a": {"type": "http", "url": "http://h/mcp"}}})[
        "a"].transport == "http"
    assert parse_mcp_servers({"a": {"command": "x"}})["a"].command == "x"
    assert McpManager(parse_mcp_servers(pasted)).names() == ["files", "remote", "old"]


@pytest.mark.parametrize("bad", [
    "{not json", "[]", {"a": "x"}, {"a": {}}, {"a": {"command": "x", "args": "y"}},
    {"a": {"type": "sse"}},
])
def test_parse_rejects_bad_config(bad: object) -> None:
    with pytest.raises(ConfigError):
        parse_mcp_servers(bad)


def test_manager_from_settings() -> None:
    settings = Settings.from_dict({
        "mcp_servers": {"mcpServers": {"calc": {"command": sys.executable, "args": ["x"]}}},
        "tool_timeout": 12,
    })
    manager = McpManager.from_settings(settings)
    assert manager.names() == ["calc"]
    assert manager.call_timeout == 12.0


# ---------------------------------------------------------------------- stdio server


def test_list_and_call_tools(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("secret of the day", encoding="utf-8")
    (tmp_path.parent / "outside.txt").write_text("nope", encoding="utf-8")

    async def go() -> None:
        manager = McpManager({"calc": stdio_config(tmp_path)})
        try:
            assert manager.status("calc") == "stopped"
            tools = await manager.list_tools("calc")
            assert manager.status("calc") == "running"
            by_name = {t.name: t for t in tools}
            assert {"add", "divide", "read_file", "slow", "huge"} <= set(by_name)
            assert by_name["add"].description == "Add two numbers."
            assert by_name["add"].input_schema["properties"]["a"]["type"] == "number"

            result = await manager.call_tool("calc", "add", {"a": 2, "b": 3})
            assert not result.is_error
            assert float(result.text) == 5

            err = await manager.call_tool("calc", "divide", {"a": 1, "b": 0})
            assert err.is_error
            assert "division by zero" in err.text

            ok = await manager.call_tool("calc", "read_file", {"path": "note.txt"})
            assert ok.text == "secret of the day"
            refused = await manager.call_tool("calc", "read_file", {"path": "../outside.txt"})
            assert refused.is_error and "outside the allowed folder" in refused.text

            bad_args = await manager.call_tool("calc", "add", {"a": "x"})
            assert bad_args.is_error

            unknown = await manager.call_tool("calc", "nope", {})
            assert unknown.is_error

            huge = await manager.call_tool("calc", "huge", {})
            assert len(huge.text) > 1_000_000  # capping is the tool loop's job

            # concurrent calls share one session
            results = await asyncio.gather(*(
                manager.call_tool("calc", "add", {"a": i, "b": 1}) for i in range(5)))
            assert [float(r.text) for r in results] == [1, 2, 3, 4, 5]

            await manager.call_tool("calc", "shout_stderr", {"text": "hello from stderr"})
            await asyncio.sleep(0.2)
            log = manager.stderr_text("calc")
            assert "parley-test MCP server starting" in log
            assert "hello from stderr" in log
        finally:
            await manager.aclose()

    aio.run(go())


def test_registry_namespaces_mcp_tools(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"my calc!": stdio_config(tmp_path, "my calc!")})
        registry = ToolRegistry(manager)
        registry.register(lambda a, b: a * b, name="mul")
        try:
            specs, problems = await registry.available()
            assert problems == {}
            names = [s.name for s in specs]
            assert "mul" in names and "my_calc__add" in names
            spec = registry.resolve("my_calc__add")
            assert spec is not None and spec.server == "my calc!" and spec.original_name == "add"
            result = await registry.call(spec, {"a": 1, "b": 41})
            assert float(result.text) == 42
        finally:
            await manager.aclose()

    aio.run(go())


def test_aclose_stops_the_process_without_zombie(tmp_path: Path) -> None:
    async def go() -> int:
        manager = McpManager({"calc": stdio_config(tmp_path)})
        result = await manager.call_tool("calc", "pid", {})
        pid = int(result.text)
        assert pid_alive(pid)
        started = time.monotonic()
        await manager.aclose()
        assert time.monotonic() - started < 5
        assert manager.status("calc") == "stopped"
        with pytest.raises(ToolError, match="closing"):
            await manager.call_tool("calc", "add", {"a": 1, "b": 1})
        return pid

    pid = aio.run(go())
    assert not pid_alive(pid)


def test_restart_after_the_process_is_killed(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"calc": stdio_config(tmp_path)}, backoff=0.05)
        try:
            pid = int((await manager.call_tool("calc", "pid", {})).text)
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while manager.status("calc") != "failed" and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert manager.status("calc") == "failed"
            assert "exited unexpectedly" in (manager.last_error("calc") or "")
            new_pid = int((await manager.call_tool("calc", "pid", {})).text)
            assert new_pid != pid
            assert manager.status("calc") == "running"
            assert "restarting" in manager.stderr_text("calc")
        finally:
            await manager.aclose()

    aio.run(go())


def test_restarts_are_bounded(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"calc": stdio_config(tmp_path)}, backoff=0.01, max_restarts=1)
        try:
            for _ in range(2):
                pid = int((await manager.call_tool("calc", "pid", {})).text)
                os.kill(pid, signal.SIGKILL)
                while manager.status("calc") != "failed":
                    await asyncio.sleep(0.02)
            with pytest.raises(ToolError, match="stopped restarting"):
                await manager.call_tool("calc", "pid", {})
            # the user's explicit Restart forgets the failures
            await manager.restart("calc")
            assert manager.status("calc") == "running"
        finally:
            await manager.aclose()

    aio.run(go())


def test_missing_command_fails_fast_and_clearly(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"ghost": McpServerConfig("ghost", command="no-such-mcp-server-xyz")})
        registry = ToolRegistry(manager)
        try:
            started = time.monotonic()
            with pytest.raises(ToolError) as info:
                await manager.list_tools("ghost")
            assert time.monotonic() - started < 3
            assert "ghost" in str(info.value) and "not found" in str(info.value)
            specs, problems = await registry.available()
            assert specs == [] and "ghost" in problems
        finally:
            await manager.aclose()

    aio.run(go())


def test_server_that_never_answers_times_out(tmp_path: Path) -> None:
    # `sleep` never speaks MCP: start-up must give up, not hang.
    async def go() -> None:
        manager = McpManager(
            {"mute": McpServerConfig("mute", command=sys.executable,
                                     args=["-c", "import time; time.sleep(60)"])},
            start_timeout=1.0)
        try:
            started = time.monotonic()
            with pytest.raises(ToolError, match="did not start within 1 seconds"):
                await manager.list_tools("mute")
            assert time.monotonic() - started < 2
        finally:
            await manager.aclose()
        assert time.monotonic() - started < 10

    aio.run(go())


def test_call_timeout_cancels_the_call(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"calc": stdio_config(tmp_path)})
        try:
            # Start the server first: on a loaded machine its start-up alone can take seconds,
            # and what is checked here is that the 30-second tool is not waited for.
            await manager.start("calc")
            started = time.monotonic()
            with pytest.raises(ToolError, match=r"within 0\.5 seconds"):
                await manager.call_tool("calc", "slow", {"seconds": 30}, time_limit=0.5)
            assert time.monotonic() - started < 15
            # the session is still usable
            assert float((await manager.call_tool("calc", "add", {"a": 1, "b": 1})).text) == 2
        finally:
            await manager.aclose()

    aio.run(go())


def test_cancelling_the_caller_cancels_the_call(tmp_path: Path) -> None:
    async def go() -> None:
        manager = McpManager({"calc": stdio_config(tmp_path)})
        try:
            await manager.start("calc")
            task = asyncio.create_task(manager.call_tool("calc", "slow", {"seconds": 30}))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # far below the tool's 30 seconds: the call was cut, not waited for
            assert time.monotonic() - started < 15
            assert float((await manager.call_tool("calc", "add", {"a": 2, "b": 2})).text) == 4
        finally:
            await manager.aclose()

    aio.run(go())


# ---------------------------------------------------------------------- streamable HTTP


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_streamable_http_server(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(SERVER), "--http", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the HTTP MCP server did not start")
                time.sleep(0.1)

        async def go() -> None:
            servers = parse_mcp_servers(
                {"mcpServers": {"web": {"url": f"http://127.0.0.1:{port}/mcp"}}})
            manager = McpManager(servers)
            try:
                tools = await manager.list_tools("web")
                assert "add" in {t.name for t in tools}
                result = await manager.call_tool("web", "add", {"a": 20, "b": 22})
                assert float(result.text) == 42
            finally:
                await manager.aclose()

        aio.run(go())
    finally:
        proc.terminate()
        proc.wait(10)
