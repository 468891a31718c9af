"""The sidebar's tree: folders (one level of sub-folders) holding conversations, then the
conversations in no folder, pinned first and then by date.

Built for years of history. All of the filter's conversations are held in memory (titles
and a few fields, no messages) so typing in the filter is a scan of cached lower-case
titles and one model reset; the top level shows them a page at a time as the user
scrolls (`has_more`/`fetch_more`, driven by the view's scroll bar), so neither start-up nor a
keystroke lays out ten thousand rows. A change to one conversation moves or updates that one row.

While the filter has text, or the list shows the archive or a tag, it is flat: the
matching conversations by date, without folders.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QWidget

from app.core.domain import Conversation
from app.core.history.folders import Folder
from app.ui.sidebar.groups import date_group

_Index = QModelIndex | QPersistentModelIndex

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
#: the folder id of a folder row (None on a conversation row)
FolderIdRole = Qt.ItemDataRole.UserRole + 2
#: the date group heading drawn above a row that starts a group ("" when none)
GroupRole = Qt.ItemDataRole.UserRole + 3
#: the subtle second line: "model · time"
SubtitleRole = Qt.ItemDataRole.UserRole + 4
#: True on a folder row
IsFolderRole = Qt.ItemDataRole.UserRole + 5
#: how many conversations a folder row holds (sub-folders included)
CountRole = Qt.ItemDataRole.UserRole + 6

#: top-level rows shown per page
PAGE = 200

#: filter texts whose matches are kept (a few words typed and erased)
RECENT = 64

#: what a dragged conversation carries: a JSON list of conversation ids
MIME_CONVERSATIONS = "application/x-parley-conversations"

#: (limit, offset) -> rows, in display order
Loader = Callable[[int, int], list[Conversation]]


def relative_time(ts: float, now: float | None = None) -> str:
    """"5 min ago", "3 h ago"... and a date after a week."""
    delta = (now or time.time()) - ts
    translate = QCoreApplication.translate
    if delta < 60:
        return translate("ConversationList", "just now")
    if delta < 3600:
        return translate("ConversationList", "{n} min ago").format(n=int(delta // 60))
    if delta < 86400:
        return translate("ConversationList", "{n} h ago").format(n=int(delta // 3600))
    if delta < 7 * 86400:
        return translate("ConversationList", "{n} d ago").format(n=int(delta // 86400))
    return time.strftime("%Y-%m-%d", time.localtime(ts))


def sort_key(conv: Conversation) -> tuple[bool, float, int]:
    """Same order as Store.list_conversations (descending): pinned, activity, id."""
    return (conv.pinned, conv.updated_at, conv.id)


def _insert_sorted(rows: list[Conversation], conv: Conversation) -> int:
    key = sort_key(conv)
    lo, hi = 0, len(rows)
    while lo < hi:  # rows are in descending order
        mid = (lo + hi) // 2
        if sort_key(rows[mid]) > key:
            lo = mid + 1
        else:
            hi = mid
    rows.insert(lo, conv)
    return lo


def _pos(rows: list[Conversation], conversation_id: int) -> int:
    """Where a conversation is in a list, by id (-1: not there)."""
    for pos, conv in enumerate(rows):
        if conv.id == conversation_id:
            return pos
    return -1


_ENABLED = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROOT_FLAGS = Qt.ItemFlag.ItemIsDropEnabled
_FOLDER_FLAGS = _ENABLED | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDropEnabled
_CONV_FLAGS = _FOLDER_FLAGS | Qt.ItemFlag.ItemIsDragEnabled


# Index ids: a conversation is 2*id+1, a folder 2*n (n >= 1, its slot in `_folder_keys`).
def _conv_key(conversation_id: int) -> int:
    return conversation_id * 2 + 1


class ConversationListModel(QAbstractItemModel):
    """Folders and conversations; editing a title asks to rename, a drop asks to move."""

    renameRequested = Signal(int, str)
    folderRenameRequested = Signal(str, str)
    #: (conversation ids, folder id or "" for no folder)
    moveRequested = Signal(list, str)

    def __init__(self, parent: QWidget | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.clock = clock
        self._folders: dict[str, Folder] = {}
        self._top: list[str] = []
        self._sub: dict[str, list[str]] = {}
        self._folder_keys: dict[str, int] = {}
        self._key_folders: dict[int, str] = {}
        #: conversations per folder id ("" = in no folder), in display order
        self._in: dict[str, list[Conversation]] = {"": []}
        self._all: list[Conversation] = []
        self._by_id: dict[int, Conversation] = {}
        self._folded: dict[int, str] = {}
        self._text = ""
        self._tree = True
        self._flat: list[Conversation] = []
        self._shown = 0
        self._total = 0
        self._labels: dict[tuple[int, float, bool], str] = {}
        self._folder_rows: dict[str, int] = {}
        #: top-level rows added per page (the filter's matches use smaller pages)
        self.page = PAGE
        self._labels_from = 0.0
        self._labels_until = 0.0
        #: the matches of recently typed filter texts: Backspace shows them again without
        #: a scan (forgotten on any change of a title or of the rows)
        self._recent: dict[str, list[Conversation]] = {}

    # ---- filling --------------------------------------------------------------------

    def set_data(self, folders: Sequence[Folder], conversations: Sequence[Conversation],
                 *, tree: bool = True) -> None:
        """Show these folders and conversations (in display order); `tree` False lists the
        conversations flat, without folders (the archive, a tag)."""
        self.beginResetModel()
        self._recent.clear()
        self._tree = tree
        self._folders = {f.id: f for f in folders} if tree else {}
        self._top = [f.id for f in folders if f.parent_id is None] if tree else []
        self._sub = {fid: [] for fid in self._top}
        for f in folders if tree else ():
            if f.parent_id is not None:
                if f.parent_id in self._sub:
                    self._sub[f.parent_id].append(f.id)
                else:  # its parent is gone: show it at the top rather than lose it
                    self._top.append(f.id)
                    self._sub[f.id] = []
        self._folder_rows = {fid: row for row, fid in enumerate(self._top)}
        for subs in self._sub.values():
            self._folder_rows.update({fid: row for row, fid in enumerate(subs)})
        for fid in self._folders:
            if fid not in self._folder_keys:
                key = 2 * (len(self._folder_keys) + 1)
                self._folder_keys[fid] = key
                self._key_folders[key] = fid
        self._all = list(conversations)
        self._by_id = {c.id: c for c in self._all}
        self._folded = {c.id: c.title.casefold() for c in self._all}
        self._regroup()
        self.endResetModel()

    def reset(self, loader: Loader, total: int) -> None:
        """A flat source read all at once (kept for callers that page themselves)."""
        rows: list[Conversation] = []
        while len(rows) < total:
            more = loader(max(PAGE, total - len(rows)), len(rows))
            if not more:
                break
            rows.extend(more)
        self.set_data([], rows, tree=False)

    def set_conversations(self, rows: list[Conversation]) -> None:
        """A fixed flat list (tests, small sources)."""
        self.set_data([], rows, tree=False)

    def _container(self, conv: Conversation) -> str:
        fid = conv.folder_id or ""
        return fid if fid in self._folders else ""

    def _regroup(self) -> None:
        self._in = {"": []}
        for fid in self._folders:
            self._in[fid] = []
        for conv in self._all:
            self._in[self._container(conv)].append(conv)
        self._apply_text()

    def _apply_text(self, within: list[Conversation] | None = None) -> None:
        if self._text:
            needle = self._text
            folded = self._folded
            flat = self._recent.get(needle)
            if flat is None:
                rows = self._all if within is None else within
                flat = [c for c in rows if needle in folded[c.id]]
                if len(self._recent) >= RECENT:
                    self._recent.clear()
                self._recent[needle] = flat
            self._flat = flat
        else:
            self._flat = self._in[""] if self._tree else list(self._all)
        self._shown = min(self.page, len(self._flat))
        self._total = len(self._all)

    def filter_from(self, source: ConversationListModel, text: str) -> None:
        """Show `source`'s conversations whose title contains `text`, flat (no folders):
        its rows and lower-case titles are shared, not rebuilt."""
        self.beginResetModel()
        self._recent.clear()
        self._tree = False
        self._folders, self._top, self._sub, self._folder_rows = {}, [], {}, {}
        self._all = list(source._all)
        self._by_id = dict(source._by_id)
        self._folded = dict(source._folded)
        self._in = {"": []}
        self._text = " ".join(text.split()).casefold()
        self._apply_text()
        self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        """Show only conversations whose title contains `text` (any case), flat."""
        folded = " ".join(text.split()).casefold()
        if folded == self._text:
            return
        self.beginResetModel()
        # Typing one more character only narrows: search the matches, not everything.
        narrower = bool(self._text) and folded.startswith(self._text)
        self._text = folded
        self._apply_text(self._flat if narrower else None)
        self.endResetModel()

    @property
    def filter_text(self) -> str:
        return self._text

    @property
    def is_tree(self) -> bool:
        """True when folders are shown (no filter text, the main list)."""
        return self._tree and not self._text

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        # Qt's own check asks for the screen position of the last top-level row, which
        # measures every row above it (all of an open folder's rows, each with a call of
        # the row painter): the sidebar asks `has_more` as its scroll bar nears the end.
        return False

    def has_more(self) -> bool:
        """True when the top level has rows on a later page."""
        return self._shown < len(self._flat)

    def fetch_more(self) -> None:
        """Show the next page of the top level."""
        if self._shown >= len(self._flat):
            return
        first = self._offset("") + self._shown
        count = min(self.page, len(self._flat) - self._shown)
        self.beginInsertRows(QModelIndex(), first, first + count - 1)
        self._shown += count
        self.endInsertRows()

    # ---- structure ------------------------------------------------------------------

    def _subfolders(self, container: str) -> list[str]:
        if not self.is_tree:
            return []
        return self._top if container == "" else self._sub.get(container, [])

    def _offset(self, container: str) -> int:
        return len(self._subfolders(container))

    def _rows_of(self, container: str) -> list[Conversation]:
        """The conversations shown in a container (all of them; the top level pages)."""
        if container == "":
            return self._flat
        return self._in.get(container, [])

    def _count(self, container: str) -> int:
        shown = self._shown if container == "" else len(self._rows_of(container))
        return self._offset(container) + shown

    def _item(self, index: _Index) -> tuple[str | None, Conversation | None]:
        """(folder id, None) for a folder row, (None, conversation) for a conversation."""
        if not index.isValid():
            return None, None
        key = int(index.internalId())
        if key % 2:
            return None, self._by_id.get(key // 2)
        return self._key_folders.get(key), None

    def _container_of_index(self, parent: _Index) -> str | None:
        if not parent.isValid():
            return ""
        fid, _conv = self._item(parent)
        return fid

    def index(self, row: int, column: int = 0,
              parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # The view calls this for every row it lays out: kept to a few dict lookups.
        if column != 0 or row < 0:
            return QModelIndex()
        tree = self._tree and not self._text
        if parent.isValid():
            fid = self._key_folders.get(int(parent.internalId()))
            if fid is None:
                return QModelIndex()
            folders: Sequence[str] = self._sub.get(fid, ()) if tree else ()
            rows: Sequence[Conversation] = self._in.get(fid, ())
            limit = len(rows)
        else:
            folders = self._top if tree else ()
            rows = self._flat
            limit = self._shown
        n = len(folders)
        if row < n:
            return self.createIndex(row, 0, self._folder_keys[folders[row]])
        if row - n < limit:
            return self.createIndex(row, 0, rows[row - n].id * 2 + 1)
        return QModelIndex()

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or not self._tree or self._text:
            return QModelIndex()
        key = int(index.internalId())
        if key % 2:
            conv = self._by_id.get(key // 2)
            owner = conv.folder_id if conv is not None else None
        else:
            fid = self._key_folders.get(key)
            owner = self._folders[fid].parent_id if fid in self._folders else None
            if owner and fid not in self._sub.get(owner, ()):
                owner = None  # shown at the top level (its parent is gone or nested)
        if not owner or owner not in self._folders:
            return QModelIndex()
        return self.folder_index(owner)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        container = self._container_of_index(parent)
        return 0 if container is None else self._count(container)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 1

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        if not parent.isValid():
            return True
        key = int(parent.internalId())
        if key % 2:  # a conversation: asked of every row the view lays out
            return False
        fid = self._key_folders.get(key)
        return fid is not None and self._count(fid) > 0

    # ---- reading --------------------------------------------------------------------

    def folder_index(self, folder_id: str) -> QModelIndex:
        """The row of a folder (invalid when not shown)."""
        row = self._folder_rows.get(folder_id)
        if row is None or not self.is_tree:
            return QModelIndex()
        return self.createIndex(row, 0, self._folder_keys[folder_id])

    def index_of(self, conversation_id: int) -> QModelIndex:
        """The row of a conversation (invalid when it is not shown, e.g. on a later page)."""
        conv = self._by_id.get(conversation_id)
        if conv is None:
            return QModelIndex()
        container = self._container(conv) if self.is_tree else ""
        pos = _pos(self._rows_of(container), conversation_id)
        if pos < 0 or (container == "" and pos >= self._shown):
            return QModelIndex()
        return self.createIndex(self._offset(container) + pos, 0, _conv_key(conv.id))

    def conversation(self, row: int) -> Conversation | None:
        """The conversation at a top-level row (None for a folder or past the end)."""
        _fid, conv = self._item(self.index(row))
        return conv

    def conversation_at(self, index: _Index) -> Conversation | None:
        """The conversation of a row (None for a folder row)."""
        return self._item(index)[1]

    def folder_at(self, index: _Index) -> Folder | None:
        """The folder of a row (None for a conversation row)."""
        fid, _conv = self._item(index)
        return None if fid is None else self._folders.get(fid)

    def row_of(self, conversation_id: int) -> int:
        """The conversation's row among its siblings, or -1 when not shown."""
        index = self.index_of(conversation_id)
        return index.row() if index.isValid() else -1

    def folders(self) -> list[Folder]:
        """The folders shown, each top-level one followed by its sub-folders."""
        out: list[Folder] = []
        for fid in self._top:
            out.append(self._folders[fid])
            out.extend(self._folders[s] for s in self._sub.get(fid, []))
        return out

    def folder(self, folder_id: str | None) -> Folder | None:
        return self._folders.get(folder_id) if folder_id else None

    def folder_count(self, folder_id: str) -> int:
        """Conversations in the folder and its sub-folders."""
        return len(self._in.get(folder_id, [])) + sum(
            len(self._in.get(s, [])) for s in self._sub.get(folder_id, []))

    @property
    def total(self) -> int:
        """How many conversations the current choice (archive, tag) holds."""
        return self._total

    def _label(self, conv: Conversation) -> str:
        """The heading a conversation goes under, cached until local midnight (the date
        arithmetic is what a long list would otherwise repeat on every paint)."""
        now = self.clock()
        if now >= self._labels_until or now < self._labels_from:
            self._labels.clear()
            today = dt.datetime.fromtimestamp(now).date()
            start = dt.datetime.combine(today, dt.time())
            self._labels_from = start.timestamp()
            self._labels_until = (start + dt.timedelta(days=1)).timestamp()
        key = (conv.id, conv.updated_at, conv.pinned)
        label = self._labels.get(key)
        if label is None:
            label = (QCoreApplication.translate("ConversationList", "Pinned") if conv.pinned
                     else date_group(conv.updated_at, now))
            self._labels[key] = label
        return label

    def row_kind(self, index: _Index) -> int:
        """0 for a folder row, 1 for a conversation, 2 for one under a date heading: all
        the row painter needs to size a row, in one call (it sizes every row of a tree)."""
        key = int(index.internalId())
        if key % 2 == 0:
            return 0
        if self._tree and not self._text:
            conv = self._by_id.get(key // 2)
            if conv is None or (conv.folder_id and conv.folder_id in self._folders):
                return 1
            pos = index.row() - len(self._top)
        else:
            pos = index.row()
        return 2 if self._group("", pos) else 1

    def heading(self, index: _Index) -> str:
        """The date heading drawn above a row ("" for none): `GroupRole` without the
        round trip through Qt, for the row painter's size hints."""
        key = int(index.internalId())
        if key % 2 == 0:
            return ""
        tree = self.is_tree
        if tree:
            conv = self._by_id.get(key // 2)
            if conv is None or self._container(conv):
                return ""
        return self._group("", index.row() - (len(self._top) if self.is_tree else 0))

    def _group(self, container: str, pos: int) -> str:
        """The heading above the row at `pos` of the top level ("" inside a folder, and
        when the row above has the same heading)."""
        if container != "":
            return ""
        rows = self._flat
        mine = self._label(rows[pos])
        if pos > 0 and self._label(rows[pos - 1]) == mine:
            return ""
        return mine

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        fid, conv = self._item(index)
        if fid is not None:
            return self._folder_data(self._folders[fid], role)
        if conv is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("📌 " if conv.pinned else "") + conv.title
        if role == Qt.ItemDataRole.EditRole:
            return conv.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            tip = conv.title
            if role == Qt.ItemDataRole.ToolTipRole and conv.tags:
                tip += "\n" + " ".join(f"#{t}" for t in conv.tags)
            return tip
        if role == SubtitleRole:
            when = relative_time(conv.updated_at, self.clock())
            # Inside a folder there is no "Pinned" heading: the line says it.
            in_folder = self.is_tree and bool(self._container(conv))
            parts = [self.tr("pinned")] if conv.pinned and in_folder else []
            if conv.model:
                parts.append(conv.model)
            parts.append(when)
            return " · ".join(parts)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return self.data(index, SubtitleRole)
        if role == GroupRole:
            container = self._container(conv) if self.is_tree else ""
            return self._group(container, index.row() - self._offset(container))
        if role == ConversationIdRole:
            return conv.id
        if role == IsFolderRole:
            return False
        return None

    def _folder_data(self, folder: Folder, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return folder.name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            count = self.folder_count(folder.id)
            tip = self.tr("Folder “{name}”: {count} conversations").format(
                name=folder.name, count=count)
            if not folder.defaults.is_empty():
                tip += "\n" + self.tr("New chats here start with the folder’s settings.")
            return tip
        if role == FolderIdRole:
            return folder.id
        if role == IsFolderRole:
            return True
        if role == CountRole:
            return self.folder_count(folder.id)
        if role == GroupRole:
            return ""
        return None

    # ---- editing --------------------------------------------------------------------

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _ROOT_FLAGS
        return _CONV_FLAGS if int(index.internalId()) % 2 else _FOLDER_FLAGS

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole:
            return False
        fid, conv = self._item(index)
        title = " ".join(str(value).split())
        if fid is not None:
            folder = self._folders[fid]
            if not title or title == folder.name:
                return False
            folder.name = title
            self.dataChanged.emit(index, index)
            self.folderRenameRequested.emit(fid, title)
            return True
        if conv is None or not title or title == conv.title:
            return False
        conv.title = title
        self._folded[conv.id] = title.casefold()
        self._recent.clear()
        self.dataChanged.emit(index, index)
        self.renameRequested.emit(conv.id, title)
        return True

    # ---- drag and drop ----------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_CONVERSATIONS]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData:  # noqa: N802
        ids: list[int] = []
        for index in indexes:
            conv = self.conversation_at(index)
            if conv is not None and conv.id not in ids:
                ids.append(conv.id)
        data = QMimeData()
        data.setData(MIME_CONVERSATIONS, json.dumps(ids).encode())
        return data

    def drop_target(self, parent: _Index) -> str | None:
        """The folder a drop on `parent` files into ("" for none; None: not a target)."""
        if not self.is_tree:
            return None
        if not parent.isValid():
            return ""
        fid, conv = self._item(parent)
        if fid is not None:
            return fid
        return self._container(conv) if conv is not None else None

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                        column: int, parent: _Index) -> bool:
        return data.hasFormat(MIME_CONVERSATIONS) and self.drop_target(parent) is not None

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                     column: int, parent: _Index) -> bool:
        target = self.drop_target(parent)
        if target is None or not data.hasFormat(MIME_CONVERSATIONS):
            return False
        try:
            ids = [int(i) for i in json.loads(bytes(data.data(MIME_CONVERSATIONS).data()))]
        except (ValueError, TypeError):
            return False
        moving = [i for i in ids if i in self._by_id
                  and self._container(self._by_id[i]) != target]
        if not moving:
            return False
        self.moveRequested.emit(moving, target)
        # The rows move when the store confirms (`upsert`); nothing for the view to remove.
        return False

    # ---- single-row changes ------------------------------------------------------------

    def upsert(self, conv: Conversation) -> None:
        """Show the new state of one conversation at its place (and in its folder)."""
        old = self._by_id.get(conv.id)
        self._folded[conv.id] = conv.title.casefold()
        self._recent.clear()
        if old is not None:
            del self._all[_pos(self._all, old.id)]
        _insert_sorted(self._all, conv)
        self._by_id[conv.id] = conv
        if old is None:
            self._total += 1
        if self.is_tree:
            old_container = self._container(old) if old is not None else None
            self._place(old, old_container, conv, self._container(conv))
        else:
            shown = old is not None and _pos(self._flat, old.id) >= 0
            fits = not self._text or self._text in self._folded[conv.id]
            self._place(old, "" if shown else None, conv if fits else None, "" if fits else None)

    def _place(self, old: Conversation | None, old_container: str | None,
               new: Conversation | None, new_container: str | None) -> None:
        """Move a row from where `old` is shown to where `new` goes (either may be None)."""
        old_rows = self._rows_of(old_container) if old_container is not None else None
        old_pos = _pos(old_rows, old.id) if old_rows is not None and old is not None else -1
        old_visible = old_pos >= 0 and (old_container != "" or old_pos < self._shown)
        old_parent = self._parent_index(old_container)
        if old_rows is not None and old_pos >= 0:
            if old_visible:
                row = self._offset(old_container or "") + old_pos
                if new is not None and new_container is not None \
                        and new_container == old_container:
                    # Same list: a move keeps the selection and an open editor on the row.
                    new_rows = list(old_rows)
                    del new_rows[old_pos]
                    pos = _insert_sorted(new_rows, new)
                    if new_container != "" or pos < self._shown:
                        dest = self._offset(new_container) + pos
                        if pos == old_pos:
                            old_rows[old_pos] = new
                        else:
                            self.beginMoveRows(old_parent, row, row, old_parent,
                                               dest if pos < old_pos else dest + 1)
                            old_rows[:] = new_rows
                            self.endMoveRows()
                        self._changed(new_container)
                        return
                self.beginRemoveRows(old_parent, row, row)
                del old_rows[old_pos]
                if old_container == "":
                    self._shown -= 1
                self.endRemoveRows()
            else:
                del old_rows[old_pos]
        if new is None or new_container is None:
            self._changed(old_container)
            return
        rows = self._rows_of(new_container)
        probe = list(rows)
        pos = _insert_sorted(probe, new)
        if new_container == "" and pos >= self._shown and self.has_more():
            rows[:] = probe  # it belongs further down: it comes with a later page
        else:
            row = self._offset(new_container) + pos
            self.beginInsertRows(self._parent_index(new_container), row, row)
            rows[:] = probe
            if new_container == "":
                self._shown += 1
            self.endInsertRows()
        self._changed(new_container)
        if old_container is not None and old_container != new_container:
            self._changed(old_container)

    def _parent_index(self, container: str | None) -> QModelIndex:
        return self.folder_index(container) if container else QModelIndex()

    def _changed(self, container: str | None) -> None:
        """Headings and folder counts may change with any move: repaint the level."""
        if container is None:
            return
        parent = self._parent_index(container)
        count = self._count(container)
        if count:
            self.dataChanged.emit(self.index(0, 0, parent), self.index(count - 1, 0, parent))
        if container and parent.isValid():
            self.dataChanged.emit(parent, parent)
            grand = self.parent(parent)
            if grand.isValid():
                self.dataChanged.emit(grand, grand)

    def remove(self, conversation_id: int) -> None:
        """Take one conversation out of the list (deleted, archived...)."""
        old = self._by_id.pop(conversation_id, None)
        if old is None:
            return
        self._recent.clear()
        container: str | None
        if self.is_tree:
            container = self._container(old)
        else:
            container = "" if _pos(self._flat, old.id) >= 0 else None
        self._place(old, container, None, None)
        pos = _pos(self._all, old.id)
        if pos >= 0:
            del self._all[pos]
        self._folded.pop(conversation_id, None)
        self._total -= 1

    def update_folder(self, folder: Folder) -> None:
        """A folder's new name, state or defaults (same place in the tree)."""
        current = self._folders.get(folder.id)
        if current is None:
            return
        current.name, current.collapsed = folder.name, folder.collapsed
        current.defaults = folder.defaults
        index = self.folder_index(folder.id)
        if index.isValid():
            self.dataChanged.emit(index, index)
