"""Typed events parsed from an OpenAI/OpenRouter chat-completions stream.

`ChunkParser` turns each decoded `data:` JSON object into zero or more events; nothing a
chunk carries is dropped (text, reasoning, reasoning_details, annotations, tool-call
fragments, usage, finish reasons, mid-stream errors). The chunks come from a server we do
not control, so every field is type-checked: a field of the wrong type is skipped and
reported as an `Invalid` event, never raised, and the rest of the chunk is still used.
`ReplyAccumulator` folds events into the final state of a reply, which is what gets stored;
`stream_warning` turns the stored counts of unreadable parts into one sentence for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


class Invalid(_Event):
    """A chunk, or a field of one, whose JSON type is wrong (skipped, reported).

    `where` names the part, e.g. "choices[0].delta.content"; one event per skipped part.
    """

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where


class ImagesDelta(_Event):
    """Images in a reply (`delta.images` / `message.images`), already checked.

    Each entry is {"data_url", "mime", "size", "width", "height"} for an inline image
    (its decoded bytes in `data`, same order, None for a remote one) or {"url"} for an
    https image that is never fetched by itself.
    """

    __slots__ = ("data", "entries")

    def __init__(self, entries: list[dict[str, Any]], data: list[bytes | None]) -> None:
        self.entries = entries
        self.data = data


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
    | ImagesDelta
    | Malformed
    | Invalid
    | Done
)


#: Largest token count taken as real: beyond it a number is corrupt (and 2**63 and up
#: would not even fit the database's INTEGER column).
_MAX_COUNT = 2**53
#: Largest cost (credits) taken as real.
_MAX_COST = 1e9
_PROVIDER_ERROR = "The provider reported an error."
#: Metadata nests a level or two in practice; deeper parts are dropped, not recursed into.
_MAX_JSON_DEPTH = 32


def _count(raw: Mapping[str, Any], name: str, where: str, bad: list[str]) -> int:
    value = raw.get(name)
    if value is None:
        return 0
    if type(value) is int and 0 <= value <= _MAX_COUNT:
        return value
    bad.append(f"{where}.{name}")
    return 0


def usage_from_api(raw: Mapping[str, Any], bad: list[str] | None = None) -> Usage:
    """Map OpenRouter's usage object (including the nested *_details) to `Usage`.

    A field of the wrong type (a string, a float, a negative or absurdly large number)
    reads as 0 (None for cost) and its name is appended to `bad`.
    """
    problems: list[str] = [] if bad is None else bad
    cost = raw.get("cost")
    if cost is not None:
        if type(cost) in (int, float) and 0 <= cost <= _MAX_COST:  # NaN fails both
            cost = float(cost)
        else:
            problems.append("usage.cost")
            cost = None
    cached = reasoning = 0
    prompt_details = raw.get("prompt_tokens_details")
    if type(prompt_details) is dict:
        cached = _count(prompt_details, "cached_tokens", "usage.prompt_tokens_details", problems)
    elif prompt_details is not None:
        problems.append("usage.prompt_tokens_details")
    completion_details = raw.get("completion_tokens_details")
    if type(completion_details) is dict:
        reasoning = _count(
            completion_details, "reasoning_tokens", "usage.completion_tokens_details", problems
        )
    elif completion_details is not None:
        problems.append("usage.completion_tokens_details")
    return Usage(
        prompt_tokens=_count(raw, "prompt_tokens", "usage", problems),
        completion_tokens=_count(raw, "completion_tokens", "usage", problems),
        total_tokens=_count(raw, "total_tokens", "usage", problems),
        cost=cost,
        cached_tokens=cached,
        reasoning_tokens=reasoning,
    )


def scrub_json(value: Any, scrub: Callable[[str], str], _depth: int = 0) -> Any:
    """A copy of decoded JSON with `scrub` applied to every string, keys included."""
    if type(value) is str:
        return scrub(value)
    if _depth >= _MAX_JSON_DEPTH:
        return None
    if type(value) is dict:
        return {scrub(str(k)): scrub_json(v, scrub, _depth + 1) for k, v in value.items()}
    if type(value) is list:
        return [scrub_json(v, scrub, _depth + 1) for v in value]
    return value


def _dicts(value: Any, where: str, out: list[StreamEvent]) -> list[dict[str, Any]]:
    """The dict entries of a list field; the field or any entry of another type is reported."""
    if type(value) is not list:
        out.append(Invalid(where))
        return []
    items = [item for item in value if type(item) is dict]
    for _ in range(len(value) - len(items)):
        out.append(Invalid(f"{where}[]"))
    return items


class ChunkParser:
    """Turns decoded chunk objects into events. Stateful only to emit `Meta` once.

    `scrub` is applied to everything a mid-stream error carries (message and metadata)
    before it becomes an event: the client passes its redaction of the API key, so an
    error that echoes the key never reaches the screen, the database or an export.
    """

    __slots__ = ("_meta_sent", "_scrub", "ended")

    def __init__(self, scrub: Callable[[str], str] | None = None) -> None:
        self._meta_sent = False
        self._scrub = scrub
        #: a mid-stream error was seen: it is terminal, like [DONE]
        self.ended = False

    def parse(self, obj: Any, out: list[StreamEvent]) -> None:
        """Append the events carried by one chunk to `out` (appending avoids list churn).

        Never raises: parts of the wrong type become `Invalid` events and are skipped.
        """
        if type(obj) is not dict:
            out.append(Invalid("chunk"))
            return
        if not self._meta_sent and ("id" in obj or "model" in obj):
            self._meta_sent = True
            self._parse_meta(obj, out)
        choices = obj.get("choices")
        if type(choices) is list:
            if choices:
                choice = choices[0]
                if type(choice) is dict:
                    delta = choice.get("delta")
                    if delta is None:
                        delta = choice.get("message")
                    if type(delta) is dict:
                        content = delta.get("content")
                        if type(content) is str:
                            if content:
                                out.append(TextDelta(content))
                        elif content is not None:
                            self._parse_content_parts(content, out)
                        # Most chunks hold only content (and maybe role): skip the rest.
                        if len(delta) > ("content" in delta) + ("role" in delta):
                            self._parse_rich_delta(delta, out)
                    elif delta is not None:
                        out.append(Invalid("choices[0].delta"))
                    reason = choice.get("finish_reason")
                    if reason is not None:
                        self._parse_finish(choice, reason, out)
                else:
                    out.append(Invalid("choices[0]"))
        elif choices is not None:
            out.append(Invalid("choices"))
        usage = obj.get("usage")
        if usage is not None:
            if type(usage) is dict:
                bad: list[str] = []
                report = UsageReport(usage_from_api(usage, bad), usage)
                out.extend(Invalid(where) for where in bad)
                out.append(report)
            else:
                out.append(Invalid("usage"))
        error = obj.get("error")
        if error is not None:
            self._parse_error(error, out)

    @staticmethod
    def _parse_meta(obj: dict[str, Any], out: list[StreamEvent]) -> None:
        values: list[str | None] = []
        for name in ("id", "model", "provider"):
            value = obj.get(name)
            if value is not None and type(value) is not str:
                out.append(Invalid(name))
                value = None
            values.append(value)
        out.append(Meta(*values))

    @staticmethod
    def _parse_content_parts(content: Any, out: list[StreamEvent]) -> None:
        """`content` as a list of parts (some OpenAI-compatible servers); else invalid."""
        if type(content) is not list:
            out.append(Invalid("choices[0].delta.content"))
            return
        for part in content:
            text = part.get("text") if type(part) is dict and part.get("type") == "text" else None
            if type(text) is str:
                if text:
                    out.append(TextDelta(text))
            else:
                out.append(Invalid("choices[0].delta.content[]"))

    @staticmethod
    def _parse_finish(choice: dict[str, Any], reason: Any, out: list[StreamEvent]) -> None:
        if type(reason) is not str:
            out.append(Invalid("choices[0].finish_reason"))
            return
        if not reason or reason == "error":
            return
        native = choice.get("native_finish_reason")
        if native is not None and type(native) is not str:
            out.append(Invalid("choices[0].native_finish_reason"))
            native = None
        out.append(Finish(reason, native))

    def _parse_error(self, error: Any, out: list[StreamEvent]) -> None:
        """A top-level `error` is terminal whatever its shape; odd parts are reported."""
        code: int | str | None = None
        message = _PROVIDER_ERROR
        metadata: dict[str, Any] = {}
        if type(error) is dict:
            raw_code = error.get("code")
            if raw_code is None or type(raw_code) in (int, str):
                code = raw_code
            else:
                out.append(Invalid("error.code"))
            raw_message = error.get("message")
            if type(raw_message) is str:
                message = raw_message or _PROVIDER_ERROR
            elif raw_message is not None:
                out.append(Invalid("error.message"))
            raw_metadata = error.get("metadata")
            if type(raw_metadata) is dict:
                metadata = raw_metadata
            elif raw_metadata is not None:
                out.append(Invalid("error.metadata"))
        elif type(error) is str and error:
            message = error
        else:
            out.append(Invalid("error"))
        scrub = self._scrub
        if scrub is not None:
            message = scrub(message)
            metadata = scrub_json(metadata, scrub)
            if type(code) is str:
                code = scrub(code)
        out.append(MidStreamError(code, message, metadata))
        self.ended = True

    @staticmethod
    def _parse_rich_delta(delta: dict[str, Any], out: list[StreamEvent]) -> None:
        reasoning = delta.get("reasoning")
        if type(reasoning) is str:
            if reasoning:
                out.append(ReasoningDelta(reasoning))
        elif reasoning is not None:
            out.append(Invalid("choices[0].delta.reasoning"))
        details = delta.get("reasoning_details")
        if details is not None:
            items = _dicts(details, "choices[0].delta.reasoning_details", out)
            if items:
                out.append(ReasoningDetails(items))
        annotations = delta.get("annotations")
        if annotations is not None:
            items = _dicts(annotations, "choices[0].delta.annotations", out)
            if items:
                out.append(Annotations(items))
        tool_calls = delta.get("tool_calls")
        if tool_calls is not None:
            calls = _dicts(tool_calls, "choices[0].delta.tool_calls", out)
            for pos, call in enumerate(calls):
                fragment = _tool_call_fragment(call, pos)
                out.append(fragment or Invalid("choices[0].delta.tool_calls[]"))
        images = delta.get("images")
        if images is not None:
            _parse_images(images, out)
        refusal = delta.get("refusal")
        if type(refusal) is str:
            if refusal:
                # A refusal is what the user gets to read; keep it with the text.
                out.append(TextDelta(refusal))
        elif refusal is not None:
            out.append(Invalid("choices[0].delta.refusal"))


def _parse_images(value: Any, out: list[StreamEvent]) -> None:
    """`images: [{type: "image_url", image_url: {url}}]`; a bad entry is reported, not kept."""
    from app.core.images import ImageRejected, decode_data_url, is_remote_url

    where = "choices[0].delta.images"
    entries: list[dict[str, Any]] = []
    blobs: list[bytes | None] = []
    for item in _dicts(value, where, out):
        image_url = item.get("image_url")
        url = image_url.get("url") if type(image_url) is dict else None
        kind = item.get("type")
        if type(url) is not str or (kind is not None and kind != "image_url"):
            out.append(Invalid(f"{where}[]"))
            continue
        if url[:5].lower() == "data:":
            try:
                data, info = decode_data_url(url)
            except ImageRejected:
                out.append(Invalid(f"{where}[].image_url.url"))
                continue
            entries.append({"data_url": url, "mime": info.mime, "size": len(data),
                            "width": info.width, "height": info.height})
            blobs.append(data)
        elif is_remote_url(url):
            entries.append({"url": url})
            blobs.append(None)
        else:
            out.append(Invalid(f"{where}[].image_url.url"))
    if entries:
        out.append(ImagesDelta(entries, blobs))


def _tool_call_fragment(call: dict[str, Any], pos: int) -> ToolCallDelta | None:
    """The fragment, or None when any of its parts has the wrong type (it cannot be joined)."""
    index = call.get("index", pos)
    if index is None:
        index = pos
    call_id = call.get("id")
    function = call.get("function")
    if function is None:
        function = {}
    if (
        type(index) is not int
        or (call_id is not None and type(call_id) is not str)
        or type(function) is not dict
    ):
        return None
    name = function.get("name")
    arguments = function.get("arguments")
    if (name is not None and type(name) is not str) or (
        arguments is not None and type(arguments) is not str
    ):
        return None
    return ToolCallDelta(index=index, id=call_id, name=name, arguments=arguments or "")


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
    #: generated images as stored in `extra["images"]`; an inline image not stored yet has
    #: "data_url" instead of "sha256" (see `store_images`)
    images: list[dict[str, Any]] = field(default_factory=list)
    #: decoded bytes of the entries of `images` not stored yet, by position
    _image_data: dict[int, bytes] = field(default_factory=dict, repr=False)
    #: `data:` lines that were not JSON
    malformed: int = 0
    #: chunks, or fields of chunks, of the wrong JSON type (each skipped)
    invalid_chunks: int = 0
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
        elif isinstance(event, ImagesDelta):
            for entry, data in zip(event.entries, event.data, strict=True):
                if data is not None:
                    self._image_data[len(self.images)] = data
                self.images.append(entry)
        elif isinstance(event, Malformed):
            self.malformed += 1
        elif isinstance(event, Invalid):
            self.invalid_chunks += 1
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

    @property
    def images_pending(self) -> bool:
        """True when an inline image has not been put in the attachment store yet."""
        return bool(self._image_data)

    def store_images(self, put: Callable[[bytes], str]) -> bool:
        """Put the pending inline images' bytes with `put` (returns the hash) and replace
        their entries with {sha256, mime, size, width, height}; True when any was stored."""
        if not self._image_data:
            return False
        for index, data in sorted(self._image_data.items()):
            entry = self.images[index]
            self.images[index] = {
                "sha256": put(data), "mime": entry["mime"], "size": entry["size"],
                "width": entry["width"], "height": entry["height"],
            }
            del self._image_data[index]
        return True

    def drop_pending_images(self) -> int:
        """Forget the inline images not stored (they could not be); returns how many."""
        pending = set(self._image_data)
        self._image_data.clear()
        self.images[:] = [e for i, e in enumerate(self.images) if i not in pending]
        return len(pending)

    def extra(self) -> dict[str, Any]:
        """Everything besides text and reasoning that should be stored with the message."""
        extra: dict[str, Any] = {}
        # An inline image is stored by its hash only: one that could not be put in the
        # attachment store is left out rather than bloating the database with base64.
        images = [dict(entry) for entry in self.images if "data_url" not in entry]
        if images:
            extra["images"] = images
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
        if self.invalid_chunks:
            extra["invalid_chunks"] = self.invalid_chunks
        if self.error is not None:
            extra["stream_error"] = {
                "code": self.error.code,
                "message": self.error.message,
                "metadata": self.error.metadata,
            }
        return extra


def stream_warning(extra: Mapping[str, Any]) -> str | None:
    """One sentence telling that a stored reply may be incomplete, or None when it is whole.

    Reads the counts a streamed reply stores in its `extra`: "malformed_lines" (data lines
    that were not JSON) and "invalid_chunks" (chunks or fields of the wrong type).
    """
    total = 0
    for name in ("malformed_lines", "invalid_chunks"):
        value = extra.get(name)
        if type(value) is int and value > 0:
            total += value
    if total == 0:
        return None
    parts = "1 part of the stream" if total == 1 else f"{total} parts of the stream"
    return f"{parts} could not be read, so this reply may be incomplete."
