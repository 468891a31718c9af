"""The model catalog (GET /models), cached on disk per endpoint so it works offline.

The file `$PARLEY_HOME/cache/models-<endpoint>.json` keeps the endpoint's raw entries and
the time they were fetched, so fields a later Parley understands are not lost. Loading it
needs no network; `refresh` fetches and rewrites it atomically.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.client import ModelInfo
from app.core.config import data_dir

if TYPE_CHECKING:
    from app.core.client import ChatClient

CACHE_VERSION = 1
#: after this long the UI should refresh in the background (the cache still loads)
STALE_AFTER = 24 * 3600.0
#: suffixes OpenRouter accepts on any model id
ALWAYS_VALID_SUFFIXES = ("online", "nitro", "floor")


def cache_path(endpoint_name: str) -> Path:
    """Where the catalog of one endpoint is cached."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", endpoint_name).strip("._") or "endpoint"
    return data_dir() / "cache" / f"models-{safe}.json"


@dataclass
class ModelCatalog:
    """The models of one endpoint, as fetched at `fetched_at` (Unix time)."""

    endpoint: str
    fetched_at: float
    raw: list[dict[str, Any]] = field(default_factory=list)
    models: list[ModelInfo] = field(default_factory=list)
    _by_id: dict[str, ModelInfo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.models and self.raw:
            self.models = sorted(
                (ModelInfo.from_api(r) for r in self.raw), key=lambda m: m.name.lower()
            )
        self._by_id = {m.id: m for m in self.models}

    def get(self, model_id: str) -> ModelInfo | None:
        """The model with this id; a suffixed id (":nitro"...) finds its base model."""
        found = self._by_id.get(model_id)
        if found is None and ":" in model_id:
            base, _, suffix = model_id.rpartition(":")
            if suffix in ALWAYS_VALID_SUFFIXES:
                return self.get(base)
        return found

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at

    @property
    def is_stale(self) -> bool:
        return self.age() > STALE_AFTER

    def suffixes(self, model_id: str, *, openrouter: bool = True) -> list[str]:
        """The variant suffixes that can be chosen for this model."""
        if not openrouter:
            return []
        base = model_id.split(":", 1)[0]
        free = ["free"] if f"{base}:free" in self._by_id else []
        return [*free, *ALWAYS_VALID_SUFFIXES]

    def suffix_available(self, model_id: str, suffix: str, *, openrouter: bool = True) -> bool:
        """True when `model_id:suffix` is a valid choice (":free" only if it is listed)."""
        return suffix.lstrip(":") in self.suffixes(model_id, openrouter=openrouter)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": CACHE_VERSION,
            "endpoint": self.endpoint,
            "fetched_at": self.fetched_at,
            "data": self.raw,
        }


def load_cached(endpoint_name: str = "openrouter") -> ModelCatalog | None:
    """The cached catalog, or None when there is none (or it is unreadable); no network."""
    path = cache_path(endpoint_name)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        return None
    raw = [r for r in doc["data"] if isinstance(r, dict) and r.get("id")]
    fetched = doc.get("fetched_at")
    try:
        return ModelCatalog(
            endpoint_name, float(fetched) if isinstance(fetched, int | float) else 0.0, raw
        )
    except (KeyError, TypeError, ValueError):
        return None


#: per endpoint: (mtime_ns, size) of the cache file and each model's output modalities
_MODALITIES: dict[str, tuple[tuple[int, int], dict[str, tuple[str, ...]]]] = {}


def cached_output_modalities(endpoint_name: str, model_id: str) -> tuple[str, ...] | None:
    """What the model outputs ("text", "image"...) per the cached catalog; None when there is
    no cache or the model is not in it. Runs before every request, so the file is parsed
    again only when it changed, and no `ModelInfo` is built."""
    path = cache_path(endpoint_name)
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    known = _MODALITIES.get(endpoint_name)
    if known is None or known[0] != stamp:
        by_id: dict[str, tuple[str, ...]] = {}
        for entry in load_raw(endpoint_name) or []:
            arch = entry.get("architecture")
            outputs = arch.get("output_modalities") if isinstance(arch, dict) else None
            if isinstance(entry.get("id"), str) and isinstance(outputs, list):
                by_id[entry["id"]] = tuple(str(o) for o in outputs)
        known = (stamp, by_id)
        _MODALITIES[endpoint_name] = known
    found = known[1].get(model_id)
    if found is None and ":" in model_id:
        base, _, suffix = model_id.rpartition(":")
        if suffix in ALWAYS_VALID_SUFFIXES:
            found = known[1].get(base)
    return found


def load_raw(endpoint_name: str) -> list[dict[str, Any]] | None:
    """The cached raw catalog entries, or None when there is no readable cache."""
    try:
        doc = json.loads(cache_path(endpoint_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        return None
    return [r for r in doc["data"] if isinstance(r, dict)]


def save_catalog(catalog: ModelCatalog) -> Path:
    """Write the cache atomically (a crash never leaves half a file)."""
    path = cache_path(catalog.endpoint)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".models-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(catalog.to_json(), fh, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


async def refresh(client: ChatClient, endpoint_name: str = "openrouter") -> ModelCatalog:
    """GET /models and rewrite the cache. Raises ApiError (the old cache stays)."""
    raw = await client.list_models_raw()
    catalog = ModelCatalog(endpoint_name, time.time(), raw)
    save_catalog(catalog)
    return catalog


def price_per_million(price_per_token: float | None) -> float | None:
    """USD per million tokens, as prices are usually shown."""
    return None if price_per_token is None else price_per_token * 1_000_000


def format_price(price_per_token: float | None) -> str:
    """e.g. "$0.15/M", "free", or "?" when unknown."""
    per_million = price_per_million(price_per_token)
    if per_million is None or per_million < 0:
        return "?"  # OpenRouter lists -1 for "varies" (openrouter/auto)
    if per_million == 0:
        return "free"
    return f"${per_million:,.2f}/M" if per_million >= 0.01 else f"${per_million:.4f}/M"


def estimate_cost(
    model: ModelInfo,
    prompt_tokens: int,
    completion_tokens: int,
    *,
    reasoning_tokens: int = 0,
    cached_tokens: int = 0,
    requests: int = 1,
) -> float | None:
    """Estimated USD for one request; None when the model's prices are unknown."""
    if model.prompt_price is None or model.completion_price is None:
        return None
    if model.prompt_price < 0 or model.completion_price < 0:
        return None
    uncached = max(0, prompt_tokens - cached_tokens)
    cost = uncached * model.prompt_price + completion_tokens * model.completion_price
    if cached_tokens:
        read = model.input_cache_read_price
        cost += cached_tokens * (read if read is not None else model.prompt_price)
    if reasoning_tokens and model.internal_reasoning_price:
        cost += reasoning_tokens * model.internal_reasoning_price
    if model.request_price:
        cost += requests * model.request_price
    return cost
