"""Where the money went: spend over the stored history, and budgets.

Figures by day, model and endpoint add up the rows of the `usage_daily` summary (a few per
day, kept exact by triggers on `messages`), the dearest conversations those of
`usage_conversation_daily`; `breakdown(..., "conversation")` aggregates the replies of the
range (the `messages_usage` index covers them). Never a Python loop over replies. The
numbers are honest: a cost is the one the endpoint reported (`messages.cost`, which the
generation lookup also fills for a stopped reply); replies without a reported cost (local
servers, some endpoints) are counted as such and never priced silently. A failed reply
that reported no usage cost nothing and is not a reply here. Dates are the user's local dates.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from app.core.config import Settings
    from app.core.history import Store

__all__ = [
    "BREAKDOWNS",
    "BudgetStatus",
    "ConversationSpend",
    "Dashboard",
    "DaySpend",
    "ModelRow",
    "Row",
    "Totals",
    "UsageRange",
    "breakdown",
    "budget_status",
    "daily_spend",
    "dashboard",
    "dashboard_in_worker",
    "model_table",
    "to_csv",
    "to_json",
    "top_conversations",
    "totals",
]

Breakdown = Literal["model", "day", "endpoint", "conversation"]
BREAKDOWNS: tuple[str, ...] = ("model", "day", "endpoint", "conversation")
#: budget thresholds, in percent of the budget, that warn when crossed
THRESHOLDS = (80, 100)
#: shown for a figure Parley has not recorded
UNKNOWN = "—"
#: name of the endpoint of conversations whose `endpoint` column is NULL
DEFAULT_ENDPOINT = "openrouter"

# A reply counts when it is final and was billed or may have been: complete and stopped
# replies always, a failed one only when it reported some usage. The `role` term must stay
# literally this for SQLite to use the partial index.
_COUNTED = (
    "m.role = 'assistant' AND m.status <> 'streaming' AND "
    "(m.status <> 'error' OR m.cost IS NOT NULL OR m.prompt_tokens IS NOT NULL "
    "OR m.completion_tokens IS NOT NULL)"
)
_RANGE = "m.created_at >= ? AND m.created_at < ?"
#: page cache (KiB) for the dashboard's worker connection; also bounds SQLite's sorter
_SORT_CACHE_KB = 64 * 1024
#: the same sums over the `usage_daily` summary, in the order of `_SUMS`
_DAILY_SUMS = (
    "total(u.cost), total(u.replies), total(u.priced), total(u.prompt_tokens), "
    "total(u.completion_tokens), total(u.reasoning_tokens), total(u.cached_tokens)"
)
_DAILY_RANGE = "u.day >= ? AND u.day <= ?"
_SUMS = (
    "total(m.cost), count(*), count(m.cost), total(m.prompt_tokens), "
    "total(m.completion_tokens), total(m.reasoning_tokens), total(m.cached_tokens)"
)


@dataclass(frozen=True)
class UsageRange:
    """Local dates from `since` to `until`, both included."""

    since: date
    until: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> UsageRange:
        """The `days` days that end today (today included)."""
        end = today or date.today()
        return cls(end - timedelta(days=days - 1), end)

    @classmethod
    def this_month(cls, today: date | None = None) -> UsageRange:
        """From the first of this month to today."""
        end = today or date.today()
        return cls(end.replace(day=1), end)

    def bounds(self) -> tuple[float, float]:
        """Unix times [start, end) of the range: local midnight to the midnight after."""
        start = datetime.combine(self.since, time()).timestamp()
        end = datetime.combine(self.until + timedelta(days=1), time()).timestamp()
        return start, end

    def day_bounds(self) -> tuple[str, str]:
        """The first and last local dates of the range as ISO text (`usage_daily.day`)."""
        return self.since.isoformat(), self.until.isoformat()

    def days(self) -> list[date]:
        """Every date of the range, in order (for a chart with gaps shown as gaps)."""
        count = (self.until - self.since).days + 1
        return [self.since + timedelta(days=i) for i in range(max(count, 0))]


@dataclass(frozen=True)
class Row:
    """Spend of one group (a model, a day, an endpoint or a conversation)."""

    key: str
    cost: float
    replies: int
    #: replies whose endpoint reported no cost: their cost is not in `cost`
    unpriced: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int = 0
    cached_tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `parley usage --json` (`by` items) plus the extra counts."""
        return {
            "key": self.key,
            "cost": round(self.cost, 10),
            "replies": self.replies,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cached_tokens": self.cached_tokens,
            "replies_without_cost": self.unpriced,
        }


@dataclass(frozen=True)
class Totals:
    """Everything in a range added up."""

    cost: float
    replies: int
    unpriced: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cached_tokens: int

    def unpriced_note(self) -> str:
        """'3 replies without a reported cost' ('' when every reply reported one)."""
        if not self.unpriced:
            return ""
        noun = "reply" if self.unpriced == 1 else "replies"
        return f"{self.unpriced:,} {noun} without a reported cost"


@dataclass(frozen=True)
class ModelRow:
    """One line of the per-model table."""

    model: str
    replies: int
    unpriced: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cached_tokens: int
    cost: float
    #: Parley does not record time to first token nor speed yet: None, shown as "—"
    median_ttft: float | None = None
    tokens_per_second: float | None = None

    @property
    def average_cost(self) -> float | None:
        """Cost per reply that reported one; None when none did."""
        priced = self.replies - self.unpriced
        return self.cost / priced if priced else None


@dataclass(frozen=True)
class DaySpend:
    """Spend of one group on one local date (a segment of a stacked bar)."""

    day: date
    key: str
    cost: float
    replies: int
    unpriced: int


@dataclass(frozen=True)
class ConversationSpend:
    """One of the most expensive conversations."""

    conversation_id: int
    title: str
    cost: float
    replies: int
    trashed: bool
    #: replies whose endpoint reported no cost
    unpriced: int = 0


def _row(key: str, values: tuple[Any, ...]) -> Row:
    cost, replies, priced, prompt, completion, reasoning, cached = values
    return Row(str(key), float(cost), int(replies), int(replies) - int(priced), int(prompt),
               int(completion), int(reasoning), int(cached))


def _query(store: Store, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row | tuple[Any, ...]]:
    with store.reading("add up the usage") as conn:
        return list(conn.execute(sql, params).fetchall())


def totals(store: Store, span: UsageRange) -> Totals:
    """Cost, replies and tokens of the range."""
    row = _query(store, f"SELECT {_DAILY_SUMS} FROM usage_daily u WHERE {_DAILY_RANGE}",
                 span.day_bounds())[0]
    r = _row("", tuple(row))
    return Totals(r.cost, r.replies, r.unpriced, r.prompt_tokens, r.completion_tokens,
                  r.reasoning_tokens, r.cached_tokens)


def breakdown(store: Store, span: UsageRange, by: Breakdown) -> list[Row]:
    """Spend grouped by model, day, endpoint or conversation; dearest first (days in order)."""
    if by == "conversation":
        rows = _query(
            store,
            f"SELECT {_SUMS}, m.conversation_id AS k FROM messages m "
            f"WHERE {_COUNTED} AND {_RANGE} GROUP BY k ORDER BY total(m.cost) DESC, k",
            span.bounds(),
        )
        return [_row(row[7], tuple(row[:7])) for row in rows]
    if by not in ("model", "day", "endpoint"):
        raise ValueError(f"unknown breakdown {by!r}")
    order = "k" if by == "day" else "total(u.cost) DESC, k"
    rows = _query(
        store,
        f"SELECT {_DAILY_SUMS}, u.{by} AS k FROM usage_daily u WHERE {_DAILY_RANGE} "
        f"GROUP BY k ORDER BY {order}",
        span.day_bounds(),
    )
    return [_row(row[7], tuple(row[:7])) for row in rows]


def model_table(store: Store, span: UsageRange) -> list[ModelRow]:
    """The per-model table of the range, dearest model first."""
    return _model_rows(breakdown(store, span, "model"))


def _model_rows(rows: list[Row]) -> list[ModelRow]:
    return [
        ModelRow(r.key, r.replies, r.unpriced, r.prompt_tokens, r.completion_tokens,
                 r.reasoning_tokens, r.cached_tokens, r.cost)
        for r in rows
    ]


def daily_spend(store: Store, span: UsageRange,
                stack: Literal["model", "endpoint"] = "model") -> list[DaySpend]:
    """Spend per local date and model (or endpoint): the segments of the bar chart."""
    if stack not in ("model", "endpoint"):
        raise ValueError(f"unknown stacking {stack!r}")
    rows = _query(
        store,
        f"SELECT u.day AS d, u.{stack} AS k, total(u.cost), total(u.replies), "
        f"total(u.priced) FROM usage_daily u WHERE {_DAILY_RANGE} GROUP BY d, k "
        f"ORDER BY d, k",
        span.day_bounds(),
    )
    return [
        DaySpend(date.fromisoformat(d), str(k), float(cost), int(n), int(n) - int(priced))
        for d, k, cost, n, priced in rows
    ]


def top_conversations(store: Store, span: UsageRange, limit: int = 10) -> list[ConversationSpend]:
    """The conversations that cost most in the range (trashed ones too: that was spent)."""
    rows = _query(
        store,
        f"SELECT s.cost, s.n, c.id, c.title, c.trashed_at, s.priced FROM ("
        f"  SELECT u.conversation_id AS cid, total(u.cost) AS cost, total(u.replies) AS n, "
        f"  total(u.priced) AS priced "
        f"  FROM usage_conversation_daily u WHERE {_DAILY_RANGE} GROUP BY u.conversation_id"
        f"  ORDER BY cost DESC, cid LIMIT ?"
        f") s JOIN conversations c ON c.id = s.cid ORDER BY s.cost DESC, c.id",
        (*span.day_bounds(), limit),
    )
    return [
        ConversationSpend(int(cid), str(title), float(cost), int(n), trashed is not None,
                          int(n) - int(priced))
        for cost, n, cid, title, trashed, priced in rows
    ]


# ---------------------------------------------------------------- exports


def to_json(total: Totals, rows: list[Row]) -> str:
    """{"total_cost", "replies", "by": [...]} plus the count of replies without a cost."""
    data = {
        "total_cost": round(total.cost, 10),
        "replies": total.replies,
        "replies_without_cost": total.unpriced,
        "by": [r.as_dict() for r in rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


CSV_COLUMNS = ("key", "cost", "replies", "replies_without_cost", "prompt_tokens",
               "completion_tokens", "reasoning_tokens", "cached_tokens")


def to_csv(rows: list[Row]) -> str:
    """The rows as CSV with a header line (costs in US dollars, full precision)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        d = r.as_dict()
        writer.writerow([d[c] for c in CSV_COLUMNS])
    return out.getvalue()


# ---------------------------------------------------------------- budgets


@dataclass(frozen=True)
class BudgetStatus:
    """This month's and today's spend against the budgets in Settings."""

    month_spent: float
    day_spent: float
    monthly_budget: float | None
    daily_budget: float | None
    #: the highest threshold (80 or 100) crossed this month / today; 0 when none
    month_level: int
    day_level: int
    #: with `ask_over_budget`, sending over a budget needs a confirmation
    ask_over_budget: bool = False

    @property
    def level(self) -> int:
        """The highest threshold crossed by either budget (0, 80 or 100)."""
        return max(self.month_level, self.day_level)

    @property
    def over(self) -> bool:
        """A budget is used up."""
        return self.level >= 100

    @property
    def needs_confirmation(self) -> bool:
        """Sending now needs the user's explicit yes (over budget and asked to ask)."""
        return self.over and self.ask_over_budget

    def message(self) -> str:
        """One sentence about the budget crossed, '' when none is."""
        parts = []
        for name, level, spent, budget in (
            ("monthly", self.month_level, self.month_spent, self.monthly_budget),
            ("daily", self.day_level, self.day_spent, self.daily_budget),
        ):
            if not level or budget is None:
                continue
            if level >= 100:
                parts.append(f"you have spent ${spent:,.2f}, over your {name} budget of "
                             f"${budget:,.2f}")
            else:
                parts.append(f"you have spent ${spent:,.2f}, {spent / budget:.0%} of your "
                             f"{name} budget of ${budget:,.2f}")
        if not parts:
            return ""
        return "Budget: " + "; ".join(parts) + "."


def _level(spent: float, budget: float | None) -> int:
    if budget is None or budget < 0:
        return 0
    if budget == 0:
        return 100 if spent > 0 else 0
    crossed = [t for t in THRESHOLDS if spent >= budget * t / 100]
    return max(crossed, default=0)


def _spent_since(store: Store, start: date) -> float:
    row = _query(store, "SELECT total(u.cost) FROM usage_daily u WHERE u.day >= ?",
                 (start.isoformat(),))[0]
    return float(row[0])


def budget_status(store: Store, settings: Settings, now: datetime | None = None) -> BudgetStatus:
    """Spend this month and today (local time) against the monthly and daily budgets."""
    now = now or datetime.now()
    month_start = now.date().replace(day=1)
    day_start = now.date()
    monthly, daily = settings.monthly_budget, settings.daily_budget
    month_spent = _spent_since(store, month_start)
    day_spent = _spent_since(store, day_start)
    return BudgetStatus(
        month_spent, day_spent, monthly, daily,
        _level(month_spent, monthly), _level(day_spent, daily),
        ask_over_budget=settings.ask_over_budget,
    )


# ---------------------------------------------------------------- the dashboard


@dataclass(frozen=True)
class Dashboard:
    """Everything the Usage window shows for one range."""

    span: UsageRange
    stack: str
    totals: Totals
    days: list[DaySpend]
    #: by model, as `parley usage --by model` prints them (and the CSV export)
    rows: list[Row]
    models: list[ModelRow]
    conversations: list[ConversationSpend]
    #: this month and today against the budgets (figures also without budgets)
    budget: BudgetStatus


def dashboard(store: Store, span: UsageRange, stack: Literal["model", "endpoint"],
              settings: Settings, now: datetime | None = None) -> Dashboard:
    """All figures of the Usage window for `span`, stacked by model or endpoint.

    Each figure adds up the `usage_daily` rows of the range in SQL (a few thousand at
    most); only the conversation ranking reads the replies themselves.
    """
    if stack not in ("model", "endpoint"):
        raise ValueError(f"unknown stacking {stack!r}")
    rows = breakdown(store, span, "model")
    return Dashboard(
        span, stack, totals(store, span), daily_spend(store, span, stack), rows,
        _model_rows(rows), top_conversations(store, span), budget_status(store, settings, now),
    )


#: the dashboard's connection on each worker thread (sqlite3 connections stay on theirs)
_worker = threading.local()


def _worker_store(db_path: Path) -> Store:
    """This thread's connection to `db_path`, opened on first use and kept.

    Kept open because closing a store runs `PRAGMA optimize`, which after these queries
    re-analyses the messages table (a quarter of a second on 500k messages), and because
    a warm page cache makes the next range quick.
    """
    from app.core.errors import ParleyError
    from app.core.history.jobs import worker_store

    store: Store | None = getattr(_worker, "store", None)
    if store is not None and store.path == db_path:
        return store
    if store is not None:  # another history (tests, a second data folder)
        _worker.store = None
        with contextlib.suppress(ParleyError):
            store.close()
    store = worker_store(db_path, threading.Event())
    with store.reading("prepare the usage figures") as conn:
        # Grouping a year of replies sorts ~100k rows: with SQLite's default 2 MB
        # cache the sorter spills to disk and the query takes twice as long.
        conn.execute(f"PRAGMA cache_size = -{_SORT_CACHE_KB}")
    _worker.store = store
    return store


def dashboard_in_worker(db_path: Path, span: UsageRange, stack: Literal["model", "endpoint"],
                        settings: Settings) -> Dashboard:
    """`dashboard` on a connection of the calling (worker) thread's own."""
    return dashboard(_worker_store(db_path), span, stack, settings)
