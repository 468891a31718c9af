"""A seeded fuzzer for the stream path: SSE framing, chunk parsing and the client's reads.

Every case builds a stream from valid chunks, chunks with wrong JSON types, data lines that
are not JSON, comments and ignored fields, with LF, CRLF and lone-CR line ends mixed, and
feeds it to `ChatClient` through `httpx.MockTransport`, cut into reads at random bytes (and
one case at every byte). The properties: nothing raises, the text of every valid chunk is
kept in order, and the bad parts are counted exactly. The seeds are fixed, so a failure
always reproduces; its seed is in the test id.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.core.client import ChatClient
from app.core.events import ReplyAccumulator, StreamEvent
from tests import aio

CASES = 200
TEXTS = ["Hello", " world", "\n\n## Title\n", " ünïcödé ✓", " data: not a field", "\r\n",
         " {\"json\": [1]}", " : colon", "\u2028", " [DONE]", "x" * 300, " "]
NEWLINES = [b"\n", b"\r\n", b"\r"]


@dataclass
class Stream:
    """The bytes of one fuzzed stream and what a correct reader makes of them."""

    raw: bytes = b""
    text: list[str] = field(default_factory=list)
    malformed: int = 0
    invalid: int = 0


def _mutations(text: str) -> list[tuple[Any, str, int]]:
    """Chunks with one part of the wrong type: (chunk, text still carried, bad parts)."""

    def delta(**kw: Any) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": kw}]}

    wrong = [5, 1.5, True, {"a": 1}, "str", [1]]
    out: list[tuple[Any, str, int]] = [
        ({"choices": "abc"}, "", 1),
        ({"choices": [None]}, "", 1),
        ({"choices": [7, {"delta": {"content": "ignored second choice"}}]}, "", 1),
        ({"choices": [{"delta": []}]}, "", 1),
        ({"choices": [{"delta": 3}]}, "", 1),
        ([1, 2, 3], "", 1),
        ("just a string", "", 1),
        (None, "", 1),
        (12, "", 1),
        (delta(content=text, tool_calls="x"), text, 1),
        (delta(content=text, tool_calls=[1, None]), text, 2),
        (delta(tool_calls=[{"index": "0", "function": {"name": "f"}}]), "", 1),
        (delta(tool_calls=[{"index": 0, "function": "f"}]), "", 1),
        (delta(content=text, reasoning_details={"type": "x"}), text, 1),
        (delta(content=text, annotations=[None, "a"]), text, 2),
        (delta(content=text, refusal=False), text, 1),
        ({**delta(content=text), "usage": "lots"}, text, 1),
        ({**delta(content=text), "usage": {"prompt_tokens": "1", "total_tokens": 2**70}},
         text, 2),
        ({"choices": [{"delta": {"content": text}, "finish_reason": ["stop"]}]}, text, 1),
    ]
    for value in wrong:
        if not isinstance(value, str | list):  # a list of parts is a valid content shape
            out.append((delta(content=value), "", 1))
        if not isinstance(value, str):
            out.append((delta(content=text, reasoning=value), text, 1))
    return out


def _garbage_data(rng: random.Random) -> bytes:
    """A data payload that is never JSON (and never [DONE])."""
    letters = bytes(rng.choice(b"abcxyz{}[]:,\" ") for _ in range(rng.randrange(0, 20)))
    return rng.choice([
        b"{" + letters.replace(b'"', b""),
        b"<html>" + letters,
        b"\xff\xfe" + letters,  # not UTF-8
        b"",
        b"[DONE]" + b"x" + letters,
        b"{\"choices\": [",
    ])


def build(seed: int) -> Stream:
    """Stream number `seed`: always the same bytes for the same seed."""
    rng = random.Random(seed)
    s = Stream()
    out: list[bytes] = []

    def nl() -> bytes:
        return rng.choice(NEWLINES)

    def event(*data_lines: bytes) -> None:
        line_end = nl()
        out.append(b"".join(b"data: " + d + line_end for d in data_lines) + line_end)

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode()

    event(dumps({"id": "gen-fuzz", "model": "m", "provider": "P",
                 "choices": [{"delta": {"role": "assistant", "content": ""}}]}))
    for _ in range(rng.randrange(3, 40)):
        kind = rng.random()
        text = rng.choice(TEXTS)
        if kind < 0.35:
            event(dumps({"choices": [{"delta": {"content": text}}]}))
            s.text.append(text)
        elif kind < 0.45:
            # one JSON object over two data lines: joined with "\n", still valid JSON
            obj = dumps({"choices": [{"delta": {"content": text}}]})
            cut = obj.index(b"[")
            event(obj[:cut], obj[cut:])
            s.text.append(text)
        elif kind < 0.5:
            event(dumps({"choices": [{"delta": {"reasoning": text}}]}))
        elif kind < 0.7:
            bad, kept, count = rng.choice(_mutations(text))
            event(dumps(bad))
            s.text.append(kept)
            s.invalid += count
        elif kind < 0.82:
            event(_garbage_data(rng))
            s.malformed += 1
        elif kind < 0.92:
            out.append(b": OPENROUTER PROCESSING" + nl() + nl())
        else:
            # fields chat streams do not use, in an event of their own
            end = nl()
            out.append(rng.choice([b"event: ping", b"id: 7", b"retry: 10", b"noise"]) + end + end)
    event(dumps({"choices": [{"delta": {}, "finish_reason": "stop"}]}))
    event(b"[DONE]")
    s.raw = b"".join(out)
    return s


def splits(raw: bytes, rng: random.Random, every_byte: bool) -> list[bytes]:
    if every_byte:
        return [raw[i : i + 1] for i in range(len(raw))]
    cuts = sorted(rng.sample(range(1, len(raw)), k=min(len(raw) - 1, rng.randrange(0, 30))))
    bounds = [0, *cuts, len(raw)]
    return [raw[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


class _Reads(httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece


def run_cases(seeds: list[int]) -> list[tuple[int, Stream, ReplyAccumulator]]:
    """Stream every seed's bytes through one `ChatClient`; the accumulated reply of each."""
    results: list[tuple[int, Stream, ReplyAccumulator]] = []
    current: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              stream=_Reads(current))

    async def go() -> None:
        client = ChatClient("http://fuzz.test/api/v1", "sk-or-v1-test-0000",
                            transport=httpx.MockTransport(handler))
        try:
            for seed in seeds:
                stream = build(seed)
                rng = random.Random(seed * 7919)
                current[:] = splits(stream.raw, rng, every_byte=seed % 50 == 0)
                acc = ReplyAccumulator()

                def fold(events: list[StreamEvent], acc: ReplyAccumulator = acc) -> None:
                    for e in events:
                        acc.apply(e)

                await client.stream_chat({"model": "m", "messages": []}, fold)
                results.append((seed, stream, acc))
        finally:
            await client.aclose()

    aio.run(go())
    return results


@pytest.fixture(scope="module")
def fuzzed() -> dict[int, tuple[Stream, ReplyAccumulator]]:
    return {seed: (stream, acc) for seed, stream, acc in run_cases(list(range(CASES)))}


@pytest.mark.parametrize("block", range(10), ids=lambda b: f"seeds{b * 20}-{b * 20 + 19}")
def test_fuzzed_streams(fuzzed: dict[int, tuple[Stream, ReplyAccumulator]], block: int) -> None:
    for seed in range(block * 20, block * 20 + 20):
        stream, acc = fuzzed[seed]
        where = f"seed {seed}"
        assert acc.text == "".join(stream.text), where
        assert acc.malformed == stream.malformed, where
        assert acc.invalid_chunks == stream.invalid, where
        assert (acc.done, acc.finish_reason, acc.error) == (True, "stop", None), where
        assert acc.generation_id == "gen-fuzz", where


def test_the_fuzzer_covers_what_it_claims() -> None:
    streams = [build(seed) for seed in range(CASES)]
    raw = b"".join(s.raw for s in streams)
    assert b"\r\n" in raw and b"\r\r" in raw and b"\n\n" in raw
    assert sum(s.malformed for s in streams) > 100
    assert sum(s.invalid for s in streams) > 100
    assert all(s.text for s in streams[:20])


def test_fuzz_cases_are_deterministic() -> None:
    assert build(123).raw == build(123).raw
    assert build(123).raw != build(124).raw
