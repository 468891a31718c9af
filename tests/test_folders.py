"""Folders in core: CRUD, the nesting limit, moving chats, deleting, defaults, upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.domain import Role
from app.core.errors import StorageError
from app.core.history import MIGRATIONS, Store
from app.core.history import folders as F  # noqa: N812


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def test_create_rename_list_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        work = F.create_folder(store, "  Work\nstuff ")
        home = F.create_folder(store, "Home")
        sub = F.create_folder(store, "Payroll", parent_id=work.id)
        assert work.name == "Work stuff"
        assert F.rename_folder(store, home.id, "Family") == "Family"
        F.set_collapsed(store, work.id, True)
    with Store.open(path) as store:
        listed = F.list_folders(store)
    assert [(f.name, f.parent_id) for f in listed] == [
        ("Work stuff", None), ("Payroll", work.id), ("Family", None)]
    assert listed[0].collapsed is True
    assert len(listed[0].id) == 32 and listed[1].id == sub.id


def test_blank_names_are_refused(store: Store) -> None:
    with pytest.raises(F.FolderError, match="needs a name"):
        F.create_folder(store, "  \n ")
    folder = F.create_folder(store, "A")
    with pytest.raises(F.FolderError, match="needs a name"):
        F.rename_folder(store, folder.id, "")


def test_folders_nest_one_level_only(store: Store) -> None:
    top = F.create_folder(store, "Top")
    sub = F.create_folder(store, "Sub", parent_id=top.id)
    with pytest.raises(F.FolderError, match="one level deep"):
        F.create_folder(store, "Too deep", parent_id=sub.id)
    other = F.create_folder(store, "Other")
    with pytest.raises(F.FolderError, match="one level deep"):
        F.move_folder(store, other.id, sub.id)
    # a folder that holds folders cannot go inside another one
    with pytest.raises(F.FolderError, match="sub-folders out first"):
        F.move_folder(store, top.id, other.id)
    F.move_folder(store, other.id, top.id)
    F.move_folder(store, sub.id, None)
    assert {f.name: f.parent_id for f in F.list_folders(store)} == {
        "Top": None, "Other": top.id, "Sub": None}
    assert len(F.list_folders(store)) == 3


def test_move_conversations_in_and_out_keeps_their_place_in_time(store: Store) -> None:
    folder = F.create_folder(store, "Project")
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    F.move_conversations(store, [a.id, b.id], folder.id)
    assert store.get_conversation(a.id).folder_id == folder.id  # type: ignore[union-attr]
    assert store.get_conversation(a.id).updated_at == a.updated_at  # type: ignore[union-attr]
    assert F.folder_conversation_ids(store, folder.id) == [b.id, a.id]
    F.move_conversations(store, [a.id], None)
    assert store.get_conversation(a.id).folder_id is None  # type: ignore[union-attr]
    with pytest.raises(F.FolderError, match="no longer exists"):
        F.move_conversations(store, [a.id], "0" * 32)


def test_deleting_a_folder_moves_its_chats_out_and_deletes_none(store: Store) -> None:
    top = F.create_folder(store, "Top")
    sub = F.create_folder(store, "Sub", parent_id=top.id)
    a = store.create_conversation("in top", folder_id=top.id)
    b = store.create_conversation("in sub", folder_id=sub.id)
    assert F.folder_conversation_ids(store, top.id) == [b.id, a.id]
    assert F.delete_folder(store, top.id) == 2
    assert F.list_folders(store) == []
    assert [c.folder_id for c in store.list_conversations()] == [None, None]
    assert store.count_conversations() == 2


def test_a_new_chat_takes_the_folders_defaults_over_settings(store: Store) -> None:
    top = F.create_folder(store, "Writing")
    sub = F.create_folder(store, "Poems", parent_id=top.id)
    F.set_defaults(store, top.id, F.FolderDefaults(
        model="acme/writer", options={"system_prompt": "You are an editor.",
                                      "temperature": 0.2, "enabled_tools": ["fetch"]}))
    F.set_defaults(store, sub.id, F.FolderDefaults(options={"temperature": 0.9}))
    settings_options = {"temperature": 0.5, "max_tokens": 300, "allowed_tools": ["x"]}
    model, options, folder_id = F.new_chat_in(store, sub.id, "default/model", settings_options)
    assert model == "acme/writer"
    assert folder_id == sub.id
    assert options.system_prompt == "You are an editor."
    assert options.temperature == 0.9
    assert options.max_tokens == 300
    assert options.enabled_tools == ["fetch"]
    assert options.allowed_tools == []
    # A folder that is gone: Settings decide, and the chat is not filed.
    model, options, folder_id = F.new_chat_in(store, "f" * 32, "default/model", settings_options)
    assert (model, options.temperature, folder_id) == ("default/model", 0.5, None)


def test_find_folder_by_name_or_path(store: Store) -> None:
    a = F.create_folder(store, "Work")
    b = F.create_folder(store, "Notes", parent_id=a.id)
    c = F.create_folder(store, "Home")
    d = F.create_folder(store, "Notes", parent_id=c.id)
    assert F.find_folder(store, "work").id == a.id
    assert F.find_folder(store, "Home/Notes").id == d.id
    assert F.find_folder(store, "work/notes").id == b.id
    with pytest.raises(F.FolderError, match="More than one"):
        F.find_folder(store, "Notes")
    with pytest.raises(F.FolderError, match="no folder named 'Nope'"):
        F.find_folder(store, "Nope")


def test_creating_a_chat_in_a_missing_folder_says_so(store: Store) -> None:
    with pytest.raises(StorageError, match="no longer exists"):
        store.create_conversation("x", folder_id="e" * 32)
    assert store.count_conversations() == 0


def test_upgrade_to_folders_keeps_conversations(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    at = next(i for i, m in enumerate(MIGRATIONS) if m.name == "folders")
    previous = MIGRATIONS[:at]
    with Store.open(path, migrations=previous) as old:
        with old.transaction("add rows the old way") as conn:
            conv_id = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at, model, uid) "
                "VALUES ('kept', 1, 1, 'm/1', 'u1')").lastrowid
        assert conv_id is not None
        old.add_message(conv_id, Role.USER, "hello")
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        got = store.get_conversation(conv_id)
        assert got is not None and got.title == "kept" and got.folder_id is None
        assert [m.content for m in store.get_messages(conv_id)] == ["hello"]
        folder = F.create_folder(store, "After upgrade")
        F.move_conversations(store, [conv_id], folder.id)
        # ON DELETE SET NULL at the SQL level too (for hand-made deletes)
        with store.transaction("delete by hand") as conn:
            conn.execute("DELETE FROM folders WHERE id = ?", (folder.id,))
        assert store.get_conversation(conv_id).folder_id is None  # type: ignore[union-attr]
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()


def test_a_folder_nested_deeper_by_hand_is_still_listed(store: Store) -> None:
    top = F.create_folder(store, "Top")
    sub = F.create_folder(store, "Sub", parent_id=top.id)
    with store.transaction("nest by hand") as conn:
        conn.execute("INSERT INTO folders (id, parent_id, name, created_at, updated_at) "
                     "VALUES (?, ?, 'Deep', 0, 0)", ("d" * 32, sub.id))
    assert [f.name for f in F.list_folders(store)] == ["Top", "Sub", "Deep"]
