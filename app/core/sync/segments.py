"""Segments: a device's changes, append-only, one sealed file per batch.

A segment is a zlib-compressed list of JSON lines: a header, then one op per line
`{"k": kind, "u": uid, "t": timestamp_ms, "d": device, "v": state or null for a deletion}`.
It is sealed (encrypted or checksummed, `crypto.Codec`) with its device and number as
associated data, written to a temporary name and renamed, and never changed afterwards.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from app.core.regular_files import write_file_atomically
from app.core.sync.crypto import Codec, Unreadable
from app.core.sync.layout import Layout

SEGMENT_FORMAT = "parley-sync-segment"
#: a segment's text is never allowed to inflate beyond this (a forged or broken file)
MAX_SEGMENT_TEXT = 512 * 2**20


@dataclass(frozen=True)
class Op:
    """One change: the state of an entity (or its deletion) at a (timestamp, device) clock."""

    kind: str
    uid: str
    ts: int
    device: str
    data: dict[str, Any] | None

    def to_json(self) -> str:
        """The op as one line of JSON."""
        return self.to_bytes().decode("utf-8")

    def to_bytes(self) -> bytes:
        """The op as one line of JSON, UTF-8 (orjson: a first sync parses millions)."""
        return orjson.dumps(
            {"k": self.kind, "u": self.uid, "t": self.ts, "d": self.device, "v": self.data}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Op:
        """Parse one op line; ValueError when it is not one."""
        raw = orjson.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("an op is not a JSON object")
        kind, uid, ts, device, data = (raw.get(k) for k in ("k", "u", "t", "d", "v"))
        if not (isinstance(kind, str) and isinstance(uid, str) and isinstance(device, str)
                and isinstance(ts, int) and not isinstance(ts, bool)
                and (data is None or isinstance(data, dict))):
            raise ValueError("an op has fields of the wrong type")
        return cls(kind, uid, ts, device, data)


def _aad(device: str, seq: int) -> bytes:
    return f"segment:{device}:{seq}".encode()


def encode_segment(codec: Codec, device: str, seq: int, ops: list[Op], created: float) -> bytes:
    """The sealed bytes of segment `seq` of `device`."""
    header = json.dumps({"format": SEGMENT_FORMAT, "version": 1, "device": device, "seq": seq,
                         "ops": len(ops), "created": created})
    text = b"\n".join([header.encode(), *(op.to_bytes() for op in ops)])
    return codec.seal(zlib.compress(text, 6), _aad(device, seq))


def write_segment(
    layout: Layout, codec: Codec, device: str, seq: int, ops: list[Op], *, created: float
) -> bool:
    """Write segment `seq` once; False when a file of that number is already there."""
    data = encode_segment(codec, device, seq, ops, created)
    return write_file_atomically(layout.segment(device, seq), data, replace=False)


def decode_segment(codec: Codec, device: str, seq: int, blob: bytes) -> list[Op]:
    """The ops of a segment file's bytes; Unreadable when corrupt, forged or inconsistent."""
    packed = codec.open(blob, _aad(device, seq))
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_SEGMENT_TEXT)
        if inflater.unconsumed_tail or not inflater.eof:
            raise Unreadable("the segment is truncated or too large")
        lines = text.split(b"\n")
        header = json.loads(lines[0])
        if (not isinstance(header, dict) or header.get("format") != SEGMENT_FORMAT
                or header.get("device") != device or header.get("seq") != seq
                or header.get("ops") != len(lines) - 1):
            raise Unreadable("the segment header does not match its name")
        return [Op.from_json(line) for line in lines[1:]]
    except (zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise Unreadable(str(exc)) from exc


def read_segment(layout: Layout, codec: Codec, device: str, seq: int) -> list[Op]:
    """Read and check one segment; FileNotFoundError when it has not arrived."""
    return decode_segment(codec, device, seq, layout.segment(device, seq).read_bytes())


# ---------------------------------------------------------------- device manifests


def write_manifest(layout: Layout, codec: Codec, device: str, manifest: dict[str, Any]) -> None:
    """Replace this device's manifest (sealed: it names the computer)."""
    blob = codec.seal(json.dumps(manifest).encode(), f"manifest:{device}".encode())
    write_file_atomically(layout.manifest(device), blob)


def read_manifest(layout: Layout, codec: Codec, device: str) -> dict[str, Any] | None:
    """A device's manifest, or None when it is missing or cannot be read yet."""
    try:
        blob = layout.manifest(device).read_bytes()
        value = json.loads(codec.open(blob, f"manifest:{device}".encode()))
    except (OSError, Unreadable, ValueError):
        return None
    return value if isinstance(value, dict) else None
