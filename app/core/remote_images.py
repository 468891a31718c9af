"""Fetching a generated image the model only linked to, when the user asks to see it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.core.attachments import MAX_FILE_BYTES
from app.core.errors import AttachmentError

if TYPE_CHECKING:
    import httpx

#: what an image server gets to answer before the fetch gives up (seconds)
FETCH_TIMEOUT = 30.0
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


async def fetch_image(
    url: str, *, limit: int = MAX_FILE_BYTES, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    """The bytes of the image at `url` (https/http only, size-capped, checked to be an
    image); AttachmentError naming the host otherwise."""
    import httpx

    parts = urlsplit(url)
    host = parts.hostname or url
    if parts.scheme not in ("https", "http"):
        raise AttachmentError(f"Parley loads images only from web addresses, not {url!r}.")
    chunks: list[bytes] = []
    total = 0
    try:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=True,
                                     transport=transport) as client, \
                client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise AttachmentError(
                        f"The image at {host} is larger than {limit // (1024 * 1024)} MB, so "
                        "Parley does not load it.")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise AttachmentError(
            f"The image at {host} could not be loaded ({type(exc).__name__}).",
            hint="Check the connection and click the image again.") from exc
    data = b"".join(chunks)
    if not _looks_like_image(data):
        raise AttachmentError(f"What {host} sent is not an image Parley can show.")
    return data
