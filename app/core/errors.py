"""Parley's error hierarchy: every failure a person can hit carries a message they can act on.

    ParleyError
    ├── ConfigError              settings file unreadable, bad base URL
    ├── SecretStoreError         keychain missing, insecure or failing
    ├── StorageError             database unreadable, damaged, or migration failed
    ├── ImportFileError          a file to import is malformed or hostile (nothing imported)
    ├── AttachmentError          a file cannot be attached: unsupported, too large, unreadable
    ├── SyncError                the sync folder cannot be used: missing, wrong passphrase, ...
    └── ApiError                 anything that went wrong talking to an endpoint
        ├── NetworkError         connection refused, DNS, TLS, proxy, connection dropped,
        │   │                    an answer that could not be decoded
        │   └── ApiTimeout       connect/read timeout or a stalled stream
        ├── EndpointError        the base URL cannot work: not a URL, not http(s), ...
        │   └── RedirectError    the endpoint redirected elsewhere; nothing was sent there
        ├── HttpStatusError      a non-2xx answer before the stream started (has .status)
        │   ├── BadRequest (400), AuthError (401), PaymentRequired (402),
        │   ├── ModerationError (403), RequestTimeout (408), RateLimited (429),
        │   └── UpstreamError (502/503/5xx)
        └── StreamError          the stream broke after it started (partial text is kept)

Messages never contain the API key: the client redacts it from anything echoed back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ParleyError(Exception):
    """Base class: `str(err)` is a complete sentence a user can act on."""

    #: short hint for the UI ("Open Settings", "Try again later"); may be empty
    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(ParleyError):
    """The settings are unusable."""


class SecretStoreError(ParleyError):
    """The OS keychain is missing, insecure, or refused the operation."""


class InsecureKeyringError(SecretStoreError):
    """Keyring would store the key in plaintext or not at all; Parley refuses."""


class StorageError(ParleyError):
    """The history database could not be read or written."""


class DatabaseDamagedError(StorageError):
    """The database file exists but SQLite says it is not a usable database."""


class ImportFileError(ParleyError):
    """A file to import is unreadable, malformed or too large; nothing was imported."""

    hint = "Check that this is a Parley export or ChatGPT's conversations.json."


class AttachmentError(ParleyError):
    """A file cannot be attached (unsupported, too large, unreadable); nothing was sent."""

    hint = "Attach images (PNG, JPEG, WebP, GIF), PDFs, text or code files, or WAV/MP3 audio."


class SyncError(ParleyError):
    """A sync round could not run: no folder, a wrong passphrase, an unwritable folder."""


class ApiError(ParleyError):
    """Anything that went wrong talking to an endpoint."""


class NetworkError(ApiError):
    """The endpoint could not be reached, or the connection dropped."""

    hint = "Check your connection and the base URL in Settings, then try again."


class ApiTimeout(NetworkError):
    """The endpoint did not answer in time."""

    hint = "The provider may be overloaded; try again or pick another model."


class EndpointError(ApiError):
    """The base URL (or the request built from it) cannot reach a usable endpoint."""

    hint = "Check the base URL in Settings."


class RedirectError(EndpointError):
    """The endpoint answered with a redirect Parley does not follow; nothing was resent."""

    def __init__(self, message: str, location: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        #: where the server tried to send the request (absolute URL, key redacted)
        self.location = location


@dataclass
class ErrorDetails:
    """What the endpoint told us about an error, as far as it told us anything."""

    status: int
    code: int | str | None = None
    message: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None
    body_excerpt: str = ""


class HttpStatusError(ApiError):
    """A non-2xx answer before any streamed data arrived."""

    def __init__(self, message: str, details: ErrorDetails, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.details = details

    @property
    def status(self) -> int:
        return self.details.status


class BadRequest(HttpStatusError):
    """400: the request was rejected as invalid (often a parameter the model refuses)."""

    hint = "Check the model and the options of this conversation."


class AuthError(HttpStatusError):
    """401: the API key is missing, wrong or revoked."""

    hint = "Open Settings and enter a valid API key."


class PaymentRequired(HttpStatusError):
    """402: not enough credits."""

    hint = "Add credits to your account, or choose a free model."


class ModerationError(HttpStatusError):
    """403: the input was flagged by moderation or a guardrail."""

    hint = "Rephrase the message or choose another model."

    @property
    def reasons(self) -> list[str]:
        raw = self.details.metadata.get("reasons")
        return [str(r) for r in raw] if isinstance(raw, list) else []


class RequestTimeout(HttpStatusError):
    """408: the provider timed out."""

    hint = "Try again; long prompts may need a faster model."


class RateLimited(HttpStatusError):
    """429: too many requests (free models allow about 20 a minute and a daily cap)."""

    hint = "Wait a moment and try again."

    @property
    def retry_after(self) -> float | None:
        return self.details.retry_after


class UpstreamError(HttpStatusError):
    """5xx: the model or the routing layer failed."""

    hint = "Try again shortly, or pick another model."


class StreamError(ApiError):
    """The stream broke after it started; whatever text arrived has been kept."""

    def __init__(
        self, message: str, *, code: int | str | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, hint=hint or "The partial reply was kept. Try again.")
        self.code = code
