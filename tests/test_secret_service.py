"""KeyStore against a real Secret Service: a private D-Bus session and gnome-keyring-daemon.

The daemon runs with a temporary HOME and XDG folders, so the user's own keyring is never
touched. Without dbus-run-session or gnome-keyring-daemon the test skips, except under CI
(CI installs them: Debian packages gnome-keyring, dbus-daemon, dbus), where it fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PROBE = REPO / "tests" / "secret_service_probe.py"
TIMEOUT = 120


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _missing_tools() -> list[str]:
    missing = [
        tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)
    ]
    # keyring's Secret Service backend needs it (jeepney comes with it)
    if importlib.util.find_spec("secretstorage") is None:
        missing.append("the Python package secretstorage")
    return missing


def _probe_env(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("XDG_", "KEYRING_PROPERTY_", "DBUS_", "GNOME_KEYRING"))
        and name not in {"OPENROUTER_API_KEY", "PYTHON_KEYRING_BACKEND", "SSH_AUTH_SOCK"}
    }
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        PARLEY_HOME=str(tmp_path / "parley"),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def _run_probe(tmp_path: Path) -> tuple[dict[str, Any], str]:
    script = (
        "printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f"exec {shlex.quote(sys.executable)} {shlex.quote(str(PROBE))}"
    )
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        cwd=REPO,
        env=_probe_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a timeout can end the bus and the daemon too
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(
            f"The Secret Service probe did not finish within {TIMEOUT} s.\n"
            f"stdout:\n{stdout}\nstderr:\n{stderr}"
        )
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        pytest.fail(
            f"The Secret Service probe printed no result (exit {proc.returncode}).\n"
            f"stdout:\n{stdout}\nstderr:\n{stderr}"
        )
    return json.loads(lines[-1]), stderr


def test_keystore_with_real_secret_service(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        reason = (
            f"Real Secret Service test needs {', '.join(missing)} "
            "(Debian: apt-get install gnome-keyring dbus-daemon dbus; pip install secretstorage)."
        )
        if _ci():
            pytest.fail(f"{reason} CI must install them.")
        pytest.skip(reason)

    result, stderr = _run_probe(tmp_path)
    context = f"\nprobe result: {json.dumps(result, indent=2)}\nprobe stderr:\n{stderr}"

    assert result["ok"], f"probe failed: {result.get('error')}{context}"
    assert not result["env_key_set"], context
    assert result["keyring_backend"] == "keyring.backends.SecretService", context

    backend = result["backend"]
    assert backend["secure"], context
    assert "Secret Service" in backend["name"], context
    assert backend["problem"] == "", context

    assert result["before"] == {"get": None, "source": "none"}, context

    after_set = result["after_set"]
    assert after_set["round_trip"], context
    assert after_set["source"] == "keychain", context
    assert after_set["status_source"] == "keychain", context
    assert after_set["status_masked"] == result["masked"], context
    assert not after_set["describe_leaks"], context
    items = after_set["items"]
    assert len(items) == 1, context
    assert items[0]["secret_matches"], context
    assert items[0]["attributes"]["service"] == "parley", context
    assert items[0]["attributes"]["username"] == "openrouter", context
    # gnome-keyring encrypts its files: the key must not be readable anywhere under HOME
    assert after_set["plaintext_files"] == [], context

    after_delete = result["after_delete"]
    assert after_delete == {
        "deleted": True,
        "get": None,
        "source": "none",
        "deleted_again": False,
        "items": [],
    }, context

    cli = result["cli"]
    assert cli == {
        "set_rc": 0, "stored": True, "status_rc": 0, "status_names_keychain": True,
        "status_shows_mask": True, "leaks": False, "delete_rc": 0, "gone": True,
    }, context
