"""Tool specs, names, result text and in-process tools (no network, no server)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.core.tools.mcp import result_from_sdk
from app.core.tools.registry import (
    TOOL_NAME_RE,
    ToolRegistry,
    ToolResult,
    ToolSpec,
    cap_text,
    finish_result,
    namespaced_name,
    openai_tools,
    sanitize_name,
    schema_from_signature,
    value_to_text,
)
from tests import aio


@pytest.mark.parametrize("raw", ["read file", "a.b/c", "ünïcode", "", "x" * 200, "ok_name-1"])
def test_sanitized_names_match_the_api_pattern(raw: str) -> None:
    assert TOOL_NAME_RE.match(sanitize_name(raw))


def test_namespaced_names_are_unique_and_valid() -> None:
    taken: set[str] = set()
    first = namespaced_name("files", "read", taken)
    second = namespaced_name("files", "read", taken)
    long = namespaced_name("s" * 40, "t" * 40, taken)
    assert first == "files__read" and second == "files__read_2"
    assert all(TOOL_NAME_RE.match(n) for n in (first, second, long))
    assert namespaced_name("my server", "do.it", taken) == "my_server__do_it"
    assert namespaced_name(None, "plain", taken) == "plain"


def test_cap_text_adds_a_note() -> None:
    text, cut = cap_text("a" * 50, 10)
    assert cut and text.startswith("a" * 10) and "50 characters" in text
    assert cap_text("short", 10) == ("short", False)


def test_value_to_text() -> None:
    assert value_to_text(None) == ""
    assert value_to_text("x") == "x"
    assert value_to_text({"a": [1, 2]}) == '{"a": [1, 2]}'
    assert value_to_text(b"\x00" * 5) == "[binary data, 5 bytes, not shown]"
    assert value_to_text({"o": object()}).startswith('{"o": "<object')


def test_finish_result_repairs_invalid_text() -> None:
    result = finish_result(ToolResult("bad \ud800 surrogate"))
    result.text.encode("utf-8")  # no error
    assert result.original_chars == len(result.text)


def test_schema_and_openai_format() -> None:
    def f(city: str, days: int = 3, *rest: Any, **kw: Any) -> None:
        """Weather."""

    schema = schema_from_signature(f)
    assert schema == {"type": "object", "properties": {"city": {"type": "string"},
                                                       "days": {"type": "integer"}},
                      "required": ["city"]}
    spec = ToolSpec("weather", "Weather.", schema)
    assert openai_tools([spec]) == [{"type": "function", "function": {
        "name": "weather", "parameters": schema, "description": "Weather."}}]


def test_python_tools_sync_async_and_failing() -> None:
    registry = ToolRegistry()

    def mul(a: int, b: int) -> int:
        """Multiply."""
        return a * b

    async def later(text: str) -> str:
        await asyncio.sleep(0)
        return text.upper()

    def broken() -> None:
        raise KeyError("missing")

    specs = [registry.register(f) for f in (mul, later, broken)]
    assert [s.name for s in registry.python_tools()] == ["mul", "later", "broken"]
    assert specs[0].description == "Multiply."
    with pytest.raises(ValueError, match="already registered"):
        registry.register(mul)

    async def go() -> list[ToolResult]:
        return [
            await registry.call(specs[0], {"a": 6, "b": 7}),
            await registry.call(specs[1], {"text": "hi"}),
            await registry.call(specs[2], {}),
            await registry.call(specs[0], {"nope": 1}),
            await registry.call(ToolSpec("ghost", "", {}), {}),
            await registry.call(ToolSpec("x", "", {}, server="srv"), {}),
        ]

    results = aio.run(go())
    assert [r.text for r in results[:2]] == ["42", "HI"]
    assert all(r.is_error for r in results[2:])
    assert results[2].text == "Error: KeyError: 'missing'"
    assert "TypeError" in results[3].text
    assert "no MCP servers" in results[5].text
    specs_listed, problems = aio.run(registry.available())
    assert len(specs_listed) == 3 and problems == {}
    assert registry.resolve("mul") == specs[0]


class _Fake:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def model_dump(self, **_: Any) -> dict[str, Any]:
        return self.data


def test_mcp_results_become_text() -> None:
    ok = result_from_sdk(_Fake({"content": [
        {"type": "text", "text": "line one"},
        {"type": "image", "data": "AAAA", "mimeType": "image/png"},
        {"type": "resource", "resource": {"uri": "file:///a", "text": "embedded"}},
        {"type": "resource", "resource": {"uri": "file:///b", "blob": "AA", "mimeType": "x/y"}},
        {"type": "resource_link", "uri": "file:///c", "name": "c"},
    ]}))
    assert not ok.is_error
    assert ok.text.splitlines() == [
        "line one", "[image (image/png), about 3 bytes, not shown]", "embedded",
        "[binary resource file:///b (x/y)]", "[resource link: file:///c c]"]
    failed = result_from_sdk(_Fake({"content": [{"type": "text", "text": "boom"}],
                                    "isError": True}))
    assert failed.is_error and failed.text == "Error: boom"
    silent = result_from_sdk(_Fake({"content": [], "isError": True}))
    assert silent.is_error and "without details" in silent.text
    structured = result_from_sdk(_Fake({"content": [], "structuredContent": {"n": 1}}))
    assert structured.text == '{"n": 1}' and structured.details == {"structuredContent": {"n": 1}}
    assert result_from_sdk(_Fake(["not", "a", "dict"])).is_error  # type: ignore[arg-type]
