"""The model catalog: GET /models, the on-disk cache, prices and suffixes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.core import errors
from app.core.client import ChatClient, ModelInfo
from app.core.models_cache import (
    cache_path,
    estimate_cost,
    format_price,
    load_cached,
    price_per_million,
    refresh,
)
from tests import aio
from tests.fake_openrouter import FakeOpenRouter, refuse_connection_port

REASONER = {
    "id": "deepseek/deepseek-r1",
    "name": "DeepSeek: R1",
    "created": 1737381095,
    "context_length": 163840,
    "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
    "pricing": {"prompt": "0.0000004", "completion": "0.000002", "request": "0.001",
                "image": "0", "web_search": "0.004", "internal_reasoning": "0.000001",
                "input_cache_read": "0.0000001", "input_cache_write": "0.0000005"},
    "top_provider": {"context_length": 163840, "max_completion_tokens": 32768,
                     "is_moderated": False},
    "supported_parameters": ["max_tokens", "temperature", "reasoning", "include_reasoning"],
}


def _refresh(fake: FakeOpenRouter, name: str = "openrouter") -> object:
    async def go() -> object:
        client = ChatClient(fake.base_url, "k")
        try:
            return await refresh(client, name)
        finally:
            await client.aclose()

    return aio.run(go())


def test_model_info_reads_every_field() -> None:
    m = ModelInfo.from_api(REASONER)
    assert m.is_reasoning
    assert (m.request_price, m.image_price, m.web_search_price) == (0.001, 0.0, 0.004)
    assert (m.internal_reasoning_price, m.input_cache_read_price,
            m.input_cache_write_price) == (0.000001, 0.0000001, 0.0000005)
    assert m.max_completion_tokens == 32768 and m.is_moderated is False
    assert m.created == 1737381095 and m.context_length == 163840
    plain = ModelInfo.from_api({"id": "x/y", "pricing": "weird", "top_provider": None})
    assert not plain.is_reasoning and plain.prompt_price is None and plain.created is None


def test_refresh_writes_cache_and_load_works_offline(
    fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    fake.models = [*fake.models, REASONER]
    before = time.time()
    catalog = _refresh(fake)
    path = cache_path("openrouter")
    assert path == isolated_home / "cache" / "models-openrouter.json"
    doc = json.loads(path.read_text())
    assert doc["fetched_at"] >= before and len(doc["data"]) == len(fake.models)

    # Offline: nothing listens at the base URL any more, the cache still loads.
    monkeypatch.setenv("OPENROUTER_BASE_URL", f"http://127.0.0.1:{refuse_connection_port()}")
    cached = load_cached("openrouter")
    assert cached is not None
    assert cached.fetched_at == doc["fetched_at"] and not cached.is_stale
    assert [m.id for m in cached.models] == [m.id for m in catalog.models]  # type: ignore[attr-defined]
    r1 = cached.get("deepseek/deepseek-r1")
    assert r1 is not None and r1.is_reasoning and r1.web_search_price == 0.004
    assert cached.get("deepseek/deepseek-r1:nitro") is r1
    assert cached.get("nope") is None


def test_refresh_failure_keeps_old_cache(fake: FakeOpenRouter) -> None:
    _refresh(fake)
    old = cache_path("openrouter").read_text()

    async def go() -> None:
        client = ChatClient(f"http://127.0.0.1:{refuse_connection_port()}/api/v1", "k")
        try:
            await refresh(client, "openrouter")
        finally:
            await client.aclose()

    with pytest.raises(errors.NetworkError):
        aio.run(go())
    assert cache_path("openrouter").read_text() == old


def test_cache_per_endpoint_and_broken_files(fake: FakeOpenRouter) -> None:
    _refresh(fake, "local llama")
    assert cache_path("local llama").name == "models-local_llama.json"
    assert load_cached("local llama") is not None
    assert load_cached("other") is None
    cache_path("broken").write_text("{not json")
    assert load_cached("broken") is None
    cache_path("broken").write_text('{"data": 5}')
    assert load_cached("broken") is None


def test_suffix_availability(fake: FakeOpenRouter) -> None:
    fake.models = [*fake.models, {"id": "meta-llama/llama-3.1-8b-instruct", "name": "Llama"}]
    _refresh(fake)
    cat = load_cached()
    assert cat is not None
    assert cat.suffix_available("meta-llama/llama-3.1-8b-instruct", "free")
    assert not cat.suffix_available("openai/gpt-4o-mini", ":free")
    for suffix in ("online", "nitro", "floor"):
        assert cat.suffix_available("openai/gpt-4o-mini", suffix)
        assert not cat.suffix_available("openai/gpt-4o-mini", suffix, openrouter=False)


def test_prices_and_cost_estimate() -> None:
    assert price_per_million(0.00000015) == pytest.approx(0.15)
    assert price_per_million(None) is None
    assert format_price(0.00000015) == "$0.15/M"
    assert format_price(0.0) == "free" and format_price(None) == "?" and format_price(-1) == "?"
    m = ModelInfo.from_api(REASONER)
    cost = estimate_cost(m, 1000, 500)
    assert cost == pytest.approx(1000 * 0.0000004 + 500 * 0.000002 + 0.001)
    cached = estimate_cost(m, 1000, 0, cached_tokens=400)
    assert cached == pytest.approx(600 * 0.0000004 + 400 * 0.0000001 + 0.001)
    assert estimate_cost(ModelInfo("x", "x"), 10, 10) is None
    auto = ModelInfo("openrouter/auto", "Auto", prompt_price=-1, completion_price=-1)
    assert estimate_cost(auto, 10, 10) is None
