"""The conversation settings dialog: round trip, request body, validation, OpenRouter-only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.client import ModelInfo
from app.core.options import (
    ConversationOptions,
    ProviderPrefs,
    ReasoningOptions,
    StructuredOutput,
    WebSearchOptions,
)
from app.ui.options_dialog import OptionsDialog
from tests.test_desktop import _unnamed_controls

MODEL = ModelInfo(
    id="anthropic/claude-x",
    name="Claude X",
    supported_parameters=("temperature", "top_p", "max_tokens", "stop", "reasoning",
                          "response_format", "structured_outputs"),
)
IDS = ["anthropic/claude-x", "openai/gpt-4o-mini", "google/gemini-flash", "qwen/qwen3"]


def full_options() -> ConversationOptions:
    """Nearly every field set, including values a spin box cannot show exactly."""
    return ConversationOptions(
        models=["openai/gpt-4o-mini", "google/gemini-flash"],
        provider=ProviderPrefs(
            order=["anthropic", "amazon-bedrock"], allow_fallbacks=False, sort="latency",
            data_collection="deny", zdr=True, only=["anthropic"], ignore=["azure"],
            quantizations=["fp8", "bf16"], max_price={"prompt": 3.0, "completion": 15.25},
            require_parameters=True,
        ),
        temperature=0.733, top_p=0.9, top_k=40, frequency_penalty=-0.5,
        presence_penalty=1.25, repetition_penalty=1.1, min_p=0.05, top_a=0.2, seed=1234,
        max_tokens=2048, stop=["\n\nUser:", "END", "a\\b"], logit_bias={"50256": -100},
        logprobs=True, top_logprobs=5, system_prompt="Be brief.\nUse metric units.",
        reasoning=ReasoningOptions(effort="high", exclude=True, enabled=True),
        web_search=WebSearchOptions(enabled=True, max_results=3, search_prompt="Sources:",
                                    engine="exa"),
        structured=StructuredOutput(
            mode="json_schema",
            schema={"type": "object", "properties": {"answer": {"type": "string"}},
                    "required": ["answer"]},
            name="answer", strict=True,
        ),
        prompt_caching=True, middle_out=False, online=True, pdf_engine="mistral-ocr",
        image_output=False, image_aspect_ratio="16:9",
    )


def open_dialog(
    qtbot: Any,
    options: ConversationOptions | None = None,
    *,
    model: ModelInfo | None = MODEL,
    endpoint_kind: str = "openrouter",
) -> OptionsDialog:
    dialog = OptionsDialog(options or ConversationOptions(), model=model,
                           endpoint_kind=endpoint_kind, model_ids=IDS)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_round_trip_gives_back_the_same_options(qtbot: Any) -> None:
    original = full_options()
    dialog = open_dialog(qtbot, original)
    assert dialog.options() == original
    assert dialog.options() is not original
    assert dialog.ok_button.isEnabled(), dialog.problems()
    # explicit "off" values survive too
    explicit = ConversationOptions(logprobs=False, prompt_caching=False,
                                   provider=ProviderPrefs(zdr=False, data_collection="allow"),
                                   reasoning=ReasoningOptions(enabled=False), middle_out=True)
    assert open_dialog(qtbot, explicit).options() == explicit
    assert open_dialog(qtbot).options() == ConversationOptions()


def test_pdf_reading_is_chosen_in_the_dialog(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.options().pdf_engine is None  # default: OpenRouter's free text extraction
    dialog.pdf_combo.setCurrentIndex(dialog.pdf_combo.findData("native"))
    assert dialog.options().pdf_engine == "native"
    assert open_dialog(qtbot, dialog.options()).pdf_combo.currentData() == "native"


def test_image_output_and_aspect_ratio_are_chosen_in_the_dialog(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.options().image_output is None  # automatic, from the model catalog
    dialog.image_output.set_value(True)
    dialog.aspect_combo.setCurrentIndex(dialog.aspect_combo.findData("3:2"))
    chosen = dialog.options()
    assert (chosen.image_output, chosen.image_aspect_ratio) == (True, "3:2")
    again = open_dialog(qtbot, chosen)
    assert again.image_output.value() is True
    assert again.aspect_combo.currentData() == "3:2"


def test_editing_never_changes_the_input(qtbot: Any) -> None:
    original = full_options()
    snapshot = original.clone()
    dialog = open_dialog(qtbot, original)
    dialog.system_prompt.setPlainText("changed")
    dialog.fallback_list.clear()
    dialog.order_edit.setText("openai")
    dialog._numbers["temperature"].check.setChecked(False)
    assert original == snapshot
    assert dialog.options().system_prompt == "changed"
    assert dialog.options().models == []
    assert dialog.options().temperature is None


def test_nothing_set_sends_only_the_model(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.request_preview() == {"model": "anthropic/claude-x"}
    assert dialog.ok_button.isEnabled()


def test_parameters_and_routing_fields_become_the_request_body(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    temperature = dialog._numbers["temperature"]
    temperature.check.setChecked(True)
    temperature.spin.setValue(0.4)
    top_k = dialog._numbers["top_k"]
    top_k.check.setChecked(True)
    top_k.spin.setValue(50)
    dialog.stop_edit.setPlainText("END\n\\n\\n")
    dialog.order_edit.setText(" anthropic ,  openai,")
    dialog.sort_combo.setCurrentIndex(dialog.sort_combo.findData("throughput"))
    dialog.deny_check.setChecked(True)
    dialog.allow_fallbacks.set_value(False)
    dialog._max_price["prompt"].check.setChecked(True)
    dialog._max_price["prompt"].spin.setValue(2.5)
    dialog.effort_combo.setCurrentIndex(dialog.effort_combo.findData("low"))
    dialog.middle_out.set_value(True)
    dialog.fallback_combo.setEditText("openai/gpt-4o-mini")
    dialog.add_button.click()

    body = dialog.request_preview()
    assert body == {
        "model": "anthropic/claude-x",
        "temperature": 0.4,
        "top_k": 50,
        "stop": ["END", "\n\n"],
        "models": ["anthropic/claude-x", "openai/gpt-4o-mini"],
        "provider": {
            "order": ["anthropic", "openai"], "allow_fallbacks": False, "sort": "throughput",
            "data_collection": "deny", "max_price": {"prompt": 2.5},
        },
        "reasoning": {"effort": "low"},
        "transforms": ["middle-out"],
    }
    # unset parameters are absent, not null
    for name in ("top_p", "seed", "max_tokens", "logit_bias", "response_format", "plugins"):
        assert name not in body
    # the preview shows exactly that
    dialog.preview_button.click()
    assert dialog.preview.isVisible()
    assert json.loads(dialog.preview.toPlainText()) == body
    dialog.preview_button.click()
    assert not dialog.preview.isVisible()


def test_web_search_and_structured_output(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    dialog.web_check.setChecked(True)
    dialog.web_results.check.setChecked(True)
    dialog.web_results.spin.setValue(4)
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("json_object"))
    body = dialog.request_preview()
    assert body["plugins"] == [{"id": "web", "max_results": 4}]
    assert body["response_format"] == {"type": "json_object"}


def test_unsupported_parameter_is_flagged(qtbot: Any) -> None:
    dialog = open_dialog(qtbot, ConversationOptions(top_k=20, temperature=0.5))
    dialog.tabs.setCurrentIndex(1)
    flag = dialog._flags["top_k"]
    assert flag.isVisible()
    assert flag.text() == "not supported by Claude X"
    assert not dialog._flags["temperature"].isVisible()
    assert not dialog._flags["stop"].isVisible()
    assert dialog._flags["seed"].isVisible()  # flagged even before it is set
    assert "top_k" in dialog.warnings_label.text()
    assert "temperature" not in dialog.warnings_label.text()
    assert dialog.ok_button.isEnabled()  # a warning, not an error

    # a model that does not say what it supports is not flagged at all
    quiet = open_dialog(qtbot, ConversationOptions(top_k=20),
                        model=ModelInfo(id="local", name="local"))
    assert not any(label.isVisibleTo(quiet) for label in quiet._flags.values())


def test_invalid_schema_disables_ok_and_says_where(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    dialog.tabs.setCurrentIndex(4)
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("json_schema"))
    assert not dialog.ok_button.isEnabled()  # no schema yet
    dialog.schema_edit.setPlainText('{\n  "type": "object",\n  "properties": {\n}')
    assert not dialog.ok_button.isEnabled()
    assert "line 4, column 2" in dialog.schema_status.text()
    assert "not valid JSON" in dialog.problems_label.text()
    dialog.schema_edit.setPlainText('{"properties": {}}')
    assert 'needs a "type"' in dialog.schema_status.text()
    assert not dialog.ok_button.isEnabled()
    dialog.schema_edit.setPlainText('{"type": "object", "properties": {"a": {"type": "text"}}}')
    assert not dialog.ok_button.isEnabled()  # validate(): unknown type
    assert "unknown type" in dialog.problems_label.text()
    dialog.schema_edit.setPlainText('{"type": "object", "properties": {"a": {"type": "string"}}}')
    assert dialog.ok_button.isEnabled(), dialog.problems()
    assert dialog.schema_status.text().startswith("✓")
    assert dialog.request_preview()["response_format"]["json_schema"]["schema"]["type"] == \
        "object"


def test_other_input_errors_disable_ok(qtbot: Any) -> None:
    dialog = open_dialog(qtbot, ConversationOptions(temperature=3.0))
    assert not dialog.ok_button.isEnabled()
    assert "Temperature must be between 0 and 2" in dialog.problems_label.text()
    dialog._numbers["temperature"].spin.setValue(1.5)  # the spin box clamps to the range
    assert dialog.ok_button.isEnabled(), dialog.problems()

    dialog.logit_bias_edit.setPlainText('{"50256": -100,}')
    assert not dialog.ok_button.isEnabled()
    assert "Logit bias is not valid JSON" in dialog.problems_label.text()
    dialog.logit_bias_edit.setPlainText('{"50256": -300}')
    assert "between -100 and 100" in dialog.problems_label.text()
    dialog.logit_bias_edit.setPlainText('{"50256": -100}')
    assert dialog.ok_button.isEnabled()

    dialog.stop_edit.setPlainText("a\nb\nc\nd\ne")
    assert "At most 4 stop sequences" in dialog.problems_label.text()
    assert not dialog.ok_button.isEnabled()


def test_reasoning_effort_and_budget_exclude_each_other(qtbot: Any) -> None:
    dialog = open_dialog(qtbot, ConversationOptions(reasoning=ReasoningOptions(effort="high")))
    dialog.reasoning_tokens.check.setChecked(True)
    assert dialog.effort_combo.currentData() is None
    assert dialog.options().reasoning == ReasoningOptions(max_tokens=2048)
    dialog.effort_combo.setCurrentIndex(dialog.effort_combo.findData("minimal"))
    assert not dialog.reasoning_tokens.check.isChecked()
    assert dialog.options().reasoning == ReasoningOptions(effort="minimal")


def test_fallback_list_add_move_remove(qtbot: Any) -> None:
    dialog = open_dialog(qtbot, ConversationOptions(models=["a/one", "b/two"]))
    line = dialog.fallback_combo.lineEdit()
    assert line is not None
    line.setFocus()
    qtbot.keyClicks(line, "c/three")
    qtbot.keyClick(line, Qt.Key.Key_Return)  # adds; does not close the dialog
    assert dialog.isVisible()
    assert dialog.options().models == ["a/one", "b/two", "c/three"]
    dialog.fallback_list.setCurrentRow(2)
    dialog.up_button.click()
    assert dialog.options().models == ["a/one", "c/three", "b/two"]
    dialog.fallback_list.setCurrentRow(0)
    assert not dialog.up_button.isEnabled()
    dialog.down_button.click()
    assert dialog.options().models == ["c/three", "a/one", "b/two"]
    dialog.remove_button.click()
    assert dialog.options().models == ["c/three", "b/two"]
    # duplicates are not added twice
    dialog.fallback_combo.setEditText("b/two")
    dialog.add_button.click()
    assert dialog.options().models == ["c/three", "b/two"]


def test_other_endpoints_hide_routing_and_disable_openrouter_features(qtbot: Any) -> None:
    original = full_options()
    dialog = open_dialog(qtbot, original, endpoint_kind="openai", model=None)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())
              if dialog.tabs.isTabVisible(i)]
    assert "Routing" not in titles
    assert not dialog.fallback_list.isEnabled()
    assert not dialog.web_check.isEnabled()
    assert not dialog.middle_out.isEnabled()
    assert dialog.mode_combo.isEnabled()  # structured output works with any endpoint
    body = dialog.request_preview()
    assert body["model"] == "<model>"
    for name in ("provider", "models", "reasoning", "plugins", "transforms"):
        assert name not in body
    assert body["temperature"] == 0.733
    # the OpenRouter settings are kept, not dropped
    assert dialog.options() == original


def test_save_as_default(qtbot: Any) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.save_as_default() is False
    dialog.default_check.setChecked(True)
    assert dialog.save_as_default() is True


@pytest.mark.parametrize("endpoint_kind", ["openrouter", "openai"])
def test_every_control_has_an_accessible_name(qtbot: Any, endpoint_kind: str) -> None:
    dialog = open_dialog(qtbot, full_options(), endpoint_kind=endpoint_kind)
    dialog.preview_button.click()
    dialog.schema_edit.setPlainText("{")  # the error labels show too
    dialog.logit_bias_edit.setPlainText("[")
    assert dialog.problems_label.isVisible()
    for i in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(i)
        qtbot.wait(1)
        assert _unnamed_controls(dialog) == [], dialog.tabs.tabText(i)
