"""SSE decoding and chunk parsing: synthetic edge cases and every recorded stream."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from app.core.events import (
    Annotations,
    ChunkParser,
    Done,
    Finish,
    Malformed,
    Meta,
    MidStreamError,
    ReasoningDelta,
    ReasoningDetails,
    ReplyAccumulator,
    StreamEvent,
    ToolCallDelta,
    UsageReport,
)
from app.core.sse import DONE, SSEDecoder
from tests.fake_openrouter import FIXTURES_DIR, fixtures_available

RECORDED = FIXTURES_DIR / "recorded"
needs_fixtures = pytest.mark.skipif(
    not fixtures_available(), reason="../shared/openrouter/fixtures is not beside this checkout"
)


def decode(raw: bytes, splits: list[int] | None = None) -> list[bytes]:
    out: list[bytes] = []
    dec = SSEDecoder(out.append)
    cuts = sorted(set(splits or []))
    pos = 0
    for cut in [*cuts, len(raw)]:
        dec.feed(raw[pos:cut])
        pos = cut
    dec.close()
    return out


def parse_events(raw: bytes, splits: list[int] | None = None) -> list[StreamEvent]:
    parser = ChunkParser()
    events: list[StreamEvent] = []
    for data in decode(raw, splits):
        if data == DONE:
            events.append(Done())
            continue
        try:
            obj = json.loads(data)
        except ValueError:
            events.append(Malformed(data.decode()))
            continue
        parser.parse(obj, events)
    return events


def accumulate(events: list[StreamEvent]) -> ReplyAccumulator:
    acc = ReplyAccumulator()
    for e in events:
        acc.apply(e)
    return acc


# ---- SSE framing --------------------------------------------------------------------


def test_comments_and_keepalives_are_skipped() -> None:
    raw = b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n: ping\n\n"
    out: list[bytes] = []
    dec = SSEDecoder(out.append)
    dec.feed(raw)
    dec.close()
    assert out == [b'{"a":1}']
    assert dec.comments == 3


def test_crlf_and_lone_cr_line_endings() -> None:
    assert decode(b"data: one\r\n\r\ndata: two\r\rdata: three\n\n") == [b"one", b"two", b"three"]


def test_crlf_split_between_reads() -> None:
    raw = b"data: one\r\n\r\ndata: two\r\n\r\n"
    for cut in range(1, len(raw)):
        assert decode(raw, [cut]) == [b"one", b"two"], cut


def test_multiline_data_is_joined_with_newline() -> None:
    assert decode(b'data: {"a":\ndata: 1}\n\n') == [b'{"a":\n1}']


def test_data_without_space_and_other_fields() -> None:
    assert decode(b"event: message\nid: 7\nretry: 10\ndata:x\n\n") == [b"x"]


def test_last_event_without_blank_line_is_delivered_at_close() -> None:
    assert decode(b"data: [DONE]") == [b"[DONE]"]


def test_every_split_point_gives_the_same_events() -> None:
    raw = (
        b': OPENROUTER PROCESSING\n\ndata: {"choices":[{"delta":{"content":"Hel"}}]}\r\n\r\n'
        b'data: {"choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n'
    )
    whole = decode(raw)
    for cut in range(len(raw)):
        assert decode(raw, [cut]) == whole


# ---- chunk parsing --------------------------------------------------------------------


def chunk(**kw: Any) -> bytes:
    return b"data: " + json.dumps(kw).encode() + b"\n\n"


def test_three_usage_shapes_are_all_accepted() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5, "cost": 0.001,
             "prompt_tokens_details": {"cached_tokens": 1},
             "completion_tokens_details": {"reasoning_tokens": 1}}
    shapes = [
        chunk(choices=[], usage=usage),
        chunk(choices=[{"index": 0, "delta": {}, "finish_reason": None}], usage=usage),
        chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}], usage=usage),
    ]
    for shape in shapes:
        raw = chunk(choices=[{"delta": {"content": "hi"}, "finish_reason": "stop"}]) + shape
        acc = accumulate(parse_events(raw + b"data: [DONE]\n\n"))
        assert acc.usage is not None
        assert (acc.usage.total_tokens, acc.usage.cost) == (5, 0.001)
        assert (acc.usage.cached_tokens, acc.usage.reasoning_tokens) == (1, 1)
        assert acc.finish_reason == "stop"
        assert acc.text == "hi"


def test_reasoning_annotations_and_tool_call_fragments() -> None:
    raw = b"".join([
        chunk(id="gen-1", model="m", provider="P",
              choices=[{"delta": {"role": "assistant", "content": "",
                                  "reasoning": "think", "reasoning_details": [
                                      {"type": "reasoning.encrypted", "data": "xyz"}]}}]),
        chunk(choices=[{"delta": {"content": "See [1]", "annotations": [
            {"type": "url_citation", "url_citation": {"url": "https://e.x", "title": "E"}}]}}]),
        chunk(choices=[{"delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "type": "function",
             "function": {"name": "get_", "arguments": "{\"ci"}}]}}]),
        chunk(choices=[{"delta": {"tool_calls": [
            {"index": 0, "function": {"name": "weather", "arguments": "ty\": \"Oslo\"}"}},
            {"index": 1, "id": "call_2", "function": {"name": "now", "arguments": "{}"}}]}}]),
        chunk(choices=[{"delta": {}, "finish_reason": "tool_calls",
                        "native_finish_reason": "tool_use"}]),
        b"data: [DONE]\n\n",
    ])
    events = parse_events(raw)
    kinds = [type(e) for e in events]
    assert kinds[0] is Meta
    assert ReasoningDelta in kinds and ReasoningDetails in kinds and Annotations in kinds
    assert kinds.count(ToolCallDelta) == 3
    acc = accumulate(events)
    assert (acc.generation_id, acc.model, acc.provider) == ("gen-1", "m", "P")
    assert acc.reasoning == "think"
    assert acc.reasoning_details == [{"type": "reasoning.encrypted", "data": "xyz"}]
    assert acc.annotations[0]["url_citation"]["url"] == "https://e.x"
    extra = acc.extra()
    assert extra["tool_calls"] == [
        {"id": "call_1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
        {"id": "call_2", "type": "function", "function": {"name": "now", "arguments": "{}"}},
    ]
    assert acc.finish_reason == "tool_calls"
    assert extra["native_finish_reason"] == "tool_use"


@pytest.mark.parametrize(
    "error",
    [
        {"code": 429, "message": "Rate limit exceeded"},
        {"code": "server_error", "message": "Internal"},
        "plain string error",
    ],
)
def test_midstream_error_is_terminal_and_keeps_text(error: Any) -> None:
    raw = chunk(choices=[{"delta": {"content": "Partial "}}]) + chunk(
        error=error, choices=[{"delta": {"content": ""}, "finish_reason": "error"}]
    )
    acc = accumulate(parse_events(raw))
    assert acc.text == "Partial "
    assert acc.error is not None
    assert acc.finish_reason == "error"
    if isinstance(error, dict):
        assert acc.error.code == error["code"]
        assert acc.error.message == error["message"]


def test_non_json_data_line_is_reported_not_fatal() -> None:
    raw = chunk(choices=[{"delta": {"content": "a"}}]) + b"data: {not json\n\n" + chunk(
        choices=[{"delta": {"content": "b"}, "finish_reason": "stop"}]
    )
    acc = accumulate(parse_events(raw))
    assert acc.text == "ab"
    assert acc.malformed == 1
    assert acc.extra()["malformed_lines"] == 1


# ---- recorded traffic -----------------------------------------------------------------


def reference(raw: bytes) -> dict[str, Any]:
    """What a careful reader of the recorded stream expects, computed independently."""
    text, reasoning, details, usage, finish, error = [], [], [], None, None, None
    for line in raw.decode().splitlines():
        if not line.startswith("data:") or line.strip() == "data: [DONE]":
            continue
        obj = json.loads(line[5:])
        for choice in obj.get("choices") or []:
            delta = choice.get("delta") or {}
            text.append(delta.get("content") or "")
            reasoning.append(delta.get("reasoning") or "")
            details.extend(delta.get("reasoning_details") or [])
            if choice.get("finish_reason") and choice["finish_reason"] != "error":
                finish = choice["finish_reason"]
        usage = obj.get("usage") or usage
        error = obj.get("error") or error
    return {"text": "".join(text), "reasoning": "".join(reasoning), "details": details,
            "usage": usage, "finish": finish, "error": error}


def chat_streams() -> list[Path]:
    if not fixtures_available():
        return []
    out = []
    for path in sorted(RECORDED.glob("*.response.sse")):
        meta = json.loads(path.with_name(path.name.replace(".response.sse", ".meta.json"))
                          .read_text())
        if meta["uri"].endswith("/chat/completions"):
            out.append(path)
    return out


@needs_fixtures
def test_there_are_recorded_chat_streams() -> None:
    assert len(chat_streams()) >= 4


@needs_fixtures
@pytest.mark.parametrize("path", chat_streams(), ids=lambda p: p.name.split("__")[1])
def test_recorded_stream_becomes_the_right_events(path: Path) -> None:
    raw = path.read_bytes()
    ref = reference(raw)
    rng = random.Random(path.name)
    for splits in ([], [rng.randrange(len(raw)) for _ in range(40)], list(range(0, len(raw), 7))):
        events = parse_events(raw, splits)
        acc = accumulate(events)
        assert acc.text == ref["text"]
        assert acc.reasoning == ref["reasoning"]
        assert acc.reasoning_details == ref["details"]
        assert acc.finish_reason == (ref["finish"] or ("error" if ref["error"] else None))
        assert acc.done
        assert acc.malformed == 0
        assert isinstance(events[0], Meta) and events[0].generation_id
        if ref["usage"]:
            assert acc.usage is not None
            assert acc.usage.total_tokens == ref["usage"]["total_tokens"]
            assert acc.usage.cost == ref["usage"].get("cost")
        assert (acc.error is not None) == bool(ref["error"])


@needs_fixtures
def test_recorded_stream_error_details() -> None:
    raw = (RECORDED / "pydantic-ai__test_openrouter_stream_error__0.response.sse").read_bytes()
    events = parse_events(raw)
    errors = [e for e in events if isinstance(e, MidStreamError)]
    assert len(errors) == 1
    assert errors[0].code == 400
    assert "Token limit" in errors[0].message
    assert any(isinstance(e, UsageReport) for e in events)
    assert any(isinstance(e, Finish) and e.reason == "length" for e in events)
    acc = accumulate(events)
    assert acc.reasoning.startswith("We need")


@needs_fixtures
def test_recorded_encrypted_reasoning_is_kept() -> None:
    raw = (RECORDED / "pydantic-ai__test_openrouter_stream_with_reasoning__0.response.sse"
           ).read_bytes()
    acc = accumulate(parse_events(raw))
    types = {d.get("type") for d in acc.reasoning_details}
    assert "reasoning.encrypted" in types
    assert acc.native_finish_reason is not None
    assert acc.text


@needs_fixtures
def test_responses_api_stream_still_decodes() -> None:
    path = RECORDED / (
        "pydantic-ai-openrouter-dir__other__test_openai_responses_raw_cot_stream_openrouter__0"
        ".response.sse"
    )
    payloads = decode(path.read_bytes())
    assert payloads[-1] == DONE
    assert len(payloads) == path.read_bytes().count(b"\ndata:") + path.read_bytes().startswith(
        b"data:"
    )
