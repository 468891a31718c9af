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
    Invalid,
    Malformed,
    Meta,
    MidStreamError,
    ReasoningDelta,
    ReasoningDetails,
    ReplyAccumulator,
    StreamEvent,
    ToolCallDelta,
    UsageReport,
    stream_warning,
)
from app.core.sse import DONE, SSEDecoder
from tests.fake_openrouter import FIXTURES_DIR, fixtures_available

RECORDED = FIXTURES_DIR / "recorded"
# Fails under CI=true when the fixtures are missing (see conftest.recorded_fixtures).
needs_fixtures = pytest.mark.usefixtures("recorded_fixtures")


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


def test_other_fields_are_neither_data_nor_keepalives() -> None:
    # event:, id:, retry: and unknown field lines are ignored; only ":" lines are comments
    # (the keep-alive count tells a live but slow stream from a dead one).
    raw = (b"event: message\nid: 7\nretry: 100\n2024\n!bang\ndata: {\"a\":1}\n\n"
           b": OPENROUTER PROCESSING\n\n")
    out: list[bytes] = []
    dec = SSEDecoder(out.append)
    dec.feed(raw)
    dec.close()
    assert out == [b'{"a":1}']
    assert dec.comments == 1


def test_extra_blank_lines_between_events_make_no_empty_events() -> None:
    assert decode(b"data: a\n\n\n\ndata: b\n\n\n") == [b"a", b"b"]
    assert decode(b"data: a\r\n\r\n\r\ndata: b\r\n\r\n") == [b"a", b"b"]


def test_crlf_and_lone_cr_line_endings() -> None:
    assert decode(b"data: one\r\n\r\ndata: two\r\rdata: three\n\n") == [b"one", b"two", b"three"]


def test_crlf_split_between_reads() -> None:
    raw = b"data: one\r\n\r\ndata: two\r\n\r\n"
    for cut in range(1, len(raw)):
        assert decode(raw, [cut]) == [b"one", b"two"], cut


def test_multiline_data_is_joined_with_newline() -> None:
    assert decode(b'data: {"a":\ndata: 1}\n\n') == [b'{"a":\n1}']


def test_multiline_crlf_event_cut_after_the_first_cr() -> None:
    raw = b"data: a\r\ndata: b\r\n\r\n"
    cut = raw.index(b"\r") + 1  # the read ends between the CR and the LF of a CRLF
    assert decode(raw, [cut]) == [b"a\nb"]


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
    # Stored with the reply: the view says when a reasoning was only sent encrypted.
    assert extra["reasoning_details"] == [{"type": "reasoning.encrypted", "data": "xyz"}]
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


def test_reasoning_deltas_accumulate_into_one_text() -> None:
    raw = b"".join(
        chunk(choices=[{"delta": {"reasoning": piece}}])
        for piece in ["First I ", "read the ", "question."]
    ) + chunk(choices=[{"delta": {"content": "Answer"}, "finish_reason": "stop"}])
    acc = accumulate(parse_events(raw))
    assert acc.reasoning == "First I read the question."
    assert acc.text == "Answer"


# ---- chunks of the wrong shape -----------------------------------------------------------

# (bad chunk, text it still carries, parts that must be reported)
WRONG_TYPES: list[tuple[Any, str, int]] = [
    ({"choices": "abc"}, "", 1),
    ({"choices": {"0": {"delta": {"content": "x"}}}}, "", 1),
    ({"choices": [None]}, "", 1),
    ({"choices": ["text"]}, "", 1),
    ({"choices": [{"delta": []}]}, "", 1),
    ({"choices": [{"delta": "text"}]}, "", 1),
    ({"choices": [{"delta": {"content": 5}}]}, "", 1),
    ({"choices": [{"delta": {"content": 1.5}}]}, "", 1),
    ({"choices": [{"delta": {"content": {"text": "x"}}}]}, "", 1),
    ({"choices": [{"delta": {"content": True}}]}, "", 1),
    ({"choices": [{"delta": {"content": "kept", "tool_calls": "call"}}]}, "kept", 1),
    ({"choices": [{"delta": {"content": "kept", "tool_calls": [5, None, "x"]}}]}, "kept", 3),
    ({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": "f"}]}}]}, "", 1),
    ({"choices": [{"delta": {"tool_calls": [{"index": "0", "function": {"name": "f"}}]}}]},
     "", 1),
    ({"choices": [{"delta": {"tool_calls": [{"index": True, "function": {"name": "f"}}]}}]},
     "", 1),
    ({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": 7}]}}]}, "", 1),
    ({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": ["f"]}}]}}]},
     "", 1),
    ({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": {"a": 1}}}]}}]}, "", 1),
    ({"choices": [{"delta": {"content": "r", "reasoning": 7}}]}, "r", 1),
    ({"choices": [{"delta": {"content": "r", "reasoning": ["x"]}}]}, "r", 1),
    ({"choices": [{"delta": {"reasoning_details": {"type": "reasoning.text"}}}]}, "", 1),
    ({"choices": [{"delta": {"reasoning_details": [{"type": "reasoning.text"}, 3, "x"]}}]},
     "", 2),
    ({"choices": [{"delta": {"reasoning_details": [{"type": "reasoning.text"}, 3]}}]}, "", 1),
    ({"choices": [{"delta": {"annotations": [{"type": "url_citation"}, 1, 2, 3]}}]}, "", 3),
    ({"choices": [{"delta": {"annotations": "cite"}}]}, "", 1),
    ({"choices": [{"delta": {"annotations": [None]}}]}, "", 1),
    ({"choices": [{"delta": {"refusal": ["no"]}}]}, "", 1),
    ({"choices": [{"delta": {"content": "f"}, "finish_reason": 3}]}, "f", 1),
    ({"choices": [{"delta": {"content": "f"}, "finish_reason": "stop",
                   "native_finish_reason": {"x": 1}}]}, "f", 1),
    ({"choices": [{"delta": {"content": "u"}}], "usage": "lots"}, "u", 1),
    ({"choices": [{"delta": {"content": "u"}}], "usage": [1, 2]}, "u", 1),
    ({"choices": [{"delta": {"content": "u"}}],
      "usage": {"prompt_tokens": "12", "completion_tokens": 2**70, "total_tokens": 5}}, "u", 2),
    ({"usage": {"prompt_tokens": -1, "cost": "0.1", "prompt_tokens_details": "x",
                "completion_tokens_details": {"reasoning_tokens": 1.5}}}, "", 4),
    ([1, 2], "", 1),
    ("a string", "", 1),
    (42, "", 1),
    (None, "", 1),
]


@pytest.mark.parametrize(("bad", "text", "count"), WRONG_TYPES, ids=lambda v: repr(v)[:60])
def test_wrong_types_are_skipped_counted_and_the_text_is_kept(
    bad: Any, text: str, count: int
) -> None:
    raw = (
        chunk(id="gen-1", model="m", choices=[{"delta": {"content": "Before "}}])
        + b"data: " + json.dumps(bad).encode() + b"\n\n"
        + chunk(choices=[{"delta": {"content": " after"}, "finish_reason": "stop"}])
        + b"data: [DONE]\n\n"
    )
    acc = accumulate(parse_events(raw))
    assert acc.text == f"Before {text} after"
    assert acc.invalid_chunks == count
    assert acc.malformed == 0
    assert acc.extra()["invalid_chunks"] == count
    assert (acc.finish_reason, acc.done) == ("stop", True)
    assert acc.reasoning == ""
    assert acc.tool_calls == {}


def test_usage_with_some_bad_fields_keeps_the_good_ones() -> None:
    raw = chunk(choices=[], usage={"prompt_tokens": 12, "completion_tokens": "3",
                                   "total_tokens": 2**70, "cost": 0.25})
    acc = accumulate(parse_events(raw))
    assert acc.usage is not None
    assert (acc.usage.prompt_tokens, acc.usage.completion_tokens) == (12, 0)
    assert (acc.usage.total_tokens, acc.usage.cost) == (0, 0.25)
    assert acc.invalid_chunks == 2


def test_meta_fields_of_the_wrong_type() -> None:
    raw = chunk(id=5, model=["m"], provider={"name": "P"},
                choices=[{"delta": {"content": "hi"}}])
    events = parse_events(raw)
    meta = next(e for e in events if isinstance(e, Meta))
    assert (meta.generation_id, meta.model, meta.provider) == (None, None, None)
    acc = accumulate(events)
    assert acc.invalid_chunks == 3
    assert acc.text == "hi"


@pytest.mark.parametrize(
    ("error", "count"),
    [(5, 1), (["boom"], 1), (True, 1), ("", 1), ({}, 0),
     ({"code": 1.5, "message": {"text": "x"}, "metadata": "m"}, 3),
     ({"code": [500], "message": "Upstream failed"}, 1)],
)
def test_error_of_odd_shape_is_still_terminal(error: Any, count: int) -> None:
    raw = chunk(choices=[{"delta": {"content": "Partial"}}]) + chunk(error=error)
    acc = accumulate(parse_events(raw))
    assert acc.text == "Partial"
    assert acc.error is not None
    assert acc.error.message  # never empty: the user is told something went wrong
    assert isinstance(acc.error.metadata, dict)
    assert acc.error.code is None or isinstance(acc.error.code, int | str)
    assert acc.invalid_chunks == count
    assert acc.finish_reason == "error"


def test_content_as_a_list_of_text_parts() -> None:
    raw = chunk(choices=[{"message": {"content": [{"type": "text", "text": "one "},
                                                  {"type": "image_url"},
                                                  {"type": "text", "text": "two"}]},
                          "finish_reason": "stop"}])
    acc = accumulate(parse_events(raw))
    assert acc.text == "one two"
    assert acc.invalid_chunks == 1


def test_parser_reports_where_the_bad_part_was() -> None:
    events: list[StreamEvent] = []
    ChunkParser().parse({"choices": [{"delta": {"content": 5}}]}, events)
    assert events == [Invalid("choices[0].delta.content")]


def test_stream_warning_sentence() -> None:
    assert stream_warning({}) is None
    assert stream_warning({"malformed_lines": 0, "invalid_chunks": 0}) is None
    assert stream_warning({"malformed_lines": 1}) == (
        "1 part of the stream could not be read, so this reply may be incomplete."
    )
    assert stream_warning({"malformed_lines": 1, "invalid_chunks": 1}) == (
        "2 parts of the stream could not be read, so this reply may be incomplete."
    )
    # what a damaged or hand-edited database might hold
    assert stream_warning({"malformed_lines": "3", "invalid_chunks": None}) is None


def test_stream_warning_from_the_accumulated_extra() -> None:
    raw = (chunk(choices=[{"delta": {"content": "a"}}]) + b"data: {oops\n\n"
           + chunk(choices=[{"delta": {"content": 5}}]) + chunk(choices="x"))
    extra = accumulate(parse_events(raw)).extra()
    assert (extra["malformed_lines"], extra["invalid_chunks"]) == (1, 2)
    assert stream_warning(extra) == (
        "3 parts of the stream could not be read, so this reply may be incomplete."
    )


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


def test_token_counts_up_to_2_to_the_53_are_kept_and_larger_ones_are_not() -> None:
    # 2**53 is the largest count taken as real: beyond it a number is corrupt.
    events: list[StreamEvent] = []
    ChunkParser().parse({"usage": {"prompt_tokens": 2**53, "completion_tokens": 2**53 + 1}},
                        events)
    acc = accumulate(events)
    assert acc.usage is not None
    assert acc.usage.prompt_tokens == 2**53
    assert acc.usage.completion_tokens == 0
    assert acc.invalid_chunks == 1


def test_deeply_nested_error_metadata_is_cut_and_scrubbed_not_recursed_into() -> None:
    """A hostile error chunk nesting metadata hundreds deep: the parser keeps 32 levels,
    scrubs the key everywhere it keeps, and never hits Python's recursion limit."""
    secret = "local-secret-0123456789"
    deep: Any = {"leak": secret}
    for _ in range(600):
        deep = {"next": [deep]}
    events: list[StreamEvent] = []
    ChunkParser(lambda s: s.replace(secret, "[redacted]")).parse(
        {"error": {"message": f"bad key {secret}", "metadata": {"raw": secret, "deep": deep}}},
        events,
    )
    [error] = [e for e in events if isinstance(e, MidStreamError)]
    assert error.message == "bad key [redacted]"
    assert error.metadata["raw"] == "[redacted]"
    assert secret not in json.dumps(error.metadata)
    level, depth = error.metadata["deep"], 1
    while isinstance(level, dict | list) and level:
        level = level["next"] if isinstance(level, dict) else level[0]
        depth += 1
    assert depth == 32 and level is None  # cut at the documented 32 levels, not at 600



@pytest.mark.parametrize("reason", ["", "error"])
def test_an_empty_or_error_finish_reason_finishes_nothing(reason: str) -> None:
    # "error" is reported by the error object itself; "" is no reason at all.
    events: list[StreamEvent] = []
    ChunkParser().parse({"choices": [{"delta": {"content": "x"}, "finish_reason": reason}]},
                        events)
    assert not [e for e in events if isinstance(e, Finish)]
    assert accumulate(events).finish_reason is None


def test_costs_up_to_a_billion_credits_are_kept_and_larger_ones_are_not() -> None:
    for cost, kept in ((1e9, True), (1e9 + 1, False)):
        events: list[StreamEvent] = []
        ChunkParser().parse({"usage": {"prompt_tokens": 1, "cost": cost}}, events)
        usage = accumulate(events).usage
        assert usage is not None
        assert (usage.cost == cost) is kept, cost
