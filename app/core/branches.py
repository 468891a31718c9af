"""Edit and regenerate without destroying anything: each adds a sibling branch.

The store keeps the tree (`Store.edit_message`, `Store.new_reply_sibling`,
`Store.select_branch`, `Store.get_thread`); these helpers also build the request for the
new branch, like `app.core.chat.begin_exchange` does for a plain turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.core.chat import Exchange, as_request
from app.core.domain import MessageStatus, Role
from app.core.errors import StorageError

if TYPE_CHECKING:
    from app.core.history import Store
    from app.core.options import ConversationOptions
    from app.core.requests import ChatRequest


def begin_edit(
    store: Store,
    message_id: int,
    new_prompt: str,
    *,
    request: ChatRequest | None = None,
    model: str | None = None,
    options: dict[str, Any] | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
) -> Exchange:
    """Edit a prompt: a sibling prompt (the old one stays a branch away) plus a new reply."""
    req = as_request(request, model=model, options=options,
                     conversation_options=conversation_options, endpoint_kind=endpoint_kind)
    user = store.edit_message(message_id, new_prompt)
    payload = req.payload(store.path_to(user.id))
    reply = store.add_message(
        user.conversation_id, Role.ASSISTANT, "", status=MessageStatus.STREAMING,
        model=req.model, parent_id=user.id,
    )
    store.set_conversation_model(user.conversation_id, req.model)
    return Exchange(user, reply, payload)


def begin_regenerate(
    store: Store,
    reply_id: int,
    *,
    request: ChatRequest | None = None,
    model: str | None = None,
    options: dict[str, Any] | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
) -> Exchange:
    """Regenerate: a new sibling reply to the same prompt; the old reply stays."""
    req = as_request(request, model=model, options=options,
                     conversation_options=conversation_options, endpoint_kind=endpoint_kind)
    old = store.get_message(reply_id)
    if old is None or old.parent_id is None:
        raise StorageError(f"The reply {reply_id} has no prompt to answer again.")
    history = store.path_to(old.parent_id)
    reply = store.new_reply_sibling(reply_id, model=req.model)
    store.set_conversation_model(reply.conversation_id, req.model)
    return Exchange(history[-1], reply, req.payload(history))
