"""Lossless export, idempotent import (Parley and ChatGPT), hostile files refused untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.domain import MessageStatus, Role, Usage
from app.core.errors import ImportFileError
from app.core.history import Store, importers
from app.core.history.export import to_json, to_markdown
from app.core.history.importers import detect_format, import_chatgpt, import_data, import_file


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def other(tmp_path: Path):
    with Store.open(tmp_path / "other.sqlite3") as s:
        yield s


def _full(store: Store) -> str:
    items = store.export_conversations()
    return to_json(items, {c.id: store.get_options(c.id) for c, _ in items})


def _comparable(doc: str) -> Any:
    """The export without what legitimately differs between databases (local ids, date)."""
    data = json.loads(doc)
    data.pop("exported_at")
    for conv in data["conversations"]:
        conv.pop("id")
        for msg in conv["messages"]:
            msg.pop("id")
            msg.pop("parent_id")
    data["conversations"].sort(key=lambda c: c["uid"])
    return data


def _populate(store: Store) -> None:
    conv = store.create_conversation("Branchy", model="m/x")
    q = store.add_message(conv.id, Role.SYSTEM, "sys")
    q = store.add_message(conv.id, Role.USER, "Héllo 👋 \"quotes\"")
    a = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    store.update_message(
        a.id, content="answer", status=MessageStatus.COMPLETE, reasoning="because",
        model="m/y", provider="P", finish_reason="stop", usage=Usage(1, 2, 3, 0.5, 1, 1),
        generation_id="gen-1", extra={"annotations": [{"url": "https://x"}],
                                      "tool_calls": [{"id": "t"}]},
    )
    alt = store.new_reply_sibling(a.id)
    store.update_message(alt.id, content="partial", status=MessageStatus.STOPPED,
                         error="Stopped")
    store.edit_message(q.id, "Hello (edited)")
    store.select_branch(a.id)
    store.set_pinned(conv.id, True)
    store.set_tags(conv.id, ["work", "ideas"])
    store.set_options(conv.id, {"temperature": 0.3})
    archived = store.create_conversation("Archived one")
    store.add_message(archived.id, Role.USER, "old")
    store.set_archived(archived.id, True)
    trashed = store.create_conversation("In the trash")
    store.add_message(trashed.id, Role.USER, "bin")
    store.trash_conversation(trashed.id)


def test_round_trip_is_lossless_with_branches(store: Store, other: Store) -> None:
    _populate(store)
    before = _full(store)
    doc = json.loads(before)
    branchy = next(c for c in doc["conversations"] if c["title"] == "Branchy")
    assert len(branchy["messages"]) == 5
    assert branchy["pinned"] is True and branchy["tags"] == ["work", "ideas"]
    assert branchy["options"] == {"temperature": 0.3}
    msg = next(m for m in branchy["messages"] if m["content"] == "answer")
    assert msg["parent_uid"] and msg["uid"] and isinstance(msg["created_ts"], float)
    assert msg["created_at"].endswith("+00:00")
    assert branchy["active_leaf_uid"] == msg["uid"]

    report = import_data(other, json.loads(before))
    assert report.conversations_added == 3
    assert report.messages_added == 7
    assert _comparable(_full(other)) == _comparable(before)
    # The branch shown and the tree are rebuilt.
    conv = next(c for c in other.list_conversations() if c.title == "Branchy")
    assert [m.content for m in other.get_thread(conv.id)] == [
        "sys", "Héllo 👋 \"quotes\"", "answer"]
    assert [c.title for c in other.list_trashed()] == ["In the trash"]

    # Importing again adds nothing.
    again = import_data(other, json.loads(before))
    assert again.conversations_added == 0 and again.messages_added == 0
    assert again.conversations_unchanged == 3 and again.messages_skipped == 7
    assert _comparable(_full(other)) == _comparable(before)


def test_import_into_existing_conversation_adds_missing_messages(
    store: Store, other: Store
) -> None:
    conv = store.create_conversation("Grows")
    store.add_message(conv.id, Role.USER, "one")
    first = _full(store)
    import_data(other, json.loads(first))
    store.add_message(conv.id, Role.ASSISTANT, "two")
    store.rename_conversation(conv.id, "Renamed elsewhere")
    report = import_data(other, json.loads(_full(store)))
    assert report.conversations_merged == 1
    assert report.messages_added == 1 and report.messages_skipped == 1
    (got,) = other.list_conversations()
    assert got.title == "Grows"  # local metadata wins
    assert [m.content for m in other.get_thread(got.id)] == ["one", "two"]


def test_markdown_shows_the_active_branch_and_says_so(store: Store) -> None:
    _populate(store)
    md = to_markdown(store.export_conversations())
    assert "answer" in md
    assert "Hello (edited)" not in md
    assert "2 more message(s) on other branches" in md


def test_version_1_export_still_imports_once(store: Store) -> None:
    v1 = {
        "format": "parley-export", "version": 1, "exported_at": "2024-01-01T00:00:00+00:00",
        "conversations": [{
            "id": 7, "title": "Old", "created_at": "2024-01-01T00:00:00+00:00",
            "updated_at": "2024-01-01T00:00:10+00:00", "model": None,
            "messages": [
                {"id": 1, "parent_id": None, "role": "user", "content": "q1",
                 "status": "complete", "created_at": "2024-01-01T00:00:01+00:00"},
                {"id": 2, "parent_id": 1, "role": "assistant", "content": "a1",
                 "status": "complete", "created_at": "2024-01-01T00:00:02+00:00"},
                {"id": 3, "parent_id": None, "role": "user", "content": "q2",
                 "status": "complete", "created_at": "2024-01-01T00:00:03+00:00"},
            ],
        }],
    }
    assert import_data(store, v1).messages_added == 3
    assert import_data(store, v1).messages_added == 0
    (conv,) = store.list_conversations()
    assert [m.content for m in store.get_thread(conv.id)] == ["q1", "a1", "q2"]


# ---------------------------------------------------------------- ChatGPT


def _node(nid: str, parent: str | None, children: list[str], role: str | None = None,
          text: str | None = None, t: float = 1_700_000_000.0, **meta: Any) -> dict[str, Any]:
    message = None
    if role is not None:
        message = {
            "id": nid, "author": {"role": role, "name": None, "metadata": {}},
            "create_time": t, "update_time": None,
            "content": {"content_type": "text", "parts": [text or ""]},
            "status": "finished_successfully", "end_turn": True, "weight": 1.0,
            "metadata": meta, "recipient": "all",
        }
    return {"id": nid, "message": message, "parent": parent, "children": children}


def chatgpt_sample() -> list[dict[str, Any]]:
    """A small conversations.json: hidden system node, an edited prompt (two branches)."""
    mapping = {
        "root": _node("root", None, ["sys"]),
        "sys": _node("sys", "root", ["u1", "u1b"], "system", "",
                     is_visually_hidden_from_conversation=True),
        "u1": _node("u1", "sys", ["a1"], "user", "What is a monad?", 1_700_000_001),
        "a1": _node("a1", "u1", [], "assistant", "A monoid in the category of endofunctors.",
                    1_700_000_002, model_slug="gpt-4o"),
        "u1b": _node("u1b", "sys", ["a1b"], "user", "Explain monads simply", 1_700_000_010),
        "a1b": _node("a1b", "u1b", ["tool1"], "assistant", "A box with a recipe.",
                     1_700_000_011, model_slug="gpt-4o"),
        "tool1": _node("tool1", "a1b", ["a2"], "tool", "browsing output", 1_700_000_012),
        "a2": _node("a2", "tool1", [], "assistant", "More: see above.", 1_700_000_013),
    }
    return [{
        "title": "Monads", "create_time": 1_700_000_000.5, "update_time": 1_700_000_013.0,
        "mapping": mapping, "current_node": "a2", "conversation_id": "abc-123",
        "id": "abc-123", "is_archived": False, "default_model_slug": "gpt-4o",
    }]


def test_chatgpt_import_keeps_branches_and_skips_noise(store: Store) -> None:
    data = chatgpt_sample()
    assert detect_format(data) == "chatgpt"
    report = import_chatgpt(store, data)
    assert report.conversations_added == 1
    assert report.messages_added == 5
    assert report.nodes_skipped == 3  # root (no message), hidden system, tool output
    (conv,) = store.list_conversations()
    assert conv.title == "Monads"
    thread = store.get_thread(conv.id)
    assert [m.content for m in thread] == [
        "Explain monads simply", "A box with a recipe.", "More: see above."]
    assert thread[1].model == "gpt-4o"
    assert thread[0].created_at == 1_700_000_010
    assert [m.content for m in store.siblings(thread[0].id)] == [
        "What is a monad?", "Explain monads simply"]
    again = import_chatgpt(store, data)
    assert again.messages_added == 0 and again.conversations_unchanged == 1


# ---------------------------------------------------------------- hostile files


def _deep(n: int) -> str:
    return "[" * n + "]" * n


def _hostile_cases() -> list[tuple[str, Any]]:
    good = chatgpt_sample()
    cycle = chatgpt_sample()
    cycle[0]["mapping"]["root"]["parent"] = "a2"
    self_loop = chatgpt_sample()
    self_loop[0]["mapping"]["u1"]["parent"] = "u1"
    wrong_type = chatgpt_sample()
    wrong_type[0]["mapping"]["u1"]["message"]["content"]["parts"] = [{"x": 1}, 5, "ok"]
    wrong_type[0]["mapping"]["a1"]["message"]["create_time"] = "yesterday"
    huge = chatgpt_sample()
    huge[0]["mapping"]["u1"]["message"]["content"]["parts"] = [
        "x" * (importers.MAX_TEXT_CHARS + 1)]
    deep_extra = {
        "format": "parley-export", "version": 2,
        "conversations": [{"uid": "a" * 32, "title": "t", "messages": [
            {"uid": "b" * 32, "parent_uid": None, "role": "user", "content": "x",
             "extra": json.loads(_deep(40).replace("[]", "[{}]", 1))}]}],
    }
    parley_cycle = {
        "format": "parley-export", "version": 2,
        "conversations": [{"uid": "c" * 32, "title": "t", "messages": [
            {"uid": "d" * 32, "parent_uid": "e" * 32, "role": "user", "content": "x"},
            {"uid": "e" * 32, "parent_uid": "d" * 32, "role": "user", "content": "y"}]}],
    }
    bad_role = {
        "format": "parley-export", "version": 2,
        "conversations": [{"uid": "f" * 32, "title": "t", "messages": [
            {"uid": "1" * 32, "parent_uid": None, "role": "wizard", "content": "x"}]}],
    }
    later_bad = [*good, {"title": "second", "mapping": {"n": 5}}]
    return [
        ("not json", "this is { not json"),
        ("binary", b"\xff\xfe\x00garbage"),
        ("deep nesting", _deep(100_000)),
        ("wrong top level", {"hello": "world"}),
        ("a number", 42),
        ("cycle", cycle),
        ("self loop", self_loop),
        ("wrong types", wrong_type),
        ("huge string", huge),
        ("million items", [{"mapping": {}}] * 1_000_000),
        ("deep extra", deep_extra),
        ("parley cycle", parley_cycle),
        ("bad role", bad_role),
        ("good then bad", later_bad),
        ("title not text", [{"title": ["x"], "mapping": {}}]),
        ("future version", {"format": "parley-export", "version": 99, "conversations": []}),
    ]


@pytest.mark.parametrize(("name", "payload"), _hostile_cases(), ids=lambda v: str(v)[:20])
def test_hostile_files_are_refused_and_change_nothing(
    store: Store, tmp_path: Path, name: str, payload: Any
) -> None:
    _populate(store)
    before = _comparable(_full(store))
    path = tmp_path / "import.json"
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    elif isinstance(payload, str):
        path.write_text(payload)
    else:
        path.write_text(json.dumps(payload))
    with pytest.raises(ImportFileError) as info:
        import_file(store, path)
    assert "Nothing was imported" in str(info.value) or "neither" in str(info.value)
    assert _comparable(_full(store)) == before
    store.add_message(store.list_conversations()[0].id, Role.USER, "still usable")


def test_error_in_the_middle_rolls_back_the_whole_file(store: Store) -> None:
    good = chatgpt_sample()
    bad = json.loads(json.dumps(good))
    bad[0]["conversation_id"] = bad[0]["id"] = "zzz"
    # Same message uids in another conversation: detected while writing, after inserts.
    conflict = {
        "format": "parley-export", "version": 2, "conversations": [
            {"uid": "a" * 32, "title": "first", "messages": [
                {"uid": "b" * 32, "parent_uid": None, "role": "user", "content": "x"}]},
            {"uid": "c" * 32, "title": "second", "messages": [
                {"uid": "b" * 32, "parent_uid": None, "role": "user", "content": "x"}]},
        ]}
    with pytest.raises(ImportFileError, match="another conversation"):
        import_data(store, conflict)
    assert store.list_conversations(archived=None, include_trashed=True) == []


def test_missing_file_is_a_clear_error(tmp_path: Path, store: Store) -> None:
    with pytest.raises(ImportFileError, match="Cannot read"):
        import_file(store, tmp_path / "nope.json")


# ---------------------------------------------------------------- files that are not files

REPO = Path(__file__).resolve().parents[1]


def _cli(home: Path, *args: str) -> Any:
    """Run `parley` for real, with an address-space cap so a runaway read fails fast."""
    import os
    import resource
    import subprocess
    import sys

    def cap() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env["PARLEY_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=cap)


def _special_file(tmp_path: Path, kind: str) -> Path:
    import os

    path = tmp_path / "conversations.json"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "folder"])
@pytest.mark.parametrize("command", [["import"], ["prompts", "import"]])
def test_cli_refuses_devices_pipes_and_folders_at_once(
    tmp_path: Path, isolated_home: Path, kind: str, command: list[str]
) -> None:
    path = _special_file(tmp_path, kind)
    result = _cli(isolated_home, *command, str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Nothing was imported" in result.stderr
    what = {"dev-zero": "a device", "fifo": "a named pipe", "folder": "a folder"}[kind]
    assert what in result.stderr


def test_window_import_refuses_a_folder_by_name(tmp_path: Path, store: Store) -> None:
    # Pipes and devices are covered through the CLI above: in a child process a
    # regression fails on its timeout instead of hanging or exhausting this one.
    path = _special_file(tmp_path, "folder")
    with pytest.raises(ImportFileError, match="it is a folder, not a file"):
        import_file(store, path)


def test_a_symlink_to_a_regular_file_still_imports(tmp_path: Path, store: Store) -> None:
    real = tmp_path / "real.json"
    real.write_text(json.dumps(chatgpt_sample()))
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert import_file(store, link).conversations_added == 1


def test_files_over_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(["x" * 300]))
    with pytest.raises(ImportFileError, match="larger than"):
        importers.load_file(path, limit=100)
    assert importers.load_file(path, limit=1000) == ["x" * 300]


def _parley_doc(**usage: Any) -> dict[str, Any]:
    return {"format": "parley-export", "version": 2, "conversations": [
        {"uid": "a" * 32, "title": "t", "messages": [
            {"uid": "b" * 32, "parent_uid": None, "role": "user", "content": "q"},
            {"uid": "c" * 32, "parent_uid": "b" * 32, "role": "assistant", "content": "a",
             "usage": usage}]}]}


@pytest.mark.parametrize(
    ("usage", "field"),
    [({"prompt_tokens": 2**70}, "usage.prompt_tokens"),
     ({"completion_tokens": -(2**64)}, "usage.completion_tokens"),
     ({"total_tokens": 10**400}, "usage.total_tokens")],
    ids=["2**70", "-2**64", "10**400"],
)
def test_numbers_sqlite_cannot_store_are_refused_by_name(
    tmp_path: Path, isolated_home: Path, usage: dict[str, Any], field: str
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_parley_doc(**usage)))
    result = _cli(isolated_home, "import", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert field in result.stderr
    assert "Nothing was imported" in result.stderr
    with Store.open(isolated_home / "history.sqlite3") as s:
        assert s.list_conversations(archived=None, include_trashed=True) == []


def test_the_largest_64_bit_token_count_imports(store: Store) -> None:
    report = import_data(store, _parley_doc(prompt_tokens=2**63 - 1))
    assert report.messages_added == 2


@pytest.mark.parametrize("when", [10**400, 2**70], ids=["10**400", "2**70"])
def test_impossible_times_are_refused(store: Store, when: int) -> None:
    doc = _parley_doc()
    doc["conversations"][0]["created_ts"] = when
    with pytest.raises(ImportFileError, match="created_ts"):
        import_data(store, doc)


def test_prompt_import_refuses_impossible_times(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "prompts.json"
    path.write_text(json.dumps({"format": "parley-prompts", "prompts": [
        {"title": "t", "body": "b", "created_ts": 10**400}]}))
    result = _cli(isolated_home, "prompts", "import", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "invalid times" in result.stderr


# ---------------------------------------------------------------- fields and limits


def _parley_one(message: dict[str, Any] | None = None, **conv: Any) -> dict[str, Any]:
    """A Parley export of one conversation holding one user message."""
    msg = {"uid": "b" * 32, "parent_uid": None, "role": "user", "content": "q",
           **(message or {})}
    return {"format": "parley-export", "version": 2, "conversations": [
        {"uid": "a" * 32, "title": "t", "messages": [msg], **conv}]}


def _refused(store: Store, doc: Any, match: str, fmt: Any = None) -> None:
    """`doc` is refused with an error naming `match`, and nothing lands in the database."""
    with pytest.raises(ImportFileError, match=match) as info:
        import_data(store, doc, fmt)
    assert "Nothing was imported" in str(info.value)
    assert store.list_conversations(archived=None, include_trashed=True) == []


def test_the_size_limit_is_said_in_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (3 * 2**20 + 1))
    with pytest.raises(ImportFileError, match=r"larger than the 3 MB Parley accepts"):
        importers.load_file(path, limit=3 * 2**20)


def test_the_smallest_64_bit_number_imports_and_one_more_is_refused(store: Store) -> None:
    assert import_data(store, _parley_doc(cost=-(2**63))).messages_added == 2
    with pytest.raises(ImportFileError, match=r"usage\.prompt_tokens"):
        import_data(store, _parley_doc(prompt_tokens=2**63))


def test_a_time_at_the_epoch_imports_and_a_far_future_float_time_is_refused(
    store: Store,
) -> None:
    _refused(store, _parley_one(created_ts=1e12), "created_ts")
    _refused(store, _parley_one({"created_ts": -1.5}), "created_ts")
    assert import_data(store, _parley_one(created_ts=0)).conversations_added == 1
    (conv,) = store.list_conversations()
    assert conv.created_at == 0


def test_a_file_with_exactly_the_most_messages_imports(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MAX_MESSAGES", 3)
    chats = [{"uid": c * 32, "title": c, "messages": [
        {"uid": str(n) * 32, "parent_uid": None, "role": "user", "content": "x"}]}
        for n, c in enumerate("abcd")]
    doc = {"format": "parley-export", "version": 2, "conversations": chats}
    _refused(store, doc, "more than 3 messages in the file")
    doc["conversations"] = chats[:3]
    assert import_data(store, doc).messages_added == 3


def _nested(depth: int, kind: str) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value} if kind == "object" else [value]
    return value


@pytest.mark.parametrize("kind", ["object", "list"])
def test_options_nested_too_deeply_are_refused_by_name(store: Store, kind: str) -> None:
    _refused(store, _parley_one(options={"x": _nested(40, kind)}), r"\.options: nested deeper")
    _refused(store, _parley_one({"extra": {"x": _nested(40, kind)}}), r"\.extra: nested deeper")
    # The limit itself (32 levels) is still fine.
    assert import_data(store, _parley_one(options={"x": _nested(31, kind)})).messages_added == 1


def test_a_reply_with_generated_images_keeps_its_other_details(store: Store) -> None:
    stored = {"sha256": "0" * 64, "mime": "image/png", "size": 3, "width": 1, "height": 1}
    extra = {"images": [stored], "annotations": [{"url": "https://example.com/a"}],
             "tool_calls": [{"id": "t"}], "zzz": 1}
    import_data(store, _parley_one({"extra": extra}))
    (conv,) = store.list_conversations()
    (msg,) = store.get_thread(conv.id)
    assert msg.extra == extra


def _attachment(**fields: Any) -> dict[str, Any]:
    return {"kind": "text", "sha256": "e" * 64, "name": "notes.txt", "mime": "text/plain",
            **fields}


def test_attachment_details_land_where_they_should(store: Store) -> None:
    files = [_attachment(size=0), _attachment(sha256="f" * 64, name="gone.txt"),
             _attachment(sha256="d" * 64, kind="image", mime="image/png", size=12,
                         width=0, height=2**62 - 1)]
    import_data(store, _parley_one({"attachments": files}))
    (conv,) = store.list_conversations()
    (msg,) = store.get_thread(conv.id)
    empty, gone, image = msg.attachments
    assert (empty.name, empty.size) == ("notes.txt", 0)
    assert (gone.name, gone.size) == ("gone.txt", 0)  # no size in the file: unknown is 0
    assert (image.size, image.width, image.height) == (12, 0, 2**62 - 1)


@pytest.mark.parametrize(
    ("fields", "match"),
    [({"sha256": "abc"}, r"attachments\[0\]\.sha256: is not a SHA-256 hash"),
     ({"sha256": "E" * 64}, r"attachments\[0\]\.sha256: is not a SHA-256 hash"),
     ({"sha256": "e" * 65}, r"attachments\[0\]\.sha256: is not a SHA-256 hash"),
     ({"size": -1}, r"attachments\[0\]\.size: is not a whole number"),
     ({"width": 2**62}, r"attachments\[0\]\.width: is not a whole number"),
     ({"pages": True}, r"attachments\[0\]\.pages: is not a whole number")],
    ids=["short-hash", "upper-case-hash", "long-hash", "negative-size", "huge-width",
         "bool-pages"],
)
def test_broken_attachment_details_are_refused_by_name(
    store: Store, fields: dict[str, Any], match: str
) -> None:
    _refused(store, _parley_one({"attachments": [_attachment(**fields)]}), match)


def test_forcing_the_parley_format_on_another_file_is_refused(store: Store) -> None:
    doc = _parley_one()
    doc["format"] = "another-export"
    _refused(store, doc, "not a Parley export", "parley")


@pytest.mark.parametrize("kind", ["citable_code_output", "execution_output"])
def test_chatgpt_nodes_of_other_kinds_are_left_out(store: Store, kind: str) -> None:
    data = chatgpt_sample()
    node = data[0]["mapping"]["a2"]["message"]
    node["content"] = {"content_type": kind, "text": "print(1)"}
    report = import_chatgpt(store, data)
    assert report.messages_added == 4 and report.nodes_skipped == 4
    (conv,) = store.list_conversations()
    assert "print(1)" not in [m.content for m in store.get_thread(conv.id)]


def test_chatgpt_code_becomes_a_fenced_block(store: Store) -> None:
    data = chatgpt_sample()
    node = data[0]["mapping"]["a2"]["message"]
    node["content"] = {"content_type": "code", "language": "python", "text": "print(1)"}
    import_chatgpt(store, data)
    (conv,) = store.list_conversations()
    assert store.get_thread(conv.id)[-1].content == "```python\nprint(1)\n```"


@pytest.mark.parametrize(
    ("field", "limit"), [("title", 10_000), ("tag", 200), ("node id", 200)],
)
def test_fields_may_be_as_long_as_their_limit_and_no_longer(
    store: Store, field: str, limit: int
) -> None:
    def doc(length: int) -> Any:
        if field == "node id":
            data = chatgpt_sample()
            mapping = data[0]["mapping"]
            mapping["n" * length] = _node("n" * length, "a2", [], "user", "long id")
            return data
        if field == "tag":
            return _parley_one(tags=["t" * length])
        return _parley_one(title="t" * length)

    with pytest.raises(ImportFileError, match=f"exceeds the limit of {limit:,}"):
        import_data(store, doc(limit + 1))
    assert store.list_conversations() == []
    assert import_data(store, doc(limit)).conversations_added == 1


def test_a_chatgpt_reply_keeps_a_model_name_of_up_to_199_characters(store: Store) -> None:
    data = chatgpt_sample()
    data[0]["mapping"]["a2"]["message"]["metadata"]["model_slug"] = "m" * 199
    data[0]["mapping"]["a1b"]["message"]["metadata"]["model_slug"] = "m" * 200
    import_chatgpt(store, data)
    (conv,) = store.list_conversations()
    thread = store.get_thread(conv.id)
    assert [m.model for m in thread] == [None, None, "m" * 199]
