"""Typed events parsed from an OpenAI/OpenRouter chat-completions stream.

`ChunkParser` turns each decoded `data:` JSON object into zero or more events; nothing a
chunk carries is dropped (text, reasoning, reasoning_details, annotations, tool-call
fragments, usage, finish reasons, mid-stream errors). `ReplyAccumulator` folds events into
the final state of a reply, which is what gets stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.domain import Usage


class _Event:
    """Base of the stream events: plain slotted classes, cheap to define and to create.

    (`@dataclass(slots=True)` would do, but a dozen of them add measurable import time
    to `parley ask`, whose whole run is meant to stay close to raw I/O.)
    """

    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]


class Meta(_Event):
    """Which generation, model and provider this stream comes from (sent when first seen)."""

    __slots__ = ("generation_id", "model", "provider")

    def __init__(self, generation_id: str | None, model: str | None, provider: str | None) -> None:
        self.generation_id = generation_id
        self.model = model
        self.provider = provider


class TextDelta(_Event):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class ReasoningDelta(_Event):
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class ReasoningDetails(_Event):
    """Raw `reasoning_details` entries: reasoning.text / reasoning.summary / reasoning.encrypted."""

    __slots__ = ("details",)

    def __init__(self, details: list[dict[str, Any]]) -> None:
        self.details = details


class Annotations(_Event):
    """Annotations such as `url_citation` from web search."""

    __slots__ = ("items",)

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items


class ToolCallDelta(_Event):
    """A fragment of a tool call; fragments with the same index are joined."""

    __slots__ = ("arguments", "id", "index", "name")

    def __init__(self, index: int, id: str | None, name: str | None, arguments: str) -> None:
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments


class UsageReport(_Event):
    __slots__ = ("raw", "usage")

    def __init__(self, usage: Usage, raw: dict[str, Any]) -> None:
        self.usage = usage
        self.raw = raw


class Finish(_Event):
    __slots__ = ("native_reason", "reason")

    def __init__(self, reason: str, native_reason: str | None) -> None:
        self.reason = reason
        self.native_reason = native_reason


class MidStreamError(_Event):
    """A top-level `error` inside an HTTP 200 stream: terminal, partial text is kept."""

    __slots__ = ("code", "message", "metadata")

    def __init__(self, code: int | str | None, message: str, metadata: dict[str, Any]) -> None:
        self.code = code
        self.message = message
        self.metadata = metadata


class Malformed(_Event):
    """A data line that was not JSON (skipped, reported)."""

    __slots__ = ("excerpt",)

    def __init__(self, excerpt: str) -> None:
        self.excerpt = excerpt


class Done(_Event):
    """`data: [DONE]`."""

    __slots__ = ()


StreamEvent = (
    Meta
    | TextDelta
    | ReasoningDelta
    | ReasoningDetails
    | Annotations
    | ToolCallDelta
    | UsageReport
    | Finish
    | MidStreamError
    | Malformed
    | Done
)


def usage_from_api(raw: dict[str, Any]) -> Usage:
    """Map OpenRouter's usage object (including the nested *_details) to `Usage`."""
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    cost = raw.get("cost")
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        total_tokens=int(raw.get("total_tokens") or 0),
        cost=float(cost) if isinstance(cost, int | float) else None,
        cached_tokens=int(prompt_details.get("cached_tokens") or 0)
        if isinstance(prompt_details, dict)
        else 0,
        reasoning_tokens=int(completion_details.get("reasoning_tokens") or 0)
        if isinstance(completion_details, dict)
        else 0,
    )


class ChunkParser:
    """Turns decoded chunk objects into events. Stateful only to emit `Meta` once."""

    __slots__ = ("_meta_sent",)

    def __init__(self) -> None:
        self._meta_sent = False

    def parse(self, obj: Any, out: list[StreamEvent]) -> None:
        """Append the events carried by one chunk to `out` (appending avoids list churn)."""
        if not isinstance(obj, dict):
            out.append(Malformed(repr(obj)[:200]))
            return
        if not self._meta_sent and ("id" in obj or "model" in obj):
            self._meta_sent = True
            out.append(Meta(obj.get("id"), obj.get("model"), obj.get("provider")))
        choices = obj.get("choices")
        if choices:
            choice = choices[0]
            delta = choice.get("delta") or choice.get("message")
            if delta:
                content = delta.get("content")
                if content:
                    out.append(TextDelta(content))
                # Most chunks hold only content (and maybe role): skip the other lookups.
                if len(delta) > ("content" in delta) + ("role" in delta):
                    self._parse_rich_delta(delta, out)
            reason = choice.get("finish_reason")
            if reason and reason != "error":
                out.append(Finish(reason, choice.get("native_finish_reason")))
        usage = obj.get("usage")
        if usage:
            out.append(UsageReport(usage_from_api(usage), usage))
        error = obj.get("error")
        if error is not None:
            if isinstance(error, dict):
                message = str(error.get("message") or "The provider reported an error.")
                metadata = error.get("metadata")
                out.append(
                    MidStreamError(
                        error.get("code"), message, metadata if isinstance(metadata, dict) else {}
                    )
                )
            else:
                out.append(MidStreamError(None, str(error), {}))

    @staticmethod
    def _parse_rich_delta(delta: dict[str, Any], out: list[StreamEvent]) -> None:
        reasoning = delta.get("reasoning")
        if reasoning:
            out.append(ReasoningDelta(reasoning))
        details = delta.get("reasoning_details")
        if details:
            out.append(ReasoningDetails(list(details)))
        annotations = delta.get("annotations")
        if annotations:
            out.append(Annotations(list(annotations)))
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            for pos, call in enumerate(tool_calls):
                function = call.get("function") or {}
                out.append(
                    ToolCallDelta(
                        index=int(call.get("index", pos)),
                        id=call.get("id"),
                        name=function.get("name"),
                        arguments=function.get("arguments") or "",
                    )
                )
        refusal = delta.get("refusal")
        if refusal:
            # A refusal is what the user gets to read; keep it with the text.
            out.append(TextDelta(refusal))


@dataclass
class ReplyAccumulator:
    """Folds stream events into the state of one reply."""

    parts: list[str] = field(default_factory=list)
    reasoning_parts: list[str] = field(default_factory=list)
    reasoning_details: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    usage: Usage | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    generation_id: str | None = None
    model: str | None = None
    provider: str | None = None
    error: MidStreamError | None = None
    malformed: int = 0
    done: bool = False

    def apply(self, event: StreamEvent) -> None:
        """Fold one event in."""
        if type(event) is TextDelta:  # the hot path: most events are text
            self.parts.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning_parts.append(event.text)
        elif isinstance(event, Meta):
            self.generation_id = event.generation_id or self.generation_id
            self.model = event.model or self.model
            self.provider = event.provider or self.provider
        elif isinstance(event, ReasoningDetails):
            self.reasoning_details.extend(event.details)
        elif isinstance(event, Annotations):
            self.annotations.extend(event.items)
        elif isinstance(event, ToolCallDelta):
            call = self.tool_calls.setdefault(
                event.index,
                {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
            )
            if event.id:
                call["id"] = event.id
            if event.name:
                call["function"]["name"] += event.name
            call["function"]["arguments"] += event.arguments
        elif isinstance(event, UsageReport):
            self.usage = event.usage
        elif isinstance(event, Finish):
            self.finish_reason = event.reason
            self.native_finish_reason = event.native_reason
        elif isinstance(event, MidStreamError):
            self.error = event
            self.finish_reason = self.finish_reason or "error"
        elif isinstance(event, Malformed):
            self.malformed += 1
        elif isinstance(event, Done):
            self.done = True

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            # Join once and keep the result, so repeated saves stay linear.
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    @property
    def reasoning(self) -> str:
        if len(self.reasoning_parts) > 1:
            self.reasoning_parts[:] = ["".join(self.reasoning_parts)]
        return self.reasoning_parts[0] if self.reasoning_parts else ""

    def extra(self) -> dict[str, Any]:
        """Everything besides text and reasoning that should be stored with the message."""
        extra: dict[str, Any] = {}
        if self.reasoning_details:
            extra["reasoning_details"] = self.reasoning_details
        if self.annotations:
            extra["annotations"] = self.annotations
        if self.tool_calls:
            extra["tool_calls"] = [self.tool_calls[i] for i in sorted(self.tool_calls)]
        if self.native_finish_reason:
            extra["native_finish_reason"] = self.native_finish_reason
        if self.malformed:
            extra["malformed_lines"] = self.malformed
        if self.error is not None:
            extra["stream_error"] = {
                "code": self.error.code,
                "message": self.error.message,
                "metadata": self.error.metadata,
            }
        return extra


def stream_warning(extra: Mapping[str, Any]) -> str | None:
    """One sentence when parts of the stream could not be read, else None."""
    bad = int(extra.get("malformed_lines") or 0) + int(extra.get("invalid_chunks") or 0)
    if bad <= 0:
        return None
    parts = "part" if bad == 1 else "parts"
    return f"{bad} {parts} of the stream could not be read, so this reply may be incomplete."
