"""Folders: named groups of conversations, one level of nesting, with defaults for new chats.

A folder may sit inside a top-level folder, never deeper: two levels are enough to sort
chats by project and sub-topic, and a shallow tree stays readable in a narrow sidebar.
Deleting a folder never deletes a conversation: its chats (and those of its sub-folders)
move out to "no folder". A folder's defaults (model and request options, which include
the system prompt and the tools) apply to new chats made in it, in the window and in
`parley ask --folder`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from app.core.history.store import Store
    from app.core.options import ConversationOptions

__all__ = [
    "MAX_NAME",
    "Folder",
    "FolderDefaults",
    "FolderError",
    "create_folder",
    "delete_folder",
    "find_folder",
    "folder_conversation_ids",
    "get_folder",
    "list_folders",
    "move_conversations",
    "move_folder",
    "new_chat_in",
    "new_chat_settings",
    "rename_folder",
    "set_collapsed",
    "set_defaults",
]

#: longest folder name kept (characters)
MAX_NAME = 200

_COLUMNS = "id, parent_id, name, position, collapsed, defaults, created_at, updated_at"


class FolderError(StorageError):
    """A folder change that cannot be made (unknown folder, too deep, blank name)."""


@dataclass
class FolderDefaults:
    """What a new chat made in the folder starts with; empty means "as Settings say"."""

    model: str | None = None
    #: `ConversationOptions.to_dict()` values (system prompt, tools, sampling...), laid
    #: over the default options in Settings key by key
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; unset values are left out."""
        out: dict[str, Any] = {}
        if self.model:
            out["model"] = self.model
        if self.options:
            out["options"] = dict(self.options)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> FolderDefaults:
        """Read what `to_dict` wrote; anything malformed counts as unset."""
        if not isinstance(data, dict):
            return cls()
        model = data.get("model")
        options = data.get("options")
        return cls(
            model=model.strip() or None if isinstance(model, str) else None,
            options=dict(options) if isinstance(options, dict) else {},
        )

    def is_empty(self) -> bool:
        """True when the folder changes nothing for new chats."""
        return not self.to_dict()


@dataclass
class Folder:
    """One folder row."""

    id: str
    name: str
    parent_id: str | None = None
    position: int = 0
    collapsed: bool = False
    defaults: FolderDefaults = field(default_factory=FolderDefaults)
    created_at: float = 0.0
    updated_at: float = 0.0


def _from_row(row: Sequence[Any]) -> Folder:
    try:
        defaults = FolderDefaults.from_dict(json.loads(row[5] or "{}"))
    except ValueError:
        defaults = FolderDefaults()  # hand-edited and unreadable: the folder still works
    return Folder(
        id=row[0], parent_id=row[1], name=row[2], position=int(row[3]),
        collapsed=bool(row[4]), defaults=defaults, created_at=row[6], updated_at=row[7],
    )


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name).split())[:MAX_NAME]
    if not cleaned:
        raise FolderError("A folder needs a name. Type one and try again.")
    return cleaned


def list_folders(store: Store) -> list[Folder]:
    """Every folder: top-level ones in their order, each followed by its sub-folders;
    any nested deeper than the one level Parley makes come last."""
    with store.reading("list the folders") as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM folders ORDER BY position, lower(name), id"
        ).fetchall()
    folders = [_from_row(r) for r in rows]
    children: dict[str, list[Folder]] = {}
    for f in folders:
        if f.parent_id is not None:
            children.setdefault(f.parent_id, []).append(f)
    ordered: list[Folder] = []
    for f in folders:
        if f.parent_id is None:
            ordered.append(f)
            ordered.extend(children.get(f.id, []))
    # Nested deeper by hand (or under a missing parent): listed last, never left out.
    listed = {f.id for f in ordered}
    ordered.extend(f for f in folders if f.id not in listed)
    return ordered


def get_folder(store: Store, folder_id: str) -> Folder | None:
    """One folder, or None when it does not exist."""
    with store.reading("read a folder") as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM folders WHERE id = ?", (folder_id,)).fetchone()
    return None if row is None else _from_row(row)


def _require(store: Store, folder_id: str) -> Folder:
    folder = get_folder(store, folder_id)
    if folder is None:
        raise FolderError("That folder no longer exists (was it deleted?).")
    return folder


def find_folder(store: Store, name: str) -> Folder:
    """The folder called `name` (case-insensitive), or "Parent/Child" for a sub-folder.

    FolderError names the folders there are when none matches, or says how to tell two
    folders of the same name apart.
    """
    wanted = " ".join(name.split()).casefold()
    folders = list_folders(store)
    by_id = {f.id: f for f in folders}

    def path(f: Folder) -> str:
        parent = by_id.get(f.parent_id) if f.parent_id else None
        return f"{parent.name}/{f.name}" if parent else f.name

    matches = [f for f in folders if path(f).casefold() == wanted]
    if not matches:
        matches = [f for f in folders if f.name.casefold() == wanted]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = ", ".join(path(f) for f in folders) or "none yet"
        raise FolderError(f"There is no folder named {name!r}. Folders: {known}.",
                          hint="Create it in the sidebar, or use one of the listed names.")
    raise FolderError(
        f"More than one folder is named {name!r}: "
        + ", ".join(path(f) for f in matches) + ".",
        hint="Name it as Parent/Child, or rename one of them.",
    )


def create_folder(store: Store, name: str, parent_id: str | None = None) -> Folder:
    """A new folder at the end of its level; inside `parent_id` (a top-level folder)."""
    from app.core.history.store import new_uid

    name = _clean_name(name)
    now = time.time()
    with store.transaction("create the folder") as conn:
        if parent_id is not None:
            row = conn.execute("SELECT parent_id FROM folders WHERE id = ?",
                               (parent_id,)).fetchone()
            if row is None:
                raise FolderError("The folder to put it in no longer exists.")
            if row[0] is not None:
                raise FolderError("Folders nest one level deep: a sub-folder cannot hold "
                                  "another folder. Put it in a top-level folder instead.")
        position = conn.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM folders WHERE parent_id IS ?",
            (parent_id,),
        ).fetchone()[0]
        folder = Folder(id=new_uid(), name=name, parent_id=parent_id, position=int(position),
                        created_at=now, updated_at=now)
        conn.execute(
            f"INSERT INTO folders ({_COLUMNS}) VALUES (?, ?, ?, ?, 0, '{{}}', ?, ?)",
            (folder.id, parent_id, name, folder.position, now, now),
        )
    return folder


def _update(store: Store, folder_id: str, what: str, sql: str, params: Iterable[Any]) -> None:
    with store.transaction(what) as conn:
        cursor = conn.execute(f"UPDATE folders SET {sql}, updated_at = ? WHERE id = ?",
                              (*params, time.time(), folder_id))
        if cursor.rowcount == 0:
            raise FolderError("That folder no longer exists (was it deleted?).")


def rename_folder(store: Store, folder_id: str, name: str) -> str:
    """Rename; returns the name stored (trimmed to one line)."""
    cleaned = _clean_name(name)
    _update(store, folder_id, "rename the folder", "name = ?", (cleaned,))
    return cleaned


def set_collapsed(store: Store, folder_id: str, collapsed: bool) -> None:
    """Remember whether the sidebar shows the folder closed."""
    with store.transaction("remember the folder's state") as conn:
        conn.execute("UPDATE folders SET collapsed = ? WHERE id = ?", (int(collapsed), folder_id))


def set_defaults(store: Store, folder_id: str, defaults: FolderDefaults) -> None:
    """Replace the defaults new chats in the folder start with."""
    text = json.dumps(defaults.to_dict(), ensure_ascii=False, separators=(",", ":"))
    _update(store, folder_id, "save the folder's defaults", "defaults = ?", (text,))


def move_folder(store: Store, folder_id: str, parent_id: str | None) -> None:
    """Put a folder inside a top-level folder, or back at the top level (None)."""
    folder = _require(store, folder_id)
    if parent_id is not None:
        parent = _require(store, parent_id)
        if parent.id == folder.id or parent.parent_id is not None:
            raise FolderError("Folders nest one level deep: a sub-folder cannot hold "
                              "another folder. Put it in a top-level folder instead.")
        with store.reading("read the folder") as conn:
            has_children = conn.execute(
                "SELECT 1 FROM folders WHERE parent_id = ?", (folder_id,)
            ).fetchone() is not None
        if has_children:
            raise FolderError(
                f"“{folder.name}” holds folders of its own, and folders nest one level deep. "
                "Move its sub-folders out first."
            )
    _update(store, folder_id, "move the folder", "parent_id = ?", (parent_id,))


def delete_folder(store: Store, folder_id: str) -> int:
    """Delete a folder and its sub-folders; their conversations move out (returns how many)."""
    with store.transaction("delete the folder") as conn:
        ids = [folder_id] + [r[0] for r in conn.execute(
            "SELECT id FROM folders WHERE parent_id = ?", (folder_id,))]
        moved = conn.execute(
            "UPDATE conversations SET folder_id = NULL "
            "WHERE folder_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        ).rowcount
        cursor = conn.execute("DELETE FROM folders WHERE id = ?", (folder_id,))
        if cursor.rowcount == 0:
            raise FolderError("That folder no longer exists (was it deleted?).")
    return int(moved)


def move_conversations(store: Store, conversation_ids: Iterable[int],
                       folder_id: str | None) -> None:
    """File conversations in `folder_id` (None: take them out of any folder). Not an
    activity: they keep their place in time."""
    ids = list(conversation_ids)
    with store.transaction("move the conversations") as conn:
        if folder_id is not None and conn.execute(
            "SELECT 1 FROM folders WHERE id = ?", (folder_id,)
        ).fetchone() is None:
            raise FolderError("That folder no longer exists (was it deleted?).")
        conn.execute(
            "UPDATE conversations SET folder_id = ? WHERE id IN (SELECT value FROM json_each(?))",
            (folder_id, json.dumps(ids)),
        )


def folder_conversation_ids(store: Store, folder_id: str) -> list[int]:
    """The conversations in a folder and its sub-folders (trash left out), newest first."""
    with store.reading("list the folder's conversations") as conn:
        rows = conn.execute(
            "SELECT c.id FROM conversations c WHERE c.trashed_at IS NULL AND c.folder_id IN "
            "(SELECT id FROM folders WHERE id = ? OR parent_id = ?) "
            "ORDER BY c.updated_at DESC, c.id DESC",
            (folder_id, folder_id),
        ).fetchall()
    return [int(r[0]) for r in rows]


def new_chat_settings(
    default_model: str, default_options: dict[str, Any], folder: Folder | None,
    parent: Folder | None = None,
) -> tuple[str, ConversationOptions]:
    """The model and options a new chat made in `folder` starts with.

    The folder's defaults win over its parent folder's, which win over Settings; options
    are laid over each other key by key. "Always allow" never carries over.
    """
    from app.core.options import ConversationOptions

    model = default_model
    merged = dict(default_options)
    for source in (parent, folder):
        if source is None:
            continue
        if source.defaults.model:
            model = source.defaults.model
        merged.update(source.defaults.options)
    options = ConversationOptions.from_dict(merged)
    options.allowed_tools = []
    return model, options


def new_chat_in(
    store: Store, folder_id: str | None, default_model: str, default_options: dict[str, Any]
) -> tuple[str, ConversationOptions, str | None]:
    """(model, options, folder id) for a new chat made in `folder_id`; a folder that is
    gone counts as none, so the chat still starts, from the defaults in Settings."""
    folder = get_folder(store, folder_id) if folder_id else None
    parent = get_folder(store, folder.parent_id) if folder and folder.parent_id else None
    model, options = new_chat_settings(default_model, default_options, folder, parent)
    return model, options, folder.id if folder else None
