"""One place finishes a run: whatever sent it (window, CLI, tool loop), a reply ends the same.

`finish_run` (synchronous, right after the stream ends) reads the final stored state and
adds the usage line, the schema check (stored as `extra["structured_check"]`) and the
stream warning. `after_run` (asynchronous, may take seconds) names a new chat with the
cheap title model from Settings after its first exchange, and asks OpenRouter what a
stopped reply really cost (GET /generation), stored on the message. Front ends only
present the `RunSummary`: the window as signals, the CLI on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.domain import Message, MessageStatus, Role, Usage
from app.core.errors import ParleyError

if TYPE_CHECKING:
    from app.core.billing import GenerationCost
    from app.core.client import ChatClient, ModelInfo
    from app.core.config import Settings
    from app.core.history import Store
    from app.core.requests import ChatRequest

#: problems kept in extra["structured_check"] (a reply can be wrong in many places)
MAX_SCHEMA_PROBLEMS = 20


@dataclass
class RunSummary:
    """What the user is told about a finished run."""

    #: the final reply as stored (the last step's, for a tool loop); None if it vanished
    reply: Message | None
    status: MessageStatus
    #: "model · 12 in / 34 out tokens · $0.0001" ("" when nothing is known)
    usage_line: str
    #: {"valid": bool, "problems": [...]} with structured output on, else None
    structured: dict[str, Any] | None = None
    #: a sentence when parts of the stream could not be read
    warning: str | None = None
    #: the generated title, when the chat was renamed
    title: str | None = None
    #: what a stopped reply really cost, when OpenRouter said
    cost: GenerationCost | None = None
    #: assistant messages of the run (more than one when tools were called)
    steps: int = 1


def money(cost: float | None) -> str:
    """$0.0012 style: enough digits for tiny per-request costs."""
    if cost is None:
        return "$?"
    return f"${cost:.4f}" if cost >= 0.01 or cost == 0 else f"${cost:.6f}"


def usage_line(msg: Message, info: ModelInfo | None = None) -> str:
    """'model · 1,234 tokens · $0.0012' for the status bar; '' when nothing is known.

    With the model's prices known, cached prompt tokens also show what caching saved.
    """
    parts: list[str] = []
    if msg.model:
        parts.append(msg.model + (f" via {msg.provider}" if msg.provider else ""))
    if msg.usage is not None:
        u = msg.usage
        parts.append(f"{u.prompt_tokens:,} in / {u.completion_tokens:,} out tokens")
        if u.cached_tokens:
            cached = f"{u.cached_tokens:,} cached"
            if info is not None and info.prompt_price and info.input_cache_read_price is not None:
                saved = u.cached_tokens * (info.prompt_price - info.input_cache_read_price)
                if saved > 0:
                    cached += f", saved {money(saved)}"
            parts.append(cached)
        if u.cost is not None:
            parts.append(f"${u.cost:.6f}" if u.cost < 0.01 else f"${u.cost:.4f}")
    if msg.status.value != "complete":
        parts.append(msg.status.value)
    return " · ".join(parts)


def run_usage_line(replies: Sequence[Message], info: ModelInfo | None = None) -> str:
    """The usage line of a run's final reply; with tool steps, the steps' total cost too."""
    if not replies:
        return ""
    line = usage_line(replies[-1], info)
    if len(replies) > 1:
        costs = [m.usage.cost for m in replies if m.usage is not None and m.usage.cost is not None]
        total = f", {money(sum(costs))} in all" if costs else ""
        line += f" · {len(replies)} steps{total}"
    return line


def check_structured(store: Store, request: ChatRequest, reply: Message) -> dict[str, Any] | None:
    """With structured output on, check a complete reply against the schema and store the
    verdict in `extra["structured_check"]`; None when there is nothing to check."""
    structured = request.options.structured
    if structured.mode not in ("json_schema", "json_object"):
        return None
    if reply.status is not MessageStatus.COMPLETE:
        return None
    from app.core.schema_check import check_reply

    schema = structured.schema if structured.mode == "json_schema" else {"type": "object"}
    problems = check_reply(reply.content, schema or {})
    verdict = {"valid": not problems, "problems": problems[:MAX_SCHEMA_PROBLEMS]}
    extra = dict(reply.extra)
    extra["structured_check"] = verdict
    store.update_message(reply.id, extra=extra)
    return verdict


def finish_run(
    store: Store,
    request: ChatRequest,
    reply_ids: Sequence[int],
    *,
    info: ModelInfo | None = None,
) -> RunSummary:
    """Final status, usage line, schema check and stream warning of a run whose replies
    (one per step) are `reply_ids`, the last one being the answer."""
    from app.core.events import stream_warning

    replies = [m for m in (store.get_message(i) for i in reply_ids) if m is not None]
    if not replies:
        return RunSummary(None, MessageStatus.ERROR, "", steps=0)
    final = replies[-1]
    structured = check_structured(store, request, final)
    if structured is not None:
        final = store.get_message(final.id) or final
        replies[-1] = final
    warnings = [w for w in (stream_warning(m.extra) for m in replies) if w]
    return RunSummary(
        reply=final,
        status=final.status,
        usage_line=run_usage_line(replies, info),
        structured=structured,
        warning=warnings[-1] if warnings else None,
        steps=len(replies),
    )


def is_first_exchange(store: Store, conversation_id: int) -> bool:
    """True when the shown thread has exactly one prompt (titles are made once, then)."""
    thread = store.get_thread(conversation_id)
    return sum(1 for m in thread if m.role is Role.USER) == 1


async def make_title(
    store: Store, client: ChatClient, settings: Settings, summary: RunSummary
) -> str | None:
    """Rename a new chat with the title model from Settings after its first complete
    exchange; the prompt-based title stays when that fails or the user renamed it."""
    model = settings.title_model.strip()
    reply = summary.reply
    if not model or reply is None or summary.status is not MessageStatus.COMPLETE:
        return None
    conv = store.get_conversation(reply.conversation_id)
    if conv is None or not is_first_exchange(store, conv.id):
        return None
    user = next(m for m in store.get_thread(conv.id) if m.role is Role.USER)
    from app.core.titles import generate_title

    try:
        title = await generate_title(client, model, user.content, reply.content)
    except ParleyError:
        return None  # the title from the prompt stays; not worth an error
    current = store.get_conversation(conv.id)
    if not title or current is None or current.title != conv.title:
        return None
    store.rename_conversation(conv.id, title)
    return title


async def record_stopped_cost(
    store: Store, client: ChatClient, request: ChatRequest, summary: RunSummary,
    *, delays: Sequence[float] | None = None,
) -> GenerationCost | None:
    """For a stopped OpenRouter reply, what the provider charged (GET /generation), stored
    in the reply's usage and `extra["generation"]`."""
    reply = summary.reply
    if (reply is None or summary.status is not MessageStatus.STOPPED
            or not request.endpoint.is_openrouter or not reply.generation_id):
        return None
    from app.core.billing import fetch_generation_cost

    if delays is None:
        cost = await fetch_generation_cost(client, reply.generation_id)
    else:
        cost = await fetch_generation_cost(client, reply.generation_id, delays=delays)
    if cost is None:
        return None
    msg = store.get_message(reply.id)
    if msg is None:
        return None
    usage = msg.usage or Usage()
    if cost.total_cost is not None:
        usage.cost = cost.total_cost
    extra = dict(msg.extra)
    extra["generation"] = {"total_cost": cost.total_cost, "cancelled": cost.cancelled,
                           "provider": cost.provider_name}
    store.update_message(msg.id, usage=usage, extra=extra)
    return cost


async def after_run(
    store: Store, client: ChatClient, settings: Settings, request: ChatRequest,
    summary: RunSummary, *, info: ModelInfo | None = None,
) -> RunSummary:
    """The slow part of finishing: title after the first exchange, cost of a stopped reply.
    Updates and returns `summary` (reply and usage line re-read when the cost came)."""
    summary.title = await make_title(store, client, settings, summary)
    summary.cost = await record_stopped_cost(store, client, request, summary)
    if summary.cost is not None and summary.reply is not None:
        summary.reply = store.get_message(summary.reply.id) or summary.reply
        summary.usage_line = usage_line(summary.reply, info)
    return summary


def stopped_cost_message(cost: GenerationCost) -> str | None:
    """What to tell the user about a stopped reply's real cost (None: nothing known)."""
    if cost.bills_full_reply:
        return (f"Stopped, but {cost.provider_name or 'the provider'} bills the full reply "
                f"even after a stop (charged {money(cost.total_cost)}).")
    if cost.total_cost is not None:
        return f"Stopped. The provider charged {money(cost.total_cost)} for the part generated."
    return None
