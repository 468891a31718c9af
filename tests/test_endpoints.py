"""Several endpoints: settings, a key per endpoint, per-endpoint clients, attribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.chat import ReplyRun, begin_exchange
from app.core.config import Settings
from app.core.context import AppContext
from app.core.endpoints import (
    Endpoint,
    default_endpoint,
    find_endpoint,
    guess_kind,
    key_store,
    list_endpoints,
    make_client,
    remove_endpoint,
    save_endpoint,
)
from app.core.errors import ConfigError
from app.core.history import Store
from app.core.secrets import KeyStore
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, text_stream


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def test_default_is_one_openrouter_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert list_endpoints(settings) == [
        Endpoint("openrouter", "https://openrouter.ai/api/v1", "openrouter")
    ]
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1/")
    assert default_endpoint(settings).base_url == "http://127.0.0.1:9/api/v1"
    assert find_endpoint(settings).name == "openrouter"


def test_endpoints_round_trip_through_settings(tmp_path: Path) -> None:
    settings = Settings()
    save_endpoint(settings, Endpoint("llama", "http://127.0.0.1:8080/v1", "openai"))
    save_endpoint(settings, Endpoint("work", "https://openrouter.ai/api/v1", "openrouter"))
    save_endpoint(settings, Endpoint("llama", "http://127.0.0.1:8081/v1", "openai"))  # replace
    settings.current_endpoint = "llama"
    path = tmp_path / "settings.json"
    settings.save(path)
    loaded = Settings.load(path)
    names = [e.name for e in list_endpoints(loaded)]
    assert names == ["openrouter", "work", "llama"]
    current = find_endpoint(loaded)
    assert current == Endpoint("llama", "http://127.0.0.1:8081/v1", "openai")
    assert not current.is_openrouter
    assert remove_endpoint(loaded, "llama") and loaded.current_endpoint == "openrouter"
    assert not remove_endpoint(loaded, "openrouter")
    with pytest.raises(ConfigError, match="no endpoint named 'gone'"):
        find_endpoint(loaded, "gone")


def test_broken_entries_are_skipped_and_reported() -> None:
    settings = Settings(endpoints=[
        {"name": "", "base_url": "http://x"}, {"name": "ok", "base_url": "ftp://x"},
        "junk", {"name": "fine", "base_url": "http://localhost:1234/v1"},  # type: ignore[list-item]
        {"name": "openrouter", "base_url": "http://elsewhere/v1"},
    ])
    eps = list_endpoints(settings)
    assert [e.name for e in eps] == ["openrouter", "fine"]
    assert eps[0].base_url == "https://openrouter.ai/api/v1"
    assert eps[1].kind == "openai"  # guessed from the URL
    with pytest.raises(ConfigError, match="http:// or https://"):
        Endpoint.from_dict({"name": "x", "base_url": "localhost:1234"})
    with pytest.raises(ConfigError):
        save_endpoint(settings, Endpoint("bad/name?", "http://x"))


def test_guess_kind() -> None:
    assert guess_kind("https://openrouter.ai/api/v1") == "openrouter"
    assert guess_kind("http://127.0.0.1:8080/v1") == "openai"
    assert guess_kind("https://api.openai.com/v1") == "openai"


def test_each_endpoint_has_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Endpoint("openrouter", "https://openrouter.ai/api/v1")
    local = Endpoint("llama", "http://127.0.0.1:8080/v1", "openai")
    KeyStore().set_key("sk-or-v1-default-key-0000000000")
    key_store(local).set_key("local-secret")
    assert key_store(default).account == "openrouter"
    assert key_store(default).get_key() == "sk-or-v1-default-key-0000000000"
    assert key_store(local).get_key() == "local-secret"
    # The environment's key wins for OpenRouter and never leaks to other endpoints.
    monkeypatch.setenv("OPENROUTER_API_KEY", "from-env")
    assert key_store(default).get_key() == "from-env"
    assert key_store(local).get_key() == "local-secret"


def test_context_gives_a_client_per_endpoint(store: Store) -> None:
    settings = Settings()
    save_endpoint(settings, Endpoint("llama", "http://127.0.0.1:8080/v1", "openai"))
    key_store(Endpoint("llama", "http://x")).set_key("local-secret")
    ctx = AppContext(settings, store)
    assert [e.name for e in ctx.endpoints()] == ["openrouter", "llama"]
    a = ctx.client_for_endpoint("llama")
    assert ctx.client_for_endpoint(find_endpoint(settings, "llama")) is a
    assert a.kind == "openai" and a.base_url == "http://127.0.0.1:8080/v1"
    assert a._http.headers["authorization"] == "Bearer local-secret"
    b = ctx.client_for_endpoint("openrouter")
    assert b.kind == "openrouter" and b is not a
    clients = ctx.drop_endpoint_clients()
    assert set(map(id, clients)) == {id(a), id(b)}

    async def close() -> None:
        for c in clients:
            await c.aclose()

    aio.run(close())


# ---- attribution headers -------------------------------------------------------------------


def _stream_once(fake: FakeOpenRouter, store: Store, endpoint: Endpoint,
                 settings: Settings) -> dict[str, str]:
    fake.enqueue(text_stream("ok"))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "hi", model="m", endpoint_kind=endpoint.kind)

    async def go() -> None:
        client = make_client(endpoint, settings, "k")
        try:
            await ReplyRun(store, client, ex.reply, ex.payload).run()
        finally:
            await client.aclose()

    aio.run(go())
    return fake.requests[-1].headers


def test_attribution_goes_to_openrouter_only(fake: FakeOpenRouter, store: Store) -> None:
    settings = Settings(http_referer="https://example.org/me", app_title="My Parley")
    headers = _stream_once(fake, store, Endpoint("openrouter", fake.base_url), settings)
    assert headers["http-referer"] == "https://example.org/me"
    assert headers["x-openrouter-title"] == "My Parley"
    assert headers["x-title"] == "My Parley"

    headers = _stream_once(fake, store, Endpoint("llama", fake.base_url, "openai"), settings)
    for name in ("http-referer", "x-openrouter-title", "x-title"):
        assert name not in headers
    assert headers["authorization"] == "Bearer k"


def test_blank_attribution_settings_send_nothing(fake: FakeOpenRouter, store: Store) -> None:
    settings = Settings(http_referer="", app_title="")
    headers = _stream_once(fake, store, Endpoint("openrouter", fake.base_url), settings)
    for name in ("http-referer", "x-openrouter-title", "x-title"):
        assert name not in headers
