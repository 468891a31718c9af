"""The content-addressed attachment store: stored once, read back exactly, collected safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.attachments import AttachmentFiles, sha256_hex
from app.core.errors import AttachmentError


def test_the_same_bytes_are_stored_once_and_read_back_exactly(tmp_path: Path) -> None:
    files = AttachmentFiles.in_data_dir(tmp_path)
    screenshot = bytes(range(256)) * 4096
    first = files.put(screenshot)
    assert files.put(screenshot) == first == sha256_hex(screenshot)
    assert files.read(first) == screenshot
    assert list(files.stored()) == [first]
    assert [p.name for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == [first]


def test_garbage_collection_keeps_what_is_referred_to(tmp_path: Path) -> None:
    files = AttachmentFiles(tmp_path / "a")
    kept, dropped = files.put(b"kept"), files.put(b"dropped")
    assert files.collect_garbage({kept}) == 1
    assert files.has(kept) and not files.has(dropped)


def test_a_missing_file_is_a_sentence(tmp_path: Path) -> None:
    files = AttachmentFiles(tmp_path / "a")
    with pytest.raises(AttachmentError, match="missing"):
        files.read(sha256_hex(b"never stored"))


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ab", "A" * 64, ""])
def test_only_hashes_name_files(tmp_path: Path, bad: str) -> None:
    # Hashes come from the database and from imports: they must never become paths.
    with pytest.raises(AttachmentError):
        AttachmentFiles(tmp_path).path(bad)
