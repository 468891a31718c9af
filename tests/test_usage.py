"""Usage figures and budgets over a seeded history, against totals computed by hand."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core import usage
from app.core.config import Settings
from app.core.domain import MessageStatus, Role, Usage
from app.core.history import MIGRATIONS, Store
from app.core.usage import UsageRange

D1 = datetime(2026, 11, 10, 12, 0)
D2 = datetime(2026, 11, 11, 9, 0)
D3 = datetime(2026, 11, 20, 23, 30)
OCTOBER = datetime(2026, 10, 31, 22, 0)
NOVEMBER = UsageRange(date(2026, 11, 1), date(2026, 11, 30))

GPT = "openai/gpt-4o-mini"
CLAUDE = "anthropic/claude-sonnet-4"
FREE = "meta-llama/llama-3.3-8b-instruct:free"
LOCAL = "llama-3.2-1b"


def add_reply(
    store: Store, conv_id: int, when: datetime, model: str, *,
    status: MessageStatus = MessageStatus.COMPLETE, cost: float | None = None,
    prompt: int | None = None, completion: int | None = None, cached: int | None = None,
    reasoning: int | None = None,
) -> int:
    """A prompt and its reply stored at `when` with the usage the endpoint reported."""
    store.add_message(conv_id, Role.USER, "question")
    reply = store.add_message(conv_id, Role.ASSISTANT, "answer", status=status, model=model)
    with store.transaction("seed") as conn:
        conn.execute(
            "UPDATE messages SET created_at = ?, cost = ?, prompt_tokens = ?, "
            "completion_tokens = ?, cached_tokens = ?, reasoning_tokens = ? WHERE id = ?",
            (when.timestamp(), cost, prompt, completion, cached, reasoning, reply.id),
        )
    return reply.id


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Store, dict[str, int]]:
    store = Store.open(tmp_path / "history.sqlite3")
    alpha = store.create_conversation("Alpha", GPT).id
    beta = store.create_conversation("Beta", LOCAL, endpoint="local").id
    gamma = store.create_conversation("Gamma", CLAUDE, endpoint="openrouter").id
    add_reply(store, alpha, D1, GPT, cost=0.10, prompt=100, completion=50, cached=20)
    # Stopped: the generation lookup filled in what it really cost.
    add_reply(store, alpha, D1, GPT, status=MessageStatus.STOPPED, cost=0.05, prompt=80,
              completion=10)
    # Failed before anything was billed: not a reply, costs nothing.
    add_reply(store, alpha, D2, GPT, status=MessageStatus.ERROR)
    # A local server reports tokens but no cost.
    add_reply(store, beta, D2, LOCAL, prompt=30, completion=40)
    add_reply(store, gamma, D3, FREE, cost=0.0, prompt=10, completion=5)
    add_reply(store, gamma, D3, CLAUDE, cost=0.30, prompt=200, completion=100, reasoning=60)
    # Failed after the provider billed the prompt.
    add_reply(store, gamma, D3, CLAUDE, status=MessageStatus.ERROR, cost=0.01, prompt=50,
              completion=0)
    add_reply(store, gamma, OCTOBER, CLAUDE, cost=1.00, prompt=1, completion=1)
    yield store, {"alpha": alpha, "beta": beta, "gamma": gamma}
    store.close()


def test_totals_count_stopped_and_billed_errors_and_name_replies_without_cost(seeded):
    store, _ = seeded
    t = usage.totals(store, NOVEMBER)
    assert t.cost == pytest.approx(0.46)
    assert t.replies == 6
    assert t.unpriced == 1
    assert t.unpriced_note() == "1 reply without a reported cost"
    assert (t.prompt_tokens, t.completion_tokens) == (470, 205)
    assert (t.cached_tokens, t.reasoning_tokens) == (20, 60)


def test_a_range_ends_with_its_last_local_day(seeded):
    store, _ = seeded
    october = usage.totals(store, UsageRange(date(2026, 10, 1), date(2026, 10, 31)))
    assert (october.cost, october.replies) == (pytest.approx(1.0), 1)
    assert usage.totals(store, UsageRange(date(2026, 11, 1), date(2026, 11, 19))).cost == (
        pytest.approx(0.15))


def test_per_model_table(seeded):
    store, _ = seeded
    rows = {r.model: r for r in usage.model_table(store, NOVEMBER)}
    assert [r.model for r in usage.model_table(store, NOVEMBER)][:2] == [CLAUDE, GPT]
    claude = rows[CLAUDE]
    assert (claude.replies, claude.cost, claude.reasoning_tokens) == (2, pytest.approx(0.31), 60)
    assert claude.average_cost == pytest.approx(0.155)
    assert rows[GPT].cached_tokens == 20
    assert rows[GPT].replies == 2  # the failed reply with no usage is not one
    assert rows[FREE].cost == 0.0 and rows[FREE].unpriced == 0
    assert rows[FREE].average_cost == 0.0
    assert rows[LOCAL].unpriced == 1 and rows[LOCAL].average_cost is None
    assert claude.median_ttft is None and claude.tokens_per_second is None


def test_breakdown_by_endpoint_and_conversation(seeded):
    store, ids = seeded
    by_endpoint = usage.breakdown(store, NOVEMBER, "endpoint")
    assert [(r.key, round(r.cost, 6), r.replies, r.unpriced) for r in by_endpoint] == [
        ("openrouter", 0.46, 5, 0), ("local", 0.0, 1, 1)]
    by_conv = usage.breakdown(store, NOVEMBER, "conversation")
    assert [r.key for r in by_conv] == [str(ids["gamma"]), str(ids["alpha"]), str(ids["beta"])]


def test_daily_spend_stacks_by_model_on_local_dates(seeded):
    store, _ = seeded
    days = usage.daily_spend(store, NOVEMBER, "model")
    assert [(d.day, d.key, round(d.cost, 6), d.replies, d.unpriced) for d in days] == [
        (date(2026, 11, 10), GPT, 0.15, 2, 0),
        (date(2026, 11, 11), LOCAL, 0.0, 1, 1),
        (date(2026, 11, 20), CLAUDE, 0.31, 2, 0),
        (date(2026, 11, 20), FREE, 0.0, 1, 0),
    ]
    by_endpoint = usage.daily_spend(store, NOVEMBER, "endpoint")
    assert [(d.day.day, d.key) for d in by_endpoint] == [
        (10, "openrouter"), (11, "local"), (20, "openrouter")]


def test_top_conversations(seeded):
    store, ids = seeded
    top = usage.top_conversations(store, NOVEMBER, limit=2)
    assert [(c.title, round(c.cost, 6), c.replies) for c in top] == [
        ("Gamma", 0.31, 3), ("Alpha", 0.15, 2)]
    assert top[0].conversation_id == ids["gamma"]


def test_json_and_csv_shapes(seeded):
    store, _ = seeded
    rows = usage.breakdown(store, NOVEMBER, "model")
    data = json.loads(usage.to_json(usage.totals(store, NOVEMBER), rows))
    assert data["total_cost"] == pytest.approx(0.46)
    assert data["replies"] == 6
    assert data["replies_without_cost"] == 1
    assert {"key", "cost", "replies", "prompt_tokens", "completion_tokens"} <= set(data["by"][0])
    table = list(csv.DictReader(io.StringIO(usage.to_csv(rows))))
    assert table[0]["key"] == CLAUDE
    assert float(table[0]["cost"]) == pytest.approx(0.31)
    assert len(table) == 4


def test_the_usage_queries_use_the_usage_index(seeded):
    store, _ = seeded
    with store.reading("plan") as conn:
        plan = " ".join(
            str(row[-1]) for row in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT {usage._SUMS} FROM messages m "
                f"WHERE {usage._COUNTED} AND {usage._RANGE}", NOVEMBER.bounds()))
    assert "messages_usage" in plan


@pytest.mark.parametrize(("monthly", "daily", "month_level", "day_level"), [
    (None, None, 0, 0),
    (1.00, None, 0, 0),     # 46%
    (0.575, None, 80, 0),   # 0.46 is exactly 80%
    (0.46, None, 100, 0),   # exactly the budget
    (None, 0.40, 0, 0),     # today 0.31: 77.5%
    (None, 0.31, 0, 100),
    (None, 0.3875, 0, 80),  # 0.31 is exactly 80%
])
def test_budget_thresholds(seeded, monthly, daily, month_level, day_level):
    store, _ = seeded
    settings = Settings(monthly_budget=monthly, daily_budget=daily)
    status = usage.budget_status(store, settings, datetime(2026, 11, 20, 23, 45))
    assert (status.month_level, status.day_level) == (month_level, day_level)
    assert bool(status.message()) == bool(month_level or day_level)
    if monthly is not None:
        assert status.month_spent == pytest.approx(0.46)


def test_over_budget_needs_confirmation_only_when_asked(seeded):
    store, _ = seeded
    now = datetime(2026, 11, 20, 23, 45)
    over = usage.budget_status(store, Settings(monthly_budget=0.4), now)
    assert over.over and not over.needs_confirmation
    assert "over your monthly budget of $0.40" in over.message()
    asked = usage.budget_status(store, Settings(monthly_budget=0.4, ask_over_budget=True), now)
    assert asked.needs_confirmation


def test_budget_settings_round_trip_and_reject_nonsense():
    s = Settings.from_dict({"monthly_budget": 20, "daily_budget": None, "ask_over_budget": True})
    assert (s.monthly_budget, s.daily_budget, s.ask_over_budget) == (20.0, None, True)
    assert Settings.from_dict(s.to_dict()) == s
    bad = Settings.from_dict({"monthly_budget": "lots", "daily_budget": -5})
    assert (bad.monthly_budget, bad.daily_budget) == (None, None)


@pytest.mark.parametrize("stack", ["model", "endpoint"])
def test_the_dashboard_shows_the_same_figures_as_the_single_queries(seeded, stack):
    store, _ = seeded
    d = usage.dashboard(store, NOVEMBER, stack, Settings(monthly_budget=1.0),
                        datetime(2026, 11, 20, 23, 45))
    t = d.totals
    assert (t.replies, t.unpriced, t.prompt_tokens, t.completion_tokens, t.cached_tokens,
            t.reasoning_tokens) == (6, 1, 470, 205, 20, 60)
    assert t.cost == pytest.approx(0.46)
    assert [(r.key, r.replies, r.unpriced) for r in d.rows] == [
        (r.key, r.replies, r.unpriced) for r in usage.breakdown(store, NOVEMBER, "model")]
    expected = usage.daily_spend(store, NOVEMBER, stack)
    assert [(s.day, s.key, s.replies, s.unpriced) for s in d.days] == [
        (s.day, s.key, s.replies, s.unpriced) for s in expected]
    assert [s.cost for s in d.days] == pytest.approx([s.cost for s in expected])
    assert d.budget.month_spent == pytest.approx(0.46)


EVERYTHING = UsageRange(date(2020, 1, 1), date(2030, 12, 31))


def _by_hand(store: Store) -> dict[str, Any]:
    """The figures added up reply by reply, in Python, from what `messages` holds now."""
    with store.reading("check") as conn:
        rows = conn.execute(
            "SELECT m.status, m.cost, m.prompt_tokens, m.completion_tokens, m.model, "
            "m.created_at, coalesce(c.endpoint, 'openrouter'), m.conversation_id FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id WHERE m.role = 'assistant'"
        ).fetchall()
    models: dict[str, list[float]] = {}
    endpoints: dict[str, list[float]] = {}
    days: dict[tuple[date, str], list[float]] = {}
    conversations: dict[int, list[float]] = {}
    for status, cost, prompt, completion, model, created, endpoint, conv in rows:
        if status == "streaming" or (status == "error" and cost is None and prompt is None
                                     and completion is None):
            continue
        day = datetime.fromtimestamp(created).date()
        for acc in (models.setdefault(model or "unknown model", [0, 0, 0.0, 0]),
                    endpoints.setdefault(endpoint, [0, 0, 0.0, 0]),
                    days.setdefault((day, model or "unknown model"), [0, 0, 0.0, 0]),
                    conversations.setdefault(conv, [0, 0, 0.0, 0])):
            acc[0] += 1
            acc[1] += cost is None
            acc[2] += cost or 0.0
            acc[3] += prompt or 0
    return {"models": models, "endpoints": endpoints, "days": days,
            "conversations": conversations}


def _shown(store: Store) -> dict[str, Any]:
    """The same figures as the Usage window and `parley usage` show them."""
    def rows(by: usage.Breakdown) -> dict[str, list[float]]:
        return {r.key: [r.replies, r.unpriced, round(r.cost, 9), r.prompt_tokens]
                for r in usage.breakdown(store, EVERYTHING, by)}
    return {
        "models": rows("model"),
        "endpoints": rows("endpoint"),
        "days": {(s.day, s.key): [s.replies, s.unpriced, round(s.cost, 9)]
                 for s in usage.daily_spend(store, EVERYTHING, "model")},
        "conversations": {c.conversation_id: [c.replies, c.unpriced, round(c.cost, 9)]
                          for c in usage.top_conversations(store, EVERYTHING, limit=100)},
    }


def _assert_exact(store: Store) -> None:
    expected = _by_hand(store)
    for group in ("models", "endpoints"):
        expected[group] = {k: [v[0], v[1], round(v[2], 9), v[3]]
                           for k, v in expected[group].items()}
    for group in ("days", "conversations"):
        expected[group] = {k: [v[0], v[1], round(v[2], 9)] for k, v in expected[group].items()}
    assert _shown(store) == expected
    total = usage.totals(store, EVERYTHING)
    assert total.replies == sum(v[0] for v in expected["models"].values())
    assert total.cost == pytest.approx(sum(v[2] for v in expected["models"].values()))


def test_the_figures_stay_exact_as_replies_are_written_changed_and_deleted(seeded):
    store, ids = seeded
    _assert_exact(store)
    conv = store.create_conversation("Delta", GPT).id
    # A reply streams (not counted yet), then finishes with its usage.
    streaming = store.add_message(conv, Role.ASSISTANT, "", status=MessageStatus.STREAMING,
                                  model=GPT)
    _assert_exact(store)
    store.update_message(streaming.id, status=MessageStatus.COMPLETE,
                         usage=Usage(prompt_tokens=30, completion_tokens=7, cost=0.25))
    _assert_exact(store)
    # A stopped reply without a cost, whose cost the generation lookup brings later.
    stopped = store.add_message(conv, Role.ASSISTANT, "half", status=MessageStatus.STOPPED,
                                model=CLAUDE)
    _assert_exact(store)
    store.update_message(stopped.id, usage=Usage(prompt_tokens=12, completion_tokens=3,
                                                 cost=0.125))
    _assert_exact(store)
    # A failed reply that reported nothing, then a reply written by another model.
    failed = store.add_message(conv, Role.ASSISTANT, "", status=MessageStatus.ERROR, model=GPT)
    store.update_message(stopped.id, model=FREE)
    _assert_exact(store)
    # Moving a conversation to another endpoint moves its spend.
    store.set_conversation_endpoint(conv, "local")
    _assert_exact(store)
    store.delete_message(failed.id)
    _assert_exact(store)
    store.delete_message(stopped.id, with_descendants=True)
    _assert_exact(store)
    before = usage.totals(store, EVERYTHING)
    store.trash_conversation(ids["alpha"])
    assert usage.totals(store, EVERYTHING) == before  # trashed, that was still spent
    store.purge_trashed()
    _assert_exact(store)
    assert usage.totals(store, EVERYTHING).replies < before.replies
    store.delete_conversation(conv)
    _assert_exact(store)


def test_upgrading_an_older_history_adds_up_the_replies_it_already_has(seeded, tmp_path):
    store, _ = seeded
    store.close()
    path = tmp_path / "history.sqlite3"
    # The file as the previous version left it: no summaries, version 6.
    conn = sqlite3.connect(path)
    with conn:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'usage_%'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE usage_daily")
        conn.execute("DROP TABLE usage_conversation_daily")
        conn.execute("DROP TABLE IF EXISTS drafts")  # added by migration 8, after this one
        conn.execute("DELETE FROM schema_migrations WHERE version >= 7")
        conn.execute("PRAGMA user_version = 6")
    conn.close()
    # Up to version 7 only: later migrations' tables are still in this downgraded file.
    upgraded = Store.open(path, migrations=MIGRATIONS[:7])
    try:
        assert usage.totals(upgraded, NOVEMBER).replies == 6
        _assert_exact(upgraded)
    finally:
        upgraded.close()
