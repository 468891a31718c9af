"""The one owner of the current Settings: loads them, saves them, and says what changed.

Loading never raises: a settings file that cannot be used is moved aside
(`settings.json.broken-<timestamp>`) so that the next save cannot destroy it, Parley starts
with the defaults, and `problem` holds one sentence saying what happened and where the file
went. Saving has one path (`write_settings_file`): atomic (temp file, fsync, rename), in the
order of the fields, keeping the user's order inside values (MCP servers) and the keys a
newer Parley wrote; any failure is one `ConfigError` sentence. Subscribers are plain
callbacks (no Qt here) told which fields changed.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.config import Settings, settings_path
from app.core.errors import ConfigError

__all__ = [
    "SettingsListener",
    "SettingsService",
    "read_settings_file",
    "write_settings_file",
]

#: called with the new current settings and the names of the fields that changed
SettingsListener = Callable[[Settings, frozenset[str]], None]

#: a settings file is a few kilobytes; anything this large is not one
MAX_SETTINGS_BYTES = 16 * 1024 * 1024

_KNOWN = frozenset(f.name for f in fields(Settings))


class _Unusable(ConfigError):
    """The file exists but is not a settings file Parley can read (move it aside)."""


def read_settings_file(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`; None when there is no file. Raises ConfigError."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise _Unusable(f"The settings file {path} is a folder, not a file.") from exc
    except OSError as exc:
        raise ConfigError(
            f"Could not read the settings file {path}: {exc.strerror or exc}."
        ) from exc
    if len(raw) > MAX_SETTINGS_BYTES:
        raise _Unusable(f"The settings file {path} is too large to be a settings file.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unusable(f"The settings file {path} is not UTF-8 text.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Unusable(
            f"The settings file {path} is not valid JSON (line {exc.lineno})."
        ) from exc
    except RecursionError as exc:
        raise _Unusable(f"The settings file {path} is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise _Unusable(f"The settings file {path} does not hold a JSON object.")
    return data


def _write_problem(path: Path, exc: OSError) -> ConfigError:
    folder = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ConfigError(
            f"The settings were not saved: the disk holding {folder} is full. "
            "Free some space on it, then save again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ConfigError(
            f"The settings were not saved: Parley cannot write to {folder}. "
            "Check its permissions, then save again."
        )
    return ConfigError(
        f"The settings were not saved to {path}: {exc.strerror or exc}."
    )


def write_settings_file(
    settings: Settings, path: Path, unknown: dict[str, Any] | None = None
) -> None:
    """The one way settings reach the disk: atomic, ordered, unknown keys kept.

    `unknown`: keys this Parley does not know to write back; None reads them from the
    file being replaced. Raises ConfigError with one sentence on failure.
    """
    if unknown is None:
        try:
            existing = read_settings_file(path) or {}
        except ConfigError:
            existing = {}
        unknown = {k: v for k, v in existing.items() if k not in _KNOWN}
    data = settings.to_dict()
    for key, value in unknown.items():
        data.setdefault(key, value)
    # No sort_keys: the user's order of MCP servers (and of everything else) is kept.
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise _write_problem(path, exc) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _move_aside(path: Path) -> Path:
    """Rename a broken settings file to settings.json.broken-<timestamp>; returns it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    os.replace(path, target)
    return target


def changed_fields(old: Settings, new: Settings) -> frozenset[str]:
    """Names of the fields whose values differ."""
    return frozenset(
        f.name for f in fields(Settings) if getattr(old, f.name) != getattr(new, f.name)
    )


class SettingsService:
    """Owns the current Settings: load (never raising), save-and-report, subscribers."""

    def __init__(
        self,
        settings: Settings | None = None,
        path: Path | None = None,
        *,
        unknown: dict[str, Any] | None = None,
        problem: str | None = None,
        protected: bool = False,
    ) -> None:
        self._current = settings if settings is not None else Settings()
        self._path = path
        #: keys a newer Parley wrote, written back unchanged on every save
        self._unknown: dict[str, Any] = dict(unknown or {})
        #: what went wrong while loading, as one sentence (None: all was well)
        self.problem = problem
        # The file could not be read nor moved aside: saving would destroy it.
        self._protected = protected
        self._saved = copy.deepcopy(self._current)
        self._listeners: list[SettingsListener] = []

    @property
    def path(self) -> Path:
        """The settings file (resolved when first needed: $PARLEY_HOME may change)."""
        return self._path or settings_path()

    @property
    def current(self) -> Settings:
        """The settings in use now."""
        return self._current

    @classmethod
    def load(cls, path: Path | None = None) -> SettingsService:
        """Read the settings file; never raises (see `problem` for what went wrong)."""
        try:
            target = path or settings_path()
        except ConfigError:
            # No data folder: opening the history reports that; saving will fail clearly.
            return cls(path=path)
        try:
            data = read_settings_file(target)
        except _Unusable as exc:
            try:
                moved = _move_aside(target)
            except OSError as move_exc:
                return cls(path=target, protected=True, problem=(
                    f"{exc} Parley started with the default settings and could not move "
                    f"the file aside ({move_exc.strerror or move_exc}), so it will not save "
                    "settings over it."
                ))
            return cls(path=target, problem=(
                f"{exc} Parley started with the default settings; the old file was moved "
                f"to {moved}."
            ))
        except ConfigError as exc:
            # Unreadable (permissions...) but perhaps fine: never overwrite it.
            return cls(path=target, protected=True, problem=(
                f"{exc} Parley started with the default settings and will not save "
                "settings over that file."
            ))
        if data is None:
            return cls(path=target)
        unknown = {k: v for k, v in data.items() if k not in _KNOWN}
        return cls(Settings.from_dict(data), target, unknown=unknown)

    def subscribe(self, listener: SettingsListener) -> Callable[[], None]:
        """Call `listener(settings, changed_fields)` after every change; returns unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def replace(self, settings: Settings) -> frozenset[str]:
        """Use `settings` from now on without saving; subscribers hear of the change."""
        changed = changed_fields(self._saved, settings)
        self._current = settings
        self._saved = copy.deepcopy(settings)
        self._notify(changed)
        return changed

    def save(self, settings: Settings | None = None) -> frozenset[str]:
        """Save `settings` (default: the current ones, changed in place) and use them.

        Returns the names of the fields that changed; raises ConfigError (one sentence)
        when the file cannot be written, and then a `settings` object given here is not
        taken into use.
        """
        new = settings if settings is not None else self._current
        if self._protected:
            raise ConfigError(
                f"The settings were not saved: the settings file {self.path} could not be "
                "read when Parley started, and saving would replace it. Fix or remove it, "
                "then restart Parley."
            )
        write_settings_file(new, self.path, self._unknown)
        changed = changed_fields(self._saved, new)
        self._current = new
        self._saved = copy.deepcopy(new)
        self._notify(changed)
        return changed

    def update(self, **values: Any) -> frozenset[str]:
        """Change some fields and save (e.g. `update(zoom=2)`); see `save`."""
        unknown = set(values) - _KNOWN
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        new = copy.deepcopy(self._current)
        for name, value in values.items():
            setattr(new, name, value)
        return self.save(new)

    def _notify(self, changed: Iterable[str]) -> None:
        changed = frozenset(changed)
        if not changed:
            return
        for listener in list(self._listeners):
            listener(self._current, changed)
