"""Test helper: Parley "devices" (a data folder each) sharing one sync folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.attachments import AttachmentFiles
from app.core.history import Store
from app.core.history import prompts as prompt_lib
from app.core.history.export import export_json
from app.core.sync import RoundReport, run_round


class Device:
    """One computer: its own data folder and history database."""

    def __init__(self, root: Path, name: str, shared: Path, passphrase: str | None = None):
        self.name = name
        self.home = root / name
        self.shared = shared
        self.passphrase = passphrase
        self.store = Store.open(self.home / "history.sqlite3")
        self.files = AttachmentFiles.in_data_dir(self.home)

    def sync(self) -> RoundReport:
        """One round through the shared folder."""
        return run_round(self.store, self.shared, self.passphrase, files=self.files)

    def export(self) -> dict[str, Any]:
        """The history as `parley export` writes it, minus what is local to a database:
        integer ids, the export time, and the order of rows (messages by uid)."""
        doc = json.loads(export_json(self.store))
        doc.pop("exported_at")
        for conv in doc["conversations"]:
            conv.pop("id")
            for msg in conv["messages"]:
                msg.pop("id")
                msg.pop("parent_id")
            conv["messages"].sort(key=lambda m: m["uid"])
        doc["conversations"].sort(key=lambda c: c["uid"])
        doc["prompts"] = sorted(
            (p.to_dict() for p in prompt_lib.list_prompts(self.store)), key=lambda p: p["uid"]
        )
        return doc

    def conv_id(self, uid: str) -> int:
        """The local id of the conversation with this uid."""
        for conv in self.store.list_conversations(archived=None, include_trashed=True):
            if conv.uid == uid:
                return conv.id
        raise KeyError(uid)

    def titles(self) -> list[str]:
        return sorted(c.title for c in self.store.list_conversations(archived=None))

    def close(self) -> None:
        self.store.close()


def settle(devices: list[Device]) -> None:
    """Rounds until every device has everything: two passes over all of them."""
    for _ in range(2):
        for device in devices:
            device.sync()
