"""Reasoning that a model writes into its content as a leading <think>...</think> block.

Some models (DeepSeek R1 and its distills, QwQ, many local servers) send their
reasoning inside the content instead of a separate field. It belongs in the reasoning
fold, not in the answer, also while it is still arriving.
"""

from __future__ import annotations

__all__ = ["split_think"]

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
