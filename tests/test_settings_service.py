"""The settings service: one owner, one save path, subscribers, and unusable files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import Settings, settings_path
from app.core.errors import ConfigError
from app.core.settings_service import SettingsService

REPO = Path(__file__).resolve().parents[1]


def test_saving_keeps_the_users_order_of_mcp_servers(isolated_home: Path) -> None:
    service = SettingsService.load()
    servers = {"zeta": {"command": "z"}, "alpha": {"command": "a"}, "mid": {"url": "http://x"}}
    service.update(mcp_servers=servers)
    on_disk = json.loads(settings_path().read_text(encoding="utf-8"))
    assert list(on_disk["mcp_servers"]) == ["zeta", "alpha", "mid"]
    again = SettingsService.load()
    assert list(again.current.mcp_servers) == ["zeta", "alpha", "mid"]


def test_saving_keeps_keys_a_newer_parley_wrote(isolated_home: Path) -> None:
    settings_path().write_text(json.dumps({
        "default_model": "a/b", "future_option": {"keep": [1, 2]}, "other": "x",
    }))
    service = SettingsService.load()
    assert service.problem is None
    service.update(theme="dark")
    data = json.loads(settings_path().read_text(encoding="utf-8"))
    assert data["future_option"] == {"keep": [1, 2]}
    assert data["other"] == "x"
    assert data["theme"] == "dark"
    assert data["default_model"] == "a/b"
    # A plain Settings.save() goes through the same path and keeps them too.
    Settings.load().save()
    assert json.loads(settings_path().read_text(encoding="utf-8"))["other"] == "x"


def test_subscribers_hear_which_fields_changed(isolated_home: Path) -> None:
    service = SettingsService.load()
    heard: list[frozenset[str]] = []
    unsubscribe = service.subscribe(lambda _s, changed: heard.append(changed))
    new = Settings(default_model="x/y", theme="dark")
    assert service.save(new) == {"default_model", "theme"}
    assert service.current is new
    service.current.zoom = 3  # changed in place, then saved
    service.save()
    service.update(zoom=3)  # nothing changed: nobody is told
    unsubscribe()
    service.update(zoom=4)
    assert heard == [frozenset({"default_model", "theme"}), frozenset({"zoom"})]


def test_a_failed_save_is_one_sentence_and_keeps_the_settings(isolated_home: Path) -> None:
    service = SettingsService.load()
    settings_path().mkdir()  # a folder where the file should go: replace fails
    with pytest.raises(ConfigError, match=r"^The settings were not saved") as info:
        service.save(Settings(theme="dark"))
    assert "\n" not in str(info.value)
    assert service.current.theme == "system"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{ not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage\x80", "not UTF-8"),
        (b"[1, 2, 3]", "does not hold a JSON object"),
        (None, "is a folder"),
    ],
    ids=["garbage", "not-utf8", "not-object", "directory"],
)
def test_an_unusable_settings_file_is_moved_aside_and_defaults_used(
    isolated_home: Path, content: bytes | None, reason: str
) -> None:
    path = settings_path()
    if content is None:
        path.mkdir()
        (path / "inside.txt").write_text("kept")
    else:
        path.write_bytes(content)
    service = SettingsService.load()
    assert service.current == Settings()
    assert service.problem is not None
    assert reason in service.problem
    moved = list(isolated_home.glob("settings.json.broken-*"))
    assert len(moved) == 1
    assert str(moved[0]) in service.problem
    if content is None:
        assert (moved[0] / "inside.txt").read_text() == "kept"
    else:
        assert moved[0].read_bytes() == content
    # The next save writes a fresh file and leaves the old one alone.
    service.update(theme="dark")
    assert json.loads(path.read_text())["theme"] == "dark"
    assert len(list(isolated_home.glob("settings.json.broken-*"))) == 1


def _run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env["PARLEY_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "content", [b"{ not json", b"\xff\xfe garbage", None], ids=["garbage", "not-utf8", "dir"]
)
def test_cli_warns_in_one_line_and_runs_with_defaults(
    isolated_home: Path, content: bytes | None
) -> None:
    path = settings_path()
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    # `ask` with no key stops after reading the settings: a clear key error, no traceback.
    result = _run_cli(isolated_home, "ask", "hello")
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "settings" in line.lower()
                and "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert "settings.json.broken-" in warnings[0]
    assert "default settings" in warnings[0]
    moved = list(isolated_home.glob("settings.json.broken-*"))
    assert len(moved) == 1
    if content is not None:
        assert moved[0].read_bytes() == content


def test_saving_on_a_full_disk_says_so_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_storage_faults import _fill, _tiny_disk

    with _tiny_disk(tmp_path / "disk") as home:
        monkeypatch.setenv("PARLEY_HOME", str(home))
        Settings(default_model="kept/model").save()
        before = settings_path().read_bytes()
        service = SettingsService.load()
        _fill(home)
        with pytest.raises(ConfigError, match=f"the disk holding {home} is full"):
            service.update(mcp_servers={"big": {"command": "x" * 200_000}})
        assert settings_path().read_bytes() == before
        assert service.current.default_model == "kept/model"
        assert not list(home.glob(".settings-*"))  # no half-written temp file left
