"""The tool loop: ask the model with tools, run the calls it makes, send the results back,
until it answers without tool calls or the step limit is reached.

Every step is stored as it happens (the durability contract of `app.core.chat`): each
reply streams through `ReplyRun`; each tool result is a `tool` message right after the
assistant message that asked, with `extra` = {tool_call_id, name, arguments, duration_ms,
error, approved}. Stop = cancel the task running the loop: a streaming reply is saved as
stopped, a running tool is cancelled (MCP calls included) and its message saved as stopped.

No Qt. The UI passes an async `approve(call)` that returns "once", "always" or "deny", and
sync progress callbacks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.core.chat import ReplyRun, as_request, begin_exchange
from app.core.domain import Attachment, Message, MessageStatus, Role
from app.core.tools.registry import (
    MAX_RESULT_CHARS,
    NAMESPACE_SEP,
    ToolRegistry,
    ToolResult,
    ToolSpec,
    finish_result,
    sanitize_name,
)

if TYPE_CHECKING:
    from app.core.chat import Exchange
    from app.core.client import ChatClient, RetryCallback, RetryPolicy
    from app.core.config import Settings
    from app.core.events import StreamEvent
    from app.core.history import Store
    from app.core.options import ConversationOptions
    from app.core.requests import ChatRequest

ApprovalChoice = Literal["once", "always", "deny"]
#: what is stored in a tool message's extra["approved"]
Approved = Literal["once", "always", "denied"]

log = logging.getLogger(__name__)

DENIED_TEXT = "The user denied this tool call."
CANCELLED_TEXT = "The tool call was cancelled: the user stopped the reply."
DEFAULT_STEP_LIMIT = 8
DEFAULT_TOOL_TIMEOUT = 60.0


@dataclass
class ToolCall:
    """One call the model asked for, as the UI shows it (and approves it)."""

    id: str
    name: str
    #: the raw JSON text the model sent
    arguments_text: str
    #: parsed arguments; None when they were not a JSON object
    arguments: dict[str, Any] | None
    #: the tool behind the name; None when the model named a tool it was not offered
    spec: ToolSpec | None
    #: the assistant message that asked, and its conversation
    reply_id: int
    conversation_id: int
    #: 1 for the first round of tool calls in this exchange
    step: int
    parse_error: str | None = None

    @property
    def server(self) -> str | None:
        """The MCP server that runs it (None: an in-process tool)."""
        return self.spec.server if self.spec is not None else None


@dataclass
class ToolCallOutcome:
    """What became of one call: the text the model gets, and how it went."""

    call: ToolCall
    text: str
    #: None when the tool ran fine; otherwise why not ("denied", "cancelled", a message)
    error: str | None
    approved: Approved | None
    duration_ms: int | None
    status: MessageStatus
    message_id: int
    truncated: bool = False


class ToolApprovals:
    """Tools the user allowed "always". The owner keeps one per conversation (or one for
    the session) and may persist `always` (a set of API tool names)."""

    def __init__(self, always: Iterable[str] = (), *, allow_all: bool = False) -> None:
        self.always: set[str] = set(always)
        #: no questions at all (e.g. the CLI's --yes); the default policy is to ask
        self.allow_all = allow_all

    def allowed(self, name: str) -> bool:
        return self.allow_all or name in self.always

    def allow(self, name: str) -> None:
        self.always.add(name)

    def forget(self, name: str) -> None:
        self.always.discard(name)


Approver = Callable[[ToolCall], Awaitable[ApprovalChoice]]


async def deny_all(call: ToolCall) -> ApprovalChoice:
    """An approver for front ends that cannot ask: every call is denied."""
    return "deny"


@dataclass
class ToolLoopResult:
    """How the loop ended."""

    #: assistant messages of each step, in order (as stored at the end)
    replies: list[Message]
    outcomes: list[ToolCallOutcome] = field(default_factory=list)
    #: tool rounds run
    steps: int = 0
    #: "step_limit" when the loop stopped the model; None when the model finished
    stopped: str | None = None
    #: MCP servers whose tools could not be offered, and why
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> Message:
        return self.replies[-1]


async def select_tools(
    registry: ToolRegistry, options: ConversationOptions | None
) -> tuple[list[ToolSpec], dict[str, str]]:
    """The tools a conversation enables (starting only the MCP servers it needs)."""
    if options is None or not options.tools_enabled():
        return [], {}
    wanted = set(options.enabled_tools)
    servers = set(options.enabled_tool_servers)
    if registry.mcp is not None:
        for server in registry.mcp.names():
            prefix = sanitize_name(server) + NAMESPACE_SEP
            if any(name.startswith(prefix) for name in wanted):
                servers.add(server)
    specs, problems = await registry.available(sorted(servers))
    chosen = [s for s in specs if s.name in wanted or (s.server is not None
                                                       and s.server in servers
                                                       and s.server in
                                                       options.enabled_tool_servers)]
    return chosen, problems


def _parse_arguments(text: str) -> tuple[dict[str, Any] | None, str | None]:
    if not text.strip():
        return {}, None  # some models send nothing for a tool without parameters
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"the arguments are not valid JSON ({exc.msg} at character {exc.pos})"
    if not isinstance(value, dict):
        return None, "the arguments must be a JSON object"
    return value, None


class ToolLoop:
    """Runs exchanges with tools. One instance per conversation view (or per CLI call).

    The owner runs `send()` / `continue_exchange()` in a task it keeps, cancels that task
    on Stop, and may call `finalize_stopped()` at shutdown to save a reply in flight.
    """

    def __init__(
        self,
        store: Store,
        client: ChatClient,
        registry: ToolRegistry,
        *,
        approve: Approver = deny_all,
        approvals: ToolApprovals | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
        tool_timeout: float = DEFAULT_TOOL_TIMEOUT,
        max_result_chars: int = MAX_RESULT_CHARS,
        on_events: Callable[[list[StreamEvent]], None] | None = None,
        on_reply_start: Callable[[Message], None] | None = None,
        on_tool_start: Callable[[ToolCall], None] | None = None,
        on_tool_end: Callable[[ToolCall, ToolCallOutcome], None] | None = None,
        retry: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.registry = registry
        self.approve = approve
        self.approvals = approvals if approvals is not None else ToolApprovals()
        self.step_limit = max(0, int(step_limit))
        self.tool_timeout = tool_timeout
        self.max_result_chars = max_result_chars
        self.on_events = on_events
        self.on_reply_start = on_reply_start
        self.on_tool_start = on_tool_start
        self.on_tool_end = on_tool_end
        self.retry = retry
        self.on_retry = on_retry
        #: the reply streaming now (None between steps)
        self.run: ReplyRun | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store, client: ChatClient, registry: ToolRegistry,
        **kwargs: Any,
    ) -> ToolLoop:
        """A loop with the step limit and tool timeout from Settings."""
        kwargs.setdefault("step_limit", settings.tool_step_limit)
        kwargs.setdefault("tool_timeout", settings.tool_timeout)
        return cls(store, client, registry, **kwargs)

    def finalize_stopped(self) -> None:
        """Save the reply in flight as stopped (for an owner shutting down)."""
        if self.run is not None:
            self.run.finalize_stopped()

    # ------------------------------------------------------------------ entry points

    async def send(
        self,
        conversation_id: int,
        prompt: str,
        *,
        request: ChatRequest | None = None,
        model: str | None = None,
        options: dict[str, Any] | None = None,
        system: str | None = None,
        conversation_options: ConversationOptions | None = None,
        endpoint_kind: str = "openrouter",
        tools: list[ToolSpec] | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> ToolLoopResult:
        """Store the prompt (with `attachments`) and run the exchange with tools (the
        conversation's enabled tools, or `tools` when given). Raises what `ReplyRun.run` raises.

        `request` (from `app.core.requests.resolve_request`) builds every step's body; the
        loose arguments make a plain one."""
        req = as_request(request, model=model, options=options,
                         conversation_options=conversation_options, endpoint_kind=endpoint_kind)
        specs, problems = await self._tools(tools, req.options)
        exchange = begin_exchange(self.store, conversation_id, prompt, request=req,
                                  system=system, attachments=attachments)
        if self.on_reply_start is not None:
            self.on_reply_start(exchange.reply)
        return await self._loop(exchange.reply, exchange.payload, specs, problems, req)

    async def continue_exchange(
        self,
        exchange: Exchange,
        *,
        request: ChatRequest | None = None,
        model: str | None = None,
        options: dict[str, Any] | None = None,
        conversation_options: ConversationOptions | None = None,
        endpoint_kind: str = "openrouter",
        tools: list[ToolSpec] | None = None,
    ) -> ToolLoopResult:
        """Run an exchange `begin_exchange` already stored (e.g. by the UI's controller)."""
        req = as_request(request, model=model, options=options,
                         conversation_options=conversation_options, endpoint_kind=endpoint_kind)
        specs, problems = await self._tools(tools, req.options)
        return await self._loop(exchange.reply, exchange.payload, specs, problems, req)

    # ------------------------------------------------------------------ the loop

    async def _tools(
        self, tools: list[ToolSpec] | None, conversation_options: ConversationOptions | None
    ) -> tuple[list[ToolSpec], dict[str, str]]:
        if tools is not None:
            return list(tools), {}
        return await select_tools(self.registry, conversation_options)

    async def _loop(
        self,
        reply: Message,
        payload: dict[str, Any],
        specs: list[ToolSpec],
        problems: dict[str, str],
        request: ChatRequest,
    ) -> ToolLoopResult:
        by_name = {spec.name: spec for spec in specs}
        result = ToolLoopResult(replies=[], problems=problems)
        # Every step's body comes from the one request path, tools included.
        payload = request.with_tools(dict(payload), specs)
        conversation_id = reply.conversation_id
        while True:
            run = ReplyRun(self.store, self.client, reply, payload, on_events=self.on_events,
                           retry=self.retry, on_retry=self.on_retry)
            self.run = run
            try:
                await run.run()
            finally:
                result.replies.append(self._reread(reply))
            self.run = None
            calls = self._calls(run, reply, by_name, result.steps + 1)
            if not calls:
                return result
            if result.steps >= self.step_limit:
                self._stop_at_limit(reply, run, len(calls))
                result.replies[-1] = self._reread(reply)
                result.stopped = "step_limit"
                return result
            result.steps += 1
            outcomes = await self._run_calls(calls, reply)
            result.outcomes += outcomes
            last_id = outcomes[-1].message_id
            payload = request.payload(self.store.path_to(last_id), specs)
            reply = self.store.add_message(
                conversation_id, Role.ASSISTANT, "", status=MessageStatus.STREAMING,
                model=request.model, parent_id=last_id,
            )
            if self.on_reply_start is not None:
                self.on_reply_start(reply)

    def _reread(self, reply: Message) -> Message:
        return self.store.get_message(reply.id) or reply

    def _calls(self, run: ReplyRun, reply: Message, by_name: dict[str, ToolSpec],
               step: int) -> list[ToolCall]:
        acc = run.acc
        if not acc.tool_calls or run.status is not MessageStatus.COMPLETE:
            return []
        raw = [acc.tool_calls[i] for i in sorted(acc.tool_calls)]
        if acc.finish_reason != "tool_calls" and not any(c["function"]["name"] for c in raw):
            return []
        # Ids tie results to calls; a provider that sends none gets ours (stored too).
        changed = False
        for pos, call in enumerate(raw):
            if not call.get("id"):
                call["id"] = f"call_{reply.id}_{pos}"
                changed = True
        if changed:
            stored = self.store.get_message(reply.id)
            extra = dict(stored.extra) if stored is not None else {}
            extra["tool_calls"] = raw
            self.store.update_message(reply.id, extra=extra)
        calls: list[ToolCall] = []
        for call in raw:
            name = str(call["function"]["name"])
            text = str(call["function"]["arguments"])
            arguments, error = _parse_arguments(text)
            calls.append(ToolCall(id=str(call["id"]), name=name, arguments_text=text,
                                  arguments=arguments, spec=by_name.get(name),
                                  reply_id=reply.id, conversation_id=reply.conversation_id,
                                  step=step, parse_error=error))
        return calls

    def _stop_at_limit(self, reply: Message, run: ReplyRun, pending: int) -> None:
        message = (
            f"Stopped after {self.step_limit} rounds of tool calls (the limit set in "
            f"Settings); the model asked for {pending} more. Its last request was not run."
        )
        stored = self.store.get_message(reply.id)
        extra = dict(stored.extra) if stored is not None else run.acc.extra()
        extra["tool_loop"] = {"stopped": "step_limit", "limit": self.step_limit}
        self.store.update_message(reply.id, status=MessageStatus.ERROR, error=message,
                                  extra=extra)

    # ------------------------------------------------------------------ running calls

    async def _run_calls(self, calls: list[ToolCall], reply: Message) -> list[ToolCallOutcome]:
        """Decide each call in order (asking the user), store a message for each right
        after the reply, then run the approved ones concurrently."""
        parent = reply.id
        outcomes: list[ToolCallOutcome] = []
        to_run: list[tuple[ToolCall, ToolCallOutcome]] = []
        for call in calls:
            approved: Approved | None = None
            error: str | None = None
            if call.parse_error is not None:
                error = f"Error: {call.parse_error}. Call the tool again with a JSON object."
            elif call.spec is None:
                error = (f"Error: there is no tool named {call.name!r} in this conversation. "
                         f"Use one of the tools provided.")
            else:
                approved = await self._approval(call)
            if error is not None or approved == "denied":
                text = error if error is not None else DENIED_TEXT
                status = MessageStatus.ERROR if error is not None else MessageStatus.COMPLETE
                msg = self._add_tool_message(call, parent, text, status, approved,
                                             error=error or "denied", duration_ms=None)
                outcome = ToolCallOutcome(call, text, error or "denied", approved, None, status,
                                          msg.id)
                outcomes.append(outcome)
                if self.on_tool_end is not None:
                    self.on_tool_end(call, outcome)
            else:
                msg = self._add_tool_message(call, parent, "", MessageStatus.STREAMING, approved,
                                             error=None, duration_ms=None)
                outcome = ToolCallOutcome(call, "", None, approved, None,
                                          MessageStatus.STREAMING, msg.id)
                outcomes.append(outcome)
                to_run.append((call, outcome))
            parent = msg.id
        if to_run:
            async with asyncio.TaskGroup() as group:
                for call, outcome in to_run:
                    group.create_task(self._execute(call, outcome))
        return outcomes

    async def _approval(self, call: ToolCall) -> Approved:
        if self.approvals.allowed(call.name):
            return "always"
        try:
            choice: object = await self.approve(call)
        except asyncio.CancelledError:
            raise  # Stop while the question is open: the exchange ends, nothing runs
        except Exception:
            # A broken approval prompt must neither run the tool nor end the exchange.
            log.exception("Asking to approve the tool call %s failed; the call is denied",
                          call.name)
            return "denied"
        if type(choice) is not str:  # a str subclass or mock could fake equality
            return "denied"
        if choice == "always":
            self.approvals.allow(call.name)
            return "always"
        if choice == "once":
            return "once"
        return "denied"  # "deny", or anything unexpected: never run without a yes

    def _extra(self, call: ToolCall, approved: Approved | None, error: str | None,
               duration_ms: int | None, **more: Any) -> dict[str, Any]:
        extra: dict[str, Any] = {
            "tool_call_id": call.id,
            "name": call.name,
            "arguments": call.arguments_text,
            "duration_ms": duration_ms,
            "error": error,
            "approved": approved,
        }
        if call.spec is not None and call.spec.server is not None:
            extra["server"] = call.spec.server
            extra["tool"] = call.spec.original_name
        extra.update(more)
        return extra

    def _add_tool_message(self, call: ToolCall, parent: int, text: str, status: MessageStatus,
                          approved: Approved | None, *, error: str | None,
                          duration_ms: int | None) -> Message:
        msg = self.store.add_message(call.conversation_id, Role.TOOL, text, status=status,
                                     parent_id=parent)
        self.store.update_message(
            msg.id, error=error if status is MessageStatus.ERROR else None,
            extra=self._extra(call, approved, error, duration_ms),
        )
        return msg

    async def _execute(self, call: ToolCall, outcome: ToolCallOutcome) -> None:
        assert call.spec is not None
        assert call.arguments is not None
        if self.on_tool_start is not None:
            self.on_tool_start(call)
        started = time.monotonic()

        def elapsed() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            result = await asyncio.wait_for(self.registry.call(call.spec, call.arguments),
                                            self.tool_timeout)
        except TimeoutError:
            result = ToolResult(f"Error: the tool did not finish within {self.tool_timeout:g} "
                                f"seconds and was cancelled.", is_error=True)
        except asyncio.CancelledError:
            outcome.text, outcome.error = CANCELLED_TEXT, "cancelled"
            outcome.status, outcome.duration_ms = MessageStatus.STOPPED, elapsed()
            self.store.update_message(
                outcome.message_id, content=CANCELLED_TEXT, status=MessageStatus.STOPPED,
                extra=self._extra(call, outcome.approved, "cancelled", outcome.duration_ms),
            )
            raise
        except Exception as exc:  # a bug in a tool adapter must not end the exchange
            result = ToolResult(f"Error: {type(exc).__name__}: {exc}", is_error=True)
        result = finish_result(result, self.max_result_chars)
        outcome.duration_ms = elapsed()
        outcome.text = result.text
        outcome.truncated = result.truncated
        outcome.error = result.text if result.is_error else None
        outcome.status = MessageStatus.ERROR if result.is_error else MessageStatus.COMPLETE
        more: dict[str, Any] = {}
        if result.truncated:
            more["truncated_from_chars"] = result.original_chars
        self.store.update_message(
            outcome.message_id, content=result.text, status=outcome.status,
            error=outcome.error,
            extra=self._extra(call, outcome.approved, outcome.error, outcome.duration_ms,
                              **more),
        )
        if self.on_tool_end is not None:
            self.on_tool_end(call, outcome)

