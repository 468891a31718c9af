"""Tool approvals that outlive a session: "Always allow" is stored with the conversation.

The choice lives in the conversation's options (`ConversationOptions.allowed_tools`), so
it survives restarts, is exported with the conversation, and is the same in the window
and in `parley ask --tools`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.history import Store
    from app.core.tools.loop import ToolApprovals


def approvals_for(store: Store, conversation_id: int, *, allow_all: bool = False) -> ToolApprovals:
    """The conversation's stored "Always allow" choices (plus `allow_all`, e.g. --yes)."""
    from app.core.options import ConversationOptions
    from app.core.tools.loop import ToolApprovals

    options = ConversationOptions.from_dict(store.get_options(conversation_id))
    return ToolApprovals(options.allowed_tools, allow_all=allow_all)


def remember_always(store: Store, conversation_id: int, tool_name: str) -> None:
    """Store "Always allow `tool_name`" with the conversation."""
    from app.core.options import ConversationOptions

    options = ConversationOptions.from_dict(store.get_options(conversation_id))
    if tool_name not in options.allowed_tools:
        options.allowed_tools.append(tool_name)
        store.set_options(conversation_id, options.to_dict())
