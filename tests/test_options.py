"""ConversationOptions: validation, JSON round-trip, and the request body the server sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.chat import ReplyRun, begin_exchange, build_payload
from app.core.client import ChatClient
from app.core.domain import MessageStatus
from app.core.history import Store
from app.core.options import (
    ConversationOptions,
    ProviderPrefs,
    ReasoningOptions,
    StructuredOutput,
    WebSearchOptions,
    apply_cache_control,
    merge_options,
    nest_dotted,
)
from app.core.schema_check import check_instance, check_reply, schema_problems
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, text_stream

ROOT = Path(__file__).resolve().parents[1]
OPENROUTER_ONLY = ("provider", "models", "plugins", "transforms", "reasoning")

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "temp": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "unit": {"enum": ["C", "F"]},
    },
    "required": ["city", "temp"],
    "additionalProperties": False,
}


def full_options() -> ConversationOptions:
    """Every option set to a valid value."""
    return ConversationOptions(
        models=["anthropic/claude-3.5-sonnet", "meta-llama/llama-3.1-8b-instruct:free"],
        provider=ProviderPrefs(
            order=["OpenAI", "Azure"], allow_fallbacks=False, sort="price",
            data_collection="deny", zdr=True, only=["OpenAI", "Azure"], ignore=["DeepInfra"],
            quantizations=["fp8"], max_price={"prompt": 1.0, "completion": 2.0},
            require_parameters=True,
        ),
        temperature=0.7, top_p=0.9, top_k=40, frequency_penalty=0.5, presence_penalty=-0.5,
        repetition_penalty=1.1, min_p=0.05, top_a=0.2, seed=42, max_tokens=256,
        stop=["END", "\n\n"], logit_bias={"50256": -100}, logprobs=True, top_logprobs=5,
        system_prompt="Be brief.",
        reasoning=ReasoningOptions(effort="high", exclude=False, enabled=True),
        web_search=WebSearchOptions(enabled=True, max_results=3, search_prompt="Sources:",
                                    engine="exa"),
        structured=StructuredOutput(mode="json_schema", schema=SCHEMA, name="weather",
                                    strict=True),
        prompt_caching=True,
        middle_out=True,
    )


# ---- validation ------------------------------------------------------------------------


def test_defaults_are_valid_and_send_nothing() -> None:
    opts = ConversationOptions()
    assert opts.validate() == []
    assert opts.to_payload("openai/gpt-4o-mini") == {"model": "openai/gpt-4o-mini"}
    assert opts.to_dict() == {}


def test_full_options_are_valid() -> None:
    assert full_options().validate() == []


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("temperature", 2.5, "between 0 and 2"),
        ("temperature", -0.1, "between 0 and 2"),
        ("temperature", "hot", "must be a number"),
        ("top_p", 1.5, "between 0 and 1"),
        ("top_k", -1, "at least 0"),
        ("top_k", 2.5, "whole number"),
        ("frequency_penalty", 3, "between -2 and 2"),
        ("presence_penalty", -2.1, "between -2 and 2"),
        ("repetition_penalty", 2.1, "between 0 and 2"),
        ("min_p", 1.1, "between 0 and 1"),
        ("top_a", -0.5, "between 0 and 1"),
        ("seed", 1.5, "whole number"),
        ("max_tokens", 0, "at least 1"),
        ("top_logprobs", 21, "between 0 and 20"),
        ("stop", ["a", "b", "c", "d", "e"], "At most 4 stop"),
        ("stop", "END", "list of strings"),
        ("logit_bias", {"50256": 101}, "between -100 and 100"),
        ("logit_bias", {"abc": 1}, "not a token id"),
        ("models", "openai/gpt-4o", "list of model ids"),
    ],
)
def test_out_of_range_values_are_reported(field: str, value: Any, fragment: str) -> None:
    opts = ConversationOptions(**{field: value})
    problems = opts.validate()
    assert len(problems) == 1, problems
    assert fragment in problems[0]


def test_nested_values_are_validated() -> None:
    opts = ConversationOptions(
        provider=ProviderPrefs(sort="cheapest", data_collection="maybe",
                               max_price={"prompt": -1, "tokens": 1}, zdr="yes"),  # type: ignore[arg-type]
        reasoning=ReasoningOptions(effort="extreme", max_tokens=0),
        web_search=WebSearchOptions(enabled=True, max_results=0),
        structured=StructuredOutput(mode="yaml"),
        nitro=True, floor=True,
    )
    text = "\n".join(opts.validate())
    for fragment in ("Provider sort", "data collection", "max price for prompt",
                     "unknown price 'tokens'", "zdr must be on or off", "Reasoning effort",
                     "Reasoning max tokens", "Web search results", "Structured output mode",
                     ":nitro", "not both"):
        assert fragment in text, fragment


def test_json_schema_mode_needs_a_usable_schema() -> None:
    assert "needs a schema" in ConversationOptions(
        structured=StructuredOutput(mode="json_schema")).validate()[0]
    bad = ConversationOptions(structured=StructuredOutput(
        mode="json_schema", schema={"type": "thing", "properties": {"a": {"type": "strng"}}}))
    assert [p for p in bad.validate() if "unknown type" in p] and len(bad.validate()) == 2


# ---- persistence ---------------------------------------------------------------------------


def test_json_round_trip() -> None:
    opts = full_options()
    opts.online = True
    data = json.loads(json.dumps(opts.to_dict()))
    assert ConversationOptions.from_dict(data) == opts


def test_from_dict_ignores_unknown_keys_and_bad_shapes() -> None:
    opts = ConversationOptions.from_dict({
        "temperature": 0.2, "warp_drive": True,
        "provider": {"sort": "price", "future_field": 1},
        "reasoning": "not an object", "models": "x",
    })
    assert opts.temperature == 0.2
    assert opts.provider.sort == "price"
    assert opts.reasoning == ReasoningOptions()
    assert opts.models == []
    assert ConversationOptions.from_dict(None) == ConversationOptions()


def test_clone_is_deep() -> None:
    opts = full_options()
    other = opts.clone()
    assert other.provider.order is not None
    other.provider.order.append("X")
    assert opts.provider.order == ["OpenAI", "Azure"]


# ---- payload -------------------------------------------------------------------------------


def test_full_payload_fields() -> None:
    body = full_options().build("openai/gpt-4o-mini", [{"role": "user", "content": "hi"}])
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["models"] == ["openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet",
                              "meta-llama/llama-3.1-8b-instruct:free"]
    assert body["provider"] == {
        "order": ["OpenAI", "Azure"], "allow_fallbacks": False, "sort": "price",
        "data_collection": "deny", "zdr": True, "only": ["OpenAI", "Azure"],
        "ignore": ["DeepInfra"], "quantizations": ["fp8"],
        "max_price": {"prompt": 1.0, "completion": 2.0}, "require_parameters": True,
    }
    for name, value in [("temperature", 0.7), ("top_p", 0.9), ("top_k", 40),
                        ("frequency_penalty", 0.5), ("presence_penalty", -0.5),
                        ("repetition_penalty", 1.1), ("min_p", 0.05), ("top_a", 0.2),
                        ("seed", 42), ("max_tokens", 256), ("stop", ["END", "\n\n"]),
                        ("logit_bias", {"50256": -100}), ("logprobs", True),
                        ("top_logprobs", 5)]:
        assert body[name] == value, name
    assert body["reasoning"] == {"effort": "high", "exclude": False, "enabled": True}
    assert body["plugins"] == [{"id": "web", "max_results": 3, "search_prompt": "Sources:",
                                "engine": "exa"}]
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "weather", "strict": True, "schema": SCHEMA}}
    assert body["transforms"] == ["middle-out"]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_non_openrouter_endpoint_omits_openrouter_fields() -> None:
    opts = full_options()
    opts.online = opts.nitro = True
    body = opts.build("gemma", [{"role": "user", "content": "x" * 5000}], "openai")
    for name in OPENROUTER_ONLY:
        assert name not in body, name
    assert body["model"] == "gemma"  # no suffixes
    assert body["temperature"] == 0.7 and body["response_format"]["type"] == "json_schema"
    # no cache breakpoints either (content stays a plain string)
    assert all(isinstance(m["content"], str) for m in body["messages"])


def test_middle_out_off_sends_empty_transforms() -> None:
    assert ConversationOptions(middle_out=False).to_payload("m")["transforms"] == []
    assert "transforms" not in ConversationOptions().to_payload("m")


def test_json_object_mode() -> None:
    body = ConversationOptions(structured=StructuredOutput(mode="json_object")).to_payload("m")
    assert body["response_format"] == {"type": "json_object"}


def test_web_search_without_settings_is_just_the_plugin() -> None:
    body = ConversationOptions(web_search=WebSearchOptions(enabled=True)).to_payload("m")
    assert body["plugins"] == [{"id": "web"}]


@pytest.mark.parametrize(
    ("toggles", "model", "expected"),
    [
        ({"online": True}, "openai/gpt-4o", "openai/gpt-4o:online"),
        ({"nitro": True}, "openai/gpt-4o", "openai/gpt-4o:nitro"),
        ({"floor": True}, "openai/gpt-4o", "openai/gpt-4o:floor"),
        ({"free": True}, "meta-llama/llama-3.1-8b-instruct",
         "meta-llama/llama-3.1-8b-instruct:free"),
        ({"free": True, "online": True}, "m/x", "m/x:free:online"),
        ({"online": True}, "openai/gpt-4o:online", "openai/gpt-4o:online"),
    ],
)
def test_model_suffix_toggles(toggles: dict[str, bool], model: str, expected: str) -> None:
    opts = ConversationOptions(**toggles)  # type: ignore[arg-type]
    assert opts.to_payload(model)["model"] == expected
    assert opts.to_payload(model, "openai")["model"] == model


def test_unsupported_parameters() -> None:
    supported = ["max_tokens", "temperature", "top_p", "top_k", "stop", "tools"]
    opts = ConversationOptions(temperature=0.5, seed=1, logprobs=True,
                               reasoning=ReasoningOptions(effort="low"),
                               structured=StructuredOutput(mode="json_schema", schema=SCHEMA))
    assert opts.unsupported(supported) == ["seed", "logprobs", "structured_outputs", "reasoning"]
    assert opts.unsupported([]) == []  # the endpoint did not say
    assert opts.unsupported([*supported, "seed", "logprobs", "structured_outputs",
                             "reasoning"]) == []


def test_system_prompt_is_not_added_twice() -> None:
    opts = ConversationOptions(system_prompt="Be brief.")
    history = [{"role": "system", "content": "Stored."}, {"role": "user", "content": "hi"}]
    assert opts.prepare_messages(history, "m") == history


# ---- cache_control -------------------------------------------------------------------------


def _breakpoints(messages: list[dict[str, Any]]) -> list[int]:
    out = []
    for i, m in enumerate(messages):
        if isinstance(m["content"], list) and any("cache_control" in p for p in m["content"]):
            out.append(i)
    return out


def test_cache_control_on_system_and_long_user_content_at_most_four() -> None:
    long = "lorem ipsum " * 500  # 6000 chars
    messages = [{"role": "system", "content": "You are helpful."}]
    for i in range(6):
        messages.append({"role": "user", "content": f"{i} {long}"})
        messages.append({"role": "assistant", "content": "ok"})
    messages.append({"role": "user", "content": "short question"})
    original = json.loads(json.dumps(messages))
    out = apply_cache_control(messages, "anthropic/claude-3.5-sonnet")
    assert messages == original  # the input is untouched
    points = _breakpoints(out)
    assert len(points) == 4
    assert points[0] == 0  # the system prompt
    assert points[1:] == [7, 9, 11]  # the latest long user messages
    part = out[0]["content"][0]
    assert part == {"type": "text", "text": "You are helpful.",
                    "cache_control": {"type": "ephemeral"}}
    assert out[-1]["content"] == "short question"


def test_cache_control_for_gemini_and_content_parts() -> None:
    messages = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "text", "text": "x" * 5000},
    ]}]
    out = apply_cache_control(messages, "google/gemini-2.5-pro")
    assert out[0]["content"][1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in out[0]["content"][0]
    assert "cache_control" not in messages[0]["content"][1]


@pytest.mark.parametrize("model", ["openai/gpt-4o", "deepseek/deepseek-chat", "gemma"])
def test_cache_control_is_automatic_elsewhere(model: str) -> None:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "y" * 9000}]
    assert apply_cache_control(messages, model) is messages


def test_prompt_caching_option_drives_breakpoints() -> None:
    msgs = [{"role": "user", "content": "z" * 5000}]
    on = ConversationOptions(prompt_caching=True)
    assert _breakpoints(on.build("anthropic/claude-3.5-sonnet", msgs)["messages"]) == [0]
    assert _breakpoints(ConversationOptions().build("anthropic/claude-3.5-sonnet", msgs)
                        ["messages"]) == []


# ---- raw options ---------------------------------------------------------------------------


def test_nest_dotted_and_merge() -> None:
    nested = nest_dotted({"reasoning.effort": "high", "provider.sort": "price",
                          "provider.max_price.prompt": 1, "temperature": 0.1})
    assert nested == {"reasoning": {"effort": "high"},
                      "provider": {"sort": "price", "max_price": {"prompt": 1}},
                      "temperature": 0.1}
    body = {"provider": {"order": ["A"]}, "temperature": 0.5}
    merge_options(body, nested)
    assert body["provider"] == {"order": ["A"], "sort": "price", "max_price": {"prompt": 1}}
    assert body["temperature"] == 0.1


def test_build_payload_merges_raw_options_last() -> None:
    from app.core.domain import Message, Role

    msgs = [Message(id=1, conversation_id=1, role=Role.USER, content="hi")]
    opts = ConversationOptions(temperature=0.5, provider=ProviderPrefs(order=["A"]))
    body = build_payload("m", msgs, {"temperature": 1.0, "provider": {"sort": "price"}}, opts)
    assert body["temperature"] == 1.0
    assert body["provider"] == {"order": ["A"], "sort": "price"}
    assert body["stream_options"] == {"include_usage": True}


# ---- what the server receives --------------------------------------------------------------


def _send(fake: FakeOpenRouter, store: Store, opts: ConversationOptions | None,
          kind: str = "openrouter", options: dict[str, Any] | None = None) -> dict[str, Any]:
    fake.enqueue(text_stream("ok"))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Hello?", model="openai/gpt-4o-mini", options=options,
                        conversation_options=opts, endpoint_kind=kind)

    async def go() -> None:
        client = ChatClient(fake.base_url, "k", kind=kind)
        try:
            await ReplyRun(store, client, ex.reply, ex.payload).run()
        finally:
            await client.aclose()

    aio.run(go())
    assert store.get_message(ex.reply.id).status is MessageStatus.COMPLETE  # type: ignore[union-attr]
    body: dict[str, Any] = fake.requests[-1].json()
    return body


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def test_server_sees_every_option(fake: FakeOpenRouter, store: Store) -> None:
    opts = full_options()
    body = _send(fake, store, opts)
    expected = opts.build("openai/gpt-4o-mini", [{"role": "user", "content": "Hello?"}])
    for key, value in expected.items():
        assert body[key] == value, key
    assert body["stream"] is True


def test_server_sees_only_what_is_set(fake: FakeOpenRouter, store: Store) -> None:
    body = _send(fake, store, ConversationOptions(temperature=0.3))
    assert set(body) == {"model", "messages", "temperature", "stream", "stream_options"}


def test_server_on_openai_endpoint_gets_no_openrouter_fields(
    fake: FakeOpenRouter, store: Store
) -> None:
    body = _send(fake, store, full_options(), kind="openai")
    for name in OPENROUTER_ONLY:
        assert name not in body
    assert body["stream_options"] == {"include_usage": True}


# ---- JSON schema checking ------------------------------------------------------------------


def test_schema_checker_common_subset() -> None:
    assert check_instance({"city": "Oslo", "temp": 3.5, "tags": ["a"], "unit": "C"},
                          SCHEMA) == []
    problems = check_instance({"city": 5, "tags": ["a", 1], "unit": "K", "x": 1}, SCHEMA)
    text = "\n".join(problems)
    assert "$.city: expected string, got number" in text
    assert "missing required property 'temp'" in text
    assert "$.tags[1]: expected string" in text
    assert "$.unit" in text and "not one of" in text
    assert "unexpected property 'x'" in text
    assert check_instance(True, {"type": "integer"}) == ["$: expected integer, got boolean"]
    assert check_instance(3, {"type": ["integer", "null"]}) == []
    ref = {"$defs": {"p": {"type": "object", "required": ["n"]}},
           "type": "array", "items": {"$ref": "#/$defs/p"}}
    assert check_instance([{"n": 1}, {}], ref) == ["$[1]: missing required property 'n'"]
    assert schema_problems(SCHEMA) == []


def test_check_reply() -> None:
    assert check_reply('{"city": "Oslo", "temp": 1}', SCHEMA) == []
    assert check_reply('```json\n{"city": "Oslo", "temp": 1}\n```', SCHEMA) == []
    assert "not valid JSON" in check_reply("Sure! Here it is", SCHEMA)[0]


# ---- CLI -----------------------------------------------------------------------------------


def parley(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=30)


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(PARLEY_HOME=str(isolated_home), OPENROUTER_BASE_URL=fake.base_url,
             OPENROUTER_API_KEY="test-key",
             PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    e.pop("QT_QPA_PLATFORM", None)
    return e


def test_cli_dotted_options_and_flags(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.enqueue(text_stream("fine"))
    proc = parley("ask", "hi", "-m", "openai/gpt-4o-mini",
                  "-o", "reasoning.effort=high", "-o", "provider.sort=price",
                  "-o", "provider.order=[\"OpenAI\"]", "-o", "temperature=0.2",
                  "--web", "--fallback", "anthropic/claude-3.5-sonnet", "--fallback", "x/y",
                  env=env)
    assert proc.returncode == 0, proc.stderr
    body = fake.requests[-1].json()
    assert body["reasoning"] == {"effort": "high"}
    assert body["provider"] == {"sort": "price", "order": ["OpenAI"]}
    assert body["temperature"] == 0.2
    assert body["plugins"] == [{"id": "web"}]
    assert body["models"] == ["openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet", "x/y"]


def test_cli_reasoning_flag(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.enqueue(text_stream("fine"))
    proc = parley("ask", "hi", "--reasoning", "low", env=env)
    assert proc.returncode == 0, proc.stderr
    body = fake.requests[-1].json()
    assert body["reasoning"] == {"effort": "low"}
    assert "plugins" not in body and "models" not in body


def test_cli_json_schema_checks_the_reply(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: Path
) -> None:
    schema_file = tmp_path / "weather.json"
    schema_file.write_text(json.dumps(SCHEMA))
    fake.enqueue(text_stream('{"city": "Oslo"}'))
    proc = parley("ask", "weather?", "--json-schema", str(schema_file), env=env)
    assert proc.returncode == 0
    assert proc.stdout == '{"city": "Oslo"}\n'
    assert "does not match the JSON schema" in proc.stderr
    assert "missing required property 'temp'" in proc.stderr
    body = fake.requests[-1].json()
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "weather", "schema": SCHEMA}}

    fake.enqueue(text_stream('{"city": "Oslo", "temp": 2}'))
    proc = parley("ask", "weather?", "--json-schema", str(schema_file), env=env)
    assert proc.returncode == 0 and "does not match" not in proc.stderr


def test_cli_rejects_bad_schema_file(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    proc = parley("ask", "x", "--json-schema", str(bad), env=env)
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    weird = tmp_path / "weird.json"
    weird.write_text(json.dumps({"type": "thing"}))
    proc = parley("ask", "x", "--json-schema", str(weird), env=env)
    assert proc.returncode == 2 and "unknown type 'thing'" in proc.stderr
    proc = parley("ask", "x", "--json-schema", str(tmp_path / "missing.json"), env=env)
    assert proc.returncode == 2 and "could not read" in proc.stderr
    assert fake.requests == []
