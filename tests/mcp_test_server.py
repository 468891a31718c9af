"""A real MCP server for the tests, written with the official SDK's server side.

Run as ``python tests/mcp_test_server.py [--root DIR] [--http PORT]``; stdio by default.
Tools: ``add``, ``divide`` (errors on zero), ``read_file`` (confined to ``--root`` or
``$MCP_TEST_ROOT``), ``slow`` (sleeps), ``huge`` (more than 1 MB of text), ``pid`` (the
server's process id, so tests can kill it) and ``shout_stderr`` (writes to stderr).
It also writes a start-up line to stderr, which the client keeps for the UI.
"""

# No `from __future__ import annotations`: FastMCP before 1.10 needs real annotations.
import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

try:  # mcp >= 2
    from mcp.server.mcpserver import MCPServer as _Server
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server
    from mcp.server.fastmcp.exceptions import ToolError


def build(root: Path | None) -> Any:
    server = _Server("parley-test")

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
    def shout_stderr(text: str) -> str:
        """Write a line to stderr."""
        print(text, file=sys.stderr, flush=True)
        return "ok"

    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.environ.get("MCP_TEST_ROOT"))
    parser.add_argument("--http", type=int, default=None, help="serve streamable HTTP on PORT")
    args = parser.parse_args()
    root = Path(args.root) if args.root else None
    print(f"parley-test MCP server starting (pid {os.getpid()})", file=sys.stderr, flush=True)
    server = build(root)
    if args.http:
        try:
            server.run("streamable-http", host="127.0.0.1", port=args.http)
        except TypeError:  # mcp 1.x: host and port are settings
            server.settings.host = "127.0.0.1"
            server.settings.port = args.http
            server.run("streamable-http")
    else:
        server.run("stdio")


if __name__ == "__main__":
    main()
