"""Images a model returns: checking a data URL and reading an image's type and size.

A reply's images come from a server we do not control, so a data URL is decoded strictly
(base64 alphabet only, correct padding), capped at `MAX_FILE_BYTES` before and after
decoding, and kept only when its bytes really are PNG, JPEG, WebP or GIF (by their magic
numbers, whatever the URL claims). Width and height come from the image header; nothing
decodes pixels, so a hostile "huge" image costs no memory here.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from typing import Any

from app.core.attachments import MAX_FILE_BYTES

#: the image types a reply may carry, by MIME type, with the file extension for each
IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp",
                    "image/gif": "gif"}
#: base64 of MAX_FILE_BYTES (4 characters per 3 bytes): longer payloads are not decoded
_MAX_BASE64_CHARS = (MAX_FILE_BYTES + 2) // 3 * 4
_DATA_URL = re.compile(r"data:([A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+)((?:;[^,;]*)*?);base64,", re.I)
#: JPEG start-of-frame markers (those carrying the picture's size)
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                       0xCE, 0xCF})


class ImageRejected(ValueError):
    """An image entry that cannot be kept; the message says why (for logs and tests)."""


@dataclass(frozen=True)
class ImageInfo:
    """What the header of an image says."""

    mime: str
    width: int | None
    height: int | None


def sniff_image(data: bytes) -> ImageInfo | None:
    """The type and size of PNG/JPEG/WebP/GIF bytes by their content; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return ImageInfo("image/png", width, height)
        return ImageInfo("image/png", None, None)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return ImageInfo("image/gif", width, height)
        return ImageInfo("image/gif", None, None)
    if data.startswith(b"\xff\xd8\xff"):
        width_height = _jpeg_size(data)
        return ImageInfo("image/jpeg", *width_height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageInfo("image/webp", *_webp_size(data))
    return None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    pos = 2
    end = len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None, None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in _JPEG_SOF:
            if pos + 9 > end:
                return None, None
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        if marker == 0xDA or length < 2:  # start of scan: no frame header before it
            return None, None
        pos += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        b0, b1, b2, b3 = data[21:25]
        width = (b0 | (b1 & 0x3F) << 8) + 1
        height = ((b1 >> 6) | (b2 << 2) | ((b3 & 0x0F) << 10)) + 1
        return width, height
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None, None


def decode_data_url(url: str) -> tuple[bytes, ImageInfo]:
    """The bytes and header facts of a `data:image/...;base64,` URL; ImageRejected otherwise.

    The declared type is not trusted: the bytes decide (a "PNG" that is a JPEG is kept as
    JPEG, a "PNG" that is text is rejected).
    """
    match = _DATA_URL.match(url)
    if match is None:
        raise ImageRejected("not a base64 data URL")
    payload = url[match.end():]
    if len(payload) > _MAX_BASE64_CHARS:
        raise ImageRejected(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageRejected(f"not valid base64 ({exc})") from None
    if not data:
        raise ImageRejected("empty image")
    if len(data) > MAX_FILE_BYTES:
        raise ImageRejected(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    info = sniff_image(data)
    if info is None:
        raise ImageRejected("not a PNG, JPEG, WebP or GIF image")
    return data, info


def is_remote_url(url: str) -> bool:
    """True for an https (or http) URL: kept as a link, fetched only when the user asks."""
    lowered = url[:8].lower()
    return (lowered.startswith(("https://", "http://"))) and len(url) <= 8192 and not any(
        ch in url for ch in "\r\n\t "
    )


def data_url(data: bytes, mime: str) -> str:
    """A `data:` URL carrying `data` (exports embed images this way)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def stored_images(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The well-formed entries of a message's `extra["images"]` (stored or remote)."""
    raw = extra.get("images")
    if not isinstance(raw, list):
        return []
    out: list[dict[str, Any]] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        sha = entry.get("sha256")
        url = entry.get("url")
        if (isinstance(sha, str) and isinstance(entry.get("mime"), str)) or isinstance(url, str):
            out.append(entry)
    return out


def describe_image(entry: dict[str, Any], number: int) -> str:
    """A short label such as "[image 1: png, 512×512]" or "[image 2: https://host/a.png]"."""
    url = entry.get("url")
    if isinstance(url, str) and "sha256" not in entry:
        return f"[image {number}: {url}]"
    mime = entry.get("mime")
    kind = IMAGE_EXTENSIONS.get(mime, "image") if isinstance(mime, str) else "image"
    if kind == "jpg":
        kind = "jpeg"
    width, height = entry.get("width"), entry.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return f"[image {number}: {kind}, {width}×{height}]"
    return f"[image {number}: {kind}]"
