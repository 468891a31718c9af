"""The Usage dashboard and the budget warnings in the window, driven like a user would."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.core.domain import MessageStatus
from app.core.history import Store
from app.main import Parley
from app.ui.usage_dialog import UsageDialog
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_gui import chat_requests, close_app, open_app, send, settings_dialog
from tests.test_usage import CLAUDE, GPT, LOCAL, add_reply

TODAY = date.today()
NOON = datetime.combine(TODAY, time(12, 0))


@pytest.fixture
def seeded_home(isolated_home: Path) -> dict[str, int]:
    """Today: GPT $0.10 and a stopped GPT reply $0.05 (Alpha), a local reply without a
    cost (Beta); 3 days ago: Claude $0.40 (Gamma); 100 days ago: Claude $5 (Gamma)."""
    store = Store.open(isolated_home / "history.sqlite3")
    try:
        a = store.create_conversation("Alpha", GPT).id
        b = store.create_conversation("Beta", LOCAL, endpoint="local").id
        g = store.create_conversation("Gamma", CLAUDE).id
        add_reply(store, a, NOON, GPT, cost=0.10, prompt=100, completion=50, cached=30)
        add_reply(store, a, NOON, GPT, status=MessageStatus.STOPPED, cost=0.05, prompt=80,
                  completion=10)
        add_reply(store, b, NOON, LOCAL, prompt=30, completion=40)
        add_reply(store, g, NOON - timedelta(days=3), CLAUDE, cost=0.40, prompt=500,
                  completion=200, reasoning=90)
        add_reply(store, g, NOON - timedelta(days=100), CLAUDE, cost=5.0, prompt=1,
                  completion=1)
    finally:
        store.close()
    return {"alpha": a, "beta": b, "gamma": g}


@pytest.fixture
def app(qtbot: Any, aloop: Any, fake: FakeOpenRouter, seeded_home: dict[str, int]
        ) -> Iterator[Parley]:
    parley = open_app(qtbot)
    yield parley
    for w in QApplication.topLevelWidgets():
        if isinstance(w, UsageDialog):
            w.close()
    close_app(qtbot, parley)


def open_dashboard(qtbot: Any, app: Parley) -> UsageDialog:
    qtbot.keyClick(app.window, Qt.Key.Key_U,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    def shown() -> list[UsageDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, UsageDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=5000)
    dialog = shown()[0]
    qtbot.waitUntil(lambda: dialog.dashboard is not None, timeout=10000)
    return dialog


def cells(table: Any, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_dashboard_shows_the_last_30_days(app: Parley, qtbot: Any, fake: FakeOpenRouter,
                                          seeded_home: dict[str, int]) -> None:
    dialog = open_dashboard(qtbot, app)
    summary = dialog.summary.text()
    assert "$0.5500 over 4 replies" in summary
    assert "1 reply without a reported cost" in summary
    assert cells(dialog.models_table, 0) == [CLAUDE, GPT, LOCAL]
    gpt = [dialog.models_table.item(1, c).text() for c in range(10)]
    assert gpt == [GPT, "2", "180", "60", "0", "30", "$0.1500", "$0.0750", "—", "—"]
    assert dialog.models_table.item(2, 6).text() == "—"
    assert dialog.models_table.item(2, 7).text() == "—"
    assert cells(dialog.conversations_table, 0) == ["Gamma", "Alpha", "Beta"]
    # One bar a day; today's bar stacks the GPT spend, with its figures on hover.
    assert len(dialog.chart.bars) == 30
    assert dialog.chart.bars[-1].total == pytest.approx(0.15)
    tip = dialog.chart.tooltip_for(29)
    assert "$0.1500" in tip and GPT in tip and "3 replies" in tip
    assert "1 without a reported cost" in tip
    assert dialog.chart.bars[-4].total == pytest.approx(0.40)
    # Month spend (no budget set) and the credit GET /key reports.
    assert "This month" in dialog.budget_line.text()
    qtbot.waitUntil(lambda: dialog.credit_line.text().startswith("OpenRouter: "),
                    timeout=5000)


def test_switching_range_and_stacking(app: Parley, qtbot: Any) -> None:
    dialog = open_dashboard(qtbot, app)
    first = dialog.dashboard
    dialog.set_range("year")
    qtbot.waitUntil(lambda: dialog.dashboard is not first, timeout=10000)
    assert len(dialog.chart.bars) == 365
    assert dialog.dashboard is not None
    assert dialog.dashboard.totals.cost == pytest.approx(5.55)
    week = dialog.dashboard
    dialog.set_range("week")
    qtbot.waitUntil(lambda: dialog.dashboard is not week, timeout=10000)
    assert len(dialog.chart.bars) == 7
    stacked = dialog.dashboard
    dialog.stack_box.setCurrentIndex(dialog.stack_box.findData("endpoint"))
    qtbot.waitUntil(lambda: dialog.dashboard is not stacked, timeout=10000)
    assert set(dialog.chart.series) == {"openrouter", "local"}


def test_double_click_opens_the_conversation(app: Parley, qtbot: Any,
                                             seeded_home: dict[str, int]) -> None:
    dialog = open_dashboard(qtbot, app)
    table = dialog.conversations_table
    rect = table.visualItemRect(table.item(0, 0))
    # A double-click is a press, a release, then the double-click (item views check it).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: app.controller.current is not None
                    and app.controller.current.id == seeded_home["gamma"], timeout=5000)


def test_export_png_and_csv(app: Parley, qtbot: Any, tmp_path: Path) -> None:
    dialog = open_dashboard(qtbot, app)
    png = tmp_path / "chart.png"
    assert dialog.save_png(png)
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 100
    out = tmp_path / "usage.csv"
    assert dialog.save_csv(out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["key"] for r in rows] == [CLAUDE, GPT, LOCAL]
    assert rows[2]["replies_without_cost"] == "1"
    assert not dialog.save_png(tmp_path / "missing" / "chart.png")
    assert "could not be saved" in dialog.summary.text()


def test_chart_reads_in_dark_and_light(app: Parley, qtbot: Any) -> None:
    from app.ui.charts import series_colour

    light, dark = series_colour(0, dark=False), series_colour(0, dark=True)
    assert light.lightness() < 128 < dark.lightness()


def write_settings(home: Path, **values: object) -> None:
    (home / "settings.json").write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture
def over_budget(isolated_home: Path, seeded_home: dict[str, int]) -> Path:
    # Today's spend is $0.15 against a daily budget of $0.12.
    write_settings(isolated_home, daily_budget=0.12, ask_over_budget=True)
    return isolated_home


def test_budget_warning_shows_before_the_first_send_and_asks_over_budget(
    over_budget: Path, qtbot: Any, aloop: Any, fake: FakeOpenRouter
) -> None:
    app = open_app(qtbot)
    try:
        label = app.window.budget_label
        assert label.isVisible()
        assert "over your daily budget of $0.12" in label.text()
        asked: list[str] = []

        def refuse(message: str) -> bool:
            asked.append(message)
            return False

        app.controller.confirm_over_budget = refuse
        send(qtbot, app, "hello")
        assert len(asked) == 1 and "daily budget" in asked[0]
        assert chat_requests(fake) == []
        assert app.window.composer.edit.toPlainText() == "hello"  # kept for later

        app.controller.confirm_over_budget = lambda _m: True
        fake.enqueue(text_stream("sent"))
        qtbot.keyClick(app.window.composer.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not app.controller.busy and bool(chat_requests(fake)),
                        timeout=5000)
    finally:
        close_app(qtbot, app)


def test_no_budget_no_warning_and_no_question(
    isolated_home: Path, seeded_home: dict[str, int], qtbot: Any, aloop: Any,
    fake: FakeOpenRouter,
) -> None:
    write_settings(isolated_home, monthly_budget=100.0, ask_over_budget=True)
    app = open_app(qtbot)
    try:
        assert not app.window.budget_label.isVisible()
        app.controller.confirm_over_budget = lambda _m: pytest.fail("must not ask")
        fake.enqueue(text_stream("fine"))
        send(qtbot, app, "hello")
        qtbot.waitUntil(lambda: not app.controller.busy and bool(chat_requests(fake)),
                        timeout=5000)
    finally:
        close_app(qtbot, app)


def test_settings_dialog_edits_the_budgets(app: Parley, qtbot: Any,
                                           isolated_home: Path) -> None:
    app.settings.open()
    dialog = settings_dialog(qtbot)
    assert dialog.monthly_budget.text() == "none"
    dialog.monthly_budget.setValue(25)
    dialog.daily_budget.setValue(2.5)
    dialog.ask_over_budget.setChecked(True)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    saved = json.loads((isolated_home / "settings.json").read_text())
    assert (saved["monthly_budget"], saved["daily_budget"], saved["ask_over_budget"]) == (
        25.0, 2.5, True)
    assert app.ctx.settings.daily_budget == 2.5
