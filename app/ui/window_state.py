"""Window size, splitter position and the last open conversation, kept across starts.

Stored as JSON next to the settings (`window-state.json`), separate from them so a
damaged or stale state file never costs the user their settings.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter

from app.core.config import data_dir


def state_path() -> Path:
    return data_dir() / "window-state.json"


@dataclass
class WindowState:
    geometry: str = ""
    splitter: list[int] = field(default_factory=list)
    last_conversation: int | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> WindowState:
        """Read the state; anything missing or malformed gives defaults, never an error."""
        try:
            data = json.loads((path or state_path()).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        state = cls()
        if isinstance(data.get("geometry"), str):
            state.geometry = data["geometry"]
        sizes = data.get("splitter")
        if isinstance(sizes, list) and all(isinstance(s, int) and s >= 0 for s in sizes):
            state.splitter = sizes
        last = data.get("last_conversation")
        if isinstance(last, int):
            state.last_conversation = last
        return state

    def save(self, path: Path | None = None) -> None:
        path = path or state_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(tmp, path)

    def capture(self, window: QMainWindow, splitter: QSplitter, conversation: int | None) -> None:
        self.geometry = base64.b64encode(bytes(window.saveGeometry().data())).decode("ascii")
        self.splitter = list(splitter.sizes())
        self.last_conversation = conversation

    def restore(self, window: QMainWindow, splitter: QSplitter) -> None:
        if self.geometry:
            try:
                raw = base64.b64decode(self.geometry, validate=True)
            except ValueError:
                raw = b""
            if raw:
                window.restoreGeometry(QByteArray(raw))
        if len(self.splitter) == splitter.count() and sum(self.splitter) > 0:
            splitter.setSizes(self.splitter)
