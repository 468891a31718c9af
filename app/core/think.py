"""Reasoning that a model writes into its content as a leading <think>...</think> block.

Some models (DeepSeek R1 and its distills, QwQ, many local servers) send their
reasoning inside the content instead of a separate field. It belongs in the reasoning
fold, not in the answer, also while it is still arriving.
"""

from __future__ import annotations

__all__ = ["ThinkFilter", "answer_and_reasoning", "split_think"]

_OPEN = "<think>"
_CLOSE = "</think>"


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of `text` that is a proper beginning of `tag`."""
    for k in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:k]):
            return k
    return 0


def split_think(content: str) -> tuple[str, str]:
    """(reasoning, answer) of `content`; reasoning is "" unless content opens with <think>.

    Works on a prefix of a streaming reply: an unclosed block is all reasoning, and a
    tag cut in the middle ("<thi", "...</thin") is held back rather than shown, so the
    answer only ever grows.
    """
    stripped = content.lstrip()
    if not stripped.startswith(_OPEN):
        if stripped and _OPEN.startswith(stripped):
            return "", ""  # the opening tag is still arriving
        return "", content
    rest = stripped[len(_OPEN) :]
    end = rest.find(_CLOSE)
    if end == -1:
        held = _partial_suffix(rest, _CLOSE)
        return rest[: len(rest) - held].strip(), ""
    return rest[:end].strip(), rest[end + len(_CLOSE) :].lstrip()


def answer_and_reasoning(
    content: str, reasoning: str, *, from_user: bool = False
) -> tuple[str, str]:
    """(answer, reasoning) of a stored message, as the window shows it.

    A reply that opens its content with a <think> block has that block moved into the
    reasoning, after any reasoning the provider sent separately. What a user typed is
    kept as typed.
    """
    if from_user:
        return content, reasoning
    think, answer = split_think(content)
    if not think:
        return answer, reasoning
    return answer, f"{reasoning}\n\n{think}" if reasoning else think


class ThinkFilter:
    """Streaming counterpart of `split_think`: feed content deltas, get answer deltas.

    Costs time proportional to each delta once the opening of the content is decided
    (a 50,000-chunk reply is not re-scanned per chunk).
    """

    def __init__(self) -> None:
        self._head = ""  # content while it may still open with (or be inside) <think>
        self._passing = False  # decided: everything from now on is answer
        self._closed = False  # the <think> block has ended
        self._answer_len = 0

    def feed(self, delta: str) -> str:
        """The part of the answer that `delta` completes (may be empty)."""
        if self._passing:
            return delta
        self._head += delta
        stripped = self._head.lstrip()
        if self._closed:
            _, answer = split_think(self._head)
        elif stripped.startswith(_OPEN):
            # Inside the block: only look for the closing tag near the new text.
            start = max(len(_OPEN), len(stripped) - len(delta) - len(_CLOSE))
            if stripped.find(_CLOSE, start) == -1:
                return ""
            self._closed = True
            _, answer = split_think(self._head)
        elif _OPEN.startswith(stripped):
            return ""  # the opening tag may still be arriving (or only spaces so far)
        else:
            answer = self._head
        new = answer[self._answer_len :]
        self._answer_len = len(answer)
        if answer:
            # The opening is decided and the answer has started: pass the rest through.
            self._passing = True
            self._head = ""
        return new
