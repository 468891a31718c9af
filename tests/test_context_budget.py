"""The context gauge's numbers: the local estimate, its correction by measured usage,
the thresholds, and which turns "drop oldest turns" leaves out of the request."""

from __future__ import annotations

from app.core.context_budget import (
    ContextEstimate,
    attachment_tokens,
    estimate,
    first_kept_for,
    image_tokens,
    message_tokens,
    visible_to_model,
    with_draft,
)
from app.core.domain import Attachment, AttachmentKind, Message, Role, Usage
from app.core.options import ConversationOptions
from app.core.requests import build_payload


def msg(i: int, role: Role, text: str, usage: Usage | None = None,
        attachments: list[Attachment] | None = None) -> Message:
    return Message(i, 1, role, text, usage=usage, attachments=attachments or [])


#: a known conversation: 400 + 800 chars, then a measured reply, then 40 chars more
THREAD = [
    msg(1, Role.SYSTEM, "s" * 40),
    msg(2, Role.USER, "u" * 400),
    msg(3, Role.ASSISTANT, "a" * 800),
    msg(4, Role.USER, "v" * 401),
    msg(5, Role.ASSISTANT, "b" * 1200, usage=Usage(prompt_tokens=700, completion_tokens=320,
                                                    reasoning_tokens=20)),
    msg(6, Role.USER, "w" * 40),
]


def test_text_is_four_chars_a_token_plus_four_per_message() -> None:
    assert message_tokens(msg(1, Role.USER, "x" * 400)) == 4 + 100
    assert message_tokens(msg(1, Role.USER, "x" * 401)) == 4 + 101  # rounded up
    assert message_tokens(msg(1, Role.USER, "")) == 4


def test_attachments_count() -> None:
    photo = Attachment("0" * 64, "p.png", "image/png", 10_000, AttachmentKind.IMAGE,
                       width=1024, height=1024)
    # 1024x1024 -> short side 768: 768x768 -> 2x2 tiles: 85 + 170 * 4
    assert image_tokens(1024, 1024) == 765 == attachment_tokens(photo)
    assert image_tokens(None, None) == 765
    assert image_tokens(512, 256) == 85 + 170  # small images are not scaled up: one tile
    assert image_tokens(4096, 2048) == 85 + 170 * 3 * 2  # -> 2048x1024 -> 1536x768
    pdf = Attachment("1" * 64, "d.pdf", "application/pdf", 120_000, AttachmentKind.PDF, pages=3)
    assert attachment_tokens(pdf) == 2400
    text = Attachment("2" * 64, "t.txt", "text/plain", 4_000, AttachmentKind.TEXT)
    assert attachment_tokens(text) == 1000
    with_photo = msg(1, Role.USER, "x" * 8, attachments=[photo, text])
    assert message_tokens(with_photo) == 4 + 2 + 765 + 1000


def test_estimate_without_usage_sums_messages_and_the_system_prompt() -> None:
    unmeasured = THREAD[:4]
    est = estimate(unmeasured, 1000, system_prompt="p" * 80)
    assert est.tokens == (4 + 10) + (4 + 100) + (4 + 200) + (4 + 101) + (4 + 20)
    assert not est.measured


def test_last_reply_usage_replaces_the_estimate_before_it() -> None:
    est = estimate(THREAD, 10_000, draft="d" * 12)
    # 700 prompt + 300 completion (320 less 20 reasoning), then message 6 and the draft
    assert est.tokens == 700 + 300 + (4 + 10) + (4 + 3)
    assert est.measured
    # A reply measured before turns were hidden is not an anchor.
    est = estimate(THREAD, 10_000, measured_after=5)
    assert not est.measured


def test_thresholds() -> None:
    assert ContextEstimate(799, 1000, False).level == "ok"
    assert ContextEstimate(800, 1000, False).level == "warn"
    assert ContextEstimate(1000, 1000, False).level == "warn"
    assert ContextEstimate(1001, 1000, False).level == "over"
    assert ContextEstimate(5, None, False).level == "unknown"
    assert with_draft(ContextEstimate(790, 1000, True), "x" * 40).level == "warn"


def test_dropping_oldest_turns_keeps_the_system_prompt_and_the_last_turn() -> None:
    # Unmeasured: 14 + 104 + 204 + 105 + 304 + 14 = 745 tokens; 80 % of 600 is 480.
    first = first_kept_for(THREAD, 600)
    assert first == 4  # without turn 1 (messages 2, 3): 14 + 105 + 304 + 14 = 437
    kept = visible_to_model(THREAD, first)
    assert [m.id for m in kept] == [1, 4, 5, 6]
    # 80 % of 500 is 400: turn 2 must go as well.
    assert first_kept_for(THREAD, 500) == 6


def test_dropping_never_drops_the_last_turn() -> None:
    assert first_kept_for(THREAD, 10) == 6
    assert first_kept_for(THREAD[:3], 10) is None  # one turn: nothing to drop


def test_the_request_leaves_hidden_turns_out() -> None:
    options = ConversationOptions(first_sent_message=4, hidden_at_message=6)
    body = build_payload("m/x", THREAD, None, options)
    assert [m["content"][:1] for m in body["messages"]] == ["s", "v", "b", "w"]
    # An id from elsewhere (an imported chat) hides nothing.
    options = ConversationOptions(first_sent_message=999)
    assert len(build_payload("m/x", THREAD, None, options)["messages"]) == 6
    assert ConversationOptions.from_dict(
        ConversationOptions(first_sent_message=4).to_dict()).first_sent_message == 4
