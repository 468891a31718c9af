"""Seeded property test: random edits on three devices, sync rounds in random orders,
then every device's export is the same."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from app.core.domain import MessageStatus, Role
from app.core.history import folders as folder_lib
from app.core.history import prompts as prompt_lib
from app.core.sync import RoundReport, journal
from tests.sync_devices import Device, settle


class SkewedDevice(Device):
    """A device whose clock is off by `skew_ms` (clocks only matter when it syncs)."""

    skew_ms = 0

    def sync(self) -> RoundReport:
        real = journal.now_ms
        journal.now_ms = lambda: real() + self.skew_ms  # type: ignore[method-assign]
        try:
            return super().sync()
        finally:
            journal.now_ms = real  # type: ignore[method-assign]


class Player:
    """Makes random changes on one device, the way a user (and Parley) would."""

    def __init__(self, device: Device, rng: random.Random) -> None:
        self.device = device
        self.store = device.store
        self.rng = rng
        self.streaming: list[int] = []
        self.n = 0

    def _word(self) -> str:
        self.n += 1
        return f"{self.device.name}-{self.n}-{self.rng.choice(['apple', 'pear', 'fig'])}"

    def _conversation(self) -> int | None:
        convs = self.store.list_conversations(archived=None)
        return self.rng.choice(convs).id if convs else None

    def step(self) -> None:
        rng, store = self.rng, self.store
        action = rng.choice([
            "new_chat", "new_chat", "reply", "reply", "edit", "regenerate", "branch",
            "rename", "pin", "tags", "archive", "model", "delete_message", "delete_chat",
            "undo_delete", "prompt_new", "prompt_edit", "prompt_delete", "stream_start",
            "stream_end", "folder_new", "folder_new", "folder_rename", "folder_nest",
            "folder_delete", "chat_move", "chat_move",
        ])
        if action.startswith("folder_") or action == "chat_move":
            self.folder_step(action)
            return
        conv_id = self._conversation()
        if action == "new_chat" or conv_id is None:
            conv = store.create_conversation(self._word())
            store.add_message(conv.id, Role.USER, self._word())
            if rng.random() < 0.7:
                store.add_message(conv.id, Role.ASSISTANT, self._word())
            return
        thread = store.get_thread(conv_id)
        if action == "reply":
            store.add_message(conv_id, rng.choice([Role.USER, Role.ASSISTANT]), self._word())
        elif action == "edit" and thread:
            store.edit_message(rng.choice(thread).id, self._word())
        elif action == "regenerate":
            replies = [m for m in thread if m.role is Role.ASSISTANT
                       and m.status is not MessageStatus.STREAMING]
            if replies:
                new = store.new_reply_sibling(rng.choice(replies).id)
                store.update_message(new.id, content=self._word(), status=MessageStatus.COMPLETE)
        elif action == "branch":
            messages = store.get_messages(conv_id)
            if messages:
                store.select_branch(rng.choice(messages).id)
        elif action == "rename":
            store.rename_conversation(conv_id, self._word())
        elif action == "pin":
            store.set_pinned(conv_id, rng.random() < 0.5)
        elif action == "tags":
            store.set_tags(conv_id, rng.sample(["work", "home", "later", "x"], rng.randint(0, 3)))
        elif action == "archive":
            store.set_archived(conv_id, rng.random() < 0.5)
        elif action == "model":
            store.set_conversation_model(conv_id, rng.choice([None, "a/b", "c/d"]))
        elif action == "delete_message":
            messages = store.get_messages(conv_id)
            if messages:
                store.delete_message(rng.choice(messages).id, with_descendants=True)
        elif action == "delete_chat":
            store.trash_conversation(conv_id)
            store.purge_trashed()
        elif action == "undo_delete":
            store.trash_conversation(conv_id)
            store.restore_conversation(conv_id)
        elif action == "prompt_new":
            prompt_lib.create(store, self._word(), self._word(), tags=["t"])
        elif action in ("prompt_edit", "prompt_delete"):
            library = prompt_lib.list_prompts(store)
            if library:
                chosen = rng.choice(library)
                if action == "prompt_edit":
                    prompt_lib.update(store, chosen.id, body=self._word(),
                                      favourite=rng.random() < 0.5)
                else:
                    prompt_lib.delete(store, chosen.id)
        elif action == "stream_start":
            reply = store.add_message(conv_id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
            store.update_message(reply.id, content="partial " + self._word())
            self.streaming.append(reply.id)
        elif action == "stream_end":
            self.finish_streams()

    def folder_step(self, action: str) -> None:
        rng, store = self.rng, self.store
        folders = folder_lib.list_folders(store)
        top = [f for f in folders if f.parent_id is None]
        chosen = rng.choice(folders) if folders else None
        try:
            if action == "folder_new" or chosen is None:
                parent = rng.choice(top).id if top and rng.random() < 0.4 else None
                folder_lib.create_folder(store, self._word(), parent)
            elif action == "folder_rename":
                folder_lib.rename_folder(store, chosen.id, self._word())
            elif action == "folder_nest":
                parents = [None] + [f.id for f in top if f.id != chosen.id]
                folder_lib.move_folder(store, chosen.id, rng.choice(parents))
            elif action == "folder_delete":
                folder_lib.delete_folder(store, chosen.id)
            elif action == "chat_move":
                conv_id = self._conversation()
                if conv_id is not None:
                    target = rng.choice([None, *(f.id for f in folders)])
                    folder_lib.move_conversations(store, [conv_id], target)
        except folder_lib.FolderError:
            pass  # refused as in the window (too deep): nothing changed

    def finish_streams(self) -> None:
        for reply_id in self.streaming:
            if self.store.get_message(reply_id) is not None:
                self.store.update_message(reply_id, content="final " + self._word(),
                                          status=MessageStatus.COMPLETE)
        self.streaming.clear()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_edits_on_three_devices_converge_to_the_same_history(
    seed: int, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    shared = tmp_path / "shared"
    shared.mkdir()
    devices = [SkewedDevice(tmp_path, name, shared) for name in ("one", "two", "three")]
    # One computer's clock is an hour behind, another's two minutes ahead.
    for device, skew in zip(devices, rng.sample([0, -3_600_000, 120_000], 3), strict=True):
        device.skew_ms = skew
    players = [Player(d, random.Random(rng.random())) for d in devices]
    try:
        for _ in range(120):
            rng.choice(players).step()
            if rng.random() < 0.3:
                rng.choice(devices).sync()
        for player in players:
            player.finish_streams()
        order = devices[:]
        rng.shuffle(order)
        settle(order)
        exports = [d.export() for d in devices]
        assert exports[0]["conversations"], "the run made no conversations"
        assert exports[0]["folders"], "the run made no folders"
        assert exports[0] == exports[1] == exports[2]
        # Nothing is left half-done: no parked changes, no reply still streaming.
        for device in devices:
            with device.store.reading("check") as conn:
                assert conn.execute("SELECT count(*) FROM messages WHERE status = 'streaming'"
                                    ).fetchone()[0] == 0
    finally:
        for device in devices:
            device.close()
