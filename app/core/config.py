"""Where Parley keeps its data, and the user's settings (never the API key)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core.errors import ConfigError

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_MODEL = "openrouter/auto"
APP_URL = "https://github.com/parley-chat/parley"
APP_TITLE = "Parley"

ENV_HOME = "PARLEY_HOME"
ENV_BASE_URL = "OPENROUTER_BASE_URL"
ENV_API_KEY = "OPENROUTER_API_KEY"


def data_dir() -> Path:
    """The one folder holding history and settings: $PARLEY_HOME or the platform's data dir."""
    env = os.environ.get(ENV_HOME)
    if env:
        path = Path(env).expanduser()
    else:
        # Imported here: the CLI's fast paths never need it when PARLEY_HOME is set.
        import platformdirs

        path = Path(platformdirs.user_data_dir("parley", appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Parley cannot create its data folder {path}: {exc.strerror or exc}. "
            f"Check the permissions of the folder above it, or set {ENV_HOME} to a folder "
            "you can write to."
        ) from exc
    return path


def database_path() -> Path:
    return data_dir() / "history.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"


#: optional non-negative amounts (budgets): a number or null
_OPTIONAL_AMOUNTS = frozenset({"monthly_budget", "daily_budget"})


@dataclass
class Settings:
    """User preferences stored as JSON in the data folder. The API key is never here."""

    base_url: str = DEFAULT_BASE_URL
    default_model: str = DEFAULT_MODEL
    #: attribution headers OpenRouter shows on its leaderboards; blank disables them
    http_referer: str = APP_URL
    app_title: str = APP_TITLE
    request_timeout: float = 60.0
    #: "system" follows the desktop's light/dark scheme; "light" or "dark" forces one
    theme: str = "system"
    #: chat text size in steps of 10% (Ctrl+= / Ctrl+- / Ctrl+0)
    zoom: int = 0
    #: cheap model that names new chats after the first reply; "" keeps the prompt's start
    title_model: str = ""
    #: extra endpoints as {"name", "base_url", "kind": "openrouter"|"openai"} (see
    #: app.core.endpoints); empty = the one OpenRouter endpoint at `base_url`
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    #: name of the endpoint new conversations use ("openrouter" is the built-in one)
    current_endpoint: str = "openrouter"
    #: ConversationOptions.to_dict() applied to new conversations
    default_options: dict[str, Any] = field(default_factory=dict)
    #: model ids starred in the model browser
    favourite_models: list[str] = field(default_factory=list)
    #: MCP servers in the desktop-client shape: {name: {command, args, env}} (stdio) or
    #: {name: {url, headers}} (streamable HTTP); a pasted {"mcpServers": {...}} works too
    #: (see app.core.tools.mcp.parse_mcp_servers)
    mcp_servers: dict[str, Any] = field(default_factory=dict)
    #: model requests with tool calls answered in one exchange before Parley stops
    tool_step_limit: int = 8
    #: seconds one tool call may run (MCP calls are cancelled after it)
    tool_timeout: float = 60.0
    #: attached photos whose long side is larger are sent as a copy this size (the
    #: original is kept and exported); models rarely look at more pixels than this
    image_max_side: int = 2048
    #: US dollars a month / a day; None: no budget (warnings at 80% and 100%)
    monthly_budget: float | None = None
    daily_budget: float | None = None
    #: over a budget, sending asks first (`parley ask` refuses without --over-budget)
    ask_over_budget: bool = False
    #: an icon in the system tray (New chat, Quick ask, Show Parley, Quit)
    tray_icon: bool = False
    #: with the tray icon shown, closing the window hides it; Quit ends Parley
    close_to_tray: bool = False
    #: folder (inside one the user already syncs) that history is synced through; "" = off
    sync_folder: str = ""

    def effective_base_url(self) -> str:
        """$OPENROUTER_BASE_URL wins over the saved value, so a shell can point anywhere."""
        return (os.environ.get(ENV_BASE_URL) or self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read settings; a missing file gives defaults, a broken one raises ConfigError.

        The window and the CLI use `SettingsService.load`, which never raises."""
        from app.core.settings_service import read_settings_file

        data = read_settings_file(path or settings_path())
        return cls() if data is None else cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        defaults = cls()
        for name, value in data.items():
            if name not in known:
                continue  # settings written by a newer Parley: ignore, keep running
            default = getattr(defaults, name)
            if name in _OPTIONAL_AMOUNTS:
                if value is None or (isinstance(value, int | float)
                                     and not isinstance(value, bool) and value >= 0):
                    kwargs[name] = None if value is None else float(value)
            elif isinstance(default, float) and isinstance(value, int | float):
                kwargs[name] = float(value)
            elif isinstance(value, type(default)):
                kwargs[name] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data, in the order of the fields above."""
        return asdict(self)

    def save(self, path: Path | None = None) -> None:
        """Write atomically, keeping keys a newer Parley wrote; raises ConfigError."""
        from app.core.settings_service import write_settings_file

        write_settings_file(self, path or settings_path())
