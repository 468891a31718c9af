"""Attachments: files sent with a prompt and images a model returns, stored once by content.

`AttachmentFiles` is the content-addressed store in the data folder
(`attachments/<first two hex digits>/<sha256>`): writing the same bytes twice stores them
once, a file is written to a temporary name and renamed so a crash never leaves half of one,
and nothing is removed except by `collect_garbage` with the set of hashes still referred to.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from app.core.domain import Attachment, AttachmentKind
from app.core.errors import AttachmentError
from app.core.regular_files import write_file_atomically

ATTACHMENTS_DIR_NAME = "attachments"

#: largest file Parley attaches (checked before anything is read in full or sent)
MAX_FILE_BYTES = 32 * 1024 * 1024
#: largest total of the files attached to one message
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def sha256_hex(data: bytes) -> str:
    """The content address of `data`."""
    import hashlib  # here: loading OpenSSL's hashes costs ~3 ms of every start-up

    return hashlib.sha256(data).hexdigest()


class AttachmentFiles:
    """The attachment bytes in the data folder, one file per distinct content."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> AttachmentFiles:
        """The store of a data folder (`$PARLEY_HOME/attachments`)."""
        return cls(Path(data_dir) / ATTACHMENTS_DIR_NAME)

    def path(self, sha256: str) -> Path:
        """Where the bytes with this hash are (or would be) kept."""
        if not _HEX64.match(sha256):
            raise AttachmentError(f"{sha256!r} is not the hash of a stored attachment.")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the bytes with this hash are stored."""
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its hash."""
        digest = sha256_hex(data)
        dest = self.path(digest)
        if dest.is_file() and dest.stat().st_size == len(data):
            # Fresh again: garbage collection spares recently written files, and this one
            # may be about to be sent.
            with contextlib.suppress(OSError):
                os.utime(dest)
            return digest
        try:
            write_file_atomically(dest, data)
        except OSError as exc:
            raise AttachmentError(
                f"Could not store the attachment in {self.root}: {exc.strerror or exc}.",
                hint="Free some disk space, or check the data folder's permissions.",
            ) from exc
        return digest

    def read(self, sha256: str) -> bytes:
        """The stored bytes; AttachmentError with a sentence when they are missing."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise AttachmentError(
                f"An attachment of this conversation is missing from {self.root} "
                f"(sha256 {sha256[:12]}…). Restore it from a backup or an export.",
            ) from None
        except OSError as exc:
            raise AttachmentError(
                f"Could not read an attachment from {self.root}: {exc.strerror or exc}."
            ) from exc

    def stored(self) -> Iterator[str]:
        """Every hash with bytes in the store."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            for item in sorted(folder.iterdir()):
                if _HEX64.match(item.name):
                    yield item.name

    def collect_garbage(self, keep: Iterable[str], *, older_than_seconds: float = 0.0) -> int:
        """Remove stored files whose hash is not in `keep` and that were written at least
        `older_than_seconds` ago; returns how many were removed."""
        wanted = set(keep)
        cutoff = time.time() - older_than_seconds
        removed = 0
        for digest in list(self.stored()):
            if digest in wanted:
                continue
            try:
                path = self.path(digest)
                if older_than_seconds > 0 and path.stat().st_mtime > cutoff:
                    continue
                path.unlink()
                removed += 1
            except OSError:
                continue  # a file we cannot remove now is tried again next time
        return removed


# ---------------------------------------------------------------------------- ingest

#: images whose header promises more pixels than this are refused before decoding:
#: a few bytes of PNG can claim gigapixels and exhaust memory when decoded
MAX_IMAGE_PIXELS = 80_000_000
#: PDFs claiming more pages than this are refused (no provider takes them, and a forged
#: page count is a common way to make parsers spin)
MAX_PDF_PAGES = 2_000
#: long side of the downscaled copy sent instead of a large photo (Settings.image_max_side)
DEFAULT_MAX_SIDE = 2048
MIN_MAX_SIDE = 256

SUPPORTED_DESCRIPTION = (
    "images (PNG, JPEG, WebP, GIF), PDFs, audio (WAV, MP3) and text or code files (UTF-8)"
)

_IMAGE_MIMES = {
    "PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif",
}
#: extensions that promise a kind: a file named like this with other content is refused
#: rather than sent as something the user did not mean
_KIND_BY_EXTENSION = {
    ".png": AttachmentKind.IMAGE, ".jpg": AttachmentKind.IMAGE,
    ".jpeg": AttachmentKind.IMAGE, ".webp": AttachmentKind.IMAGE,
    ".gif": AttachmentKind.IMAGE, ".pdf": AttachmentKind.PDF,
    ".wav": AttachmentKind.AUDIO, ".mp3": AttachmentKind.AUDIO,
}
_KIND_WORDS = {
    AttachmentKind.IMAGE: "an image", AttachmentKind.PDF: "a PDF",
    AttachmentKind.AUDIO: "an audio file", AttachmentKind.TEXT: "a text file",
}


def _sniff(data: bytes) -> tuple[AttachmentKind, str] | None:
    """(kind, mime) from the first bytes, or None when the content is not supported."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.IMAGE, "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.IMAGE, "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return AttachmentKind.IMAGE, "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return AttachmentKind.IMAGE, "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AttachmentKind.AUDIO, "audio/wav"
    if head.startswith(b"%PDF-"):
        return AttachmentKind.PDF, "application/pdf"
    if head.startswith(b"ID3") or _mpeg_frame(head):
        return AttachmentKind.AUDIO, "audio/mpeg"
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return AttachmentKind.TEXT, "text/plain"
    return None


def _mpeg_frame(head: bytes) -> bool:
    """True when `head` starts with a valid MPEG audio frame header (an MP3 without ID3)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x03
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def read_attachment_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, refusing devices, pipes and files over `limit` at once."""
    from app.core.regular_files import FileRefused, read_regular_file

    name = Path(path).name or str(path)
    try:
        return read_regular_file(Path(path), limit)
    except FileRefused as refused:
        if refused.size is not None:
            _check_file_size(name, refused.size, limit)
        if refused.not_a_file is not None:
            raise AttachmentError(
                f"Cannot attach {name}: it is {refused.not_a_file}, not a file."
            ) from None
        raise AttachmentError(f"Cannot attach {name}: {refused.reason}.") from None


def _check_file_size(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise AttachmentError(
            f"Cannot attach {name}: it is {size / 2**20:,.1f} MB, larger than the "
            f"{limit / 2**20:,.0f} MB Parley sends with a message.",
            hint="Attach a smaller file, or split it.",
        )


def ingest_file(
    path: Path, files: AttachmentFiles, *, max_side: int = DEFAULT_MAX_SIDE
) -> Attachment:
    """Read, check and store a file the user attaches (blocking: run it off the GUI thread)."""
    path = Path(path)
    return ingest_bytes(read_attachment_file(path), path.name, files, max_side=max_side)


def ingest_bytes(
    data: bytes, name: str, files: AttachmentFiles, *, max_side: int = DEFAULT_MAX_SIDE
) -> Attachment:
    """Classify `data` by content, check it, store it (and a downscaled copy of a large
    photo); AttachmentError naming `name` when it cannot be sent."""
    name = name or "attachment"
    _check_file_size(name, len(data), MAX_FILE_BYTES)
    if not data:
        raise AttachmentError(f"Cannot attach {name}: the file is empty.")
    sniffed = _sniff(data)
    promised = _KIND_BY_EXTENSION.get(Path(name).suffix.lower())
    if promised is not None and (sniffed is None or sniffed[0] is not promised):
        raise AttachmentError(
            f"Cannot attach {name}: its name says it is {_KIND_WORDS[promised]}, but its "
            "content is not (the file may be damaged or renamed).",
            hint=f"Parley sends {SUPPORTED_DESCRIPTION}.",
        )
    if sniffed is None:
        raise AttachmentError(
            f"Cannot attach {name}: Parley does not know this kind of file. It can send "
            f"{SUPPORTED_DESCRIPTION}.",
        )
    kind, mime = sniffed
    if kind is AttachmentKind.IMAGE:
        # A hand-edited setting of a few pixels would send useless images.
        return _ingest_image(data, name, files, max(max_side, MIN_MAX_SIDE))
    pages = _pdf_pages(data, name) if kind is AttachmentKind.PDF else None
    digest = files.put(data)
    return Attachment(digest, name, mime, len(data), kind, pages=pages)


def _ingest_image(data: bytes, name: str, files: AttachmentFiles, max_side: int) -> Attachment:
    from PIL import Image, UnidentifiedImageError

    broken = f"Cannot attach {name}: it looks like an image but cannot be read (it may be " \
             "damaged or cut short)."
    try:
        with warnings.catch_warnings():
            # Parley's own limit (checked below from the header) is lower than the one
            # Pillow warns at; above twice Pillow's, Image.open itself refuses.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size  # from the header: nothing decoded yet
                if width * height > MAX_IMAGE_PIXELS:
                    raise AttachmentError(
                        f"Cannot attach {name}: it claims to be {width:,} × {height:,} "
                        f"pixels, more than the {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels "
                        "Parley opens.",
                        hint="Make the image smaller and attach it again.",
                    )
                mime = _IMAGE_MIMES.get(img.format or "")
                if mime is None:
                    raise AttachmentError(broken)
                sent = _downscaled(img, max_side) if max(width, height) > max_side else None
                if sent is None:
                    img.load()  # a truncated or corrupt image fails here, not at the model
    except AttachmentError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise AttachmentError(broken if isinstance(exc, UnidentifiedImageError) else (
            f"Cannot attach {name}: it has too many pixels for Parley to open safely."
        )) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise AttachmentError(broken) from exc
    digest = files.put(data)
    sent_digest = files.put(sent) if sent is not None else None
    return Attachment(digest, name, mime, len(data), AttachmentKind.IMAGE,
                      sent_sha256=sent_digest, width=width, height=height)


def _downscaled(img: Any, max_side: int) -> bytes:
    """A copy of `img` whose long side is `max_side`: PNG when it has transparency,
    JPEG otherwise (photos)."""
    from PIL import Image, ImageOps

    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    # In place, and in stages: a JPEG is decoded at a reduced scale where possible and
    # the image is reduced by whole factors before the final resample, so a 12 MP photo
    # is never resampled at full size.
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    frame = ImageOps.exif_transpose(img)  # the copy carries no EXIF: apply its rotation
    frame = frame.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    if has_alpha:
        frame.save(out, "PNG")
    else:
        frame.save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf_pages(data: bytes, name: str) -> int:
    """The page count of a PDF; AttachmentError when it is unreadable, locked or absurd."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    unreadable = f"Cannot attach {name}: it starts like a PDF but cannot be read (it may " \
                 "be damaged or cut short)."
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)  # damaged files make pypdf log every repair it tries
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AttachmentError(
                f"Cannot attach {name}: the PDF is password-protected.",
                hint="Save an unprotected copy and attach that.",
            )
        # The page tree's own claim first: an absurd one is refused before any page
        # object is looked at; otherwise the pages are counted (no content is parsed).
        tree: Any = reader.trailer["/Root"]
        claimed = tree["/Pages"].get_object().get("/Count")
        pages = claimed if isinstance(claimed, int) else -1
        if 0 < pages <= MAX_PDF_PAGES:
            pages = len(reader.pages)
    except AttachmentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError) as exc:
        raise AttachmentError(unreadable) from exc
    finally:
        logger.setLevel(level)
    if not 0 < pages <= MAX_PDF_PAGES:
        raise AttachmentError(
            f"Cannot attach {name}: it claims {pages:,} pages, which Parley does not send "
            f"(at most {MAX_PDF_PAGES:,}).",
            hint="Attach only the pages you need.",
        )
    return pages


def check_message_total(attachments: Sequence[Attachment]) -> None:
    """AttachmentError when the files of one message add up to more than MAX_MESSAGE_BYTES."""
    total = sum(a.size for a in attachments)
    if total > MAX_MESSAGE_BYTES:
        raise AttachmentError(
            f"The files attached to this message add up to {total / 2**20:,.1f} MB, more "
            f"than the {MAX_MESSAGE_BYTES / 2**20:,.0f} MB Parley sends at once.",
            hint="Remove some attachments, or send them in separate messages.",
        )


# ---------------------------------------------------------------------------- capabilities

#: the input modality (OpenRouter's architecture.input_modalities) each kind needs;
#: text files are inlined and PDFs are parsed to text by OpenRouter's file-parser, so
#: every model reads those
_NEEDED_MODALITY = {AttachmentKind.IMAGE: "image", AttachmentKind.AUDIO: "audio"}
_KIND_PLURAL = {AttachmentKind.IMAGE: "images", AttachmentKind.AUDIO: "audio"}


def capability_warnings(
    attachments: Sequence[Attachment], input_modalities: Sequence[str] | None, model: str
) -> list[str]:
    """One sentence per kind of attachment `model` cannot read; [] when that is unknown."""
    if input_modalities is None:
        return []
    known = {m.lower() for m in input_modalities}
    out: list[str] = []
    seen: set[AttachmentKind] = set()
    for attachment in attachments:
        kind = attachment.kind
        needed = _NEEDED_MODALITY.get(kind)
        if needed is None or needed in known or kind in seen:
            continue
        seen.add(kind)
        out.append(
            f"{model} does not read {_KIND_PLURAL[kind]}: {attachment.name} will probably "
            "be refused. Choose a model that accepts them."
        )
    return out


# ---------------------------------------------------------------- "no endpoints found"

_UNSUPPORTED_INPUT = re.compile(
    r"no endpoints found that support (?:the )?(?P<what>[a-z]+) input", re.IGNORECASE
)
#: OpenRouter's word for an input -> the catalog's modality and how to say it
_INPUT_WORDS = {
    "image": ("image", "images"), "file": ("file", "files such as PDFs"),
    "pdf": ("file", "PDFs"), "audio": ("audio", "audio"), "video": ("video", "video"),
}


def suggest_models(models: Iterable[Any], modality: str, current: str, limit: int = 2) -> list[str]:
    """Ids of catalog models (ModelInfo) that read `modality`: the current model's
    vendor first, then the cheapest."""
    vendor = current.split("/", 1)[0] + "/"
    able = [m for m in models if modality in m.input_modalities and m.id != current
            and not m.id.endswith(":free")]
    able.sort(key=lambda m: (not m.id.startswith(vendor),
                             m.prompt_price if m.prompt_price is not None else float("inf"),
                             m.id))
    return [m.id for m in able[:limit]]


def unsupported_input_message(
    api_message: str, model: str, models: Iterable[Any] | None
) -> tuple[str, str] | None:
    """(message, hint) for OpenRouter's 404 "No endpoints found that support image input"
    (file, audio...): names the model and suggests ones that can, from `models` (the
    catalog's ModelInfo list, when known). None for any other error."""
    found = _UNSUPPORTED_INPUT.search(api_message)
    if found is None:
        return None
    modality, words = _INPUT_WORDS.get(found["what"].lower(), (found["what"].lower(),
                                                                f"{found['what']} input"))
    suggestions = suggest_models(models, modality, model) if models is not None else []
    message = (f"{model} cannot read {words}: OpenRouter has no provider for it that accepts "
               f"{modality} input.")
    if suggestions:
        hint = (f"Choose a model that reads {words}, such as {' or '.join(suggestions)}, or "
                "remove the attachment.")
    else:
        hint = (f"Choose a model whose inputs include {modality} in the model browser, or "
                "remove the attachment.")
    return message, hint
