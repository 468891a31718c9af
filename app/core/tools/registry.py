"""Tools the model may call: their specs, the registry of in-process Python tools and MCP
servers' tools, and turning whatever a tool returns into the text the model reads.

No Qt here. A tool never raises into the caller: failures, bad arguments and odd results all
come back as a `ToolResult` whose text says what happened (the model reads it, and so does
the user).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.errors import ParleyError

if TYPE_CHECKING:
    from app.core.tools.mcp import McpManager

#: names the chat-completions API accepts for functions
TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_NAME = 64
#: separator between an MCP server's name and its tool's name ("files__read")
NAMESPACE_SEP = "__"
#: tool output longer than this is cut (a model's context is precious, and so is the UI)
MAX_RESULT_CHARS = 100_000

_INVALID_CHARS = re.compile(r"[^a-zA-Z0-9_-]+")


class ToolError(ParleyError):
    """A tool could not be listed or run; the message is shown to the user and the model."""


@dataclass(frozen=True)
class ToolSpec:
    """One tool as the model sees it (`name`) and where it really lives."""

    name: str
    description: str
    #: JSON schema of the arguments (an object schema)
    parameters: dict[str, Any]
    #: MCP server name; None for an in-process Python tool
    server: str | None = None
    #: the tool's own name on its server (or the Python function's registered name)
    original_name: str = ""

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI `tools` entry for this tool."""
        function: dict[str, Any] = {"name": self.name, "parameters": self.parameters}
        if self.description:
            function["description"] = self.description
        return {"type": "function", "function": function}


@dataclass
class ToolResult:
    """What a tool returned, as text for the model; `is_error` marks a failure."""

    text: str
    is_error: bool = False
    truncated: bool = False
    #: how many characters the tool produced before capping
    original_chars: int = 0
    #: optional details for the UI (e.g. MCP structured content); never sent to the model
    details: dict[str, Any] = field(default_factory=dict)


def openai_tools(specs: Iterable[ToolSpec]) -> list[dict[str, Any]]:
    """The request's `tools` array."""
    return [spec.to_openai() for spec in specs]


def sanitize_name(raw: str) -> str:
    """`raw` made acceptable to the API: invalid characters become `_`, at most 64 long."""
    name = _INVALID_CHARS.sub("_", raw).strip("_") or "tool"
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(raw.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}_{digest}"
    return name


def namespaced_name(server: str | None, tool: str, taken: set[str]) -> str:
    """A unique API name for `tool` of `server` ("server__tool"), not in `taken` (added)."""
    if server:
        joined = f"{sanitize_name(server)}{NAMESPACE_SEP}{sanitize_name(tool)}"
        base = joined if len(joined) <= MAX_NAME else sanitize_name(joined)
    else:
        base = sanitize_name(tool)
    name = base
    counter = 2
    while name in taken:
        suffix = f"_{counter}"
        name = base[: MAX_NAME - len(suffix)] + suffix
        counter += 1
    taken.add(name)
    return name


def cap_text(text: str, limit: int = MAX_RESULT_CHARS) -> tuple[str, bool]:
    """`text` cut to `limit` characters with a note saying so; (text, was_cut)."""
    if len(text) <= limit:
        return text, False
    note = (
        f"\n\n[Output truncated: the tool returned {len(text):,} characters; "
        f"only the first {limit:,} are shown.]"
    )
    return text[:limit] + note, True


def value_to_text(value: Any) -> str:
    """Any Python value a tool returned, as text: strings as they are, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[binary data, {len(bytes(value)):,} bytes, not shown]"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def finish_result(result: ToolResult, limit: int = MAX_RESULT_CHARS) -> ToolResult:
    """Cap the text and make sure it is valid text (lone surrogates would break JSON)."""
    text = result.text if isinstance(result.text, str) else value_to_text(result.text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    result.original_chars = len(text)
    result.text, result.truncated = cap_text(text, limit)
    return result


# ---------------------------------------------------------------------- in-process tools

_JSON_TYPES: dict[Any, str] = {
    str: "string", int: "integer", float: "number", bool: "boolean", list: "array",
    dict: "object", "str": "string", "int": "integer", "float": "number", "bool": "boolean",
    "list": "array", "dict": "object",
}


def schema_from_signature(func: Callable[..., Any]) -> dict[str, Any]:
    """A JSON schema for `func`'s keyword arguments from its simple annotations."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        kind = _JSON_TYPES.get(param.annotation)
        properties[param.name] = {"type": kind} if kind else {}
        if param.default is param.empty:
            required.append(param.name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


@dataclass
class _PythonTool:
    spec: ToolSpec
    func: Callable[..., Any]


def _task_problem(names: list[str]) -> str:
    """Why some of a server's tools are not offered: they only run as MCP tasks."""
    count = len(names)
    tools = "1 tool needs" if count == 1 else f"{count} tools need"
    return (f"{tools} task execution, which Parley does not support yet, so "
            f"{'it is' if count == 1 else 'they are'} not offered: {', '.join(names)}.")


class ToolRegistry:
    """Every tool Parley can offer: in-process Python functions and MCP servers' tools.

    `available()` lists them (starting MCP servers as needed) with unique API names;
    `call()` runs one and always returns a `ToolResult` (errors included).
    """

    def __init__(self, mcp: McpManager | None = None) -> None:
        self.mcp = mcp
        self._python: dict[str, _PythonTool] = {}
        #: API name -> spec, from the latest `available()` (and the Python tools)
        self._latest: dict[str, ToolSpec] = {}

    def register(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> ToolSpec:
        """Offer a Python function (sync or async, keyword arguments) as a tool."""
        raw = name or func.__name__
        api_name = sanitize_name(raw)
        if api_name in self._python:
            raise ValueError(f"A tool named {api_name!r} is already registered.")
        doc = description if description is not None else inspect.getdoc(func) or ""
        spec = ToolSpec(
            name=api_name,
            description=doc.strip(),
            parameters=parameters if parameters is not None else schema_from_signature(func),
            server=None,
            original_name=raw,
        )
        self._python[api_name] = _PythonTool(spec, func)
        self._latest[api_name] = spec
        return spec

    def python_tools(self) -> list[ToolSpec]:
        """The registered in-process tools."""
        return [tool.spec for tool in self._python.values()]

    async def available(
        self, servers: Iterable[str] | None = None
    ) -> tuple[list[ToolSpec], dict[str, str]]:
        """All tools (MCP servers limited to `servers` when given) and, per server that
        could not be reached or has tools Parley cannot run, why. Never raises for a
        broken server."""
        specs = self.python_tools()
        taken = {spec.name for spec in specs}
        problems: dict[str, str] = {}
        if self.mcp is not None:
            wanted = self.mcp.names() if servers is None else [
                s for s in servers if s in self.mcp.names()
            ]
            for server in wanted:
                try:
                    tools = await self.mcp.list_tools(server)
                except ToolError as exc:
                    problems[server] = str(exc)
                    continue
                unusable = [tool.name for tool in tools if tool.needs_task]
                if unusable:
                    problems[server] = _task_problem(unusable)
                for tool in tools:
                    if tool.needs_task:
                        continue  # the model would call it and it would always fail
                    specs.append(ToolSpec(
                        name=namespaced_name(server, tool.name, taken),
                        description=tool.description,
                        parameters=tool.input_schema,
                        server=server,
                        original_name=tool.name,
                    ))
        self._latest.update({spec.name: spec for spec in specs})
        return specs, problems

    def resolve(self, name: str) -> ToolSpec | None:
        """The spec behind an API name the model used (from the latest listing)."""
        return self._latest.get(name)

    async def call(self, spec: ToolSpec, arguments: dict[str, Any]) -> ToolResult:
        """Run a tool; errors come back as a result with `is_error`, never as exceptions
        (cancellation excepted: it propagates so Stop works)."""
        if spec.server is not None:
            if self.mcp is None:
                return ToolResult(f"Error: no MCP servers are configured (tool {spec.name}).",
                                  is_error=True)
            try:
                return await self.mcp.call_tool(spec.server, spec.original_name, arguments)
            except ToolError as exc:
                return ToolResult(f"Error: {exc}", is_error=True)
        tool = self._python.get(spec.name)
        if tool is None:
            return ToolResult(f"Error: there is no tool named {spec.name}.", is_error=True)
        try:
            if inspect.iscoroutinefunction(tool.func):
                value = await tool.func(**arguments)
            else:
                # A blocking function must not freeze the app; a timeout abandons the thread.
                value = await asyncio.to_thread(tool.func, **arguments)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return ToolResult(f"Error: {type(exc).__name__}: {exc}", is_error=True)
        if isinstance(value, ToolResult):
            return value
        return ToolResult(value_to_text(value))
