"""What a reply really cost, and whether stopping it stopped the bill.

OpenRouter's usage chunk comes at the end of a stream, so a stopped reply has no cost in
it. GET /generation?id=... tells the real `total_cost` and whether the provider
`cancelled` the generation, but only a short while after the generation ended (404 until
then), so `fetch_generation_cost` waits and retries a few times.

Some providers keep generating (and billing) after the client disconnects; the UI says so
next to a stopped reply (`bills_full_reply`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ApiError, HttpStatusError

if TYPE_CHECKING:
    from app.core.client import ChatClient

#: providers that do NOT stop generation (or billing) when the connection closes. The first
#: line is from the project's API notes; the rest from OpenRouter's stream-cancellation
#: docs. Lower-case, compared loosely (see `bills_full_reply`).
FULL_REPLY_BILLERS: frozenset[str] = frozenset({
    "amazon bedrock", "bedrock", "groq", "google ai studio", "mistral", "perplexity",
    "modal", "lepton", "anyscale", "lynn", "cloudflare", "replicate", "sf compute", "avian",
    "ai21", "01.ai", "nebius",
})

#: seconds to wait before each GET /generation (the record appears with a delay)
DEFAULT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)


def bills_full_reply(provider_name: str | None) -> bool:
    """True when this provider bills the whole reply even if it was stopped early."""
    if not provider_name:
        return False
    name = " ".join(provider_name.lower().replace("-", " ").split())
    return name in FULL_REPLY_BILLERS or any(
        name.startswith((p + " ", p + "/")) for p in FULL_REPLY_BILLERS
    )


@dataclass(frozen=True)
class GenerationCost:
    """The parts of GET /generation the UI shows for a reply."""

    generation_id: str
    total_cost: float | None
    cancelled: bool | None
    provider_name: str | None
    model: str | None
    tokens_prompt: int | None
    tokens_completion: int | None
    native_tokens_reasoning: int | None
    finish_reason: str | None
    raw: dict[str, Any]

    @property
    def bills_full_reply(self) -> bool:
        return bills_full_reply(self.provider_name)

    @classmethod
    def from_api(cls, generation_id: str, data: dict[str, Any]) -> GenerationCost:
        def num(key: str) -> float | None:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else None

        def whole(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, int | float) else None

        def text(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value is not None else None

        cancelled = data.get("cancelled")
        return cls(
            generation_id=str(data.get("id") or generation_id),
            total_cost=num("total_cost"),
            cancelled=cancelled if isinstance(cancelled, bool) else None,
            provider_name=text("provider_name"),
            model=text("model"),
            tokens_prompt=whole("tokens_prompt"),
            tokens_completion=whole("tokens_completion"),
            native_tokens_reasoning=whole("native_tokens_reasoning"),
            finish_reason=text("finish_reason"),
            raw=data,
        )


async def fetch_generation_cost(
    client: ChatClient,
    generation_id: str,
    *,
    delays: Sequence[float] = DEFAULT_DELAYS,
) -> GenerationCost | None:
    """The real cost of a generation, or None when it is not known (not OpenRouter, still
    missing after the retries, or the request failed). Cancel the task to give up early."""
    if not generation_id or getattr(client, "kind", "openrouter") != "openrouter":
        return None
    for delay in delays or (0.0,):
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            data = await client.generation(generation_id)
        except HttpStatusError as exc:
            if exc.status == 404:
                continue  # not recorded yet: wait longer
            return None
        except ApiError:
            return None
        if data:
            return GenerationCost.from_api(generation_id, data)
    return None
