"""Tools the model may call: the registry (`registry`), MCP servers (`mcp`) and the loop that
runs calls between replies (`loop`).

`registry` never imports `mcp` at run time; `mcp` and `loop` build on `registry`. The names
below load on first use, so importing `registry` alone stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.tools.loop import (
        ToolApprovals,
        ToolCall,
        ToolCallOutcome,
        ToolLoop,
        ToolLoopResult,
    )
    from app.core.tools.mcp import McpManager, McpServerConfig, parse_mcp_servers
    from app.core.tools.registry import ToolError, ToolRegistry, ToolResult, ToolSpec

__all__ = [
    "McpManager",
    "McpServerConfig",
    "ToolApprovals",
    "ToolCall",
    "ToolCallOutcome",
    "ToolError",
    "ToolLoop",
    "ToolLoopResult",
    "ToolRegistry",
    "ToolResult",
    "ToolSpec",
    "parse_mcp_servers",
]

_HOME = {
    "McpManager": "mcp",
    "McpServerConfig": "mcp",
    "ToolApprovals": "loop",
    "ToolCall": "loop",
    "ToolCallOutcome": "loop",
    "ToolError": "registry",
    "ToolLoop": "loop",
    "ToolLoopResult": "loop",
    "ToolRegistry": "registry",
    "ToolResult": "registry",
    "ToolSpec": "registry",
    "parse_mcp_servers": "mcp",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines an exported name when it is first asked for."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
