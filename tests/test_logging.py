"""Failures are logged to a rotating file in the data folder, never with a key in it,
and errors nobody caught are shown in a dialog whose details can be copied."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from app import __version__
from app.core import logs
from app.main import Parley
from tests.fake_openrouter import FakeOpenRouter, error_status
from tests.test_gui import close_app, open_app

ROOT = Path(__file__).resolve().parents[1]
#: made up, but shaped like a real OpenRouter key
KEY = "sk-or-v1-test-" + "0" * 50
OTHER_KEY = "sk-or-v1-" + "ab12" * 16


@pytest.fixture
def log_file(isolated_home: Path) -> Iterator[Path]:
    path = logs.setup()
    yield path
    logs.teardown()


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = KEY
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return e


def test_a_failed_request_is_logged_without_the_key(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    # A server that echoes the key it was sent, and another key, in its error message.
    fake.enqueue(error_status(400, {"error": {
        "code": 400, "message": f"Bad request from {KEY}; key {OTHER_KEY} was revoked"}}))
    res = cli("ask", "hello", env=env)
    assert res.returncode == 1
    text = (isolated_home / "logs" / "parley.log").read_text(encoding="utf-8")
    assert "WARNING app.cli" in text and "Bad request" in text
    assert KEY not in text and OTHER_KEY not in text
    assert "sk-or-v1-test" not in text and "ab12ab12" not in text


def test_debug_logs_everything_to_stderr_and_the_file_without_the_key(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path
) -> None:
    fake.enqueue(error_status(401))
    res = cli("--debug", "ask", "hello", env=env)
    assert res.returncode == 1
    assert " DEBUG " in res.stderr  # e.g. the HTTP stack's own debug lines
    text = (isolated_home / "logs" / "parley.log").read_text(encoding="utf-8")
    assert " DEBUG " in text and " WARNING app.cli " in text
    for output in (res.stderr, text):
        assert "sk-or-v1-test" not in output


def test_a_cli_command_that_succeeds_writes_no_log_file(
    env: dict[str, str], isolated_home: Path
) -> None:
    res = cli("key", "status", env=env)
    assert res.returncode == 0
    assert not (isolated_home / "logs").exists()


def test_the_window_logs_with_debug(isolated_home: Path) -> None:
    env = dict(os.environ, PARLEY_HOME=str(isolated_home), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    res = cli("--debug", "--smoke", env=env)
    assert res.returncode == 0, res.stderr
    assert " DEBUG " in res.stderr
    text = (isolated_home / "logs" / "parley.log").read_text(encoding="utf-8")
    assert "started" in text and "stopped" in text


def test_keys_in_use_are_redacted_from_message_args_and_exceptions(log_file: Path) -> None:
    from app.core.client import ChatClient

    secret = "local-server-secret-42"  # not shaped like a key: known because it is in use
    ChatClient("http://127.0.0.1:9/v1", secret, kind="openai")
    log = logging.getLogger("app.test")
    log.warning("sending with %s", secret)
    try:
        raise RuntimeError(f"the server said: bad key {secret} / {OTHER_KEY}")
    except RuntimeError:
        log.exception("request failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "sending with [redacted]" in text
    assert "Traceback" in text and "RuntimeError: the server said: bad key [redacted]" in text
    assert secret not in text and OTHER_KEY not in text


def test_the_log_file_rotates(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = logging.getLogger("app.test")
    line = "x" * 1000
    for _ in range(3 * logs.MAX_BYTES // 1000):
        log.warning(line)
    folder = log_file.parent
    assert (folder / "parley.log.1").exists()
    assert all(p.stat().st_size <= logs.MAX_BYTES for p in folder.iterdir())
    assert len(list(folder.iterdir())) <= logs.BACKUP_COUNT + 1


# ---- errors nobody caught -----------------------------------------------------------


@pytest.fixture
def gui(qtbot: Any, aloop: Any, fake: FakeOpenRouter) -> Iterator[Parley]:
    app = open_app(qtbot)
    yield app
    if app.ctx.store._conn is not None:
        close_app(qtbot, app)


@pytest.fixture
def reporter(gui: Parley, aloop: Any, log_file: Path) -> Iterator[Any]:
    from app.ui.error_dialog import ErrorReporter

    rep = ErrorReporter(gui.window)
    rep.install(aloop)
    yield rep
    rep.uninstall(aloop)
    for box in list(rep.open_dialogs):
        box.close()


def error_dialog_details(qtbot: Any, reporter: Any) -> str:
    qtbot.waitUntil(lambda: bool(reporter.open_dialogs), timeout=5000)
    box = reporter.open_dialogs[0]
    assert box.isVisible()
    box.findChild(QPushButton, "copyDetails").click()
    assert box.isVisible()  # copying does not close the dialog
    text: str = QApplication.clipboard().text()
    box.close()
    qtbot.waitUntil(lambda: not reporter.open_dialogs, timeout=5000)
    return text


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_a_dialog_and_the_app_keeps_running(
    gui: Parley, qtbot: Any, reporter: Any, log_file: Path
) -> None:
    def broken_slot() -> None:
        raise RuntimeError(f"slot broke near {KEY}")

    QTimer.singleShot(0, broken_slot)
    details = error_dialog_details(qtbot, reporter)
    assert f"Parley {__version__}" in details and "Python" in details
    assert "Traceback" in details and "broken_slot" in details
    assert "RuntimeError: slot broke near [redacted]" in details
    assert KEY not in details
    # still running: the window answers, and the error is in the log with its traceback
    gui.window.new_action.trigger()
    assert gui.window.isVisible()
    text = log_file.read_text(encoding="utf-8")
    assert "broken_slot" in text and KEY not in text


def test_a_failing_background_task_is_shown_and_logged(
    gui: Parley, qtbot: Any, reporter: Any, log_file: Path
) -> None:
    async def failing_task() -> None:
        raise ValueError("background work failed")

    gui.controller.spawn(failing_task())
    details = error_dialog_details(qtbot, reporter)
    assert "ValueError: background work failed" in details and "failing_task" in details
    assert "failing_task" in log_file.read_text(encoding="utf-8")


def test_an_error_in_an_event_loop_callback_is_shown(
    gui: Parley, qtbot: Any, reporter: Any, aloop: Any
) -> None:
    def broken_callback() -> None:
        raise KeyError("no such thing")

    aloop.call_soon(broken_callback)
    details = error_dialog_details(qtbot, reporter)
    assert "KeyError" in details and "broken_callback" in details


class _Collect(logging.Handler):
    """Another library's (or the embedding program's) handler on the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_short_keys_in_use_are_redacted(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_secrets", set())
    monkeypatch.setenv("OPENROUTER_API_KEY", "Zq8%")
    logs.remember_secret("Qx7#")  # the shortest key that is still redacted: 4 characters
    logging.getLogger("app.test").warning("keys Qx7# and Zq8% in use")
    _flush()
    assert "keys [redacted] and [redacted] in use" in log_file.read_text(encoding="utf-8")


def test_setting_up_again_neither_repeats_lines_nor_drops_other_handlers(
    log_file: Path,
) -> None:
    root = logging.getLogger()
    other = _Collect()
    root.addHandler(other)
    try:
        logs.setup()
        logging.getLogger("app.test").warning("written once")
        _flush()
        assert log_file.read_text(encoding="utf-8").count("written once") == 1
        assert other.lines == ["written once"]
    finally:
        root.removeHandler(other)


def test_setup_keeps_a_more_verbose_root_level(isolated_home: Path) -> None:
    root = logging.getLogger()
    other = _Collect()
    root.addHandler(other)
    before = root.level
    root.setLevel(logging.DEBUG)
    try:
        logs.setup()
        logging.getLogger("app.test").debug("for the other handler")
        assert other.lines == ["for the other handler"]
    finally:
        logs.teardown()
        root.removeHandler(other)
        root.setLevel(before)


def test_setup_and_teardown_without_a_record_are_quiet(isolated_home: Path) -> None:
    path = logs.setup()
    _flush()
    logs.teardown()
    assert not path.exists()


def test_a_record_with_a_bad_format_string_is_kept(log_file: Path) -> None:
    logging.getLogger("app.test").warning("took %d ms", "soon")  # must not raise
    _flush()
    assert "'took %d ms' ('soon',)" in log_file.read_text(encoding="utf-8")


def test_a_log_folder_that_cannot_be_made_is_quiet(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the logs folder should be: mkdir fails for root too.
    (isolated_home / logs.LOG_DIR_NAME).write_text("not a folder", encoding="utf-8")
    logs.setup()
    try:
        logging.getLogger("app.test").warning("nowhere to go")  # must not raise
        logging.getLogger("app.test").warning("still nowhere")
    finally:
        logs.teardown()
    assert capsys.readouterr().err == ""


def test_the_log_folder_is_made_with_its_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_HOME", str(tmp_path / "new" / "home"))
    path = logs.setup()
    try:
        logging.getLogger("app.test").warning("first line")
        _flush()
    finally:
        logs.teardown()
    assert "first line" in path.read_text(encoding="utf-8")


def test_the_traceback_is_kept_when_the_handler_formats_first() -> None:
    # In the app the file handler is the only one: the filter itself must render the
    # traceback before it drops the live exception (pytest's own handler hides this).
    try:
        raise RuntimeError(f"bad key {OTHER_KEY}")
    except RuntimeError:
        record = logging.LogRecord("app.test", logging.ERROR, __file__, 1, "failed", None,
                                   sys.exc_info())
    assert logs.RedactKeys().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "Traceback" in text and "RuntimeError: bad key [redacted]" in text
    assert OTHER_KEY not in text


def test_setup_gives_an_unset_root_level_the_file_level(isolated_home: Path) -> None:
    root = logging.getLogger()
    other = _Collect()
    root.addHandler(other)
    before = root.level
    root.setLevel(logging.NOTSET)
    try:
        logs.setup()
        logging.getLogger("app.test").debug("not asked for")
        logging.getLogger("app.test").info("asked for")
        assert other.lines == ["asked for"]
    finally:
        logs.teardown()
        root.removeHandler(other)
        root.setLevel(before)


def test_the_log_folder_keeps_three_old_files(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 5000)
    path = logs.setup()
    try:
        for _ in range(40):
            logging.getLogger("app.test").warning("x" * 1000)
        _flush()
    finally:
        logs.teardown()
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "parley.log", "parley.log.1", "parley.log.2", "parley.log.3"]


def test_a_key_that_contains_another_key_leaves_no_tail(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_secrets", set())
    logs.remember_secret("local-secret-1234")
    logs.remember_secret("local-secret-1234-extra")
    logging.getLogger("app.test").warning("key local-secret-1234-extra failed")
    _flush()
    assert "key [redacted] failed" in log_file.read_text(encoding="utf-8")


def test_values_too_short_to_be_keys_are_not_redacted(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_secrets", set())
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    for value in (None, "", "   ", "abc"):
        logs.remember_secret(value)
    logging.getLogger("app.test").warning("abc stays readable")
    _flush()
    assert "abc stays readable" in log_file.read_text(encoding="utf-8")
