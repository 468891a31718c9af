"""The fake OpenRouter server itself: real HTTP behaviour checked with httpx."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fake_openrouter import (
    FIXTURES_DIR,
    FakeOpenRouter,
    cut_stream,
    done_then_hold,
    error_status,
    html_error,
    json_body,
    many_chunks,
    midstream_error,
    redirect,
    refuse_connection_port,
    replay,
    scenario,
    sse_events,
    stall,
    text_stream,
)

REPO = Path(__file__).resolve().parents[1]
STREAM_ERROR = "pydantic-ai__test_openrouter_stream_error__0"
# Fails under CI=true when the fixtures are missing (see conftest.recorded_fixtures).
needs_fixtures = pytest.mark.usefixtures("recorded_fixtures")


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeOpenRouter]:
    # One server for the module keeps the file fast; `server` resets it for every test.
    with FakeOpenRouter() as srv:
        yield srv


@pytest.fixture
def server(_server: FakeOpenRouter) -> FakeOpenRouter:
    _server.reset()
    return _server


@pytest.fixture
def client(server: FakeOpenRouter) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sk-or-test"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=5) as c:
        yield c


def data_events(body: bytes) -> list[Any]:
    """The `data:` payloads of an SSE body (JSON decoded; "[DONE]" kept as a string)."""
    out: list[Any] = []
    for line in body.decode().splitlines():
        if line.startswith("data: "):
            payload = line[len("data: ") :]
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def content_of(events: list[Any]) -> str:
    return "".join(
        e["choices"][0]["delta"].get("content") or ""
        for e in events
        if isinstance(e, dict) and e.get("choices")
    )


CHAT = {
    "model": "openai/gpt-4o-mini",
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}


def test_default_stream_is_realistic_and_request_recorded(
    server: FakeOpenRouter, client: httpx.Client
) -> None:
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    assert r.headers["transfer-encoding"] == "chunked"
    assert r.content.startswith(b": OPENROUTER PROCESSING\n\n")
    assert r.content.endswith(b"data: [DONE]\n\n")
    events = data_events(r.content)
    assert content_of(events) == "Hello from the fake server."
    chunk = events[1]
    assert chunk["object"] == "chat.completion.chunk"
    assert chunk["id"] == "gen-fake-1"
    assert chunk["provider"] == "OpenAI"
    assert {"finish_reason", "native_finish_reason"} <= set(chunk["choices"][0])
    usage = events[-2]["usage"]
    assert usage["cost"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

    server.wait_for_requests(1, timeout=1)
    req = server.requests[0]
    assert (req.method, req.path) == ("POST", "/api/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer sk-or-test"
    assert req.json() == CHAT


@pytest.mark.parametrize("shape", ["empty_choices", "null_finish", "repeat_stop"])
def test_usage_shapes(server: FakeOpenRouter, client: httpx.Client, shape: str) -> None:
    server.enqueue(text_stream("a b", usage_shape=shape))  # type: ignore[arg-type]
    events = data_events(client.post("/chat/completions", json=CHAT).content)
    last = events[-2]
    assert "usage" in last
    expected = {"empty_choices": None, "null_finish": None, "repeat_stop": "stop"}[shape]
    if shape == "empty_choices":
        assert last["choices"] == []
    else:
        assert last["choices"][0]["finish_reason"] == expected


def test_text_stream_options(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(text_stream("abcdef", chunks=3, usage=None, done=False, comments=0))
    r = client.post("/chat/completions", json=CHAT)
    events = data_events(r.content)
    assert not r.content.startswith(b":")
    assert "[DONE]" not in events
    assert all("usage" not in e for e in events)
    assert [e["choices"][0]["delta"]["content"] for e in events[1:4]] == ["ab", "cd", "ef"]


def test_queue_is_fifo_then_default(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(text_stream("one"), text_stream("two"))
    got = [
        content_of(data_events(client.post("/chat/completions", json=CHAT).content))
        for _ in range(3)
    ]
    assert got == ["one", "two", "Hello from the fake server."]
    server.set_default(text_stream("new default"))
    assert content_of(data_events(client.post("/chat/completions", json=CHAT).content)) == (
        "new default"
    )


def test_non_streamed_request_gets_a_completion(client: httpx.Client) -> None:
    r = client.post("/chat/completions", json={**CHAT, "stream": False})
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "Hello from the fake server."


def test_crlf_and_raw_events(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(sse_events([{"a": 1}, ": comment\n\n", b"data: {bad json\n\n"], crlf=True))
    r = client.post("/chat/completions", json=CHAT)
    assert r.content == (
        b'data: {"a":1}\r\n\r\n: comment\r\n\r\ndata: {bad json\n\ndata: [DONE]\r\n\r\n'
    )


def test_error_status_429_with_retry_after(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(error_status(429, headers={"Retry-After": "3"}))
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "3"
    err = r.json()["error"]
    assert err["code"] == 429
    assert "raw" in err["metadata"]


def test_error_status_403_and_custom_bodies(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(error_status(403), error_status(500, "oops", content_type="text/plain"))
    meta = client.post("/chat/completions", json=CHAT).json()["error"]["metadata"]
    assert {"reasons", "flagged_input", "provider_name", "model_slug"} <= set(meta)
    r = client.post("/chat/completions", json=CHAT)
    assert (r.status_code, r.text, r.headers["content-type"]) == (500, "oops", "text/plain")


def test_html_error_and_json_body(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(
        html_error(), json_body({"error": {"code": 402, "message": "x"}, "user_id": "u"})
    )
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in r.text
    r = client.post("/chat/completions", json=CHAT)
    assert (r.status_code, r.json()["user_id"]) == (200, "u")


def test_cut_stream_raises_on_read(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(cut_stream("Partial answer"))
    received: list[bytes] = []

    def read_all() -> None:
        with client.stream("POST", "/chat/completions", json=CHAT) as r:
            received.extend(r.iter_bytes())

    with pytest.raises(httpx.RemoteProtocolError):
        read_all()
    body = b"".join(received)
    assert content_of(data_events(body)) == "Partial answer"
    assert b"[DONE]" not in body
    # The pool drops the dead connection; the next request just works.
    assert client.post("/chat/completions", json=CHAT).status_code == 200


def test_done_then_hold_keeps_the_connection_open_after_done(server: FakeOpenRouter) -> None:
    server.enqueue(done_then_hold("All of it", seconds=30))
    received: list[bytes] = []
    with (
        httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(5, read=0.5)) as c,
        pytest.raises(httpx.ReadTimeout),
        c.stream("POST", "/chat/completions", json=CHAT) as r,
    ):
        received.extend(r.iter_bytes())
    events = data_events(b"".join(received))
    assert content_of(events) == "All of it"
    assert events[-1] == "[DONE]"


def test_redirect_response(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(redirect("https://elsewhere.example/api/v1/chat/completions", 308))
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 308
    assert r.headers["location"] == "https://elsewhere.example/api/v1/chat/completions"


@pytest.mark.parametrize(
    "shape", ["numeric_code", "string_code", "empty_choices", "with_usage_null_finish", "no_done"]
)
def test_midstream_error_shapes(server: FakeOpenRouter, client: httpx.Client, shape: str) -> None:
    server.enqueue(midstream_error(shape))  # type: ignore[arg-type]
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 200
    events = data_events(r.content)
    assert content_of(events).startswith("Partial text ")
    errors = [e for e in events if isinstance(e, dict) and "error" in e]
    assert len(errors) == 1
    assert ("[DONE]" in events) == (shape != "no_done")
    if shape == "with_usage_null_finish":
        assert "usage" in errors[0]
        assert errors[0]["choices"][0]["finish_reason"] is None


def test_client_leaving_a_stall_is_seen_at_once(server: FakeOpenRouter) -> None:
    server.enqueue(stall("Partial", seconds=30))
    with httpx.Client(base_url=server.base_url, timeout=5) as c:
        with c.stream("POST", "/chat/completions", json=CHAT) as r:
            for chunk in r.iter_bytes():
                if b"Partial" in chunk:
                    # Taken before `break`: abandoning the iterator already makes httpcore
                    # close the connection, before the `with` block exits.
                    closed_at = time.perf_counter()
                    break
        gone = server.wait_for_disconnect(timeout=2)
    assert gone.path == "/api/v1/chat/completions"
    assert gone.chunks_sent == 2  # the role chunk and "Partial"
    assert gone.at >= closed_at
    assert server.disconnects == [gone]
    with pytest.raises(TimeoutError):
        server.wait_for_disconnect(timeout=0.05)  # each disconnect is handed out once


def test_keep_alive_serves_several_requests_per_connection(
    server: FakeOpenRouter, client: httpx.Client
) -> None:
    server.enqueue(text_stream("first"), error_status(400))
    assert content_of(data_events(client.post("/chat/completions", json=CHAT).content)) == "first"
    assert client.post("/chat/completions", json=CHAT).status_code == 400
    assert client.get("/models").status_code == 200
    conns = {r.connection for r in server.requests}
    assert len(server.requests) == 3
    assert len(conns) == 1
    assert server.disconnects == []


def test_many_chunks_can_be_read_fully(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(many_chunks(50_000))
    body = client.post("/chat/completions", json=CHAT).content
    assert body.count(b'"content":"tok "') == 50_000
    assert body.endswith(b"data: [DONE]\n\n")


@needs_fixtures
def test_replay_streams_the_recorded_bytes(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(replay(STREAM_ERROR))
    r = client.post("/chat/completions", json=CHAT)
    recorded = (FIXTURES_DIR / "recorded" / f"{STREAM_ERROR}.response.sse").read_bytes()
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    assert r.content == recorded


@needs_fixtures
def test_replay_json_uses_recorded_status(server: FakeOpenRouter, client: httpx.Client) -> None:
    server.enqueue(replay("pydantic-ai__test_openrouter_errors_raised__0"))
    r = client.post("/chat/completions", json=CHAT)
    assert r.status_code == 429
    assert r.json()["error"]["metadata"]["provider_name"] == "Google"


def test_get_endpoints(server: FakeOpenRouter, client: httpx.Client) -> None:
    ids = {m["id"] for m in client.get("/models").json()["data"]}
    assert {
        "openai/gpt-4o-mini",
        "anthropic/claude-3.5-sonnet",
        "meta-llama/llama-3.1-8b-instruct:free",
    } <= ids
    key = client.get("/key").json()["data"]
    assert {"label", "limit", "limit_remaining", "usage", "is_free_tier"} <= set(key)
    gen = client.get("/generation", params={"id": "gen-42"}).json()["data"]
    assert gen["id"] == "gen-42"
    assert "total_credits" in client.get("/credits").json()["data"]
    missing = client.get("/nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, 404)


def test_key_auth_and_overrides(server: FakeOpenRouter, client: httpx.Client) -> None:
    url = f"{server.base_url}/key"
    assert httpx.get(url).status_code == 401
    bad = httpx.get(url, headers={"Authorization": "Bearer bad-key"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (401, 401)
    server.key_response = error_status(500)
    assert client.get("/key").status_code == 500
    server.models = [{"id": "only/one"}]
    assert client.get("/models").json() == {"data": [{"id": "only/one"}]}
    server.reset()
    assert client.get("/key").status_code == 200


def test_refused_port() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{refuse_connection_port()}/api/v1/models", timeout=2)


def test_scenarios_resolve() -> None:
    for name in [
        "normal",
        "slow",
        "stall",
        "cut",
        "done-hold",
        "error-401",
        "error-429",
        "html",
        "midstream-error",
        "big",
        "many-chunks",
    ]:
        assert scenario(name).status in (200, 401, 429, 502)
    with pytest.raises(ValueError):
        scenario("nonsense")


def test_standalone_mode_serves_the_scenario() -> None:
    cmd = [sys.executable, "-m", "tests.fake_openrouter", "--port", "0", "--scenario", "error-429"]
    with subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            base_url = proc.stdout.readline().strip()  # the first line is the base URL
            assert base_url.startswith("http://127.0.0.1:")
            r = httpx.post(f"{base_url}/chat/completions", json=CHAT, timeout=5)
            assert r.status_code == 429
        finally:
            proc.terminate()
            proc.wait(timeout=5)
