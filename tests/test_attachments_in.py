"""Files sent with a prompt: ingest by content, storage, the request's content parts."""

from __future__ import annotations

import base64
import io
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.core.attachments import (
    MAX_FILE_BYTES,
    AttachmentFiles,
    capability_warnings,
    ingest_bytes,
    ingest_file,
)
from app.core.chat import begin_exchange
from app.core.domain import Attachment, AttachmentKind, MessageStatus, Role
from app.core.errors import AttachmentError
from app.core.history import Store
from app.core.options import ConversationOptions
from tests import attachment_samples as samples


@pytest.fixture
def files(tmp_path: Path) -> AttachmentFiles:
    return AttachmentFiles(tmp_path / "attachments")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store.open(tmp_path / "history.sqlite3")
    yield s
    s.close()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- ingest


@pytest.mark.parametrize(("name", "make", "kind", "mime"), [
    ("shot.png", samples.png, AttachmentKind.IMAGE, "image/png"),
    ("photo.jpg", samples.jpeg, AttachmentKind.IMAGE, "image/jpeg"),
    ("pic.webp", samples.webp, AttachmentKind.IMAGE, "image/webp"),
    ("anim.gif", samples.gif, AttachmentKind.IMAGE, "image/gif"),
    ("paper.pdf", samples.pdf, AttachmentKind.PDF, "application/pdf"),
    ("voice.wav", samples.wav, AttachmentKind.AUDIO, "audio/wav"),
    ("song.mp3", samples.mp3, AttachmentKind.AUDIO, "audio/mpeg"),
    ("main.rs", "fn main() { println!(\"é\"); }\n".encode, AttachmentKind.TEXT,
     "text/plain"),
    # Classified by content: a screenshot without an extension is still an image.
    ("screenshot", samples.png, AttachmentKind.IMAGE, "image/png"),
])
def test_files_are_classified_by_content(
    tmp_path: Path, files: AttachmentFiles, name: str, make: Any, kind: AttachmentKind,
    mime: str,
) -> None:
    data = make()
    attachment = ingest_file(_write(tmp_path, name, data), files)
    assert (attachment.kind, attachment.mime, attachment.name) == (kind, mime, name)
    assert attachment.size == len(data)
    assert files.read(attachment.sha256) == data
    if kind is AttachmentKind.PDF:
        assert attachment.pages == 1


def test_same_file_twice_is_stored_once(tmp_path: Path, files: AttachmentFiles) -> None:
    a = ingest_file(_write(tmp_path, "a.png", samples.png()), files)
    b = ingest_file(_write(tmp_path, "b.png", samples.png()), files)
    assert a.sha256 == b.sha256
    assert list(files.stored()) == [a.sha256]


def test_large_photo_is_sent_downscaled_and_the_original_kept(
    files: AttachmentFiles,
) -> None:
    original = samples.jpeg(3000, 2000)
    attachment = ingest_bytes(original, "photo.jpg", files, max_side=1024)
    assert (attachment.width, attachment.height) == (3000, 2000)
    assert files.read(attachment.sha256) == original
    assert attachment.sent_sha256 is not None
    with Image.open(io.BytesIO(files.read(attachment.sent_sha256))) as sent:
        assert sent.format == "JPEG"
        assert sent.size == (1024, 683)


def test_large_transparent_image_is_downscaled_as_png(files: AttachmentFiles) -> None:
    attachment = ingest_bytes(samples.png(3000, 1000, alpha=True), "logo.png", files,
                              max_side=1500)
    assert attachment.sent_sha256 is not None
    with Image.open(io.BytesIO(files.read(attachment.sent_sha256))) as sent:
        assert sent.format == "PNG"
        assert sent.mode == "RGBA"
        assert sent.size == (1500, 500)


def test_small_image_is_sent_as_it_is(files: AttachmentFiles) -> None:
    assert ingest_bytes(samples.png(), "small.png", files).sent_sha256 is None


@pytest.mark.parametrize(("name", "data", "words"), [
    ("holiday.png", b"this is not a picture at all", "its name says it is an image"),
    ("report.pdf", samples.png(), "its name says it is a PDF"),
    ("tool.bin", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "does not know this kind"),
    ("latin1.txt", "caf\u00e9".encode("latin-1") + b"\x00", "does not know this kind"),
    ("empty.txt", b"", "empty"),
    ("cut.png", samples.png(64, 64)[:60], "cannot be read"),
    ("broken.pdf", b"%PDF-1.4\nnothing useful here\n", "cannot be read"),
])
def test_unusable_files_are_refused_with_a_sentence_naming_them(
    tmp_path: Path, files: AttachmentFiles, name: str, data: bytes, words: str
) -> None:
    with pytest.raises(AttachmentError) as info:
        ingest_file(_write(tmp_path, name, data), files)
    assert name in str(info.value)
    assert words in str(info.value)
    assert list(files.stored()) == []


def test_image_whose_header_claims_too_many_pixels_is_refused_before_decoding(
    files: AttachmentFiles,
) -> None:
    # 30 000 × 30 000 RGB would need 2.7 GB decoded; the file is a few dozen bytes.
    with pytest.raises(AttachmentError, match=r"bomb\.png"):
        ingest_bytes(samples.png_header_only(30_000, 30_000), "bomb.png", files)
    with pytest.raises(AttachmentError, match="9,500 × 9,500"):
        ingest_bytes(samples.png_header_only(9_500, 9_500), "big.png", files)


def test_pdf_claiming_ten_thousand_pages_is_refused(files: AttachmentFiles) -> None:
    with pytest.raises(AttachmentError, match="claims 10,000 pages"):
        ingest_bytes(samples.pdf(pages_claimed=10_000), "forged.pdf", files)


def test_too_large_file_is_refused_from_its_size_without_reading_it(
    tmp_path: Path, files: AttachmentFiles
) -> None:
    big = tmp_path / "huge.wav"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: nothing to read, only the size counts
    with pytest.raises(AttachmentError, match=r"huge\.wav.*64\.0 MB"):
        ingest_file(big, files)
    assert MAX_FILE_BYTES < 64 * 1024 * 1024


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_and_symlink_to_a_device_are_refused_without_blocking(
    tmp_path: Path, files: AttachmentFiles
) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(AttachmentError, match=r"pipe\.txt: it is a named pipe"):
        ingest_file(fifo, files)
    link = tmp_path / "zeros.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(AttachmentError, match=r"zeros\.png: it is a device"):
        ingest_file(link, files)


def test_missing_file_is_a_sentence(tmp_path: Path, files: AttachmentFiles) -> None:
    with pytest.raises(AttachmentError, match=r"Cannot attach gone\.png"):
        ingest_file(tmp_path / "gone.png", files)


def test_capability_warnings_name_the_model_and_the_kind() -> None:
    image = Attachment("a" * 64, "cat.png", "image/png", 10, AttachmentKind.IMAGE)
    voice = Attachment("b" * 64, "memo.wav", "audio/wav", 10, AttachmentKind.AUDIO)
    notes = Attachment("c" * 64, "notes.md", "text/plain", 10, AttachmentKind.TEXT)
    warnings = capability_warnings([image, voice, notes, image], ["text"], "x/text-only")
    assert len(warnings) == 2
    assert "x/text-only does not read images" in warnings[0]
    assert "cat.png" in warnings[0]
    assert "audio" in warnings[1]
    assert capability_warnings([image], ["text", "image"], "x/vision") == []
    assert capability_warnings([image], None, "x/unknown") == []


# ---------------------------------------------------------------- storage


def _stored(store: Store, files: AttachmentFiles) -> tuple[int, list[Attachment]]:
    conv = store.create_conversation("files")
    photo = ingest_bytes(samples.jpeg(3000, 2000), "photo.jpg", files, max_side=512)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    return conv.id, [photo, paper]


def test_attachments_are_stored_with_the_prompt_and_come_back_in_order(
    store: Store, files: AttachmentFiles
) -> None:
    conv_id, attached = _stored(store, files)
    store.add_message(conv_id, Role.USER, "look", attachments=attached)
    store.add_message(conv_id, Role.ASSISTANT, "I see")
    thread = store.get_thread(conv_id)
    assert thread[0].attachments == attached
    assert thread[1].attachments == []
    assert store.get_messages(conv_id)[0].attachments == attached
    assert store.get_message(thread[0].id).attachments == attached  # type: ignore[union-attr]
    assert store.schema_version == 5


def test_an_edited_prompt_keeps_its_files(store: Store, files: AttachmentFiles) -> None:
    conv_id, attached = _stored(store, files)
    first = store.add_message(conv_id, Role.USER, "look", attachments=attached)
    edited = store.edit_message(first.id, "look closer")
    assert store.get_thread(conv_id)[-1].id == edited.id
    assert store.get_thread(conv_id)[-1].attachments == attached


def test_garbage_collection_keeps_what_messages_refer_to(
    store: Store, files: AttachmentFiles
) -> None:
    conv_id, attached = _stored(store, files)
    store.add_message(conv_id, Role.USER, "look", attachments=attached[:1])
    generated = files.put(samples.png(3, 3))
    reply = store.add_message(conv_id, Role.ASSISTANT, "here")
    store.update_message(reply.id, extra={"images": [
        {"sha256": generated, "mime": "image/png", "size": 1, "width": 3, "height": 3},
        {"url": "https://example.org/remote.png"},
    ]})
    photo = attached[0]
    assert store.referenced_attachment_hashes() == {photo.sha256, photo.sent_sha256, generated}
    # The PDF was ingested but never sent: it goes, but only once it is old enough
    # (it might still be in a composer, about to be sent).
    assert store.collect_attachment_garbage(files) == 0
    assert store.collect_attachment_garbage(files, older_than_seconds=0) == 1
    assert not files.has(attached[1].sha256)
    assert files.has(photo.sha256) and files.has(generated)
    assert files.has(photo.sent_sha256)  # type: ignore[arg-type]


def test_deleting_a_conversation_frees_its_files_for_collection(
    store: Store, files: AttachmentFiles
) -> None:
    conv_id, attached = _stored(store, files)
    store.add_message(conv_id, Role.USER, "look", attachments=attached)
    store.trash_conversation(conv_id)
    assert store.collect_attachment_garbage(files, older_than_seconds=0) == 0  # Undo window
    store.purge_trashed()
    assert store.referenced_attachment_hashes() == set()
    assert store.collect_attachment_garbage(files, older_than_seconds=0) == 3
    con = sqlite3.connect(store.path)
    assert con.execute("SELECT count(*) FROM message_attachments").fetchone()[0] == 0
    con.close()


def test_version_4_database_is_upgraded_with_its_messages_intact(tmp_path: Path) -> None:
    from app.core.history.migrations import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    with Store.open(path, migrations=MIGRATIONS[:4]) as old:
        conv = old.create_conversation("old")
        old.add_message(conv.id, Role.USER, "from before attachments")
    with Store.open(path) as new:
        assert new.schema_version == 5
        (msg,) = new.get_thread(conv.id)
        assert (msg.content, msg.attachments) == ("from before attachments", [])


# ---------------------------------------------------------------- the request


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_prompt_with_every_kind_becomes_content_parts(
    tmp_path: Path, store: Store
) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    photo = ingest_bytes(samples.jpeg(3000, 2000), "photo.jpg", files, max_side=512)
    icon = ingest_bytes(samples.png(), "icon.png", files)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    code = ingest_bytes(b"print('```')\n", "tool.py", files)
    voice = ingest_bytes(samples.wav(), "memo.wav", files)
    song = ingest_bytes(samples.mp3(), "song.mp3", files)
    conv = store.create_conversation("all kinds")
    opts = ConversationOptions(pdf_engine="mistral-ocr")
    ex = begin_exchange(store, conv.id, "What is in these?", model="x/model",
                        conversation_options=opts,
                        attachments=[photo, icon, paper, code, voice, song])
    (user,) = ex.payload["messages"]
    assert user["role"] == "user"
    sent = files.read(photo.sent_sha256)  # type: ignore[arg-type]
    assert user["content"] == [
        {"type": "text", "text": "What is in these?"},
        {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{_b64(sent)}"}},
        {"type": "image_url",
         "image_url": {"url": f"data:image/png;base64,{_b64(samples.png())}"}},
        {"type": "file", "file": {
            "filename": "paper.pdf",
            "file_data": f"data:application/pdf;base64,{_b64(samples.pdf())}"}},
        # A longer fence than the file's own, so the file cannot end the block.
        {"type": "text", "text": "tool.py:\n````\nprint('```')\n\n````"},
        {"type": "input_audio", "input_audio": {"data": _b64(samples.wav()), "format": "wav"}},
        {"type": "input_audio", "input_audio": {"data": _b64(samples.mp3()), "format": "mp3"}},
    ]
    assert ex.payload["plugins"] == [{"id": "file-parser", "pdf": {"engine": "mistral-ocr"}}]
    assert ex.user_message.attachments == [photo, icon, paper, code, voice, song]


def test_earlier_attachments_are_sent_again_and_pdf_plugin_defaults_to_pdf_text(
    store: Store,
) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    conv = store.create_conversation("follow-up")
    first = begin_exchange(store, conv.id, "Summarise", model="x/model", attachments=[paper])
    store.update_message(first.reply.id, content="A summary.", status=MessageStatus.COMPLETE)
    second = begin_exchange(store, conv.id, "And page 1?", model="x/model")
    messages = second.payload["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"][1]["file"]["filename"] == "paper.pdf"
    assert messages[2] == {"role": "user", "content": "And page 1?"}
    assert second.payload["plugins"] == [{"id": "file-parser", "pdf": {"engine": "pdf-text"}}]


def test_no_file_parser_plugin_for_openai_compatible_endpoints(store: Store) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    conv = store.create_conversation("local")
    ex = begin_exchange(store, conv.id, "Read", model="local", endpoint_kind="openai",
                        attachments=[paper])
    assert "plugins" not in ex.payload


def test_web_search_and_pdf_plugins_go_together(store: Store) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    opts = ConversationOptions()
    opts.web_search.enabled = True
    conv = store.create_conversation("web")
    ex = begin_exchange(store, conv.id, "Check", model="x/model", conversation_options=opts,
                        attachments=[paper])
    assert [p["id"] for p in ex.payload["plugins"]] == ["web", "file-parser"]


def test_prompt_caching_marks_the_text_of_a_prompt_with_attachments(store: Store) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    notes = ingest_bytes(("long line of notes\n" * 400).encode(), "notes.txt", files)
    conv = store.create_conversation("cache")
    ex = begin_exchange(store, conv.id, "Summarise", model="anthropic/claude-sonnet-4",
                        conversation_options=ConversationOptions(prompt_caching=True),
                        attachments=[notes])
    parts = ex.payload["messages"][-1]["content"]
    assert "cache_control" not in parts[0]
    assert parts[1]["cache_control"] == {"type": "ephemeral"}
    assert parts[1]["text"].startswith("notes.txt:\n```\nlong line")


def test_message_over_the_total_limit_stores_and_sends_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import attachments as attachments_module

    files = AttachmentFiles.in_data_dir(store.path.parent)
    one = ingest_bytes(b"a" * 600, "a.txt", files)
    two = ingest_bytes(b"b" * 600, "b.txt", files)
    monkeypatch.setattr(attachments_module, "MAX_MESSAGE_BYTES", 1000)
    conv = store.create_conversation("too much")
    with pytest.raises(AttachmentError, match="add up to"):
        begin_exchange(store, conv.id, "Read both", model="x/model", attachments=[one, two])
    assert store.get_messages(conv.id) == []


def test_missing_attachment_bytes_store_and_send_nothing(store: Store) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    gone = ingest_bytes(samples.png(), "gone.png", files)
    files.path(gone.sha256).unlink()
    conv = store.create_conversation("missing")
    with pytest.raises(AttachmentError, match="missing"):
        begin_exchange(store, conv.id, "Look", model="x/model", attachments=[gone])
    assert store.get_messages(conv.id) == []


def test_collected_file_is_written_fresh_when_attached_again(
    files: AttachmentFiles,
) -> None:
    digest = files.put(b"hello")
    old = time.time() - 7 * 86_400
    os.utime(files.path(digest), (old, old))
    files.put(b"hello")  # attached again: must not be collected as a week-old leftover
    assert files.collect_garbage(set(), older_than_seconds=86_400) == 0


# ---------------------------------------------------------------- export and import


def _conversation_with_files(home: Path) -> tuple[Store, int]:
    store = Store.open(home / "history.sqlite3")
    files = AttachmentFiles.in_data_dir(home)
    photo = ingest_bytes(samples.jpeg(3000, 2000), "photo.jpg", files, max_side=512)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    conv = store.create_conversation("with files")
    store.add_message(conv.id, Role.USER, "Compare these", attachments=[photo, paper])
    store.add_message(conv.id, Role.ASSISTANT, "They differ.")
    return store, conv.id


def test_export_import_export_round_trip_keeps_every_attachment_byte(tmp_path: Path) -> None:
    import json

    from app.core.history.export import export_json
    from app.core.history.importers import import_data

    first_home, second_home = tmp_path / "one", tmp_path / "two"
    store, _ = _conversation_with_files(first_home)
    exported = export_json(store)
    store.close()
    doc = json.loads(exported)
    (prompt, reply) = doc["conversations"][0]["messages"]
    assert [a["name"] for a in prompt["attachments"]] == ["photo.jpg", "paper.pdf"]
    assert prompt["attachments"][1]["data_url"] == (
        f"data:application/pdf;base64,{_b64(samples.pdf())}")
    assert "attachments" not in reply

    with Store.open(second_home / "history.sqlite3") as fresh:
        report = import_data(fresh, doc)
        assert report.messages_added == 2
        again = json.loads(export_json(fresh))
        (imported,) = fresh.list_conversations()
        (user, _) = fresh.get_thread(imported.id)
        files = AttachmentFiles.in_data_dir(second_home)
        assert files.read(user.attachments[1].sha256) == samples.pdf()
        # The downscaled copy came along: nothing is re-encoded on import.
        assert user.attachments[0].sent_sha256 is not None
        assert files.has(user.attachments[0].sent_sha256)
        # Importing the same file again adds nothing and stores nothing twice.
        stored_before = sorted(files.stored())
        assert import_data(fresh, doc).messages_added == 0
        assert sorted(files.stored()) == stored_before
    assert again["conversations"][0]["messages"][0]["attachments"] == prompt["attachments"]


def test_import_refuses_attachment_data_that_does_not_match_its_hash(tmp_path: Path) -> None:
    import json

    from app.core.errors import ImportFileError
    from app.core.history.export import export_json
    from app.core.history.importers import import_data

    store, _ = _conversation_with_files(tmp_path / "one")
    doc = json.loads(export_json(store))
    store.close()
    doc["conversations"][0]["messages"][0]["attachments"][1]["data_url"] = (
        f"data:application/pdf;base64,{_b64(b'%PDF-1.4 something else')}")
    with Store.open(tmp_path / "two" / "history.sqlite3") as fresh:
        with pytest.raises(ImportFileError, match="does not match its hash"):
            import_data(fresh, doc)
        assert fresh.list_conversations() == []


def test_markdown_export_names_the_attachments(tmp_path: Path) -> None:
    from app.core.history.export import to_markdown

    store, conv_id = _conversation_with_files(tmp_path)
    markdown = to_markdown(store.export_conversations([conv_id]))
    store.close()
    assert "`photo.jpg` (image, 3000×2000," in markdown
    assert "`paper.pdf` (PDF, 1 page," in markdown


# ---------------------------------------------------------------- backups and restore


def test_backup_carries_the_attachments_and_restore_puts_them_back(tmp_path: Path) -> None:
    import shutil

    from app.core.history.backups import backup_database, restore_database

    home = tmp_path / "home"
    store, conv_id = _conversation_with_files(home)
    backup = backup_database(store)
    store.close()
    files = AttachmentFiles.in_data_dir(home)
    kept = sorted(files.stored())
    assert len(kept) == 3  # photo, its downscaled copy, the PDF
    assert sorted(AttachmentFiles(backup.parent / "attachments").stored()) == kept
    # The data folder loses its attachments (a new disk, a cleanup gone wrong)...
    shutil.rmtree(files.root)
    restore_database(backup, home)
    # ...and the restored history has every file again.
    assert sorted(files.stored()) == kept
    with Store.open(home / "history.sqlite3") as restored:
        (user, _) = restored.get_thread(conv_id)
        assert files.read(user.attachments[1].sha256) == samples.pdf()


def test_pre_upgrade_backup_carries_generated_images(tmp_path: Path) -> None:
    from app.core.history.migrations import MIGRATIONS

    path = tmp_path / "history.sqlite3"
    files = AttachmentFiles.in_data_dir(tmp_path)
    image = files.put(samples.png())
    with Store.open(path, migrations=MIGRATIONS[:4]) as old:
        conv = old.create_conversation("old")
        reply = old.add_message(conv.id, Role.ASSISTANT, "drawn")
        old.update_message(reply.id, extra={"images": [{"sha256": image}]})
    Store.open(path).close()
    copies = AttachmentFiles(tmp_path / "backups" / "attachments")
    assert list(copies.stored()) == [image]


def test_file_names_are_searchable(store: Store, files: AttachmentFiles) -> None:
    from app.core.history.search import mark_brackets, search

    files = AttachmentFiles.in_data_dir(store.path.parent)
    invoice = ingest_bytes(samples.pdf(), "Invoice_März-2026.pdf", files)
    conv = store.create_conversation("paperwork")
    prompt = store.add_message(conv.id, Role.USER, "Is this right?", attachments=[invoice])
    (hit,) = search(store, "marz invoice")
    assert (hit.conversation_id, hit.message_id, hit.role) == (conv.id, prompt.id, "user")
    assert mark_brackets(hit.snippet) == "📎 [Invoice]_[März]-2026.pdf"
    store.trash_conversation(conv.id)
    assert search(store, "invoice") == []
    store.restore_conversation(conv.id)
    store.delete_conversation(conv.id)
    assert search(store, "invoice") == []


def test_openrouter_parse_of_a_pdf_is_sent_back_so_it_is_not_parsed_again(
    store: Store,
) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    paper = ingest_bytes(samples.pdf(), "paper.pdf", files)
    conv = store.create_conversation("pdf")
    first = begin_exchange(store, conv.id, "Summarise", model="x/model", attachments=[paper])
    parsed = {"type": "file", "file": {"hash": "ab" * 32, "name": "paper.pdf",
                                       "content": [{"type": "text", "text": "# Title"}]}}
    citation = {"type": "url_citation", "url_citation": {"url": "https://example.org"}}
    store.update_message(first.reply.id, content="A title.", status=MessageStatus.COMPLETE,
                         extra={"annotations": [parsed, citation]})
    second = begin_exchange(store, conv.id, "More?", model="x/model")
    assert second.payload["messages"][1] == {
        "role": "assistant", "content": "A title.", "annotations": [parsed]}


def test_emptying_the_trash_removes_old_unreferenced_files_only(
    store: Store,
) -> None:
    files = AttachmentFiles.in_data_dir(store.path.parent)
    kept = ingest_bytes(samples.png(), "kept.png", files)
    conv = store.create_conversation("kept")
    store.add_message(conv.id, Role.USER, "keep", attachments=[kept])
    doomed = store.create_conversation("doomed")
    gone = ingest_bytes(samples.pdf(), "gone.pdf", files)
    store.add_message(doomed.id, Role.USER, "bye", attachments=[gone])
    pending = ingest_bytes(b"not sent yet", "draft.txt", files)
    week_ago = time.time() - 7 * 86_400
    for digest in (kept.sha256, gone.sha256):
        os.utime(files.path(digest), (week_ago, week_ago))
    store.trash_conversation(doomed.id)
    store.purge_trashed()
    assert files.has(kept.sha256)
    assert not files.has(gone.sha256)
    assert files.has(pending.sha256)  # attached in a composer a moment ago


def test_downscaled_copy_of_a_rotated_phone_photo_is_upright(files: AttachmentFiles) -> None:
    # Phones store portrait photos landscape with an EXIF "rotate 90°" tag; the copy
    # carries no EXIF, so the rotation must be applied to its pixels.
    img = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    attachment = ingest_bytes(out.getvalue(), "portrait.jpg", files, max_side=1000)
    with Image.open(io.BytesIO(files.read(attachment.sent_sha256))) as sent:  # type: ignore[arg-type]
        assert sent.size == (667, 1000)
