"""Chat titles: the prompt's first line at once, optionally a short generated one later.

`generate_title` asks a cheap model (Settings.title_model; off when empty) for a title of
at most `MAX_WORDS` words after the first reply, and cleans what comes back. Callers keep
the prompt-based title (`app.core.chat.title_from_prompt`) when it fails.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.core.events import ReplyAccumulator, StreamEvent

if TYPE_CHECKING:
    from app.core.client import ChatClient

MAX_WORDS = 8
MAX_CHARS = 80
#: characters of the exchange sent to the title model (titles need the gist only)
CONTEXT_CHARS = 2000

_INSTRUCTION = (
    "Write a title of at most {n} words for the conversation below. Answer with the "
    "title only: no quotes, no trailing period, no prefix like 'Title:'."
)
_PREFIX = re.compile(r"^\s*(?:title|subject|topic)\s*[:\-–]\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»`*_#"


def clean_title(raw: str, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> str:
    """First non-empty line, without quotes, markup, 'Title:' or a trailing period; capped."""
    line = next((ln for ln in raw.splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line.strip())
    line = line.strip().strip(_QUOTES).strip()
    line = _PREFIX.sub("", line).strip(_QUOTES).strip()
    words = line.split()[:max_words]
    text = " ".join(words).rstrip(".。!:;,").strip(_QUOTES).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0].rstrip(".,;:") + "…"
    return text


def title_payload(model: str, user_text: str, reply_text: str) -> dict[str, object]:
    """The request body asking `model` for a title."""
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": _INSTRUCTION.format(n=MAX_WORDS)},
            {
                "role": "user",
                "content": f"User: {user_text[:CONTEXT_CHARS]}\n\n"
                f"Assistant: {reply_text[:CONTEXT_CHARS]}",
            },
        ],
        "max_tokens": 30,
        "temperature": 0.2,
    }


async def generate_title(
    client: ChatClient, model: str, user_text: str, reply_text: str
) -> str:
    """A short title from `model`; "" when the answer is unusable. API errors propagate."""
    acc = ReplyAccumulator()

    def on_events(events: list[StreamEvent]) -> None:
        for event in events:
            acc.apply(event)

    await client.stream_chat(title_payload(model, user_text, reply_text), on_events)
    return clean_title(acc.text)
