"""`parley usage` and the budget checks of `parley ask`, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.core.domain import MessageStatus
from app.core.history import Store
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_cli import parley
from tests.test_usage import CLAUDE, GPT, LOCAL, add_reply

TODAY = date.today()
NOON = datetime.combine(TODAY, time(12, 0))


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


@pytest.fixture
def history(isolated_home: Path) -> Path:
    """Today: GPT $0.10 + a stopped GPT reply $0.05; a local reply with no cost;
    40 days ago: Claude $2.00 (outside the default 30 days)."""
    store = Store.open(isolated_home / "history.sqlite3")
    try:
        a = store.create_conversation("Alpha", GPT).id
        b = store.create_conversation("Beta", LOCAL, endpoint="local").id
        add_reply(store, a, NOON, GPT, cost=0.10, prompt=100, completion=50)
        add_reply(store, a, NOON, GPT, status=MessageStatus.STOPPED, cost=0.05, prompt=80,
                  completion=10)
        add_reply(store, b, NOON, LOCAL, prompt=30, completion=40)
        add_reply(store, a, NOON - timedelta(days=40), CLAUDE, cost=2.0, prompt=5,
                  completion=5)
    finally:
        store.close()
    return isolated_home


def write_settings(home: Path, **values: object) -> None:
    (home / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def test_usage_json_has_the_documented_shape(history: Path, env: dict[str, str]) -> None:
    res = parley("usage", "--json", env=env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["total_cost"] == pytest.approx(0.15)
    assert data["replies"] == 3
    assert data["replies_without_cost"] == 1
    by = {row["key"]: row for row in data["by"]}
    assert set(by) == {GPT, LOCAL}
    assert by[GPT] | {"cost": 0} == {
        "key": GPT, "cost": 0, "replies": 2, "prompt_tokens": 180, "completion_tokens": 60,
        "reasoning_tokens": 0, "cached_tokens": 0, "replies_without_cost": 0}
    assert by[GPT]["cost"] == pytest.approx(0.15)


def test_usage_since_includes_older_days_and_groups_by_day(
    history: Path, env: dict[str, str]
) -> None:
    since = (TODAY - timedelta(days=60)).isoformat()
    res = parley("usage", "--since", since, "--by", "day", "--csv", env=env)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["key"] for r in rows] == [(TODAY - timedelta(days=40)).isoformat(),
                                        TODAY.isoformat()]
    assert float(rows[0]["cost"]) == pytest.approx(2.0)
    assert rows[1]["replies_without_cost"] == "1"


def test_usage_table_names_replies_without_cost(history: Path, env: dict[str, str]) -> None:
    res = parley("usage", "--by", "endpoint", env=env)
    assert res.returncode == 0, res.stderr
    assert "openrouter" in res.stdout and "local" in res.stdout
    assert "$0.1500" in res.stdout
    assert "1 reply without a reported cost" in res.stdout


def test_usage_by_conversation_shows_titles(history: Path, env: dict[str, str]) -> None:
    res = parley("usage", "--by", "conversation", env=env)
    assert res.returncode == 0, res.stderr
    assert "Alpha" in res.stdout and "Beta" in res.stdout


def test_usage_refuses_a_bad_date(history: Path, env: dict[str, str]) -> None:
    res = parley("usage", "--since", "last week", env=env)
    assert res.returncode == 2
    assert "YYYY-MM-DD" in res.stderr


def test_ask_warns_on_stderr_past_80_percent_of_the_budget(
    history: Path, env: dict[str, str], fake: FakeOpenRouter
) -> None:
    write_settings(history, monthly_budget=0.18)  # $0.15 spent: 83%
    fake.enqueue(text_stream("fine"))
    res = parley("ask", "hello", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "fine\n"
    assert "83% of your monthly budget of $0.18" in res.stderr


def test_ask_refuses_over_budget_when_settings_ask_first(
    history: Path, env: dict[str, str], fake: FakeOpenRouter
) -> None:
    write_settings(history, daily_budget=0.15, ask_over_budget=True)
    res = parley("ask", "hello", env=env)
    assert res.returncode == 1
    assert "over your daily budget of $0.15" in res.stderr
    assert "--over-budget" in res.stderr
    assert fake.requests == []
    fake.enqueue(text_stream("sent anyway"))
    res = parley("ask", "--over-budget", "hello", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "sent anyway\n"
    assert "over your daily budget" in res.stderr


def test_ask_over_budget_without_asking_first_only_warns(
    history: Path, env: dict[str, str], fake: FakeOpenRouter
) -> None:
    write_settings(history, monthly_budget=0.10)
    fake.enqueue(text_stream("ok"))
    res = parley("ask", "hello", env=env)
    assert res.returncode == 0, res.stderr
    assert "over your monthly budget of $0.10" in res.stderr
