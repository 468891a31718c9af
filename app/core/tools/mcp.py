"""MCP servers: their settings (the `mcpServers` JSON other desktop clients use) and
`McpManager`, which starts them lazily, lists and calls their tools, restarts one that died,
keeps each one's stderr for the UI and stops them all at exit.

The SDK's transports and sessions are anyio task groups, which must be entered and exited
by the same task ("cancel scope in a different task" otherwise). So each server has one
long-running owner task holding its `async with` contexts; callers put requests on its
queue and await futures. Every wait has a timeout: a server never hangs the app.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import importlib
import inspect
import json
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.core.errors import ConfigError
from app.core.tools.registry import ToolError, ToolResult, value_to_text

if TYPE_CHECKING:
    from app.core.config import Settings

Transport = Literal["stdio", "http", "sse"]

#: lines of stderr kept per server, and the longest line kept
STDERR_LINES = 500
STDERR_LINE_CHARS = 2000
#: seconds to wait for a killed server's owner task, and for a group after SIGTERM (x 1/2)
_KILL_WAIT = 2.0
#: JSON-RPC error code the SDK uses when the server's connection is gone
_CONNECTION_CLOSED = -32000

log = logging.getLogger(__name__)

_HTTP_TYPES = {"http", "streamable-http", "streamable_http", "streamablehttp", "streamableHttp"}


# ---------------------------------------------------------------------- configuration


@dataclass
class McpServerConfig:
    """One server: a command to run (stdio) or a URL (streamable HTTP, or legacy SSE)."""

    name: str
    transport: Transport = "stdio"
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    disabled: bool = False

    def describe(self) -> str:
        """A one-line summary for the UI and for error messages."""
        if self.transport == "stdio":
            return " ".join([self.command, *self.args])
        return self.url


def _str_dict(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be an object of names to strings.")
    return {str(k): str(v) for k, v in value.items()}


def _server_entries(data: Any) -> dict[str, Any]:
    """The name -> entry mapping inside whatever shape the user pasted."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"The MCP server settings are not valid JSON (line {exc.lineno}): "
                              f"{exc.msg}.") from exc
    if not isinstance(data, dict):
        raise ConfigError("The MCP server settings must be a JSON object.")
    for key in ("mcpServers", "mcp_servers", "servers"):
        if isinstance(data.get(key), dict):
            return dict(data[key])
    mcp = data.get("mcp")
    if isinstance(mcp, dict) and isinstance(mcp.get("servers"), dict):
        return dict(mcp["servers"])  # VS Code's settings.json
    return dict(data)


def parse_mcp_servers(data: Any) -> dict[str, McpServerConfig]:
    """Servers from `{"mcpServers": {...}}` (Claude Desktop, Cursor...), VS Code's
    `{"servers": {...}}`, or the bare name -> server mapping; JSON text is accepted too.

    Raises ConfigError naming the server that is wrong.
    """
    servers: dict[str, McpServerConfig] = {}
    for raw_name, entry in _server_entries(data).items():
        name = str(raw_name).strip()
        if not name:
            raise ConfigError("An MCP server has an empty name.")
        if not isinstance(entry, dict):
            raise ConfigError(f"MCP server {name!r}: expected an object with a command or url.")
        kind = str(entry.get("type") or entry.get("transport") or "").strip()
        url = entry.get("url") or entry.get("serverUrl") or ""
        command = entry.get("command") or ""
        if not isinstance(url, str) or not isinstance(command, str):
            raise ConfigError(f"MCP server {name!r}: command and url must be strings.")
        if kind == "sse":
            transport: Transport = "sse"
        elif kind in _HTTP_TYPES or (url and not command and kind != "stdio"):
            transport = "http"
        elif command:
            transport = "stdio"
        else:
            raise ConfigError(f"MCP server {name!r} needs a \"command\" (a program to run) "
                              f"or a \"url\".")
        if transport != "stdio" and not url:
            raise ConfigError(f"MCP server {name!r} needs a \"url\".")
        args = entry.get("args") or []
        if not isinstance(args, list):
            raise ConfigError(f"MCP server {name!r}: \"args\" must be a list.")
        cwd = entry.get("cwd")
        servers[name] = McpServerConfig(
            name=name,
            transport=transport,
            command=command.strip(),
            args=[str(a) for a in args],
            env=_str_dict(entry.get("env"), f"MCP server {name!r}: \"env\""),
            cwd=str(cwd) if cwd else None,
            url=url.strip(),
            headers=_str_dict(entry.get("headers"), f"MCP server {name!r}: \"headers\""),
            disabled=bool(entry.get("disabled", False)) or entry.get("enabled") is False,
        )
    return servers


# ---------------------------------------------------------------------- tool results


@dataclass(frozen=True)
class McpTool:
    """A tool as its server describes it."""

    server: str
    name: str
    description: str
    input_schema: dict[str, Any]
    #: `execution.taskSupport`: "required" tools only run as MCP tasks
    task_support: str | None = None

    @property
    def needs_task(self) -> bool:
        """Whether the tool only runs as an MCP task (which Parley does not do yet)."""
        return self.task_support == "required"


def _dump(obj: Any) -> Any:
    """An SDK model as camelCase JSON data (the same in SDK 1.x and 2.x)."""
    dump = getattr(obj, "model_dump", None)
    if dump is None:
        return obj
    return dump(mode="json", by_alias=True, exclude_none=True)


def _tool_from_sdk(server: str, tool: Any) -> McpTool:
    data = _dump(tool)
    schema = data.get("inputSchema")
    if isinstance(schema, dict) and "type" not in schema and "properties" in schema:
        # Some servers leave out the obvious "type": dropping their properties would
        # leave the model guessing every argument.
        schema = {"type": "object", **schema}
    if not isinstance(schema, dict) or schema.get("type") != "object":
        schema = {"type": "object", "properties": {}}
    description = data.get("description") or data.get("title") or ""
    # SDKs that do not model `execution` keep it as an extra field, or drop it.
    execution = data.get("execution")
    if execution is None:
        execution = (getattr(tool, "model_extra", None) or {}).get("execution")
    execution = _dump(execution)
    support = execution.get("taskSupport") if isinstance(execution, dict) else None
    if not isinstance(support, str):
        support = None
    return McpTool(server, str(data.get("name", "")), str(description), schema, support)


def _content_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in ("image", "audio"):
        size = len(str(block.get("data", ""))) * 3 // 4
        mime = block.get("mimeType", "unknown type")
        return f"[{kind} ({mime}), about {size:,} bytes, not shown]"
    if kind == "resource":
        res = block.get("resource") or {}
        if "text" in res:
            return str(res["text"])
        return f"[binary resource {res.get('uri', '')} ({res.get('mimeType', 'unknown type')})]"
    if kind == "resource_link":
        return f"[resource link: {block.get('uri', '')} {block.get('name', '')}]".rstrip("] ") + "]"
    return value_to_text(block)


def result_from_sdk(result: Any) -> ToolResult:
    """A CallToolResult as text: text blocks joined, other content described."""
    data = _dump(result)
    if not isinstance(data, dict):
        return ToolResult(f"Error: the server returned an unexpected result: {data!r:.200}",
                          is_error=True)
    content = data.get("content")
    parts = [_content_text(b) for b in content if isinstance(b, dict)] if isinstance(
        content, list) else []
    structured = data.get("structuredContent")
    if not parts and structured is not None:
        parts = [value_to_text(structured)]
    text = "\n".join(parts)
    is_error = bool(data.get("isError"))
    if is_error and not text.startswith("Error"):
        text = f"Error: {text or 'the tool reported a failure without details.'}"
    details = {"structuredContent": structured} if structured is not None else {}
    return ToolResult(text, is_error=is_error, details=details)


# ---------------------------------------------------------------------- SDK access


def _sdk() -> Any:
    try:
        return importlib.import_module("mcp")
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ToolError("MCP support needs the 'mcp' package (pip install mcp).") from exc


def _is_connection_closed(exc: BaseException) -> bool:
    error = getattr(exc, "error", None)
    return getattr(error, "code", None) == _CONNECTION_CLOSED


class _SessionGone(ToolError):
    """An HTTP server no longer knows Parley's session (it restarted, or expired it)."""


def _is_session_gone(exc: BaseException) -> bool:
    # The SDK turns the server's 404 (or a 400 with a JSON-RPC body) for an unknown
    # `Mcp-Session-Id` into an MCP error: "Session not found", "Session terminated", ...
    error = getattr(exc, "error", None)
    message = str(getattr(error, "message", "") or "")
    return error is not None and "session" in message.lower()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        inner = [e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)]
        if inner:
            return _describe(inner[0])
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message)


# ---------------------------------------------------------------------- one server


class _Request:
    __slots__ = ("arguments", "future", "kind", "scope", "tool")

    def __init__(self, kind: str, tool: str, arguments: dict[str, Any],
                 future: asyncio.Future[Any]) -> None:
        self.kind = kind
        self.tool = tool
        self.arguments = arguments
        self.future = future
        self.scope: Any = None


class _StderrPump:
    """Reads a server's stderr in a thread into a bounded ring buffer; EOF means it exited."""

    def __init__(self, lines: deque[str], lock: threading.Lock, fd: int,
                 on_eof: Any) -> None:
        self._lines = lines
        self._lock = lock
        self._fd = fd
        self._on_eof = on_eof
        self._thread = threading.Thread(target=self._run, name="mcp-stderr", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        try:
            while True:
                try:
                    chunk = os.read(self._fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                pending += decoder.decode(chunk)
                *done, pending = pending.split("\n")
                if len(pending) > STDERR_LINE_CHARS:
                    done.append(pending)
                    pending = ""
                with self._lock:
                    self._lines.extend(line[:STDERR_LINE_CHARS] for line in done)
            pending += decoder.decode(b"", final=True)
            if pending:
                with self._lock:
                    self._lines.append(pending[:STDERR_LINE_CHARS])
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._on_eof()


class _ProcessFamily:
    """A stdio server's process and its process group, to stop what the SDK leaves running.

    The SDK stops the server it started, but when that process exits on its own once its
    stdin closes (an `npx`-style wrapper) the real server it started keeps running; SDK 1.x
    may not kill the tree at all. Servers run in a session of their own (the SDK starts
    them so), so the group reaches every descendant that did not leave it.
    """

    def __init__(self, process: Any) -> None:
        self.process = process
        self.pid: int = int(process.pid)
        self.pgid: int | None = None
        if hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                pgid = os.getpgid(self.pid)
                if pgid == self.pid and pgid != os.getpgrp():  # never our own group
                    self.pgid = pgid

    @classmethod
    def of(cls, client: Any) -> _ProcessFamily | None:
        """The process behind an entered `stdio_client` context, if it can be found."""
        # The SDK keeps the process in the context generator's locals and offers no
        # public way to reach it.
        frame = getattr(getattr(client, "gen", None), "ag_frame", None)
        process = frame.f_locals.get("process") if frame is not None else None
        if process is None or not isinstance(getattr(process, "pid", None), int):
            log.debug("The MCP SDK's stdio process is not reachable; relying on its cleanup")
            return None
        return cls(process)

    def alive(self) -> bool:
        """Whether the server or anything left in its process group still runs."""
        if self.pgid is not None:
            try:
                os.killpg(self.pgid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return getattr(self.process, "returncode", 0) is None

    def signal(self, sig: int) -> None:
        """Send `sig` to the whole group (or to the server alone, without a group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.pgid is not None:
                os.killpg(self.pgid, sig)
            elif getattr(self.process, "returncode", 0) is None:  # not reaped: pid is still ours
                os.kill(self.pid, sig)

    async def _wait_gone(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def end(self, grace: float) -> None:
        """SIGTERM whatever is left, then SIGKILL what is still there after `grace` s."""
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        if await self._wait_gone(grace):
            return
        self.signal(getattr(signal, "SIGKILL", signal.SIGTERM))
        # A killed orphan stays a zombie until init reaps it, which keeps the group
        # answering; the wait only lets the kill land.
        await self._wait_gone(grace / 2)


class _Server:
    """One configured server and its owner task."""

    def __init__(self, config: McpServerConfig, manager: McpManager) -> None:
        self.config = config
        self.manager = manager
        self.state: Literal["stopped", "starting", "running", "failed"] = "stopped"
        self.last_error: str | None = None
        self.tools: list[McpTool] | None = None
        self.stderr: deque[str] = deque(maxlen=manager.stderr_lines)
        self.stderr_lock = threading.Lock()
        self.failures: deque[float] = deque(maxlen=32)
        self.starts = 0
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[_Request | None] | None = None
        self._ready: asyncio.Future[list[McpTool]] | None = None
        self._died: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._stopping = False
        self._family: _ProcessFamily | None = None
        #: the server said its tools changed since they were last listed
        self.tools_changed = False

    # -- log

    def note(self, text: str) -> None:
        """A line of Parley's own in the server's log (start, exit, restart)."""
        with self.stderr_lock:
            self.stderr.append(f"[parley] {text}")

    def stderr_text(self) -> str:
        with self.stderr_lock:
            return "\n".join(self.stderr)

    def _stderr_tail(self, lines: int = 5) -> str:
        with self.stderr_lock:
            tail = [line for line in list(self.stderr)[-lines * 3:]
                    if not line.startswith("[parley]")][-lines:]
        return "\n".join(tail)

    # -- lifecycle

    @property
    def alive(self) -> bool:
        return (self._task is not None and not self._task.done() and self._ready is not None
                and self._ready.done() and not self._ready.cancelled()
                and self._ready.exception() is None)

    async def ensure_started(self) -> None:
        if self.alive:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.alive:
                return
            await self._stop_task()
            mgr = self.manager
            now = time.monotonic()
            recent = [t for t in self.failures if now - t < mgr.restart_window]
            if len(recent) > mgr.max_restarts:
                raise ToolError(
                    f"The MCP server {self.config.name!r} failed {len(recent)} times in the last "
                    f"{mgr.restart_window:g} seconds; Parley stopped restarting it. "
                    f"Last error: {self.last_error or 'unknown'}. Check its log, then restart it."
                )
            if recent:
                delay = min(mgr.backoff * 2 ** (len(recent) - 1), mgr.max_backoff)
                self.note(f"restarting in {delay:g} s")
                await asyncio.sleep(delay)
            await self._start()

    async def renew(self, starts: int) -> None:
        """A new session after the server forgot ours: reconnect, initialize, list tools.

        `starts` is `self.starts` when the failed request was sent; when another caller
        has renewed since, its session is used as it is.
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.starts != starts and self.alive:
                return
            self.note("the server no longer knows Parley's session (it may have restarted); "
                      "starting a new one")
            await self._stop_task()
            await self._start()

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = False
        self._queue = asyncio.Queue()
        self._ready = loop.create_future()
        self._died = asyncio.Event()
        self.state = "starting"
        self.starts += 1
        self.note(f"starting {self.config.describe()}")
        self._task = loop.create_task(self._serve(), name=f"mcp-server-{self.config.name}")
        ready = self._ready
        try:
            tools = await asyncio.wait_for(asyncio.shield(ready),
                                           self.manager.start_timeout)
        except TimeoutError:
            self._fail(f"did not start within {self.manager.start_timeout:g} seconds")
            # Shutting a process down takes seconds (the SDK's grace periods): let it finish
            # in the background; the next start or `aclose()` waits for it.
            self._stopping = True
            self._task.cancel()
            raise ToolError(self._start_message()) from None
        except asyncio.CancelledError:
            await self._stop_task()
            raise
        except Exception as exc:
            await self._stop_task()
            raise ToolError(self._start_message()) from exc
        self.tools = tools

    def _start_message(self) -> str:
        msg = f"Could not start the MCP server {self.config.name!r}: {self.last_error}."
        tail = self._stderr_tail()
        if tail:
            msg += f" Its last output:\n{tail}"
        return msg

    def _fail(self, error: str) -> None:
        self.last_error = error
        self.state = "failed"
        self.failures.append(time.monotonic())
        self.note(error)

    async def _stop_task(self) -> None:
        task = self._task
        if task is None:
            return
        family = self._family
        if not task.done():
            self._stopping = True
            serving = self._ready is not None and self._ready.done()
            if serving and self._queue is not None:
                self._queue.put_nowait(None)  # a clean exit from the owner's own loop
            else:
                task.cancel()
            # The SDK closes stdin, then signals, then kills; this bounds all of it.
            done, _ = await asyncio.wait({task}, timeout=self.manager.stop_timeout)
            if not done:
                if family is not None:
                    family.signal(getattr(signal, "SIGKILL", signal.SIGTERM))
                task.cancel()
                await asyncio.wait({task}, timeout=_KILL_WAIT)
        if family is not None:
            await family.end(_KILL_WAIT / 2)
            if self._family is family:
                self._family = None
        self._task = None
        if self.state in ("running", "starting"):
            self.state = "stopped"

    async def stop(self) -> None:
        await self._stop_task()
        self.state = "stopped"

    # -- the owner task

    async def _open(self, stack: contextlib.AsyncExitStack) -> tuple[Any, Any]:
        cfg = self.config
        if cfg.transport == "stdio":
            return await self._open_stdio(stack)
        if cfg.transport == "sse":
            module = importlib.import_module("mcp.client.sse")
            streams = await stack.enter_async_context(
                module.sse_client(cfg.url, headers=cfg.headers or None))
            return streams[0], streams[1]
        module = importlib.import_module("mcp.client.streamable_http")
        modern = getattr(module, "streamable_http_client", None)
        if modern is not None and "http_client" in inspect.signature(modern).parameters:
            utils = importlib.import_module("mcp.shared._httpx_utils")
            client = await stack.enter_async_context(
                utils.create_mcp_http_client(headers=cfg.headers or None))
            streams = await stack.enter_async_context(modern(cfg.url, http_client=client))
        else:  # SDK 1.x
            legacy = module.streamablehttp_client
            streams = await stack.enter_async_context(
                legacy(cfg.url, headers=cfg.headers or None))
        return streams[0], streams[1]

    async def _open_stdio(self, stack: contextlib.AsyncExitStack) -> tuple[Any, Any]:
        cfg = self.config
        sdk = _sdk()
        stdio = importlib.import_module("mcp.client.stdio")
        params = sdk.StdioServerParameters(
            command=cfg.command, args=cfg.args, env=cfg.env or None, cwd=cfg.cwd)
        read_fd, write_fd = os.pipe()
        loop = asyncio.get_running_loop()
        died = self._died

        def on_eof() -> None:
            if died is not None:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    loop.call_soon_threadsafe(died.set)

        errlog = os.fdopen(write_fd, "w")
        client = stdio.stdio_client(params, errlog=errlog)
        try:
            streams = await stack.enter_async_context(client)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            # The child has its own copy; ours must go so EOF means "the server exited".
            errlog.close()
        self._family = _ProcessFamily.of(client)
        _StderrPump(self.stderr, self.stderr_lock, read_fd, on_eof)
        return streams[0], streams[1]

    async def _serve(self) -> None:
        import anyio

        sdk = _sdk()
        assert self._queue is not None
        assert self._ready is not None
        assert self._died is not None
        queue, ready, died = self._queue, self._ready, self._died
        unexpected: str | None = None
        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await self._open(stack)
                session = await stack.enter_async_context(self._session(sdk, read, write))
                await session.initialize()
                self.tools_changed = False
                tools = await self._list(session)
                self.state = "running"
                self.last_error = None
                self.note(f"running, {len(tools)} tools")
                ready.set_result(tools)

                async def watch(scope: Any) -> None:
                    nonlocal unexpected
                    await died.wait()
                    if not self._stopping:
                        unexpected = "the server exited unexpectedly"
                    scope.cancel()

                async with anyio.create_task_group() as tg:
                    tg.start_soon(watch, tg.cancel_scope)
                    while True:
                        request = await queue.get()
                        if request is None:
                            tg.cancel_scope.cancel()
                            break
                        tg.start_soon(self._handle, session, request)
        except asyncio.CancelledError:
            if not ready.done():
                ready.cancel()
            raise
        except BaseException as exc:  # includes anyio's exception groups
            unexpected = unexpected or _describe(exc)
            if isinstance(exc, FileNotFoundError) and self.config.transport == "stdio":
                unexpected = f"the command {self.config.command!r} was not found"
            elif isinstance(exc, PermissionError) and self.config.transport == "stdio":
                unexpected = f"the command {self.config.command!r} is not executable"
            if not isinstance(exc, Exception | BaseExceptionGroup):
                raise
        finally:
            family = self._family
            if family is not None and not family.alive():
                # Forget a group that is gone now, before its id can be reused by others.
                self._family = None
            if unexpected is not None:
                self._fail(unexpected)
            elif self.state != "failed":
                self.state = "stopped"
                self.note("stopped")
            if not ready.done():
                ready.set_exception(ToolError(unexpected or "the server stopped"))
            why = unexpected or "Parley stopped it"
            while not queue.empty():
                request = queue.get_nowait()
                if request is not None and not request.future.done():
                    request.future.set_exception(ToolError(
                        f"The MCP server {self.config.name!r} is not running ({why})."))

    def _session(self, sdk: Any, read: Any, write: Any) -> Any:
        """A ClientSession that notices when the server says its tool list changed."""
        session_type = sdk.ClientSession
        if "message_handler" not in inspect.signature(session_type).parameters:
            return session_type(read, write)  # an SDK too old to pass notifications on

        async def on_message(message: Any) -> None:
            if isinstance(message, Exception):
                # Typically a server printing its own messages to stdout, which is MCP's
                # channel: the user can only fix that if the log shows it.
                lines = str(message).strip().splitlines() or [type(message).__name__]
                detail = next((ln.strip() for ln in lines if "input_value=" in ln), lines[0])
                self.note(f"could not read the server's output as MCP: {detail[:300]}")
                return
            method = getattr(getattr(message, "root", message), "method", None)
            if method == "notifications/tools/list_changed":
                self.tools_changed = True

        return session_type(read, write, message_handler=on_message)

    async def _list(self, session: Any) -> list[McpTool]:
        tools: list[McpTool] = []
        cursor: str | None = None
        for _ in range(100):  # a server that pages forever must not hang us
            if cursor is None:
                page = await session.list_tools()
            else:
                try:
                    params = _sdk().types.PaginatedRequestParams(cursor=cursor)
                    page = await session.list_tools(params=params)
                except TypeError:  # SDK 1.x
                    page = await session.list_tools(cursor=cursor)
            tools += [_tool_from_sdk(self.config.name, t) for t in page.tools]
            cursor = getattr(page, "next_cursor", None) or getattr(page, "nextCursor", None)
            if not cursor:
                break
        return tools

    async def _handle(self, session: Any, request: _Request) -> None:
        import anyio

        if request.future.done():
            return  # the caller gave up while it waited in the queue
        try:
            with anyio.CancelScope() as scope:
                request.scope = scope
                if request.kind == "list":
                    value: Any = await self._list(session)
                else:
                    value = await session.call_tool(request.tool, request.arguments)
            if not request.future.done() and not scope.cancelled_caught:
                request.future.set_result(value)
        except Exception as exc:
            if _is_connection_closed(exc) and self._died is not None:
                self._died.set()
            if self.config.transport != "stdio" and _is_session_gone(exc):
                exc = _SessionGone(_describe(exc))
            if not request.future.done():
                request.future.set_exception(exc)
        finally:
            if not request.future.done():
                request.future.set_exception(ToolError(
                    f"The MCP server {self.config.name!r} stopped while the tool was running."))

    async def request(self, kind: str, tool: str, arguments: dict[str, Any],
                      time_limit: float) -> Any:
        await self.ensure_started()
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        req = _Request(kind, tool, arguments, future)
        self._queue.put_nowait(req)
        try:
            return await asyncio.wait_for(future, time_limit)
        except TimeoutError:
            self._cancel(req)
            what = "list its tools" if kind == "list" else f"run {tool!r}"
            raise ToolError(f"The MCP server {self.config.name!r} did not {what} within "
                            f"{time_limit:g} seconds; the call was cancelled.") from None
        except asyncio.CancelledError:
            self._cancel(req)
            raise

    @staticmethod
    def _cancel(req: _Request) -> None:
        # The SDK sends the server a cancellation when the request's scope is cancelled.
        if req.scope is not None:
            req.scope.cancel()


# ---------------------------------------------------------------------- the manager


class McpManager:
    """All configured MCP servers. Asyncio, no Qt; call `aclose()` at exit.

    Servers start on first use (`list_tools` or `call_tool`); one that died is restarted on
    the next use, at most `max_restarts` times in `restart_window` seconds, waiting longer
    each time. Errors are `ToolError` with a message a person can act on.
    """

    def __init__(
        self,
        servers: Mapping[str, McpServerConfig] | None = None,
        *,
        start_timeout: float = 30.0,
        list_timeout: float = 15.0,
        call_timeout: float = 60.0,
        stop_timeout: float = 5.0,
        max_restarts: int = 3,
        restart_window: float = 60.0,
        backoff: float = 0.25,
        max_backoff: float = 5.0,
        stderr_lines: int = STDERR_LINES,
    ) -> None:
        self.start_timeout = start_timeout
        self.list_timeout = list_timeout
        self.call_timeout = call_timeout
        self.stop_timeout = stop_timeout
        self.max_restarts = max_restarts
        self.restart_window = restart_window
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stderr_lines = stderr_lines
        self._servers: dict[str, _Server] = {}
        self._closed = False
        for name, config in (servers or {}).items():
            self._servers[name] = _Server(config, self)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> McpManager:
        """A manager for `settings.mcp_servers`, with `settings.tool_timeout` per call."""
        servers = parse_mcp_servers(getattr(settings, "mcp_servers", {}) or {})
        kwargs.setdefault("call_timeout", float(getattr(settings, "tool_timeout", 60.0)))
        return cls(servers, **kwargs)

    def _server(self, name: str) -> _Server:
        server = self._servers.get(name)
        if server is None:
            raise ToolError(f"There is no MCP server named {name!r} in Settings.")
        if server.config.disabled:
            raise ToolError(f"The MCP server {name!r} is disabled in Settings.")
        if self._closed:
            raise ToolError("MCP servers are shut down (Parley is closing).")
        return server

    def names(self) -> list[str]:
        """The enabled servers, in settings order."""
        return [n for n, s in self._servers.items() if not s.config.disabled]

    def config(self, name: str) -> McpServerConfig:
        return self._servers[name].config

    def status(self, name: str) -> str:
        """stopped | starting | running | failed."""
        return self._servers[name].state

    def last_error(self, name: str) -> str | None:
        return self._servers[name].last_error

    def stderr_text(self, name: str) -> str:
        """What the server wrote to stderr (the last lines), with Parley's notes."""
        return self._servers[name].stderr_text()

    async def start(self, name: str) -> list[McpTool]:
        """Start a server now (normally it starts on first use); returns its tools."""
        server = self._server(name)
        await server.ensure_started()
        return list(server.tools or [])

    async def list_tools(self, name: str, *, refresh: bool = False) -> list[McpTool]:
        """The server's tools (listed at start; `refresh` asks again)."""
        server = self._server(name)
        await server.ensure_started()
        if refresh or server.tools is None or server.tools_changed:
            changed, server.tools_changed = server.tools_changed, False
            try:
                server.tools = await self._request(server, "list", "", {}, self.list_timeout)
            except BaseException:
                server.tools_changed = server.tools_changed or changed
                raise
        return list(server.tools or [])

    async def _request(self, server: _Server, kind: str, tool: str, arguments: dict[str, Any],
                       time_limit: float) -> Any:
        """`server.request`, once more on a new session when the server forgot ours (the
        MCP spec asks clients to start a new session on a 404 for their session id)."""
        await server.ensure_started()
        starts = server.starts
        try:
            return await server.request(kind, tool, arguments, time_limit)
        except _SessionGone:
            pass
        await server.renew(starts)
        try:
            return await server.request(kind, tool, arguments, time_limit)
        except _SessionGone as exc:
            what = "list its tools" if kind == "list" else f"run {tool!r}"
            raise ToolError(
                f"The MCP server {server.config.name!r} rejected Parley's session again right "
                f"after a new one was started ({exc}), so it could not {what}. Check the "
                f"server (or a proxy in front of it) and its log, then try again."
            ) from None

    async def all_tools(self) -> tuple[dict[str, list[McpTool]], dict[str, str]]:
        """Tools of every enabled server, started in parallel; plus why some failed."""
        names = self.names()
        results = await asyncio.gather(*(self.list_tools(n) for n in names),
                                       return_exceptions=True)
        tools: dict[str, list[McpTool]] = {}
        problems: dict[str, str] = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, ToolError):
                problems[name] = str(result)
            elif isinstance(result, BaseException):
                raise result
            else:
                tools[name] = result
        return tools, problems

    async def call_tool(self, name: str, tool: str, arguments: dict[str, Any],
                        *, time_limit: float | None = None) -> ToolResult:
        """Call a tool; the tool's own failures come back as a result with `is_error`."""
        server = self._server(name)
        if any(t.name == tool and t.needs_task for t in server.tools or ()):
            raise ToolError(f"The tool {tool!r} of the MCP server {name!r} only runs as an MCP "
                            f"task, which Parley does not support yet.")
        limit = self.call_timeout if time_limit is None else time_limit
        try:
            raw = await self._request(server, "call", tool, arguments, limit)
        except ToolError:
            raise
        except Exception as exc:
            raise ToolError(f"The MCP server {name!r} failed to run {tool!r}: "
                            f"{_describe(exc)}") from exc
        return result_from_sdk(raw)

    async def restart(self, name: str) -> list[McpTool]:
        """Stop and start a server, forgetting its past failures (the UI's Restart)."""
        server = self._server(name)
        await server.stop()
        server.failures.clear()
        server.note("restart requested")
        await server.ensure_started()
        return list(server.tools or [])

    async def stop(self, name: str) -> None:
        """Stop one server (it starts again on next use)."""
        await self._servers[name].stop()

    async def aclose(self) -> None:
        """Stop every server (bounded wait each, in parallel). Call once at exit."""
        self._closed = True
        await asyncio.gather(*(s.stop() for s in self._servers.values()),
                             return_exceptions=True)
