"""The model browser, driven offscreen with a synthetic catalog (no network)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialog

from app.core.client import ModelInfo
from app.ui.model_browser import AUTO_ID, Column, ModelBrowser
from tests.test_desktop import _unnamed_controls

VENDORS = ("openai", "anthropic", "google", "meta-llama", "mistralai", "qwen")


def make_models(n: int = 300) -> list[ModelInfo]:
    """`n` models with distinct prices (some above $10/M, so text order would be wrong)."""
    models = []
    for i in range(n):
        vendor = VENDORS[i % len(VENDORS)]
        # 0.05 .. 29.95 $/M, shuffled by the multiplier so id order is not price order
        per_million = ((i * 7919) % 600 + 1) * 0.05
        models.append(ModelInfo(
            id=f"{vendor}/model-{i}",
            name=f"{vendor.title()} Model {i}",
            context_length=[8192, 32768, 131072, 200000, 1048576][i % 5],
            prompt_price=per_million / 1e6,
            completion_price=per_million * 4 / 1e6,
            input_modalities=("text", "image") if i % 3 == 0 else ("text",),
            supported_parameters=("temperature", "top_p", "max_tokens")
            + (("reasoning", "include_reasoning") if i % 4 == 0 else ()),
            description=f"Synthetic model {i}." + (" Speaks Klingon." if i == 42 else ""),
            max_completion_tokens=16384,
        ))
    models.append(ModelInfo(id="openai/model-0:free", name="Openai Model 0 (free)",
                            prompt_price=0.0, completion_price=0.0))
    return models


@pytest.fixture
def browser(qtbot: Any) -> ModelBrowser:
    dialog = ModelBrowser(make_models(), current="anthropic/model-1", favourites=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def shown_ids(dialog: ModelBrowser) -> list[str]:
    proxy = dialog.proxy
    return [proxy.index(r, Column.ID).data() for r in range(proxy.rowCount())]


def select(dialog: ModelBrowser, model_id: str) -> None:
    assert dialog.select_model(model_id), model_id


def test_auto_entry_is_listed_first_and_current_model_selected(browser: ModelBrowser) -> None:
    ids = shown_ids(browser)
    assert ids[0] == AUTO_ID
    assert browser.proxy.index(0, Column.NAME).data() == "Auto (best model for the prompt)"
    assert len(ids) == 302  # 301 models + auto
    assert browser.selected_id() == "anthropic/model-1"


def test_search_field_has_focus_on_open(browser: ModelBrowser, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is browser.search, timeout=2000)


def test_filter_by_name_id_and_description_case_insensitive(browser: ModelBrowser) -> None:
    browser.search.setText("MODEL-12")
    ids = shown_ids(browser)
    assert ids and all("model-12" in i for i in ids)
    assert "google/model-122" in ids
    browser.search.setText("klingon")  # only in the description
    assert shown_ids(browser) == ["openai/model-42"]
    assert browser.selected_id() == "openai/model-42"  # the match is selected for Enter
    browser.search.setText("anthropic model 10")  # every word must match
    assert set(shown_ids(browser)) == {f"anthropic/model-{i}" for i in range(300)
                                       if i % 6 == 1 and "10" in str(i)}
    browser.search.setText("no such model anywhere")
    assert shown_ids(browser) == []
    assert not browser.choose_button.isEnabled()
    browser.search.clear()
    assert len(shown_ids(browser)) == 302


def test_prices_and_context_sort_as_numbers(browser: ModelBrowser) -> None:
    models = {m.id: m for m in make_models()}
    browser.table.sortByColumn(Column.PROMPT, Qt.SortOrder.AscendingOrder)
    ids = shown_ids(browser)
    assert ids[0] == AUTO_ID
    prices = [models[i].prompt_price for i in ids[1:]]
    assert prices == sorted(prices)  # type: ignore[type-var]
    # what the user sees is in numeric order too ("$10.00" after "$9.95"; as text "$1..."
    # would come before "$9...")
    texts = [browser.proxy.index(r, Column.PROMPT).data() for r in range(1, len(ids))]
    assert texts[0] == "free"  # openai/model-0:free
    cells = [float(t.lstrip("$")) for t in texts[1:]]
    assert cells == sorted(cells) and cells[0] < 2 and cells[-1] >= 10

    browser.table.sortByColumn(Column.PROMPT, Qt.SortOrder.DescendingOrder)
    ids = shown_ids(browser)
    assert ids[0] == AUTO_ID  # pinned in both directions
    prices = [models[i].prompt_price for i in ids[1:]]
    assert prices == sorted(prices, reverse=True)  # type: ignore[type-var]

    browser.table.sortByColumn(Column.CONTEXT, Qt.SortOrder.DescendingOrder)
    contexts = [models[i].context_length or 0 for i in shown_ids(browser)[1:]]
    assert contexts == sorted(contexts, reverse=True)
    assert browser.proxy.index(1, Column.CONTEXT).data() == "1.05M"


def test_favourites_toggle_by_star_button_and_shortcut(
    browser: ModelBrowser, qtbot: Any
) -> None:
    seen: list[list[str]] = []
    browser.favouritesChanged.connect(seen.append)

    # click the star cell of a row
    browser.search.setText("google/model-2")
    row = shown_ids(browser).index("google/model-2")
    index = browser.proxy.index(row, Column.FAVOURITE)
    rect = browser.table.visualRect(index)
    qtbot.mouseClick(browser.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen[-1] == ["google/model-2"]
    assert browser.proxy.index(row, Column.FAVOURITE).data() == "★"

    # the button
    browser.search.clear()
    select(browser, "openai/model-6")
    browser.favourite_button.click()
    assert seen[-1] == ["google/model-2", "openai/model-6"]
    assert "Unfavourite" in browser.favourite_button.text()

    # Ctrl+D on the selected model
    select(browser, "qwen/model-5")
    browser.table.setFocus()
    qtbot.keyClick(browser.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert seen[-1] == ["google/model-2", "openai/model-6", "qwen/model-5"]

    browser.favourites_only.setChecked(True)
    assert sorted(shown_ids(browser)) == ["google/model-2", "openai/model-6", "qwen/model-5"]
    # unstarring under "Favourites only" removes the row
    select(browser, "openai/model-6")
    browser.favourite_button.click()
    assert seen[-1] == ["google/model-2", "qwen/model-5"]
    assert sorted(shown_ids(browser)) == ["google/model-2", "qwen/model-5"]
    assert browser.favourites() == ["google/model-2", "qwen/model-5"]


def test_favourites_given_are_starred_and_sort_first(qtbot: Any) -> None:
    dialog = ModelBrowser(make_models(), current="", favourites=["qwen/model-5"])
    qtbot.addWidget(dialog)
    dialog.table.sortByColumn(Column.FAVOURITE, Qt.SortOrder.AscendingOrder)
    assert shown_ids(dialog)[:2] == [AUTO_ID, "qwen/model-5"]


def test_choosing_emits_the_id_with_online_suffix(browser: ModelBrowser, qtbot: Any) -> None:
    select(browser, "anthropic/model-7")
    browser.online_check.setChecked(True)
    assert browser.chosen_label.text() == "Will use: anthropic/model-7:online"
    with qtbot.waitSignal(browser.modelChosen) as blocker:
        qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    assert blocker.args == ["anthropic/model-7:online"]
    assert browser.result() == QDialog.DialogCode.Accepted


def test_double_click_chooses_and_escape_cancels(qtbot: Any) -> None:
    dialog = ModelBrowser(make_models(), current="", favourites=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    chosen: list[str] = []
    dialog.modelChosen.connect(chosen.append)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert chosen == []

    dialog.show()
    select(dialog, "mistralai/model-4")
    qtbot.wait(20)  # let the view scroll to it
    rect = dialog.table.visualRect(dialog.table.currentIndex().siblingAtColumn(Column.NAME))
    # a real double click starts with a press (QTest.mouseDClick alone sends none)
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == ["mistralai/model-4"]


def test_free_suffix_only_when_a_free_variant_is_listed(browser: ModelBrowser) -> None:
    select(browser, "anthropic/model-1")
    assert not browser.free_check.isEnabled()
    browser.free_check.setChecked(True)  # even if checked, it does not apply here
    assert browser.chosen_id() == "anthropic/model-1"
    select(browser, "openai/model-0")
    assert browser.free_check.isEnabled()
    assert browser.chosen_id() == "openai/model-0:free"
    browser.nitro_check.setChecked(True)
    assert browser.chosen_id() == "openai/model-0:free:nitro"


def test_nitro_and_floor_exclude_each_other(browser: ModelBrowser) -> None:
    browser.nitro_check.setChecked(True)
    browser.floor_check.setChecked(True)
    assert not browser.nitro_check.isChecked()
    assert browser.chosen_id() == "anthropic/model-1:floor"
    browser.online_check.setChecked(True)
    assert browser.chosen_id() == "anthropic/model-1:floor:online"


def test_current_id_with_suffixes_checks_the_boxes(qtbot: Any) -> None:
    dialog = ModelBrowser(make_models(), current="openai/model-6:nitro:online", favourites=[])
    qtbot.addWidget(dialog)
    assert dialog.selected_id() == "openai/model-6"
    assert dialog.nitro_check.isChecked() and dialog.online_check.isChecked()
    assert dialog.chosen_id() == "openai/model-6:nitro:online"


def test_set_models_keeps_the_selection(browser: ModelBrowser) -> None:
    select(browser, "google/model-20")
    newer = make_models(310)
    browser.set_models(newer)
    assert browser.selected_id() == "google/model-20"
    assert len(shown_ids(browser)) == 312
    assert browser.table_model.rowCount(QModelIndex()) == 312


def test_other_endpoints_have_no_auto_entry_or_suffixes(qtbot: Any) -> None:
    models = [ModelInfo(id="gemma-3-270m", name="gemma-3-270m")]
    dialog = ModelBrowser(models, current="gemma-3-270m", favourites=[],
                          endpoint_kind="openai")
    qtbot.addWidget(dialog)
    dialog.show()
    assert shown_ids(dialog) == ["gemma-3-270m"]
    assert not dialog.suffix_box.isVisible()
    dialog.online_check.setChecked(True)
    assert dialog.chosen_id() == "gemma-3-270m"


def test_details_pane_and_tooltip(browser: ModelBrowser) -> None:
    select(browser, "openai/model-0")
    text = browser.details.toPlainText()
    assert "Synthetic model 0." in text
    assert "16,384 tokens" in text
    assert "reasoning" in text  # supported parameters
    row = shown_ids(browser).index("openai/model-0")
    tip = browser.proxy.index(row, Column.NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert "Supported parameters: temperature, top_p, max_tokens, reasoning" in tip
    assert browser.proxy.index(row, Column.BADGES).data() == "reasoning"


def test_every_control_has_an_accessible_name(browser: ModelBrowser) -> None:
    assert _unnamed_controls(browser) == []


def test_auto_entry_uses_the_catalog_entry_when_listed(qtbot: Any) -> None:
    listed = ModelInfo(id=AUTO_ID, name="Auto Router", context_length=2_000_000,
                       prompt_price=-1.0, completion_price=-1.0,
                       description="Your prompt will be processed by a meta-model.")
    dialog = ModelBrowser([*make_models(20), listed], current=AUTO_ID, favourites=[])
    qtbot.addWidget(dialog)
    ids = shown_ids(dialog)
    assert ids[0] == AUTO_ID and ids.count(AUTO_ID) == 1
    info = dialog.selected_info()
    assert info is not None
    assert info.name == "Auto (best model for the prompt)"
    assert info.context_length == 2_000_000
    assert dialog.proxy.index(0, Column.PROMPT).data() == "varies"
    # variants don't apply to the router itself
    assert not dialog.online_check.isEnabled()
    assert dialog.chosen_id() == AUTO_ID
