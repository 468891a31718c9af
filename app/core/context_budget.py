"""How full the model's context will be with the next request: the context gauge's numbers.

Tokens are estimated locally, without a tokenizer (models use different ones, and loading
one would cost start-up time):

* text: one token per CHARS_PER_TOKEN characters (rounded up), plus MESSAGE_OVERHEAD
  tokens per message for the role and the chat template's separators;
* an image: OpenAI's tile rule (85 tokens plus 170 per 512-px tile once the image fits
  2048 x 2048 with its short side at most 768 px), IMAGE_TOKENS when its size is unknown;
* a PDF: PDF_TOKENS_PER_PAGE per page (pages guessed from the file size when unknown);
* a text file: its bytes / CHARS_PER_TOKEN; audio: one token per AUDIO_BYTES_PER_TOKEN bytes;
* tool calls count their arguments' text.

The estimate is then corrected by what the endpoint measured: the last reply that reports
usage replaces the estimate of everything up to and including it with its real
`prompt_tokens + completion_tokens` (less reasoning tokens, which are not sent back), and
only the messages after it, the draft and its attachments are estimated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.domain import Attachment, AttachmentKind, Message, Role

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4
IMAGE_TOKENS = 765
PDF_TOKENS_PER_PAGE = 800
#: a PDF of unknown page count is taken to have one page per this many bytes
PDF_BYTES_PER_PAGE = 50_000
AUDIO_BYTES_PER_TOKEN = 1_000
#: the gauge turns amber at this share of the context, red above the whole of it
WARN_RATIO = 0.8


def text_tokens(text: str) -> int:
    """Estimated tokens of `text` (CHARS_PER_TOKEN characters a token)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def image_tokens(width: int | None, height: int | None) -> int:
    """Estimated tokens of an image of `width` x `height` pixels (OpenAI's tile rule)."""
    if not width or not height:
        return IMAGE_TOKENS
    w, h = float(width), float(height)
    fit = min(1.0, 2048 / max(w, h))
    w, h = w * fit, h * fit
    short = min(1.0, 768 / min(w, h))
    w, h = w * short, h * short
    return 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)


def attachment_tokens(attachment: Attachment) -> int:
    """Estimated tokens of one attached file."""
    kind = attachment.kind
    if kind is AttachmentKind.IMAGE:
        return image_tokens(attachment.width, attachment.height)
    if kind is AttachmentKind.PDF:
        pages = attachment.pages or max(1, math.ceil(attachment.size / PDF_BYTES_PER_PAGE))
        return pages * PDF_TOKENS_PER_PAGE
    if kind is AttachmentKind.AUDIO:
        return math.ceil(attachment.size / AUDIO_BYTES_PER_TOKEN)
    return math.ceil(attachment.size / CHARS_PER_TOKEN)


def message_tokens(message: Message) -> int:
    """Estimated tokens `message` adds to a request."""
    tokens = MESSAGE_OVERHEAD + text_tokens(message.content)
    calls = message.extra.get("tool_calls")
    if calls:
        tokens += text_tokens(json.dumps(calls, ensure_ascii=False))
    return tokens + sum(attachment_tokens(a) for a in message.attachments)


def _measured(message: Message) -> int | None:
    """The real size of the request that produced `message` plus the reply, or None."""
    usage = message.usage
    if message.role is not Role.ASSISTANT or usage is None or usage.prompt_tokens <= 0:
        return None
    return usage.prompt_tokens + max(0, usage.completion_tokens - usage.reasoning_tokens)


@dataclass(frozen=True)
class ContextEstimate:
    """Tokens the next request will send, against the model's context length."""

    tokens: int
    #: the model's context length in tokens; None when the catalog does not say
    limit: int | None
    #: True when a reply's measured usage anchors the figure
    measured: bool

    @property
    def ratio(self) -> float | None:
        """tokens / limit, or None without a limit."""
        return self.tokens / self.limit if self.limit else None

    @property
    def level(self) -> str:
        """"ok", "warn" (at WARN_RATIO or more), "over" (above the limit) or "unknown"."""
        ratio = self.ratio
        if ratio is None:
            return "unknown"
        if ratio > 1.0:
            return "over"
        return "warn" if ratio >= WARN_RATIO else "ok"


def estimate(
    messages: Sequence[Message],
    limit: int | None,
    *,
    draft: str = "",
    draft_attachments: Iterable[Attachment] = (),
    system_prompt: str | None = None,
    measured_after: int | None = None,
) -> ContextEstimate:
    """The next request's size: `messages` (the thread as it will be sent), the draft and
    its attachments, and the conversation's system prompt.

    Replies with an id up to `measured_after` are not used as anchors: their requests held
    messages that are no longer sent (oldest turns were hidden after them).
    """
    anchor = None
    for index in range(len(messages) - 1, -1, -1):
        m = messages[index]
        if measured_after is not None and m.id <= measured_after:
            break
        if _measured(m) is not None:
            anchor = index
            break
    if anchor is None:
        tokens = sum(message_tokens(m) for m in messages)
        if system_prompt:
            tokens += MESSAGE_OVERHEAD + text_tokens(system_prompt)
    else:
        tokens = _measured(messages[anchor]) or 0
        tokens += sum(message_tokens(m) for m in messages[anchor + 1:])
    return with_draft(ContextEstimate(tokens, limit, anchor is not None), draft,
                      draft_attachments)


def _turn_starts(messages: Sequence[Message]) -> list[int]:
    """Indexes of the user messages that start a turn (system messages belong to none)."""
    return [i for i, m in enumerate(messages) if m.role is Role.USER]


def first_kept_for(
    messages: Sequence[Message], limit: int, *, draft: str = "",
    target: float = WARN_RATIO,
) -> int | None:
    """The id of the first message to keep so that the request fits `target` of `limit`,
    hiding whole turns from the oldest; the last turn is always kept. None: nothing to hide.
    """
    starts = _turn_starts(messages)
    if len(starts) < 2:
        return None
    system = [m for m in messages if m.role is Role.SYSTEM]
    budget = target * limit
    for start in starts[1:]:
        kept = system + [m for m in messages[start:] if m.role is not Role.SYSTEM]
        if estimate(kept, limit, draft=draft, measured_after=messages[-1].id).tokens <= budget:
            return messages[start].id
    return messages[starts[-1]].id


def visible_to_model(messages: Sequence[Message], first_kept: int | None) -> list[Message]:
    """`messages` without the turns hidden before message `first_kept` (system prompts
    stay). A `first_kept` that is not in the thread hides nothing."""
    if first_kept is None:
        return list(messages)
    ids = [m.id for m in messages]
    if first_kept not in ids:
        return list(messages)
    start = ids.index(first_kept)
    return [m for i, m in enumerate(messages) if i >= start or m.role is Role.SYSTEM]


def with_draft(
    base: ContextEstimate, draft: str, attachments: Iterable[Attachment] = ()
) -> ContextEstimate:
    """`base` (the conversation as stored) plus the message being written."""
    extra = 0
    attachments = list(attachments)
    if draft or attachments:
        extra = MESSAGE_OVERHEAD + text_tokens(draft)
        extra += sum(attachment_tokens(a) for a in attachments)
    return ContextEstimate(base.tokens + extra, base.limit, base.measured)


SUMMARY_INSTRUCTION = (
    "Summarise the conversation above so that it can be continued in a new chat without "
    "it: the goal, the facts and decisions so far, code or data that must not be lost "
    "(verbatim), and what was about to happen next. Write only the summary."
)


def summary_intro(title: str, summary: str) -> str:
    """The system prompt a chat continued from a summary starts with."""
    return f"This chat continues an earlier one ({title}). Its summary:\n\n{summary.strip()}"
