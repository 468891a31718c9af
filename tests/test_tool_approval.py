"""The tool loop runs a tool only after an explicit yes: anything else an approver gives
(None, an unexpected value, an exception) denies the call and the exchange goes on."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.core.domain import Role
from app.core.tools.loop import DENIED_TEXT, ToolCall
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_tool_loop import Recorder, chat_bodies, run_loop, store, thread, tool_call_stream

__all__ = ["store"]  # the fixture, shared with test_tool_loop


class OddApprover(Recorder):
    """Answers with whatever value it is given, or raises it when it is an exception."""

    def __init__(self, answer: Any) -> None:
        super().__init__()
        self.answer = answer

    async def approve(self, call: ToolCall) -> Any:
        self.asked.append(call)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


@pytest.mark.parametrize("answer", [None, "yes", "ONCE", True, 1, "", {"choice": "once"},
                                    RuntimeError("the dialog could not be shown")],
                         ids=["none", "yes", "upper-once", "true", "one", "empty", "dict",
                              "raises"])
def test_anything_but_an_explicit_yes_denies(fake: FakeOpenRouter, store: Any, answer: Any,
                                             caplog: pytest.LogCaptureFixture) -> None:
    fake.enqueue(tool_call_stream(("c1", "add", '{"a": 1, "b": 2}')),
                 text_stream("I was not allowed to add."))
    rec = OddApprover(answer)
    with caplog.at_level(logging.WARNING):
        result, conv_id = run_loop(store, fake, "add 1 and 2", rec)
    assert len(rec.asked) == 1
    assert rec.started == []  # the tool never ran
    tool = [m for m in thread(store, conv_id) if m.role is Role.TOOL]
    assert len(tool) == 1
    assert tool[0].content == DENIED_TEXT
    assert tool[0].extra["approved"] == "denied"
    # the loop went on: the model was told, and its answer is the final reply
    assert chat_bodies(fake)[1]["messages"][-1] == {
        "role": "tool", "tool_call_id": "c1", "content": DENIED_TEXT}
    assert result.final.content == "I was not allowed to add."
    if isinstance(answer, BaseException):
        assert "the dialog could not be shown" in caplog.text
