"""The prompt library UI: the dialog, the {{variable}} form and the composer's "/" picker."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from app.core.history import Store
from app.core.history import prompts as lib
from app.ui import prompt_library as library_module
from app.ui.composer import Composer
from app.ui.prompt_library import PromptLibrary, parse_tags
from app.ui.prompt_picker import LIBRARY_ROW_ID, VariableForm, fill_variables
from app.ui.prompts_controller import PromptsController
from tests.test_desktop import _unnamed_controls


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def controller(store: Store) -> PromptsController:
    return PromptsController(store)


@pytest.fixture
def errors(controller: PromptsController) -> list[str]:
    seen: list[str] = []
    controller.errorRaised.connect(seen.append)
    return seen


@pytest.fixture
def composer(qtbot: Any, controller: PromptsController) -> Iterator[Composer]:
    window = QMainWindow()
    widget = Composer(window)
    window.setCentralWidget(widget)
    widget.set_prompt_source(controller.picker_prompts)
    qtbot.addWidget(window)
    window.resize(700, 160)
    window.show()
    qtbot.waitExposed(window)
    widget.edit.setFocus()
    yield widget  # the window stays referenced (and alive) until the test ends
    window.close()


def open_library(qtbot: Any, controller: PromptsController, **kwargs: Any) -> PromptLibrary:
    dialog = PromptLibrary(controller, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # Shortcuts (Ctrl+S) only fire in the active window.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def when_form_opens(act: Callable[[VariableForm], None]) -> list[VariableForm]:
    """Drive the modal fill-in form once it is shown (it runs its own event loop)."""
    seen: list[VariableForm] = []
    timer = QTimer(QApplication.instance())
    timer.setInterval(10)
    deadline = time.monotonic() + 5

    def poll() -> None:
        forms = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, VariableForm) and w.isVisible()]
        if forms or time.monotonic() > deadline:
            timer.stop()
            timer.deleteLater()
        if forms:
            seen.append(forms[0])
            act(forms[0])

    timer.timeout.connect(poll)
    timer.start()
    return seen


def fill_and_accept(values: dict[str, str]) -> Callable[[VariableForm], None]:
    def act(form: VariableForm) -> None:
        for name, value in values.items():
            field = form.fields[name]
            if hasattr(field, "setText"):
                field.setText(value)
            else:
                field.setPlainText(value)
        form.accept()

    return act


# ---- controller ---------------------------------------------------------------------------


def test_picker_prompts_rank_title_prefix_then_contains_then_tags(
    controller: PromptsController,
) -> None:
    controller.create("Code review", "Review {{code}}", tags=["dev"])
    controller.create("Reverse a list", "x")
    controller.create("Summary", "y", tags=["review-ish"])
    controller.create("Other", "mentions review only in the body")
    assert [p.title for p in controller.picker_prompts("rev")] == [
        "Reverse a list", "Code review", "Summary",
    ]
    assert len(controller.picker_prompts("")) == 4


def test_controller_reports_errors_as_signals(
    controller: PromptsController, errors: list[str], tmp_path: Path
) -> None:
    assert controller.create("   ", "no title") is None
    assert errors and "title" in errors[-1]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert controller.import_file(bad) is None
    assert "not a JSON file" in errors[-1]
    bad.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    assert controller.import_file(bad) is None
    assert "not a Parley prompts file" in errors[-1]
    assert controller.import_file(tmp_path / "missing.json") is None
    assert controller.export_file(tmp_path / "no-such-dir" / "x.json") is None
    assert not list(tmp_path.glob("**/*.partial"))


def test_parse_tags() -> None:
    assert parse_tags(" code, review ,, x ") == ["code", "review", "x"]


# ---- the dialog ---------------------------------------------------------------------------


def test_create_edit_search_favourite_and_delete_in_the_dialog(
    qtbot: Any, controller: PromptsController, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_library(qtbot, controller)
    assert dialog.current_id is None  # an empty library starts with a new prompt
    qtbot.keyClicks(dialog.title_edit, "Code review")
    qtbot.keyClicks(dialog.tags_edit, "code, review")
    dialog.body_edit.setPlainText("Review this {{language}} code:\n{{code}}")
    assert "{{language}}, {{code}}" in dialog.variables_label.text()
    assert dialog.dirty and dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.title_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.dirty
    saved = lib.find(store, "Code review")
    assert saved is not None and saved.tags == ["code", "review"]
    assert dialog.current_id == saved.id
    assert dialog.visible_titles() == ["Code review"]

    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert dialog.current_id is None
    qtbot.keyClicks(dialog.title_edit, "Translate")
    dialog.body_edit.setPlainText("Translate into {{language}}")
    # Moving to another prompt saves the one being edited.
    assert dialog.select_prompt(saved.id)
    translate = lib.find(store, "Translate")
    assert translate is not None and translate.body == "Translate into {{language}}"
    assert sorted(dialog.visible_titles()) == ["Code review", "Translate"]
    assert dialog.title_edit.text() == "Code review"

    # Edit, then search
    dialog.title_edit.setText("Code review (strict)")
    assert dialog.save()
    assert lib.get(store, saved.id).title == "Code review (strict)"  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.search, "transl")
    assert dialog.visible_titles() == ["Translate"]
    dialog.search.clear()

    # Favourite: starred prompts come first and the filter keeps only them.
    assert dialog.select_prompt(translate.id)
    dialog.favourite_box.setChecked(True)
    assert dialog.save()
    assert dialog.visible_titles() == ["Translate", "Code review (strict)"]
    dialog.favourites_only.setChecked(True)
    assert dialog.visible_titles() == ["Translate"]
    dialog.favourites_only.setChecked(False)

    # Delete asks first; "No" keeps the prompt.
    monkeypatch.setattr(library_module.QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert lib.get(store, translate.id) is not None
    monkeypatch.setattr(library_module.QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert lib.get(store, translate.id) is None
    assert dialog.visible_titles() == ["Code review (strict)"]
    assert dialog.current_id == saved.id  # the neighbour is shown


def test_duplicate_and_system_preset_filter(
    qtbot: Any, controller: PromptsController, store: Store
) -> None:
    preset = controller.create("Pirate", "You talk like a pirate.", is_system=True)
    controller.create("Summarise", "Summarise this.")
    assert preset is not None
    dialog = open_library(qtbot, controller)
    assert dialog.select_prompt(preset.id)
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    copy = lib.find(store, "Pirate (copy)")
    assert copy is not None and copy.is_system and copy.body == preset.body
    assert dialog.current_id == copy.id
    dialog.kind.setCurrentIndex(2)  # system presets
    assert sorted(dialog.visible_titles()) == ["Pirate", "Pirate (copy)"]
    dialog.kind.setCurrentIndex(1)  # message prompts
    assert dialog.visible_titles() == ["Summarise"]


def test_unsaved_edits_are_saved_on_close(
    qtbot: Any, controller: PromptsController, store: Store
) -> None:
    dialog = open_library(qtbot, controller)
    qtbot.keyClicks(dialog.body_edit, "Explain like I'm five: {{topic}}")
    dialog.close()
    saved = lib.list_prompts(store)
    # No title typed: the start of the text becomes the title.
    assert [(p.title, p.body) for p in saved] == [
        ("Explain like I'm five: {{topic}}", "Explain like I'm five: {{topic}}")
    ]


def test_system_preset_signal_carries_the_body(
    qtbot: Any, controller: PromptsController
) -> None:
    preset = controller.create("Reviewer", "You are a meticulous reviewer.", is_system=True)
    plain = controller.create("Plain", "Just a prompt")
    assert preset is not None and plain is not None
    dialog = open_library(qtbot, controller)
    assert dialog.select_prompt(plain.id)
    assert not dialog.system_button.isEnabled()  # only presets
    assert dialog.select_prompt(preset.id)
    assert dialog.system_button.isEnabled()
    with qtbot.waitSignal(dialog.systemPresetChosen) as blocker:
        qtbot.mouseClick(dialog.system_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["You are a meticulous reviewer."]
    assert not dialog.isVisible()


def test_insert_fills_variables_and_emits_the_text(
    qtbot: Any, controller: PromptsController
) -> None:
    prompt = controller.create("Translate", "Translate into {{language}}:\n\n{{text}}")
    assert prompt is not None
    dialog = open_library(qtbot, controller)
    assert dialog.select_prompt(prompt.id)
    inserted: list[str] = []
    dialog.insertRequested.connect(inserted.append)
    forms = when_form_opens(fill_and_accept({"language": "German", "text": "Hi"}))
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    assert inserted == ["Translate into German:\n\nHi"]
    # {{text}} is a long value: it gets a multi-line field.
    assert type(forms[0].fields["text"]).__name__ == "QPlainTextEdit"
    assert type(forms[0].fields["language"]).__name__ == "QLineEdit"


def test_cancelled_form_inserts_nothing(qtbot: Any, controller: PromptsController) -> None:
    prompt = controller.create("Ask", "Tell me about {{topic}}")
    assert prompt is not None
    dialog = open_library(qtbot, controller)
    assert dialog.select_prompt(prompt.id)
    inserted: list[str] = []
    dialog.insertRequested.connect(inserted.append)
    when_form_opens(lambda form: form.reject())
    dialog.insert_current()
    assert inserted == []
    assert dialog.isVisible()


def test_fill_variables_without_variables_returns_at_once() -> None:
    assert fill_variables(None, "t", "no variables, {{{literal}}}") == \
        "no variables, {{literal}}"


def test_export_then_import_into_an_empty_store_round_trips(
    qtbot: Any, controller: PromptsController, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    controller.create("Code review", "Review {{code}}", tags=["code", "dev"], favourite=True)
    controller.create("Pirate", "Arr.", is_system=True)
    dialog = open_library(qtbot, controller)
    target = tmp_path / "prompts.json"
    monkeypatch.setattr(library_module.QFileDialog, "getSaveFileName",
                        lambda *_a, **_k: (str(target), ""))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "parley-prompts"
    assert "Exported 2" in dialog.message.text()

    with Store.open(tmp_path / "other.sqlite3") as other:
        empty = PromptsController(other)
        second = open_library(qtbot, empty)
        monkeypatch.setattr(library_module.QFileDialog, "getOpenFileName",
                            lambda *_a, **_k: (str(target), ""))
        qtbot.mouseClick(second.import_button, Qt.MouseButton.LeftButton)
        assert sorted(second.visible_titles()) == ["Code review", "Pirate"]
        assert "Imported 2" in second.message.text()

        def key(p: lib.Prompt) -> tuple[Any, ...]:
            return (p.uid, p.title, p.body, p.tags, p.favourite, p.is_system)

        assert sorted(map(key, empty.list_prompts())) == \
            sorted(map(key, controller.list_prompts()))
        # Importing again adds nothing (same uids).
        assert second.import_from(str(target))
        assert len(empty.list_prompts()) == 2
        second.close()


def test_import_error_is_shown_in_the_dialog(
    qtbot: Any, controller: PromptsController, tmp_path: Path
) -> None:
    dialog = open_library(qtbot, controller)
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert not dialog.import_from(str(bad))
    assert "not a Parley prompts file" in dialog.message.text()


def test_every_control_has_an_accessible_name(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Translate", "Into {{language}}: {{text}}")
    controller.create("Pirate", "Arr.", is_system=True)
    dialog = open_library(qtbot, controller)
    assert _unnamed_controls(dialog) == []
    form = VariableForm("Translate", "Into {{language}}: {{text}}")
    qtbot.addWidget(form)
    form.show()
    assert _unnamed_controls(form) == []
    qtbot.keyClicks(composer.edit, "/")
    assert composer.picker.isVisible()
    assert composer.picker.accessibleName()
    assert _unnamed_controls(composer) == []


# ---- the "/" picker in the composer -------------------------------------------------------


def test_slash_opens_a_filtered_picker_and_enter_inserts(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    review = controller.create("Code review", "Review this code carefully.")
    controller.create("Reverse", "Reverse the list.")
    controller.create("Summarise", "Summarise.")
    assert review is not None
    qtbot.keyClicks(composer.edit, "/")
    assert composer.picker.isVisible()
    assert len(composer.picker.prompt_ids()) == 3
    qtbot.keyClicks(composer.edit, "rev")
    titles = [composer.picker.item(i).text() for i in range(composer.picker.count())]
    assert titles[:2] == ["Reverse", "Code review"]  # prefix first, then "contains"
    assert composer.picker.item(composer.picker.count() - 1).data(Qt.ItemDataRole.UserRole) \
        == LIBRARY_ROW_ID
    qtbot.keyClick(composer.edit, Qt.Key.Key_Down)
    sent: list[str] = []
    composer.sendRequested.connect(sent.append)
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert not composer.picker.isVisible()
    assert composer.edit.toPlainText() == "Review this code carefully."
    assert sent == []  # picking does not send
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert sent == ["Review this code carefully."]


def test_slash_after_a_newline_and_tab_picks(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Summarise", "Summarise the text above.")
    qtbot.keyClicks(composer.edit, "Some text")
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer.edit, "/sum")
    assert composer.picker.isVisible()
    qtbot.keyClick(composer.edit, Qt.Key.Key_Tab)
    assert composer.edit.toPlainText() == "Some text\nSummarise the text above."


def test_slash_inside_text_does_not_open_the_picker(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Summarise", "x")
    qtbot.keyClicks(composer.edit, "either/or")
    assert not composer.picker.isVisible()


def test_variables_open_the_form_and_insert_the_filled_text(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Translate", "Translate into {{language}}: good morning")
    qtbot.keyClicks(composer.edit, "/trans")
    assert composer.picker.isVisible()
    forms = when_form_opens(fill_and_accept({"language": "French"}))
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert forms and "French" in forms[0].preview.toPlainText()
    assert composer.edit.toPlainText() == "Translate into French: good morning"


def test_cancelling_the_form_keeps_the_typed_query(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Translate", "Translate into {{language}}")
    qtbot.keyClicks(composer.edit, "/tr")
    when_form_opens(lambda form: form.reject())
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert composer.edit.toPlainText() == "/tr"
    assert not composer.picker.isVisible()


def test_esc_closes_the_picker_and_keeps_the_text(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Review", "Review it.")
    # A window-wide Esc shortcut (Stop in the main window) must not steal the key.
    window = composer.window()
    stop = QAction("Stop", window)
    stop.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    window.addAction(stop)
    stopped: list[bool] = []
    stop.triggered.connect(lambda: stopped.append(True))
    qtbot.keyClicks(composer.edit, "/rev")
    assert composer.picker.isVisible()
    qtbot.keyClick(composer.edit, Qt.Key.Key_Escape)
    assert not composer.picker.isVisible()
    assert stopped == []
    assert composer.edit.toPlainText() == "/rev"
    # Typing on does not bring it back; Enter sends what was typed.
    qtbot.keyClicks(composer.edit, "iew")
    assert not composer.picker.isVisible()
    with qtbot.waitSignal(composer.sendRequested) as blocker:
        qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert blocker.args == ["/review"]
    # With the picker closed, Esc is the window's again.
    qtbot.keyClick(composer.edit, Qt.Key.Key_Escape)
    assert stopped == [True]


def test_no_match_hides_the_picker_so_enter_sends(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Review", "Review it.")
    qtbot.keyClicks(composer.edit, "/usr/bin")
    assert not composer.picker.isVisible()
    with qtbot.waitSignal(composer.sendRequested) as blocker:
        qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert blocker.args == ["/usr/bin"]
    # Backspacing to a matching query shows it again.
    composer.edit.clear()
    qtbot.keyClicks(composer.edit, "/rx")
    assert not composer.picker.isVisible()
    qtbot.keyClick(composer.edit, Qt.Key.Key_Backspace)
    assert composer.picker.isVisible()
    qtbot.keyClick(composer.edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(composer.edit, Qt.Key.Key_Backspace)  # the "/" itself
    assert not composer.picker.isVisible()
    assert composer.edit.toPlainText() == ""


def test_enter_without_picker_sends_and_shift_enter_adds_a_line(
    qtbot: Any, composer: Composer
) -> None:
    qtbot.keyClicks(composer.edit, "hello")
    qtbot.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer.edit, "world")
    with qtbot.waitSignal(composer.sendRequested) as blocker:
        qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert blocker.args == ["hello\nworld"]


def test_without_a_prompt_source_slash_is_plain_text(qtbot: Any) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    qtbot.keyClicks(composer.edit, "/help")
    assert not composer.picker.isVisible()
    assert composer.edit.toPlainText() == "/help"


def test_library_row_and_system_presets_in_the_picker(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    controller.create("Pirate", "You talk like a pirate.", is_system=True)
    qtbot.keyClicks(composer.edit, "/pir")
    with qtbot.waitSignal(composer.systemPresetChosen) as blocker:
        qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert blocker.args == ["You talk like a pirate."]
    assert composer.edit.toPlainText() == ""  # the "/pir" is gone, nothing inserted
    qtbot.keyClicks(composer.edit, "/")
    composer.picker.setCurrentRow(composer.picker.count() - 1)
    with qtbot.waitSignal(composer.libraryRequested) as blocker:
        qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    assert blocker.args == [""]


def test_library_insert_goes_into_the_composer(
    qtbot: Any, controller: PromptsController, composer: Composer
) -> None:
    prompt = controller.create("Greeting", "Hello there")
    assert prompt is not None
    qtbot.keyClicks(composer.edit, "Start: ")
    dialog = open_library(qtbot, controller, query="greet")
    assert dialog.visible_titles() == ["Greeting"]
    dialog.insertRequested.connect(composer.insert_text)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert composer.edit.toPlainText() == "Start: Hello there"


def test_search_makes_the_best_match_current_and_enter_inserts_it(
    qtbot: Any, controller: PromptsController
) -> None:
    controller.create("Alpha", "first")
    controller.create("Beta", "second")
    dialog = open_library(qtbot, controller)
    assert dialog.title_edit.text() == "Alpha"
    qtbot.keyClicks(dialog.search, "bet")
    assert dialog.title_edit.text() == "Beta"
    with qtbot.waitSignal(dialog.insertRequested) as blocker:
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert blocker.args == ["second"]


def test_an_empty_library_starts_with_the_title_focused(
    qtbot: Any, controller: PromptsController
) -> None:
    dialog = open_library(qtbot, controller)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.title_edit, timeout=2000)
