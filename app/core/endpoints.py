"""The endpoints Parley can talk to: OpenRouter and any OpenAI-compatible server.

Settings hold a list of `Endpoint`s; the built-in one is named "openrouter", uses
`Settings.effective_base_url()` (so $OPENROUTER_BASE_URL still wins) and keeps its key in
the keychain under the account "openrouter" (so existing keys and $OPENROUTER_API_KEY keep
working). Every other endpoint keeps its key under its own name.

`kind` decides what a request may carry: OpenRouter-only fields (provider routing,
fallbacks, plugins, transforms, reasoning, model suffixes, cache breakpoints) and the
attribution headers go to OpenRouter endpoints only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from app.core.config import DEFAULT_BASE_URL, Settings
from app.core.errors import ConfigError

if TYPE_CHECKING:
    from app.core.client import ChatClient
    from app.core.secrets import KeyStore

Kind = Literal["openrouter", "openai"]
KINDS: tuple[Kind, ...] = ("openrouter", "openai")
DEFAULT_ENDPOINT = "openrouter"  # also the keychain account of the default key

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


@dataclass(frozen=True)
class Endpoint:
    """One server: a name the user picked, its base URL and what it speaks."""

    name: str
    base_url: str
    kind: Kind = "openrouter"

    @property
    def is_openrouter(self) -> bool:
        return self.kind == "openrouter"

    @property
    def key_account(self) -> str:
        """The keychain account holding this endpoint's key."""
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "base_url": self.base_url, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Endpoint:
        """Build from settings JSON; raises ConfigError with a sentence when it is unusable."""
        name = str(data.get("name") or "").strip()
        base_url = str(data.get("base_url") or "").strip().rstrip("/")
        kind = data.get("kind") or guess_kind(base_url)
        endpoint = cls(name, base_url, kind if kind in KINDS else "openai")
        problems = endpoint.problems()
        if problems:
            raise ConfigError(f"Endpoint {name or '(unnamed)'}: {' '.join(problems)}")
        return endpoint

    def problems(self) -> list[str]:
        """Why this endpoint cannot be used (empty when it can)."""
        out: list[str] = []
        if not _NAME.match(self.name):
            out.append("The name must be 1-64 letters, digits, spaces, dots, _ or -.")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            out.append(f"The base URL {self.base_url!r} must start with http:// or https://.")
        if self.kind not in KINDS:
            out.append("The kind must be openrouter or openai.")
        return out


def guess_kind(base_url: str) -> Kind:
    """OpenRouter when the host is openrouter.ai, else a generic OpenAI-compatible server."""
    host = urlsplit(base_url).hostname or ""
    return "openrouter" if host == "openrouter.ai" or host.endswith(".openrouter.ai") else "openai"


def default_endpoint(settings: Settings) -> Endpoint:
    """The built-in OpenRouter endpoint ($OPENROUTER_BASE_URL wins over the saved URL)."""
    return Endpoint(DEFAULT_ENDPOINT, settings.effective_base_url() or DEFAULT_BASE_URL)


def list_endpoints(settings: Settings) -> list[Endpoint]:
    """The default endpoint first, then the valid ones from settings (broken ones skipped).

    An entry named "openrouter" in settings is ignored: the built-in endpoint's URL is
    `Settings.base_url` (or $OPENROUTER_BASE_URL).
    """
    default = default_endpoint(settings)
    out = [default]
    seen = {default.name}
    for raw in settings.endpoints:
        if not isinstance(raw, dict):
            continue
        try:
            endpoint = Endpoint.from_dict(raw)
        except ConfigError:
            continue
        if endpoint.name in seen:
            continue
        seen.add(endpoint.name)
        out.append(endpoint)
    return out


def find_endpoint(settings: Settings, name: str | None = None) -> Endpoint:
    """The endpoint called `name` (default: the current one); raises ConfigError if unknown."""
    wanted = name or settings.current_endpoint or DEFAULT_ENDPOINT
    for endpoint in list_endpoints(settings):
        if endpoint.name == wanted:
            return endpoint
    if name is None:
        return default_endpoint(settings)  # a stale current_endpoint: fall back quietly
    known = ", ".join(e.name for e in list_endpoints(settings))
    raise ConfigError(f"There is no endpoint named {wanted!r}. Known endpoints: {known}.")


def save_endpoint(settings: Settings, endpoint: Endpoint) -> None:
    """Add or replace an endpoint in `settings` (the caller saves the settings)."""
    problems = endpoint.problems()
    if problems:
        raise ConfigError(" ".join(problems))
    rest = [e for e in settings.endpoints if not (isinstance(e, dict) and e.get("name") ==
                                                  endpoint.name)]
    settings.endpoints = [*rest, endpoint.to_dict()]


def remove_endpoint(settings: Settings, name: str) -> bool:
    """Forget an endpoint; the built-in one cannot be removed. True if one was removed."""
    if name == DEFAULT_ENDPOINT:
        return False
    before = len(settings.endpoints)
    settings.endpoints = [
        e for e in settings.endpoints if not (isinstance(e, dict) and e.get("name") == name)
    ]
    if settings.current_endpoint == name:
        settings.current_endpoint = DEFAULT_ENDPOINT
    return len(settings.endpoints) != before


def key_store(endpoint: Endpoint) -> KeyStore:
    """The keychain entry of this endpoint's key ("openrouter" also reads the environment)."""
    from app.core.secrets import KeyStore

    return KeyStore(account=endpoint.key_account)


def make_client(
    endpoint: Endpoint, settings: Settings, api_key: str | None, *, timeout: float | None = None
) -> ChatClient:
    """A client for `endpoint`; attribution headers are sent to OpenRouter endpoints only."""
    from app.core.client import ChatClient

    return ChatClient(
        endpoint.base_url,
        api_key,
        referer=settings.http_referer,
        title=settings.app_title,
        timeout=settings.request_timeout if timeout is None else timeout,
        kind=endpoint.kind,
    )
