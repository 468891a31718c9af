"""Folders outside the window: `parley ask --folder`, `parley export --folder`,
`parley folders`, and export/import of folders (older exports without them still import)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.domain import Role
from app.core.history import Store
from app.core.history import folders as folder_store
from app.core.history.export import export_json
from app.core.history.folders import FolderDefaults
from app.core.history.importers import import_data
from tests.fake_openrouter import FakeOpenRouter, text_stream
from tests.test_cli import db_rows, env, parley  # noqa: F401 (env is a fixture)


def make_folders(home: Path) -> tuple[str, str]:
    with Store.open(home / "history.sqlite3") as store:
        top = folder_store.create_folder(store, "Support")
        sub = folder_store.create_folder(store, "Refunds", parent_id=top.id)
        folder_store.set_defaults(store, sub.id, FolderDefaults(
            model="acme/support", options={"system_prompt": "Be kind.", "max_tokens": 200}))
        return top.id, sub.id


def test_ask_in_a_folder_files_the_chat_with_the_folders_defaults(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path  # noqa: F811
) -> None:
    _top, sub = make_folders(isolated_home)
    fake.enqueue(text_stream("Sorry about that."))
    res = parley("ask", "--folder", "support/refunds", "My order broke", env=env)
    assert res.returncode == 0, res.stderr
    body = fake.requests[-1].json()
    assert body["model"] == "acme/support"
    assert body["max_tokens"] == 200
    assert body["messages"][0] == {"role": "system", "content": "Be kind."}
    assert db_rows(isolated_home, "SELECT folder_id FROM conversations") == [(sub,)]
    # A model named on the command line wins over the folder's.
    fake.enqueue(text_stream("ok"))
    res = parley("ask", "--folder", "Refunds", "-m", "other/model", "again", env=env)
    assert res.returncode == 0, res.stderr
    assert fake.requests[-1].json()["model"] == "other/model"


def test_ask_with_an_unknown_folder_names_the_folders(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path  # noqa: F811
) -> None:
    make_folders(isolated_home)
    res = parley("ask", "--folder", "Nope", "hi", env=env)
    assert res.returncode == 2
    assert "no folder named 'Nope'" in res.stderr and "Support/Refunds" in res.stderr
    assert fake.requests == []
    assert db_rows(isolated_home, "SELECT count(*) FROM conversations") == [(0,)]


def test_export_a_folder_and_list_folders(
    env: dict[str, str], isolated_home: Path  # noqa: F811
) -> None:
    top, sub = make_folders(isolated_home)
    with Store.open(isolated_home / "history.sqlite3") as store:
        store.create_conversation("in sub", folder_id=sub)
        store.create_conversation("in top", folder_id=top)
        store.create_conversation("loose")
    res = parley("export", "--folder", "Support", env=env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert sorted(c["title"] for c in doc["conversations"]) == ["in sub", "in top"]
    assert {f["name"] for f in doc["folders"]} == {"Support", "Refunds"}
    res = parley("export", "--folder", "Refunds", "--format", "md", env=env)
    assert "in sub" in res.stdout and "in top" not in res.stdout
    listed = parley("folders", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "Support\t2 chat(s)",
        "Support/Refunds\t1 chat(s)\tmodel acme/support\tsystem prompt “Be kind.”",
    ]


def test_export_and_import_round_trip_folders(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        top = folder_store.create_folder(source, "Work")
        sub = folder_store.create_folder(source, "Payroll", parent_id=top.id)
        folder_store.set_defaults(source, sub.id, FolderDefaults(model="m/1"))
        folder_store.set_collapsed(source, top.id, True)
        conv = source.create_conversation("salaries", folder_id=sub.id)
        source.add_message(conv.id, Role.USER, "hi")
        source.create_conversation("loose")
        text = export_json(source)
    with Store.open(tmp_path / "b.sqlite3") as target:
        import_data(target, json.loads(text))
        folders = {f.name: f for f in folder_store.list_folders(target)}
        assert folders["Payroll"].parent_id == folders["Work"].id == top.id
        assert folders["Payroll"].defaults == FolderDefaults(model="m/1")
        assert folders["Work"].collapsed is True
        by_title = {c.title: c for c in target.list_conversations()}
        assert by_title["salaries"].folder_id == sub.id
        assert by_title["loose"].folder_id is None
        # Importing again adds nothing, and a renamed folder here keeps its name.
        folder_store.rename_folder(target, top.id, "Job")
        report = import_data(target, json.loads(text))
        assert report.conversations_added == 0
        assert [f.name for f in folder_store.list_folders(target)] == ["Job", "Payroll"]


def test_an_export_from_before_folders_still_imports(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        source.create_conversation("old chat")
        doc = json.loads(export_json(source))
    del doc["folders"]
    for conv in doc["conversations"]:
        del conv["folder_id"]
    with Store.open(tmp_path / "b.sqlite3") as target:
        assert import_data(target, doc).conversations_added == 1
        assert target.list_conversations()[0].folder_id is None


def test_a_conversation_naming_a_folder_not_in_the_file_lands_in_no_folder(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        folder = folder_store.create_folder(source, "F")
        source.create_conversation("x", folder_id=folder.id)
        doc = json.loads(export_json(source))
    doc["folders"] = []
    with Store.open(tmp_path / "b.sqlite3") as target:
        import_data(target, doc)
        assert target.list_conversations()[0].folder_id is None


@pytest.mark.parametrize("bad", [
    {"id": "not a uid!", "name": "x"},
    {"id": "a" * 32, "name": "x", "position": "first"},
    "a string",
])
def test_malformed_folders_are_refused_and_nothing_is_imported(
    tmp_path: Path, bad: object
) -> None:
    from app.core.errors import ImportFileError

    with Store.open(tmp_path / "a.sqlite3") as source:
        source.create_conversation("x")
        doc = json.loads(export_json(source))
    doc["folders"] = [bad]
    with Store.open(tmp_path / "b.sqlite3") as target:
        with pytest.raises(ImportFileError, match="folders"):
            import_data(target, doc)
        assert target.count_conversations() == 0
