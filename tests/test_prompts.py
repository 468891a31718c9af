"""The prompt library: CRUD, search, variables, JSON import/export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import ImportFileError, StorageError
from app.core.history import Store
from app.core.history import prompts as lib


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def test_crud_and_listing(store: Store) -> None:
    a = lib.create(store, "  Translate\n", "Translate {{text}}", tags=["lang", "Lang", " x "])
    assert a.title == "Translate" and a.tags == ["lang", "x"] and len(a.uid) == 32
    b = lib.create(store, "Reviewer", "You review code.", is_system=True, favourite=True)
    c = lib.create(store, "apple", "fruit 100%_done")
    assert [p.title for p in lib.list_prompts(store)] == ["Reviewer", "apple", "Translate"]
    assert [p.id for p in lib.list_prompts(store, favourites_only=True)] == [b.id]
    assert [p.id for p in lib.list_prompts(store, system=True)] == [b.id]
    assert [p.id for p in lib.list_prompts(store, search="REVIEW")] == [b.id]
    assert [p.id for p in lib.list_prompts(store, search="lang")] == [a.id]
    assert [p.id for p in lib.list_prompts(store, search="%_")] == [c.id]
    assert [p.id for p in lib.list_prompts(store, tag="x")] == [a.id]
    updated = lib.update(store, a.id, body="Translate {{ text }} to {{lang}}", favourite=True)
    assert updated.favourite and updated.title == "Translate"
    assert updated.updated_at >= a.updated_at
    assert lib.find(store, str(a.id)) == updated
    assert lib.find(store, "translate") == updated
    assert lib.find(store, "nope") is None
    assert lib.delete(store, c.id) is True
    assert lib.delete(store, c.id) is False
    assert lib.get(store, c.id) is None
    with pytest.raises(StorageError, match="title"):
        lib.create(store, "   ", "x")
    with pytest.raises(StorageError, match="does not exist"):
        lib.update(store, 999, body="x")


def test_variables_and_fill() -> None:
    body = "Hi {{name}}, {{ name }} again; {{ topic.sub-part }} {{{literal}}} {{ 9bad }} {{}}"
    assert lib.variables(body) == ["name", "topic.sub-part"]
    assert lib.fill(body, {"name": "Ada {{topic.sub-part}}", "topic.sub-part": "AI"}) == (
        "Hi Ada {{topic.sub-part}}, Ada {{topic.sub-part}} again; AI {{literal}} {{ 9bad }} {{}}"
    )
    assert lib.fill("{{a}} {{b}}", {"a": "1"}) == "1 {{b}}"
    assert lib.variables("no vars { {x} }") == []


def test_json_round_trip_is_idempotent(store: Store, tmp_path: Path) -> None:
    lib.create(store, "One", "1 {{x}}", tags=["t"], favourite=True)
    lib.create(store, "Sys", "be nice", is_system=True)
    doc = json.loads(lib.export_json(lib.list_prompts(store)))
    with Store.open(tmp_path / "other.sqlite3") as other:
        assert lib.import_json(other, doc).added == 2
        again = lib.import_json(other, doc)
        assert (again.added, again.skipped) == (0, 2)
        got = {p.title: p for p in lib.list_prompts(other)}
        assert got["One"].favourite and got["One"].tags == ["t"]
        assert got["Sys"].is_system
        assert [p.uid for p in lib.list_prompts(other)] == [
            p.uid for p in lib.list_prompts(store)]


@pytest.mark.parametrize("doc", [
    [], {"format": "other"}, {"format": "parley-prompts", "prompts": "x"},
    {"format": "parley-prompts", "prompts": [{"title": 5}]},
    {"format": "parley-prompts", "prompts": [{"title": "ok"}, {"title": "x" * 5000}]},
    {"format": "parley-prompts", "prompts": [{"title": "ok", "tags": [1]}]},
])
def test_bad_prompt_files_change_nothing(store: Store, doc: object) -> None:
    lib.create(store, "Keep", "me")
    with pytest.raises(ImportFileError):
        lib.import_json(store, doc)
    assert [p.title for p in lib.list_prompts(store)] == ["Keep"]
