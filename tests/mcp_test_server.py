"""A real MCP server for the tests, written with the official SDK's server side.

Run as ``python tests/mcp_test_server.py [--root DIR] [--http PORT]``; stdio by default.
Tools: ``add``, ``divide`` (errors on zero), ``read_file`` (confined to ``--root`` or
``$MCP_TEST_ROOT``), ``slow`` (sleeps), ``huge`` (more than 1 MB of text), ``pid`` (the
server's process id, so tests can kill it), ``shout_stderr`` (writes to stderr) and
``grow`` (adds a tool and sends notifications/tools/list_changed).
It also writes a start-up line to stderr, which the client keeps for the UI.

Options that imitate awkward real servers:
``--tasks`` adds ``batch_report`` and ``render_video``, declared with
``execution.taskSupport: "required"`` (MCP tasks); ``--page-size N`` lists tools N at a
time, joined by ``nextCursor``; ``--noisy-stdout`` prints a plain line on stdout first;
``--grandchild`` starts a grandchild that ignores SIGTERM and shares the server's pipes
(like an ``npx`` wrapper and the real server) and adds the tool ``family`` ("<server pid>
<grandchild pid>"); ``--stubborn`` does the same, and the server itself also ignores SIGTERM
and keeps running after its stdin closes. ``--forget-sessions`` (with ``--http``) answers
every ``tools/call`` with 404 "Session not found", as a server that loses its sessions does.
"""

# No `from __future__ import annotations`: FastMCP before 1.10 needs real annotations.
import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

try:  # mcp >= 2
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver import MCPServer as _Server
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import Context
    from mcp.server.fastmcp import FastMCP as _Server
    from mcp.server.fastmcp.exceptions import ToolError


TASK_TOOLS = ("batch_report", "render_video")


class _OddServer(_Server):  # type: ignore[misc, valid-type]
    """Declares TASK_TOOLS as needing task execution (the SDK's decorator cannot say so),
    and with `page_size` lists tools in pages joined by `nextCursor` (SDK 2.x)."""

    page_size: int | None = None

    async def list_tools(self) -> Any:
        tools = await super().list_tools()
        marked = []
        for tool in tools:
            if tool.name in TASK_TOOLS:
                data = tool.model_dump(by_alias=True, exclude_none=True)
                data["execution"] = {"taskSupport": "required"}
                marked.append(type(tool).model_validate(data))
            else:
                marked.append(tool)
        return marked

    async def _handle_list_tools(self, ctx: Any, params: Any) -> Any:
        result = await super()._handle_list_tools(ctx, params)
        if not self.page_size:
            return result
        start = int(params.cursor) if params is not None and params.cursor else 0
        end = start + self.page_size
        data = result.model_dump(by_alias=True, exclude_none=True)
        data["tools"] = data["tools"][start:end]
        if end < len(result.tools):
            data["nextCursor"] = str(end)
        return type(result).model_validate(data)


def build(root: Path | None, *, tasks: bool = False, page_size: int | None = None) -> Any:
    server = _OddServer("parley-test") if tasks or page_size else _Server("parley-test")
    if page_size:
        server.page_size = page_size

    if tasks:
        @server.tool()
        def batch_report(month: str) -> str:
            """Build the monthly report (a long-running task)."""
            return f"report for {month}"

        @server.tool()
        def render_video(scene: str) -> str:
            """Render a video (a long-running task)."""
            return f"rendered {scene}"

    @server.tool()
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    @server.tool()
    def divide(a: float, b: float) -> float:
        """Divide a by b."""
        if b == 0:
            raise ToolError("division by zero")
        return a / b

    @server.tool()
    def read_file(path: str) -> str:
        """Read a text file under the server's root folder."""
        if root is None:
            raise ToolError("no root folder configured")
        target = (root / path).resolve()
        if not target.is_relative_to(root.resolve()):
            raise ToolError(f"refused: {path} is outside the allowed folder")
        try:
            return target.read_text(encoding="utf-8")
        except OSError as exc:
            raise ToolError(f"cannot read {path}: {exc.strerror}") from exc

    @server.tool()
    async def slow(seconds: float = 30.0) -> str:
        """Sleep, then answer."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool()
    def huge(size: int = 1_200_000) -> str:
        """Return a very long text."""
        return "x" * size

    @server.tool()
    def pid() -> int:
        """This server's process id."""
        return os.getpid()

    @server.tool()
    async def grow(name: str, ctx: Context) -> str:  # type: ignore[type-arg]
        """Add a tool called `name` and tell the client the list changed."""

        def greet() -> str:
            return f"hello from {name}"

        server.add_tool(greet, name=name, description="A tool added while running.")
        await ctx.session.send_tool_list_changed()
        return f"added {name}"

    @server.tool()
    def shout_stderr(text: str) -> str:
        """Write a line to stderr."""
        print(text, file=sys.stderr, flush=True)
        return "ok"

    return server


def forget_sessions(app: Any) -> Any:
    """`app`, except that every tools/call is answered 404 "Session not found"."""
    import json

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("method") == "tools/call":
            error = {"jsonrpc": "2.0", "id": request.get("id"),
                     "error": {"code": -32600, "message": "Session not found"}}
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": json.dumps(error).encode()})
            return

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.environ.get("MCP_TEST_ROOT"))
    parser.add_argument("--http", type=int, default=None, help="serve streamable HTTP on PORT")
    parser.add_argument("--tasks", action="store_true", help="add tools that need tasks")
    parser.add_argument("--noisy-stdout", action="store_true",
                        help="print a plain text line to stdout before speaking MCP")
    parser.add_argument("--page-size", type=int, default=None,
                        help="list tools in pages of this many (nextCursor)")
    parser.add_argument("--forget-sessions", action="store_true",
                        help="answer every tools/call with 404 Session not found (HTTP)")
    parser.add_argument("--grandchild", action="store_true",
                        help="start a grandchild that ignores SIGTERM")
    parser.add_argument("--stubborn", action="store_true",
                        help="--grandchild, and ignore SIGTERM and hang after stdin closes")
    args = parser.parse_args()
    root = Path(args.root) if args.root else None
    print(f"parley-test MCP server starting (pid {os.getpid()})", file=sys.stderr, flush=True)
    if args.noisy_stdout:
        print("Starting parley-test on stdio...", flush=True)  # not MCP: a common mistake
    server = build(root, tasks=args.tasks, page_size=args.page_size)
    if args.stubborn:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.stubborn or args.grandchild:
        grandchild = subprocess.Popen(
            [sys.executable, "-c", "import signal, time; "
             "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"],
            stdin=subprocess.DEVNULL)

        @server.tool()
        def family() -> str:
            """This server's process id and its grandchild's."""
            return f"{os.getpid()} {grandchild.pid}"
    if args.http and args.forget_sessions:
        import uvicorn

        uvicorn.run(forget_sessions(server.streamable_http_app()), host="127.0.0.1",
                    port=args.http, log_level="warning")
    elif args.http:
        try:
            server.run("streamable-http", host="127.0.0.1", port=args.http)
        except TypeError:  # mcp 1.x: host and port are settings
            server.settings.host = "127.0.0.1"
            server.settings.port = args.http
            server.run("streamable-http")
    else:
        server.run("stdio")
    if args.stubborn:
        time.sleep(600)  # a server that hangs on its way out


if __name__ == "__main__":
    main()
