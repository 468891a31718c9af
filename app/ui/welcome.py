"""First run: what Parley is, paste an OpenRouter key (checked at once), or use a local server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ParleyError

KEYS_URL = "https://openrouter.ai/keys"

#: (key) -> a sentence describing the key, or raises ParleyError
KeyCheck = Callable[[str], Awaitable[str]]
#: (base_url) -> number of models the server lists, or raises ParleyError
ServerCheck = Callable[[str], Awaitable[int]]
#: runs a coroutine as a task that someone owns; returns the task
Spawn = Callable[[Any], "asyncio.Future[Any]"]


class WelcomePanel(QWidget):
    """Shown instead of the chat while no key is configured anywhere."""

    #: the user connected: a key was stored, or a local server was chosen
    completed = Signal()

    def __init__(
        self,
        check_key: KeyCheck,
        check_server: ServerCheck,
        parent: QWidget | None = None,
        *,
        spawn: Spawn = asyncio.ensure_future,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._check_key = check_key
        self._check_server = check_server
        # The owner of the checks' tasks (the controller: it cancels and awaits them at exit).
        self._spawn = spawn
        self._task: asyncio.Future[Any] | None = None

        title = QLabel(self.tr("Welcome to Parley"), self)
        title.setObjectName("emptyTitle")
        intro = QLabel(
            self.tr(
                "Chat with hundreds of models through OpenRouter, or with a model running "
                "on your own machine. Your conversations stay in a local database; your key "
                "stays in the system keychain."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("emptyBody")

        self.key_edit = QLineEdit(self)
        self.key_edit.setAccessibleName(self.tr("OpenRouter API key"))
        self.key_edit.setPlaceholderText(self.tr("Paste your OpenRouter key (sk-or-v1-…)"))
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_button = QPushButton(self.tr("Connect"), self)
        self.key_button.setAccessibleName(self.tr("Connect with this key"))
        self.key_button.setDefault(True)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)
        self.create_link = QPushButton(self.tr("Create a key on openrouter.ai…"), self)
        self.create_link.setAccessibleName(self.tr("Create a key on openrouter.ai"))
        self.create_link.setFlat(True)
        self.create_link.setCursor(Qt.CursorShape.PointingHandCursor)

        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        local_label = QLabel(
            self.tr("Or use a local OpenAI-compatible server (llama.cpp, Ollama, LM Studio, "
                    "vLLM):"),
            self,
        )
        local_label.setWordWrap(True)
        self.server_edit = QLineEdit(self)
        self.server_edit.setAccessibleName(self.tr("Local server URL"))
        self.server_edit.setPlaceholderText(self.tr("http://127.0.0.1:8080/v1"))
        self.server_button = QPushButton(self.tr("Use this server"), self)
        self.server_button.setAccessibleName(self.tr("Use this local server"))
        server_row = QHBoxLayout()
        server_row.addWidget(self.server_edit, 1)
        server_row.addWidget(self.server_button)

        self.status = QLabel(self)
        self.status.setObjectName("welcomeStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addLayout(key_row)
        column.addWidget(self.create_link, 0, Qt.AlignmentFlag.AlignLeft)
        column.addSpacing(8)
        column.addWidget(rule)
        column.addWidget(local_label)
        column.addLayout(server_row)
        column.addWidget(self.status)
        box = QWidget(self)
        box.setLayout(column)
        box.setMaximumWidth(560)
        # Stretches, not an alignment flag: an aligned widget gets its size hint, which
        # for wrapped text is a narrow column one line tall, and the text is clipped.
        # Here the box takes the width it is given (up to 560) and the height its
        # wrapped text needs at that width.
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 100)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.key_edit, self.key_button)
        self.setTabOrder(self.key_button, self.create_link)
        self.setTabOrder(self.create_link, self.server_edit)
        self.setTabOrder(self.server_edit, self.server_button)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.key_button.clicked.connect(self._connect_key)
        self.key_edit.returnPressed.connect(self._connect_key)
        self.server_button.clicked.connect(self._connect_server)
        self.server_edit.returnPressed.connect(self._connect_server)
        self.create_link.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(KEYS_URL)))

    def focus(self) -> None:
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _busy(self, busy: bool) -> None:
        for widget in (self.key_button, self.server_button, self.key_edit, self.server_edit):
            widget.setEnabled(not busy)

    def _connect_key(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            self.status.setText(self.tr("Paste a key first."))
            return
        self._start(self._run_key(key), self.tr("Checking the key with OpenRouter…"))

    def _connect_server(self) -> None:
        url = self.server_edit.text().strip().rstrip("/") or self.server_edit.placeholderText()
        if not url.startswith(("http://", "https://")):
            self.status.setText(self.tr("The address must start with http:// or https://."))
            return
        self._start(self._run_server(url), self.tr("Asking {url} for its models…").format(url=url))

    def _start(self, coro: Awaitable[None], message: str) -> None:
        if self._task is not None:
            return
        self._busy(True)
        self.status.setText(message)
        self._task = self._spawn(coro)

    async def _run_key(self, key: str) -> None:
        try:
            described = await self._check_key(key)
        except ParleyError as exc:
            self.status.setText(f"⚠ {exc}")
        else:
            self.status.setText(f"✓ {described}")
            self.key_edit.clear()
            self.completed.emit()
        finally:
            self._task = None
            self._busy(False)

    async def _run_server(self, url: str) -> None:
        try:
            count = await self._check_server(url)
        except ParleyError as exc:
            self.status.setText(f"⚠ {exc}")
        else:
            self.status.setText(
                self.tr("✓ Connected: the server lists {count} model(s).").format(count=count)
            )
            self.completed.emit()
        finally:
            self._task = None
            self._busy(False)
