"""A <think> block at the start of the content goes to the reasoning fold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from app.core.domain import Message, MessageStatus, Role
from app.core.think import split_think
from app.ui.chat_view import ChatView


def test_closed_think_block_is_reasoning_and_the_rest_is_the_answer() -> None:
    assert split_think("<think>\nweigh options\n</think>\n\nThe answer is 4.") == (
        "weigh options",
        "The answer is 4.",
    )


def test_unclosed_think_block_is_all_reasoning_while_streaming() -> None:
    assert split_think("<think>still weighing") == ("still weighing", "")
    # A closing tag cut in the middle is not shown as reasoning text.
    assert split_think("<think>still weighing</thi") == ("still weighing", "")
    assert split_think("<thi") == ("", "")


def test_think_elsewhere_is_left_in_the_answer() -> None:
    text = "Use a <think> tag like this: <think>x</think>"
    assert split_think(text) == ("", text)


def _chat(qtbot: Any) -> ChatView:
    chat = ChatView()
    qtbot.addWidget(chat)
    chat.resize(800, 600)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def test_streamed_think_block_shows_in_the_fold_not_the_body(qtbot: Any) -> None:
    chat = _chat(qtbot)
    chat.show_messages([Message(1, 1, Role.USER, "q")])
    chat.append(Message(2, 1, Role.ASSISTANT, "", status=MessageStatus.STREAMING))
    chat.update_stream(2, "<think>\nLet me count")
    view = chat.views[2]
    assert view.reasoning_toggle.isVisible()
    assert view.reasoning.toPlainText() == "Let me count"
    assert "think" not in view.plain_text()
    assert "Let me count" not in view.plain_text()
    chat.update_stream(2, "<think>\nLet me count: 2+2.\n</think>\n\nIt is **4**.")
    assert view.reasoning.toPlainText() == "Let me count: 2+2."
    chat.finish(
        Message(2, 1, Role.ASSISTANT, "<think>\nLet me count: 2+2.\n</think>\n\nIt is **4**.")
    )
    assert view.plain_text() == "It is 4."
    assert view.reasoning_toggle.text() == "Reasoning"
    assert view.reasoning.toPlainText() == "Let me count: 2+2."


def test_stored_think_block_and_copy_of_its_code(qtbot: Any) -> None:
    chat = _chat(qtbot)
    content = "<think>plan</think>\n```python\nprint(1)\n```\n"
    chat.show_messages([Message(1, 1, Role.ASSISTANT, content)])
    view = chat.views[1]
    assert view.reasoning.toPlainText() == "plan"
    assert "plan" not in view.plain_text()
    view._on_link(QUrl("parley-copy:0"))
    assert QGuiApplication.clipboard().text() == "print(1)"


# --- outside the window: exports and `parley ask` ------------------------------------------

THINKING_REPLY = "<think>\nThe user wants 42. Secret plan.\n</think>\n\nThe answer is 42."


def test_streaming_filter_prints_only_the_answer_whatever_the_chunking() -> None:
    import random

    from app.core.think import ThinkFilter

    rng = random.Random(5)
    texts = [THINKING_REPLY, "No thinking here.", "  <think>never closed", "<thinking>x",
             "\n<think></think>Answer", "<thi", "Say <think> later"]
    for text in texts:
        for _ in range(30):
            filt, out, i = ThinkFilter(), "", 0
            while i < len(text):
                j = i + rng.randint(1, 6)
                out += filt.feed(text[i:j])
                i = j
            assert out == split_think(text)[1], text


def _store_with_thinking_reply(tmp_path: Any) -> tuple[Any, Any]:
    from app.core.history import Store

    store = Store.open(tmp_path / "history.sqlite3")
    conv = store.create_conversation("Think", model="m/x")
    store.add_message(conv.id, Role.USER, "<think>typed by me</think> What is it?")
    reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    store.update_message(reply.id, content=THINKING_REPLY, status=MessageStatus.COMPLETE,
                         reasoning="Provider reasoning.")
    return store, conv


def test_markdown_export_puts_a_think_block_in_the_reasoning(tmp_path: Any) -> None:
    from app.core.history.export import to_markdown

    store, conv = _store_with_thinking_reply(tmp_path)
    with store:
        text = to_markdown(store.export_conversations([conv.id]))
    assert "<think>" not in text.replace("<think>typed by me</think>", "")
    assert "> Provider reasoning.\n> \n> The user wants 42. Secret plan." in text
    assert "\nThe answer is 42.\n" in text
    assert "<think>typed by me</think> What is it?" in text  # what the user typed stays


def test_json_export_puts_a_think_block_in_the_reasoning(tmp_path: Any) -> None:
    import json

    from app.core.history.export import to_json

    store, conv = _store_with_thinking_reply(tmp_path)
    with store:
        data = json.loads(to_json(store.export_conversations([conv.id])))
    messages = data["conversations"][0]["messages"]
    reply = next(m for m in messages if m["role"] == "assistant")
    assert reply["content"] == "The answer is 42."
    assert reply["reasoning"] == "Provider reasoning.\n\nThe user wants 42. Secret plan."
    user = next(m for m in messages if m["role"] == "user")
    assert user["content"] == "<think>typed by me</think> What is it?"


def test_parley_ask_does_not_print_a_think_block(fake: Any, isolated_home: Any) -> None:
    from tests.fake_openrouter import text_stream
    from tests.test_cli import parley

    env = _cli_env(fake, isolated_home)
    fake.enqueue(text_stream(THINKING_REPLY, chunks=25))
    res = parley("ask", "-m", "openai/gpt-4o-mini", "What is it?", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "The answer is 42.\n"
    assert "Secret plan" not in res.stderr


def _cli_env(fake: Any, home: Any) -> dict[str, str]:
    import os

    e = dict(os.environ)
    e["PARLEY_HOME"] = str(home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e
