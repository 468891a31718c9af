"""What an API key may look like, checked before it is stored or sent.

Kept apart from `app.core.secrets` (which loads keyring) so the HTTP client can check a key
without paying for the keychain's import.
"""

from __future__ import annotations


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an API key (None when it can). Never includes the key itself.

    Keys are sent in an HTTP header, which only carries printable ASCII: a key with
    spaces inside, accents or other letters was mistyped or pasted with something else.
    """
    if any(not (33 <= ord(ch) <= 126) for ch in key):
        return ("The API key contains characters an API key cannot have (spaces, line "
                "breaks, or letters outside plain ASCII), so it was probably pasted with "
                "something else or mistyped.")
    return None
