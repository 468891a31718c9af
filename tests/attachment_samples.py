"""Small real files of every kind Parley attaches, and hostile ones, made on the fly."""

from __future__ import annotations

import io
import struct
import wave
import zlib


def png(width: int = 8, height: int = 6, *, alpha: bool = False) -> bytes:
    """A real PNG (Pillow-made)."""
    from PIL import Image

    img = Image.new("RGBA" if alpha else "RGB", (width, height),
                    (200, 30, 30, 128) if alpha else (200, 30, 30))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 8, height: int = 6) -> bytes:
    """A real JPEG photo-like image (a gradient, so it does not compress to nothing)."""
    from PIL import Image

    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def webp() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 255)).save(out, "WEBP")
    return out.getvalue()


def gif() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (4, 4), 1).save(out, "GIF")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with no pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def pdf(pages_claimed: int = 1) -> bytes:
    """A minimal valid PDF with one page whose page tree claims `pages_claimed` pages."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % pages_claimed,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 800)
    return out.getvalue()


def mp3() -> bytes:
    """An MPEG-1 Layer III frame header (no ID3 tag) followed by padding."""
    return b"\xff\xfb\x90\x64" + b"\x00" * 413
