"""Sync through a shared folder: three data folders, one sync folder, real SQLite files."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.domain import Attachment, AttachmentKind, MessageStatus, Role, Usage
from app.core.errors import SyncError
from app.core.history import Store
from app.core.history import folders as folder_lib
from app.core.history import prompts as prompt_lib
from app.core.history.importers import import_parley
from app.core.history.migrations import MIGRATIONS
from app.core.history.search import search
from app.core.sync import entities, journal, passphrase
from app.core.sync.layout import Layout
from tests.attachment_samples import png
from tests.sync_devices import Device, settle


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    return folder


@pytest.fixture
def trio(tmp_path: Path, shared: Path) -> Iterator[list[Device]]:
    devices = [Device(tmp_path, name, shared) for name in ("laptop", "desktop", "tablet")]
    yield devices
    for device in devices:
        device.close()


def _chat(device: Device, title: str, *texts: str) -> str:
    conv = device.store.create_conversation(title, model="m/one")
    for n, text in enumerate(texts):
        device.store.add_message(conv.id, Role.USER if n % 2 == 0 else Role.ASSISTANT, text)
    return conv.uid


def test_a_chat_made_on_one_device_appears_on_the_others_with_every_detail(
    trio: list[Device],
) -> None:
    laptop, desktop, tablet = trio
    uid = _chat(laptop, "Trip to Lisbon", "Where to eat?", "Try Alfama.")
    conv_id = laptop.conv_id(uid)
    reply = laptop.store.get_thread(conv_id)[-1]
    laptop.store.update_message(
        reply.id, reasoning="thinking about food", usage=Usage(10, 20, 30, cost=0.002),
        provider="P", finish_reason="stop", extra={"annotations": [{"url": "https://x"}]},
    )
    # A second version of the reply: both branches travel, the one on screen too.
    other = laptop.store.new_reply_sibling(reply.id)
    laptop.store.update_message(other.id, content="Try Bairro Alto.",
                                status=MessageStatus.COMPLETE)
    laptop.store.set_tags(conv_id, ["travel", "food"])
    laptop.store.set_pinned(conv_id, True)
    laptop.store.set_options(conv_id, {"temperature": 0.3})
    prompt_lib.create(laptop.store, "Summarise", "Summarise {{text}}", tags=["work"])

    settle(trio)

    assert desktop.titles() == tablet.titles() == ["Trip to Lisbon"]
    shown = [m.content for m in desktop.store.get_thread(desktop.conv_id(uid))]
    assert shown == ["Where to eat?", "Try Bairro Alto."]
    assert laptop.export() == desktop.export() == tablet.export()
    assert [p.title for p in prompt_lib.list_prompts(tablet.store)] == ["Summarise"]


def test_edits_and_deletions_made_anywhere_reach_every_device(trio: list[Device]) -> None:
    laptop, desktop, tablet = trio
    keep = _chat(laptop, "Keep me", "one", "two", "three", "four")
    gone = _chat(laptop, "Delete me", "bye")
    prompt = prompt_lib.create(laptop.store, "Old", "body")
    settle(trio)

    desktop.store.rename_conversation(desktop.conv_id(keep), "Kept and renamed")
    desktop.store.set_archived(desktop.conv_id(keep), True)
    # A message (and the reply built on it) deleted on the tablet.
    thread = tablet.store.get_thread(tablet.conv_id(keep))
    tablet.store.delete_message(thread[2].id, with_descendants=True)
    # A conversation deleted for good (trash emptied) on the desktop.
    desktop.store.trash_conversation(desktop.conv_id(gone))
    desktop.store.purge_trashed()
    found = prompt_lib.find(tablet.store, "Old")
    assert found is not None
    prompt_lib.update(tablet.store, found.id, title="New", favourite=True)
    settle(trio)

    for device in trio:
        assert device.titles() == ["Kept and renamed"]
        conv = device.store.get_conversation(device.conv_id(keep))
        assert conv is not None and conv.archived
        assert [m.content for m in device.store.get_messages(conv.id)] == ["one", "two"]
        assert [p.title for p in prompt_lib.list_prompts(device.store)] == ["New"]
    assert laptop.export() == desktop.export() == tablet.export()

    prompt_lib.delete(laptop.store, prompt.id)
    settle(trio)
    assert all(prompt_lib.list_prompts(d.store) == [] for d in trio)


def test_a_delete_undone_within_the_undo_window_is_never_sent(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    uid = _chat(laptop, "Oops", "hello")
    settle(trio)
    conv_id = desktop.conv_id(uid)
    desktop.store.trash_conversation(conv_id)  # "Delete" in the sidebar...
    desktop.sync()
    laptop.sync()
    assert laptop.titles() == ["Oops"]  # the trash is the Undo window, local to a device
    desktop.store.restore_conversation(conv_id)  # ... then Undo
    desktop.store.purge_trashed()  # the window closes: nothing left in the trash
    settle(trio)
    assert laptop.titles() == desktop.titles() == ["Oops"]


def test_a_delete_wins_over_a_concurrent_reply_in_the_deleted_chat(trio: list[Device]) -> None:
    laptop, desktop, tablet = trio
    uid = _chat(laptop, "Short-lived", "hi")
    settle(trio)
    desktop.store.add_message(desktop.conv_id(uid), Role.ASSISTANT, "late reply")
    laptop.store.trash_conversation(laptop.conv_id(uid))
    laptop.store.purge_trashed()
    settle(trio)
    assert laptop.titles() == desktop.titles() == tablet.titles() == []
    assert laptop.export() == desktop.export() == tablet.export()


def test_concurrent_edits_end_the_same_on_every_device_despite_clock_skew(
    trio: list[Device], monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop, desktop, tablet = trio
    uid = _chat(laptop, "Name me", "x")
    settle(trio)
    # Both rename before seeing the other's change: one of them wins, the same everywhere.
    laptop.store.rename_conversation(laptop.conv_id(uid), "Laptop's name")
    desktop.store.rename_conversation(desktop.conv_id(uid), "Desktop's name")
    settle(trio)
    winner = laptop.titles()
    assert winner == desktop.titles() == tablet.titles()
    assert winner[0] in {"Laptop's name", "Desktop's name"}

    # The tablet's clock is an hour behind. It renames after seeing the others' name:
    # its change is the newest the user made, so it must win everywhere.
    real = journal.now_ms
    monkeypatch.setattr(journal, "now_ms", lambda: real() - 3_600_000)
    tablet.store.rename_conversation(tablet.conv_id(uid), "Tablet's later name")
    tablet.sync()
    monkeypatch.setattr(journal, "now_ms", real)
    settle(trio)
    assert laptop.titles() == desktop.titles() == tablet.titles() == ["Tablet's later name"]


def test_conflict_copies_and_half_transferred_files_are_ignored(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    _chat(laptop, "Real", "real text")
    laptop.sync()
    layout = Layout(laptop.shared)
    device_dir = next(p for p in layout.devices.iterdir())
    seg = device_dir / "seg-00000001.psync"
    # What Syncthing, Dropbox and Office leave behind: none of it may be read.
    (device_dir / "seg-00000001.sync-conflict-20260101-101010-ABCDEFG.psync").write_bytes(
        b"garbage")
    (device_dir / "seg-00000001 (conflicted copy).psync").write_bytes(seg.read_bytes())
    (device_dir / "seg-00000002.psync.partial").write_bytes(b"half")
    (device_dir / ".seg-00000002.psync.~tmp").write_bytes(b"half")
    (device_dir / "~$seg-00000002.psync").write_bytes(b"half")
    (layout.devices / f"{device_dir.name} (conflicted copy)").mkdir()
    (layout.root / "folder.sync-conflict-20260101-101010-ABCDEFG.json").write_text("{}")

    report = desktop.sync()
    assert report.problems == [] and report.waiting == []
    assert desktop.titles() == ["Real"]
    assert len(desktop.store.get_messages(desktop.conv_id(
        desktop.store.list_conversations()[0].uid))) == 1


def _segments(device: Device) -> list[Path]:
    layout = Layout(device.shared)
    device_id = journal.device_id(device.store)
    return [layout.segment(device_id, n) for n in layout.segment_numbers(device_id)]


def test_a_segment_arriving_before_the_one_it_follows_waits_for_it(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    first = _chat(laptop, "First", "a")
    laptop.sync()
    second = _chat(laptop, "Second", "b")
    laptop.sync()
    seg1, seg2 = _segments(laptop)
    hidden = seg1.with_name("elsewhere")
    seg1.rename(hidden)  # the sync tool has delivered segment 2 but not yet segment 1

    report = desktop.sync()
    assert desktop.titles() == []
    assert report.waiting and "segment 1" in report.waiting[0]
    report = desktop.sync()  # still waiting, not skipped
    assert desktop.titles() == [] and report.waiting

    hidden.rename(seg1)
    desktop.sync()
    assert {desktop.store.get_conversation(desktop.conv_id(u)).title  # type: ignore[union-attr]
            for u in (first, second)} == {"First", "Second"}
    assert seg2.exists()


def test_a_corrupt_segment_is_skipped_reported_and_taken_once_repaired(
    trio: list[Device],
) -> None:
    laptop, desktop, _tablet = trio
    _chat(laptop, "Damaged", *[f"message {n}" for n in range(6)])
    laptop.sync()
    _chat(laptop, "Fine", "ok")
    laptop.sync()
    seg1, _seg2 = _segments(laptop)
    good = seg1.read_bytes()
    seg1.write_bytes(good[: len(good) // 2] + b"\x00" * (len(good) - len(good) // 2))

    report = desktop.sync()
    assert len(report.problems) == 1 and "seg-00000001.psync" in report.problems[0]
    # Nothing of the damaged segment was applied, the next one was.
    assert desktop.titles() == ["Fine"]
    assert desktop.sync().problems == []  # reported once, not on every round

    seg1.write_bytes(good)  # the sync tool finishes the transfer
    os.utime(seg1, (1, 1))
    desktop.sync()
    assert desktop.titles() == ["Damaged", "Fine"]
    assert laptop.export() == desktop.export()


def test_a_wrong_or_missing_passphrase_is_a_clear_error_and_imports_nothing(
    tmp_path: Path, shared: Path,
) -> None:
    laptop = Device(tmp_path, "laptop", shared, passphrase="correct horse")
    desktop = Device(tmp_path, "desktop", shared, passphrase="wrong horse")
    try:
        _chat(laptop, "Private", "my secret plan")
        laptop.sync()
        with pytest.raises(SyncError, match="passphrase is wrong"):
            desktop.sync()
        desktop.passphrase = None
        with pytest.raises(SyncError, match="is encrypted"):
            desktop.sync()
        assert desktop.titles() == []
        # Nothing of the desktop's was written into the folder either.
        assert Layout(shared).device_ids() == [journal.device_id(laptop.store)]
        desktop.passphrase = "correct horse"
        desktop.sync()
        assert desktop.titles() == ["Private"]
    finally:
        laptop.close()
        desktop.close()


def test_a_passphrase_for_a_plaintext_folder_is_refused(tmp_path: Path, shared: Path) -> None:
    laptop = Device(tmp_path, "laptop", shared)
    desktop = Device(tmp_path, "desktop", shared, passphrase="something")
    try:
        laptop.sync()
        with pytest.raises(SyncError, match="not encrypted"):
            desktop.sync()
    finally:
        laptop.close()
        desktop.close()


def test_with_a_passphrase_the_folder_holds_no_text_of_the_history(
    tmp_path: Path, shared: Path,
) -> None:
    laptop = Device(tmp_path, "laptop", shared, passphrase="pw")
    desktop = Device(tmp_path, "desktop", shared, passphrase="pw")
    try:
        image = png(16, 16)
        attachment = Attachment(sha256=laptop.files.put(image), name="holiday-photo.png",
                                mime="image/png", size=len(image), kind=AttachmentKind.IMAGE,
                                width=16, height=16)
        conv = laptop.store.create_conversation("Zanzibar honeymoon")
        laptop.store.add_message(conv.id, Role.USER, "pineapple-margarita-recipe",
                                 attachments=[attachment])
        prompt_lib.create(laptop.store, "Quokka prompt", "wombat body")
        laptop.sync()
        desktop.sync()
        assert desktop.titles() == ["Zanzibar honeymoon"]
        assert desktop.files.read(attachment.sha256) == image

        blobs = [p.read_bytes() for p in shared.rglob("*") if p.is_file()]
        everything = b"".join(blobs)
        for secret in (b"Zanzibar", b"pineapple", b"holiday-photo", b"Quokka", b"wombat",
                       attachment.sha256.encode(), image[16:48]):
            assert secret not in everything
        import socket
        assert socket.gethostname().encode() not in everything
    finally:
        laptop.close()
        desktop.close()


def test_a_streaming_reply_is_synced_once_it_is_final(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    conv = laptop.store.create_conversation("Streaming")
    laptop.store.add_message(conv.id, Role.USER, "tell me")
    reply = laptop.store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    laptop.store.update_message(reply.id, content="half a rep")
    laptop.sync()
    desktop.sync()
    contents = [m.content for m in desktop.store.get_messages(desktop.conv_id(conv.uid))]
    assert contents == ["tell me"]  # no half reply, and never a reply left 'streaming'

    laptop.store.update_message(reply.id, content="half a reply, now whole",
                                status=MessageStatus.COMPLETE)
    laptop.sync()
    desktop.sync()
    messages = desktop.store.get_messages(desktop.conv_id(conv.uid))
    assert [(m.content, m.status) for m in messages] == [
        ("tell me", MessageStatus.COMPLETE),
        ("half a reply, now whole", MessageStatus.COMPLETE),
    ]
    assert [m.content for m in desktop.store.get_thread(messages[0].conversation_id)][-1] == (
        "half a reply, now whole")
    assert laptop.export() == desktop.export()


def test_a_device_offline_for_long_catches_up_and_sends_its_own_changes(
    trio: list[Device],
) -> None:
    laptop, desktop, tablet = trio
    tablet_chat = _chat(tablet, "Written offline", "on the plane")
    for n in range(30):
        writer = laptop if n % 2 else desktop
        _chat(writer, f"Chat {n:02d}", f"question {n}", f"answer {n}")
        writer.sync()
        if n % 10 == 9:
            laptop.sync()
            oldest = laptop.store.list_conversations()[-1]
            laptop.store.rename_conversation(oldest.id, f"{oldest.title} renamed at {n}")
            laptop.sync()
    assert tablet.titles() == ["Written offline"]  # it has been away all along
    settle(trio)
    assert len(tablet.titles()) == 31
    assert tablet.export() == laptop.export() == desktop.export()
    assert desktop.store.get_conversation(desktop.conv_id(tablet_chat)) is not None


def test_changes_from_an_import_are_captured(trio: list[Device], tmp_path: Path) -> None:
    laptop, desktop, _tablet = trio
    laptop.sync()  # sync is on before the import
    doc = {"format": "parley-export", "version": 2, "conversations": [{
        "uid": "a" * 32, "title": "Imported", "created_ts": 1.0, "updated_ts": 2.0,
        "messages": [{"uid": "b" * 32, "role": "user", "content": "from a file",
                      "created_ts": 1.0}],
    }]}
    import_parley(laptop.store, doc)
    laptop.sync()
    desktop.sync()
    assert desktop.titles() == ["Imported"]
    assert laptop.export() == desktop.export()


def test_applying_the_same_segments_twice_changes_nothing(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    _chat(laptop, "Once", "only once", "really")
    laptop.sync()
    desktop.sync()
    before = desktop.export()
    with desktop.store.transaction("forget what was applied") as conn:
        conn.execute("DELETE FROM sync_peers")
    report = desktop.sync()
    assert report.segments_read == 1 and report.received == 0
    assert desktop.export() == before
    assert len(desktop.store.get_messages(desktop.conv_id(
        desktop.store.list_conversations()[0].uid))) == 2


def test_changes_merged_from_others_are_not_sent_back(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    _chat(laptop, "Hello", "hi")
    laptop.sync()
    desktop.sync()
    assert journal.pending_count(desktop.store) == 0
    assert desktop.sync().sent == 0


def test_the_passphrase_comes_from_the_environment_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passphrase.set_passphrase("from keychain")
    assert passphrase.get_passphrase() == "from keychain"
    monkeypatch.setenv("PARLEY_SYNC_PASSPHRASE", "from env")
    assert passphrase.get_passphrase() == "from env"
    assert passphrase.source() == "env"
    monkeypatch.delenv("PARLEY_SYNC_PASSPHRASE")
    assert passphrase.delete_passphrase() is True
    assert passphrase.get_passphrase() is None


def test_a_missing_sync_folder_is_a_sentence(tmp_path: Path) -> None:
    device = Device(tmp_path, "laptop", tmp_path / "not-there")
    try:
        with pytest.raises(SyncError, match="does not exist"):
            device.sync()
    finally:
        device.close()


def test_upgrading_to_the_sync_change_log_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    old = Store.open(path, migrations=MIGRATIONS[:7])
    conv = old.create_conversation("Before sync")
    old.add_message(conv.id, Role.USER, "kept")
    prompt_lib.create(old, "P", "kept too")
    old.close()
    with Store.open(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 8
        assert [c.title for c in store.list_conversations()] == ["Before sync"]
        assert [m.content for m in store.get_messages(conv.id)] == ["kept"]
        # Nothing is recorded for sync until it is switched on.
        with store.reading("check") as conn:
            assert conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 0
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM prompts").fetchone()[0] == 1
    raw.close()


def test_segment_files_are_sealed_with_checksums_without_a_passphrase(
    trio: list[Device],
) -> None:
    laptop, _desktop, _tablet = trio
    _chat(laptop, "Plain", "text")
    laptop.sync()
    data = _segments(laptop)[0].read_bytes()
    assert data.startswith(b"PSYNC1P")
    folder = json.loads(Layout(laptop.shared).folder_file.read_text())
    assert folder["encryption"] == "none"


def test_changes_waiting_on_each_other_all_apply_when_the_first_arrives(
    trio: list[Device],
) -> None:
    from app.core.sync.crypto import Codec
    from app.core.sync.entities import ApplyContext
    from app.core.sync.merge import apply_ops
    from app.core.sync.segments import read_segment

    laptop, desktop, _tablet = trio
    uid = _chat(laptop, "Chain", "first", "second", "third", "fourth")
    laptop.sync()
    device = journal.device_id(laptop.store)
    ops = read_segment(Layout(laptop.shared), Codec(None), device, 1)
    conversation = [op for op in ops if op.kind == "conversation"]
    messages = [op for op in ops if op.kind == "message"]
    # Each reply arrives before the message it follows (as when they come from devices
    # read in the opposite order): each one waits for the one before it.
    batches = [[*conversation, messages[3]], [messages[2]], [messages[1]], [messages[0]]]
    for batch in batches:
        with desktop.store.transaction("apply") as conn:
            apply_ops(ApplyContext(conn), batch)
    contents = [m.content for m in desktop.store.get_messages(desktop.conv_id(uid))]
    assert sorted(contents) == ["first", "fourth", "second", "third"]
    assert [m.content for m in desktop.store.get_thread(desktop.conv_id(uid))] == [
        "first", "second", "third", "fourth"]


def test_a_branch_chosen_here_is_not_replaced_when_an_older_choice_arrives_late(
    trio: list[Device],
) -> None:
    from app.core.sync.crypto import Codec
    from app.core.sync.entities import ApplyContext
    from app.core.sync.merge import apply_ops
    from app.core.sync.segments import read_segment

    laptop, desktop, _tablet = trio
    uid = _chat(laptop, "Branches", "question", "laptop reply")
    laptop.sync()
    ops = read_segment(Layout(laptop.shared), Codec(None), journal.device_id(laptop.store), 1)
    # The desktop hears that the laptop shows its reply before the reply itself arrives
    # (the sync tool delivered another device's copy of the conversation first).
    early = [op for op in ops if op.kind == "conversation" or (op.data and op.data.get(
        "content") == "question")]
    with desktop.store.transaction("apply") as conn:
        apply_ops(ApplyContext(conn), early)
    # Meanwhile the desktop's user goes on: their own message is what they see last.
    desktop.store.add_message(desktop.conv_id(uid), Role.USER, "desktop follow-up")
    settle(trio)
    for device in trio:
        shown = [m.content for m in device.store.get_thread(device.conv_id(uid))]
        assert shown == ["question", "desktop follow-up"], device.name
    assert laptop.export() == desktop.export()


def test_a_segment_with_a_change_that_cannot_be_stored_is_skipped_whole(
    trio: list[Device],
) -> None:
    import time

    from app.core.sync.crypto import Codec
    from app.core.sync.segments import Op, write_segment

    laptop, desktop, _tablet = trio
    laptop.sync()  # sets up the (plaintext) folder
    stranger = "f" * 32
    conv = {"title": "Half a segment", "created_at": 1.0, "updated_at": 1.0, "model": None,
            "pinned": 0, "archived": 0, "tags": "[]", "options": "{}", "endpoint": None,
            "leaf": None, "_clock": {}}
    message = {"conversation": "c" * 32, "parent": None, "role": "wizard", "content": "x",
               "status": "complete", "created_at": 1.0, "updated_at": 1.0, "model": None,
               "provider": None, "finish_reason": None, "prompt_tokens": None,
               "completion_tokens": None, "total_tokens": None, "cost": None,
               "cached_tokens": None, "reasoning_tokens": None, "error": None,
               "reasoning": "", "generation_id": None, "extra": "{}"}
    ops = [Op("conversation", "c" * 32, 1, stranger, conv),
           Op("message", "d" * 32, 1, stranger, message)]
    write_segment(Layout(laptop.shared), Codec(None), stranger, 1, ops, created=time.time())

    report = desktop.sync()
    assert len(report.problems) == 1 and "cannot be stored" in report.problems[0]
    assert desktop.titles() == []  # not even the conversation of that segment


def test_a_rename_made_while_a_round_merges_is_kept_and_sent(trio: list[Device]) -> None:
    from app.core.sync.crypto import Codec
    from app.core.sync.entities import ApplyContext
    from app.core.sync.merge import apply_ops
    from app.core.sync.segments import read_segment

    laptop, desktop, tablet = trio
    uid = _chat(laptop, "Original", "hi")
    settle(trio)
    laptop.store.set_pinned(laptop.conv_id(uid), True)
    laptop.sync()
    layout = Layout(laptop.shared)
    device = journal.device_id(laptop.store)
    pin = read_segment(layout, Codec(None), device, layout.segment_numbers(device)[-1])
    # The desktop's round has sent its changes and is merging the laptop's when the user
    # renames the chat: the merge must not put the old title back.
    desktop.store.rename_conversation(desktop.conv_id(uid), "Renamed mid-round")
    with desktop.store.transaction("apply") as conn:
        apply_ops(ApplyContext(conn), pin)
    conv = desktop.store.get_conversation(desktop.conv_id(uid))
    assert conv is not None and conv.title == "Renamed mid-round" and conv.pinned
    settle(trio)
    for d in trio:
        conv = d.store.get_conversation(d.conv_id(uid))
        assert conv is not None and (conv.title, conv.pinned) == ("Renamed mid-round", True)
    assert laptop.export() == desktop.export() == tablet.export()


def test_changes_whose_segment_could_not_be_written_are_sent_next_time(
    trio: list[Device], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    from app.core.sync import service

    laptop, desktop, _tablet = trio
    uid = _chat(laptop, "Before", "hi")
    settle(trio)
    laptop.store.rename_conversation(laptop.conv_id(uid), "After")
    real = service.write_segment

    def full_disk(*args: object, **kwargs: object) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(service, "write_segment", full_disk)
    with pytest.raises(SyncError, match="No space left"):
        laptop.sync()
    monkeypatch.setattr(service, "write_segment", real)
    assert laptop.sync().sent == 1
    desktop.sync()
    assert desktop.titles() == ["After"]


def _folders(device: Device) -> dict[str, tuple[str, str | None]]:
    """name -> (name, parent name) of every folder on a device."""
    folders = folder_lib.list_folders(device.store)
    names = {f.id: f.name for f in folders}
    return {f.name: (f.name, names.get(f.parent_id or "")) for f in folders}


def _folder_of(device: Device, uid: str) -> str | None:
    conv = device.store.get_conversation(device.conv_id(uid))
    assert conv is not None
    folder = folder_lib.get_folder(device.store, conv.folder_id) if conv.folder_id else None
    return folder.name if folder else None


def test_folders_and_the_chats_filed_in_them_reach_every_device(trio: list[Device]) -> None:
    laptop, desktop, tablet = trio
    work = folder_lib.create_folder(laptop.store, "Work")
    taxes = folder_lib.create_folder(laptop.store, "Taxes")
    uid = _chat(laptop, "Quarterly report", "Summarise Q3")
    folder_lib.move_conversations(laptop.store, [laptop.conv_id(uid)], taxes.id)
    settle(trio)
    assert _folders(tablet) == {"Work": ("Work", None), "Taxes": ("Taxes", None)}
    assert _folder_of(tablet, uid) == "Taxes"
    # Nest on one device while renaming on another: both survive everywhere.
    folder_lib.move_folder(desktop.store, taxes.id, work.id)
    folder_lib.rename_folder(tablet.store, taxes.id, "Taxes 2026")
    settle(trio)
    for device in trio:
        assert _folders(device) == {"Work": ("Work", None),
                                    "Taxes 2026": ("Taxes 2026", "Work")}
        assert _folder_of(device, uid) == "Taxes 2026"
    # Deleting the folder on one device moves its chats out on every device.
    folder_lib.delete_folder(desktop.store, work.id)
    settle(trio)
    for device in trio:
        assert _folders(device) == {}
        assert _folder_of(device, uid) is None
        assert device.titles() == ["Quarterly report"]


def test_whether_a_folder_shows_open_stays_on_its_device(trio: list[Device]) -> None:
    laptop, desktop, _tablet = trio
    folder = folder_lib.create_folder(laptop.store, "Work")
    settle(trio)
    folder_lib.set_collapsed(desktop.store, folder.id, True)
    folder_lib.rename_folder(desktop.store, folder.id, "Work stuff")
    settle(trio)
    opened = folder_lib.get_folder(laptop.store, folder.id)
    assert opened is not None
    assert (opened.name, opened.collapsed) == ("Work stuff", False)


def test_a_chat_filed_in_a_folder_that_has_not_arrived_lands_in_it_when_it_does(
    trio: list[Device],
) -> None:
    laptop, desktop, tablet = trio
    folder = folder_lib.create_folder(laptop.store, "Garden")
    sub = folder_lib.create_folder(laptop.store, "Roses", folder.id)
    laptop.sync()
    desktop.sync()
    uid = _chat(desktop, "Pruning", "When do I prune roses?")
    folder_lib.move_conversations(desktop.store, [desktop.conv_id(uid)], sub.id)
    desktop.sync()
    # The tablet gets the desktop's files before the laptop's.
    laptop_files = Layout(tablet.shared).device_dir(journal.device_id(laptop.store))
    hidden = laptop_files.with_name("hidden")
    laptop_files.rename(hidden)
    tablet.sync()
    assert tablet.titles() == ["Pruning"]
    assert _folder_of(tablet, uid) is None
    hidden.rename(laptop_files)
    tablet.sync()
    assert _folder_of(tablet, uid) == "Roses"
    assert _folders(tablet) == {"Garden": ("Garden", None), "Roses": ("Roses", "Garden")}
    settle(trio)
    assert laptop.export() == desktop.export() == tablet.export()


def test_a_folder_made_inside_one_deleted_elsewhere_meanwhile_ends_the_same_everywhere(
    trio: list[Device],
) -> None:
    laptop, desktop, tablet = trio
    folder = folder_lib.create_folder(laptop.store, "Old")
    settle(trio)
    folder_lib.delete_folder(laptop.store, folder.id)
    folder_lib.create_folder(desktop.store, "New idea", folder.id)
    uid = _chat(desktop, "Sketch", "draw")
    folder_lib.move_conversations(desktop.store, [desktop.conv_id(uid)], folder.id)
    tablet.sync()
    laptop.sync()
    desktop.sync()
    settle([tablet, desktop, laptop])
    for device in trio:
        assert _folders(device) == {"New idea": ("New idea", None)}
        assert _folder_of(device, uid) is None
    assert laptop.export() == desktop.export() == tablet.export()


def _summaries(device: Device) -> dict[str, list[tuple[object, ...]]]:
    """The usage summaries as the dashboard reads them (conversations by uid, costs to
    the 1e-9 a float sum in another order can differ by)."""
    with device.store.reading("read the usage summaries") as conn:
        daily = conn.execute(
            "SELECT day, model, endpoint, replies, priced, round(cost, 9), prompt_tokens, "
            "completion_tokens, reasoning_tokens, cached_tokens FROM usage_daily ORDER BY 1, 2, 3"
        ).fetchall()
        per_chat = conn.execute(
            "SELECT u.day, c.uid, u.replies, u.priced, round(u.cost, 9) FROM "
            "usage_conversation_daily u JOIN conversations c ON c.id = u.conversation_id "
            "ORDER BY 1, 2"
        ).fetchall()
    return {"daily": daily, "per_chat": per_chat}


def _hits(device: Device, query: str) -> list[tuple[str, str]]:
    return sorted((hit.conversation_title, hit.snippet) for hit in search(device.store, query))


def test_a_first_sync_stored_in_bulk_searches_and_adds_up_exactly_like_one_by_one(
    tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = Device(tmp_path, "source", shared)
    bulk = Device(tmp_path, "bulk", shared)
    one_by_one = Device(tmp_path, "single", shared)
    try:
        store = source.store
        for n in range(30):
            conv = store.create_conversation(f"Chat {n}", endpoint="local" if n % 3 else None)
            for k in range(5):
                store.add_message(conv.id, Role.USER, f"Question {n}.{k} about crème brûlée")
                reply = store.add_message(conv.id, Role.ASSISTANT, f"Answer {k} naïve café {n}")
                status = MessageStatus.ERROR if k == 4 and n % 2 else MessageStatus.COMPLETE
                cost = None if n % 5 == 0 else 0.0001 * (n + 1) + 0.00003 * k
                store.update_message(
                    reply.id, status=status, model=f"m/{k % 2}", reasoning=f"thinking {n}",
                    usage=Usage(10 + n, 20 + k, 30 + n + k, cost=cost, cached_tokens=k),
                )
        source.sync()
        bulk.sync()
        # The same segments applied a message at a time through the per-row triggers.
        monkeypatch.setattr(entities, "BULK_MIN", 10**9)
        one_by_one.sync()
        assert len(bulk.export()["conversations"]) == 30
        assert bulk.export() == one_by_one.export() == source.export()
        for query in ("creme brulee", "naive", "thinking 7", "Answer 3", "café 12"):
            assert _hits(bulk, query) == _hits(one_by_one, query) == _hits(source, query)
            assert _hits(bulk, query)
        assert _summaries(bulk) == _summaries(one_by_one) == _summaries(source)
        assert _summaries(bulk)["daily"]
        # The triggers are all back: later changes keep search and the summaries in step.
        replies = sum(row[3] for row in _summaries(bulk)["daily"])
        conv_id = bulk.store.list_conversations()[0].id
        reply = bulk.store.add_message(conv_id, Role.ASSISTANT, "Pavlova instead")
        bulk.store.update_message(reply.id, model="m/0", usage=Usage(1, 2, 3, cost=0.5))
        assert [hit.conversation_id for hit in search(bulk.store, "pavlova")] == [conv_id]
        assert sum(row[3] for row in _summaries(bulk)["daily"]) == replies + 1
    finally:
        for device in (source, bulk, one_by_one):
            device.close()
