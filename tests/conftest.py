"""Shared fixtures: an isolated data folder and keychain for every test, the fake server,
and one qasync event loop for the GUI tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

# Qt must never need a display in tests; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.fake_openrouter import FakeOpenRouter
from tests.memory_keyring import MemoryKeyring, use_memory_keyring

T = TypeVar("T")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own $PARLEY_HOME and no key or endpoint from the real env."""
    # Not inside tmp_path: tests that inspect their tmp_path must find only their files.
    home = tmp_path_factory.mktemp("parley-home")
    monkeypatch.setenv("PARLEY_HOME", str(home))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Tests never touch the real keychain."""
    with use_memory_keyring() as ring:
        yield ring


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch) -> FakeOpenRouter:
    """The fake OpenRouter, reset, with Parley pointed at it and a made-up key."""
    fake_server.reset()
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    return fake_server


@pytest.fixture(scope="session")
def qloop(qapp: Any) -> Any:
    """One qasync loop for the session (DESIGN: never stop it in teardown)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    # `already_running` marks the loop as running on this thread; that mark is set only
    # while a GUI test runs (see `aloop`), so plain asyncio.run() works in other tests.
    asyncio.events._set_running_loop(None)
    return loop


@pytest.fixture
def aloop(qloop: Any) -> Iterator[Any]:
    """The qasync loop, current and marked running for the duration of one GUI test."""
    asyncio.set_event_loop(qloop)
    asyncio.events._set_running_loop(qloop)
    try:
        yield qloop
    finally:
        asyncio.events._set_running_loop(None)


def run_in_qt(qtbot: Any, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
    """Run a coroutine on the qasync loop while Qt processes events; return its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    return task.result()


@pytest.fixture
def recorded_fixtures() -> Path:
    """The recorded OpenRouter traffic beside this checkout (../shared/openrouter/fixtures).

    A clone elsewhere skips the replay tests, saying why; under CI=true their absence is a
    failure, so CI never goes green with the replays silently skipped.
    """
    from tests.fake_openrouter import FIXTURES_DIR, fixtures_available

    if not fixtures_available():
        reason = f"the recorded OpenRouter fixtures are not at {FIXTURES_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run the replay tests)")
        pytest.skip(reason)
    return FIXTURES_DIR

