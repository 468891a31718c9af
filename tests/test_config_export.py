"""Settings in $PARLEY_HOME (never the key) and the export formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.config import DEFAULT_BASE_URL, Settings, data_dir, settings_path
from app.core.domain import MessageStatus, Role, Usage
from app.core.errors import ConfigError
from app.core.history import Store
from app.core.history.export import to_json, to_markdown


def test_data_dir_is_parley_home(isolated_home: Path) -> None:
    assert data_dir() == isolated_home
    assert settings_path().parent == isolated_home


def test_settings_round_trip_and_env_base_url(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings.load() == Settings()
    s = Settings(base_url="http://127.0.0.1:8080/v1/", default_model="x/y")
    s.save()
    loaded = Settings.load()
    assert loaded.default_model == "x/y"
    assert loaded.effective_base_url() == "http://127.0.0.1:8080/v1"
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")
    assert loaded.effective_base_url() == "http://127.0.0.1:9/api/v1"
    assert "api_key" not in json.loads(settings_path().read_text())


def test_env_key_is_never_written_to_settings(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-" + "cd" * 32)
    Settings().save()
    for f in isolated_home.rglob("*"):
        if f.is_file():
            assert b"sk-or-v1-" not in f.read_bytes(), f


def test_broken_settings_file_gives_a_clear_error(isolated_home: Path) -> None:
    settings_path().write_text("{ not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Settings.load()


def test_unknown_and_mistyped_settings_are_ignored(isolated_home: Path) -> None:
    settings_path().write_text(json.dumps({"future_option": 1, "default_model": 5,
                                           "request_timeout": 30}))
    s = Settings.load()
    assert s.default_model == Settings().default_model
    assert s.request_timeout == 30.0
    assert s.base_url == DEFAULT_BASE_URL


def test_exports_are_lossless_and_readable(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.sqlite3") as store:
        conv = store.create_conversation("Trip")
        store.add_message(conv.id, Role.USER, "Plan it")
        reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        store.update_message(reply.id, content="Day 1: `go`", status=MessageStatus.STOPPED,
                             reasoning="thinking", model="m/x", provider="P",
                             usage=Usage(1, 2, 3, 0.5), extra={"annotations": [{"u": 1}]})
        items = store.export_conversations()
    doc = json.loads(to_json(items))
    msg = doc["conversations"][0]["messages"][1]
    assert msg["status"] == "stopped"
    assert msg["reasoning"] == "thinking"
    assert msg["usage"]["cost"] == 0.5
    assert msg["extra"] == {"annotations": [{"u": 1}]}
    md = to_markdown(items)
    assert "# Trip" in md
    assert "## Assistant (m/x, stopped, $0.500000)" in md
    assert "Day 1: `go`" in md
