"""Logging to a rotating file in the data folder, with API keys redacted from every record.

The file is `$PARLEY_HOME/logs/parley.log` (2 MB, three older copies kept). It is opened
only when the first record is written, so a CLI command that logs nothing pays for no
file I/O. Every handler installed here carries `RedactKeys`: the keys in use (registered
with `remember_secret`, plus `$OPENROUTER_API_KEY`) and anything shaped like an API key
are replaced in the message, its arguments, the exception text and the stack.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from app.core.config import ENV_API_KEY, data_dir

LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "parley.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 3
REDACTED = "[redacted]"

#: OpenRouter keys (sk-or-v1-…) and the other vendors' sk-… keys
_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9][A-Za-z0-9_\-]{7,}")
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_secrets: set[str] = set()


def log_path() -> Path:
    """Where the log file is written."""
    return data_dir() / LOG_DIR_NAME / LOG_FILE_NAME


def remember_secret(value: str | None) -> None:
    """Redact this value (a key in use) from every log record from now on."""
    if value and len(value.strip()) >= 4:
        _secrets.add(value.strip())


def redact(text: str) -> str:
    """`text` with every known key and anything key-shaped replaced."""
    secrets = set(_secrets)
    env = os.environ.get(ENV_API_KEY, "").strip()
    if len(env) >= 4:
        secrets.add(env)
    # Longest first: a key that contains another must not leave a tail behind.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _KEY_SHAPE.sub(REDACTED, text)


class RedactKeys(logging.Filter):
    """Rewrites a record so no key reaches a handler's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message, the exception and the stack; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # The text is kept; the live exception (whose str() may hold the key) is dropped.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _LazyFileHandler(logging.Handler):
    """Creates the logs folder and the rotating file handler on the first record only.

    Importing logging.handlers and opening the file cost a few milliseconds that a CLI
    command which logs nothing should not pay.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None
        self._broken = False

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record to the rotating file, opening it first if needed."""
        # A log file that cannot be written (read-only or full data folder) must never
        # disturb the user with a traceback: the storage layer reports the real problem.
        # Logging to the file stops for this process instead.
        if self._broken:
            return
        try:
            if self._file is None:
                import logging.handlers

                self.path.parent.mkdir(parents=True, exist_ok=True)
                handler = logging.handlers.RotatingFileHandler(
                    self.path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                    encoding="utf-8", delay=True,
                )
                handler.setFormatter(self.formatter)
                handler.handleError = self.handleError  # type: ignore[method-assign]
                self._file = handler
            self._file.emit(record)
        except Exception:
            self._broken = True

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging API)
        """Give up on the file quietly (see `emit`)."""
        self._broken = True

    def flush(self) -> None:
        """Flush the file, if it was opened."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Close the file, if it was opened."""
        if self._file is not None:
            self._file.close()
        super().close()


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "_parley", False) is True


def setup(*, debug: bool = False, file_level: int = logging.INFO) -> Path:
    """Log to the rotating file (and to stderr with `debug`); safe to call again.

    `file_level` is the least severe level written to the file; `debug` lowers it to
    DEBUG and adds stderr. Returns the log file's path.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    path = log_path()
    level = logging.DEBUG if debug else file_level
    file_handler = _LazyFileHandler(path)
    handlers: list[logging.Handler] = [file_handler]
    if debug:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactKeys())
        handler._parley = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(min(level, root.level) if root.level != logging.NOTSET else level)
    return path


def teardown() -> None:
    """Remove and close the handlers `setup` installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
