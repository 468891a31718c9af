"""Images a model returns: parsed from the stream, checked, stored once, never fetched."""

from __future__ import annotations

import asyncio
import base64
import struct
from pathlib import Path
from typing import Any

import pytest

from app.core import errors
from app.core.attachments import MAX_FILE_BYTES, AttachmentFiles, sha256_hex
from app.core.chat import ReplyRun, begin_exchange, history_messages
from app.core.client import ChatClient
from app.core.domain import MessageStatus
from app.core.events import ChunkParser, ImagesDelta, Invalid, ReplyAccumulator, StreamEvent
from app.core.history import Store
from app.core.images import sniff_image
from tests.fake_openrouter import FakeOpenRouter, image_completion, image_stream, png_bytes

KEY = "sk-or-v1-" + "0" * 64


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def jpeg_bytes(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: SOI, an APP0 segment, then the frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def run_exchange(store: Store, base_url: str, *, payload_extra: dict[str, Any] | None = None
                 ) -> tuple[ReplyRun, BaseException | None]:
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Draw a cat", model="google/gemini-2.5-flash-image",
                        options=payload_extra)

    async def go() -> tuple[ReplyRun, BaseException | None]:
        client = ChatClient(base_url, KEY, timeout=10.0)
        run = ReplyRun(store, client, ex.reply, ex.payload)
        try:
            await run.run()
        except errors.ParleyError as exc:
            return run, exc
        finally:
            await client.aclose()
        return run, None

    return asyncio.run(go())


def parse(delta: dict[str, Any]) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    ChunkParser().parse({"choices": [{"delta": delta}]}, out)
    return out


# ---- header facts


def test_image_types_and_sizes_come_from_the_bytes() -> None:
    png = sniff_image(png_bytes(640, 480))
    assert png is not None and (png.mime, png.width, png.height) == ("image/png", 640, 480)
    jpeg = sniff_image(jpeg_bytes(1024, 768))
    assert jpeg is not None and (jpeg.mime, jpeg.width, jpeg.height) == ("image/jpeg", 1024, 768)
    gif = sniff_image(b"GIF89a" + struct.pack("<HH", 32, 16) + b"\x00" * 8)
    assert gif is not None and (gif.mime, gif.width, gif.height) == ("image/gif", 32, 16)
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (99).to_bytes(3, "little") + (
        49).to_bytes(3, "little")
    info = sniff_image(webp)
    assert info is not None and (info.mime, info.width, info.height) == ("image/webp", 100, 50)
    assert sniff_image(b"%PDF-1.7 not an image") is None


# ---- parsing


def test_a_streamed_data_url_image_becomes_an_event_with_its_facts() -> None:
    png = png_bytes(8, 6)
    events = parse({"images": [{"type": "image_url", "image_url": {"url": data_url(png)}}]})
    assert len(events) == 1 and isinstance(events[0], ImagesDelta)
    entry = events[0].entries[0]
    assert (entry["mime"], entry["size"], entry["width"], entry["height"]) == (
        "image/png", len(png), 8, 6)
    assert events[0].data == [png]


def test_the_bytes_decide_the_type_not_the_declared_one() -> None:
    events = parse({"images": [{"type": "image_url",
                                "image_url": {"url": data_url(jpeg_bytes(3, 2), "image/png")}}]})
    assert isinstance(events[0], ImagesDelta)
    assert events[0].entries[0]["mime"] == "image/jpeg"


@pytest.mark.parametrize(
    "entry",
    [
        "not an object",
        {"type": "image_url"},
        {"type": "image_url", "image_url": "data:image/png;base64,AAAA"},
        {"type": "image_url", "image_url": {"url": 42}},
        {"type": "audio_url", "image_url": {"url": "https://example.org/a.png"}},
        {"type": "text", "image_url": {"url": "https://example.org/a.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,***not base64***"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo"}},
        {"type": "image_url", "image_url": {"url": data_url(b"<svg onload=alert(1)>")}},
        {"type": "image_url", "image_url": {"url": "data:image/png,rawbytes"}},
        {"type": "image_url", "image_url": {"url": "javascript:alert(1)"}},
        {"type": "image_url", "image_url": {"url": "file:///etc/passwd"}},
        {"type": "image_url", "image_url": {"url": ""}},
    ],
)
def test_hostile_image_entries_are_skipped_and_counted(entry: Any) -> None:
    good = {"type": "image_url", "image_url": {"url": data_url(png_bytes())}}
    events = parse({"images": [entry, good]})
    assert sum(isinstance(e, Invalid) for e in events) == 1
    images = [e for e in events if isinstance(e, ImagesDelta)]
    assert len(images) == 1 and len(images[0].entries) == 1


def test_an_image_larger_than_the_limit_is_refused_without_decoding() -> None:
    huge = "data:image/png;base64," + "A" * (MAX_FILE_BYTES // 3 * 4 + 8)
    events = parse({"images": [{"type": "image_url", "image_url": {"url": huge}}]})
    assert [type(e) for e in events] == [Invalid]


def test_images_not_a_list_is_invalid_and_the_text_kept() -> None:
    events = parse({"content": "hi", "images": {"url": "x"}})
    acc = ReplyAccumulator()
    for event in events:
        acc.apply(event)
    assert acc.text == "hi" and acc.invalid_chunks == 1 and acc.images == []


def test_a_remote_image_is_kept_as_a_link() -> None:
    events = parse({"images": [{"type": "image_url",
                                "image_url": {"url": "https://cdn.example.org/cat.png"}}]})
    acc = ReplyAccumulator()
    for event in events:
        acc.apply(event)
    assert acc.images == [{"url": "https://cdn.example.org/cat.png"}]
    assert acc.extra()["images"] == [{"url": "https://cdn.example.org/cat.png"}]


def test_accumulated_images_have_data_urls_until_stored(tmp_path: Path) -> None:
    png = png_bytes(5, 5, seed=9)
    acc = ReplyAccumulator()
    for event in parse({"images": [{"type": "image_url", "image_url": {"url": data_url(png)}}]}):
        acc.apply(event)
    assert acc.images[0]["data_url"] == data_url(png)
    assert "images" not in acc.extra()  # never base64 in the database
    files = AttachmentFiles(tmp_path / "att")
    assert acc.store_images(files.put) is True
    assert acc.images == [{"sha256": sha256_hex(png), "mime": "image/png", "size": len(png),
                           "width": 5, "height": 5}]
    assert files.read(sha256_hex(png)) == png
    assert acc.store_images(files.put) is False


# ---- end to end through the real client


@pytest.mark.parametrize("split", [None, 1, 7, 333])
def test_streamed_images_are_stored_byte_for_byte(
    fake: FakeOpenRouter, store: Store, split: int | None
) -> None:
    first, second = png_bytes(64, 32, seed=1), jpeg_bytes(20, 10)
    fake.enqueue(image_stream([data_url(first), data_url(second, "image/jpeg")], split=split))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    msg = store.get_message(run.reply.id)
    assert msg is not None and msg.status is MessageStatus.COMPLETE
    assert msg.content == "Here is your picture."
    images = msg.extra["images"]
    assert [(i["mime"], i["width"], i["height"], i["size"]) for i in images] == [
        ("image/png", 64, 32, len(first)), ("image/jpeg", 20, 10, len(second))]
    files = AttachmentFiles.in_data_dir(store.path.parent)
    assert files.read(images[0]["sha256"]) == first
    assert files.read(images[1]["sha256"]) == second
    assert "invalid_chunks" not in msg.extra


def test_a_non_streamed_reply_keeps_its_images(fake: FakeOpenRouter, store: Store) -> None:
    png = png_bytes(3, 3)
    fake.enqueue(image_completion([data_url(png)]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    msg = store.get_message(run.reply.id)
    assert msg is not None and msg.extra["images"][0]["sha256"] == sha256_hex(png)


def test_a_remote_image_url_is_stored_and_never_fetched(
    fake: FakeOpenRouter, store: Store
) -> None:
    url = fake.base_url.replace("/api/v1", "") + "/generated/cat.png"
    fake.enqueue(image_stream([url]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    msg = store.get_message(run.reply.id)
    assert msg is not None and msg.extra["images"] == [{"url": url}]
    assert [r.path for r in fake.requests] == ["/api/v1/chat/completions"]


def test_hostile_images_in_a_stream_keep_the_reply_and_are_reported(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(image_stream(["data:image/png;base64,@@@@", data_url(b"MZ\x90\x00 exe"),
                               data_url(png_bytes())]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    msg = store.get_message(run.reply.id)
    assert msg is not None and msg.content == "Here is your picture."
    assert len(msg.extra["images"]) == 1
    assert msg.extra["invalid_chunks"] == 2
    # Nothing but the one real image reached the attachment store.
    assert list(AttachmentFiles.in_data_dir(store.path.parent).stored()) == [
        sha256_hex(png_bytes())]


def test_an_image_is_saved_as_soon_as_it_arrives(fake: FakeOpenRouter, store: Store) -> None:
    png = png_bytes(9, 9, seed=4)
    fake.enqueue(image_stream([data_url(png)], hold_after_images=30.0))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Draw", model="google/gemini-2.5-flash-image")
    seen: list[Any] = []

    async def go() -> None:
        client = ChatClient(fake.base_url, KEY, timeout=60.0)
        run = ReplyRun(store, client, ex.reply, ex.payload)
        task = asyncio.create_task(run.run())
        try:
            for _ in range(500):
                await asyncio.sleep(0.01)
                # Read what a crash right now would leave behind: a second connection.
                with Store.open(store.path) as other:
                    msg = other.get_message(ex.reply.id)
                    assert msg is not None
                    if msg.extra.get("images"):
                        seen.append(msg)
                        break
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await client.aclose()

    asyncio.run(go())
    assert seen, "the image was not saved while the reply was still streaming"
    msg = seen[0]
    assert msg.status is MessageStatus.STREAMING
    assert AttachmentFiles.in_data_dir(store.path.parent).read(
        msg.extra["images"][0]["sha256"]) == png


def test_generated_images_are_not_sent_back_to_the_model(
    fake: FakeOpenRouter, store: Store
) -> None:
    fake.enqueue(image_stream([data_url(png_bytes())]))
    run, exc = run_exchange(store, fake.base_url)
    assert exc is None
    sent = history_messages(store.get_thread(run.reply.conversation_id))
    assert sent[-1] == {"role": "assistant", "content": "Here is your picture."}


# ---- asking for images


def write_catalog(entries: list[dict[str, Any]], endpoint: str = "openrouter") -> None:
    from app.core.models_cache import ModelCatalog, save_catalog

    save_catalog(ModelCatalog(endpoint, 1.0, entries))


def test_image_models_on_openrouter_are_asked_for_images(store: Store) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request
    from tests.fake_openrouter import _BUILTIN_MODELS, image_model

    write_catalog([image_model("google/gemini-2.5-flash-image"), _BUILTIN_MODELS[0]])
    settings = Settings(default_model="google/gemini-2.5-flash-image")
    body = resolve_request(settings, store, None).payload([])
    assert body["modalities"] == ["image", "text"]
    assert "image_config" not in body
    # A text model is never asked for images, even when the user turned them on.
    conv = store.create_conversation("text", model="openai/gpt-4o-mini")
    store.set_options(conv.id, {"image_output": True, "image_aspect_ratio": "16:9"})
    body = resolve_request(settings, store, store.get_conversation(conv.id)).payload([])
    assert "modalities" not in body and "image_config" not in body


def test_aspect_ratio_and_turning_images_off(store: Store) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request
    from tests.fake_openrouter import image_model

    write_catalog([image_model("img/model")])
    settings = Settings(default_model="img/model")
    conv = store.create_conversation("c", model="img/model")
    store.set_options(conv.id, {"image_aspect_ratio": "16:9"})
    body = resolve_request(settings, store, store.get_conversation(conv.id)).payload([])
    assert body["modalities"] == ["image", "text"]
    assert body["image_config"] == {"aspect_ratio": "16:9"}
    store.set_options(conv.id, {"image_output": False, "image_aspect_ratio": "16:9"})
    body = resolve_request(settings, store, store.get_conversation(conv.id)).payload([])
    assert "modalities" not in body and "image_config" not in body


def test_images_are_never_asked_of_a_plain_openai_endpoint(store: Store) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request
    from tests.fake_openrouter import image_model

    write_catalog([image_model("img/model")], endpoint="local")
    settings = Settings(endpoints=[{"name": "local", "base_url": "http://127.0.0.1:1/v1",
                                    "kind": "openai"}], current_endpoint="local",
                        default_model="img/model")
    conv = store.create_conversation("c", model="img/model", endpoint="local")
    store.set_options(conv.id, {"image_output": True})
    body = resolve_request(settings, store, store.get_conversation(conv.id)).payload([])
    assert "modalities" not in body


def test_without_a_catalog_images_are_asked_for_only_when_chosen(store: Store) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request

    settings = Settings(default_model="unknown/model")
    assert "modalities" not in resolve_request(settings, store, None).payload([])
    conv = store.create_conversation("c", model="unknown/model")
    store.set_options(conv.id, {"image_output": True})
    body = resolve_request(settings, store, store.get_conversation(conv.id)).payload([])
    assert body["modalities"] == ["image", "text"]


def test_an_image_only_model_is_not_asked_for_text(store: Store) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request
    from tests.fake_openrouter import image_model

    entry = image_model("flux/model")
    entry["architecture"]["output_modalities"] = ["image"]
    write_catalog([entry])
    body = resolve_request(Settings(default_model="flux/model"), store, None).payload([])
    assert body["modalities"] == ["image"]


def test_image_options_are_validated_and_kept() -> None:
    from app.core.options import ConversationOptions

    opts = ConversationOptions.from_dict({"image_output": "yes", "image_aspect_ratio": "7:3"})
    problems = " ".join(opts.validate())
    assert "Image output must be on, off or automatic." in problems
    assert "Image aspect ratio must be one of" in problems and "'7:3'" in problems
    off = ConversationOptions(image_output=False, image_aspect_ratio="4:3")
    assert ConversationOptions.from_dict(off.to_dict()) == off
    assert ConversationOptions().to_dict() == {}


def test_the_request_sent_to_an_image_model_asks_for_images(
    fake: FakeOpenRouter, store: Store
) -> None:
    from app.core.config import Settings
    from app.core.requests import resolve_request
    from tests.fake_openrouter import image_model

    write_catalog([image_model("google/gemini-2.5-flash-image")])
    conv = store.create_conversation("c", model="google/gemini-2.5-flash-image")
    store.set_options(conv.id, {"image_aspect_ratio": "1:1"})
    request = resolve_request(Settings(), store, store.get_conversation(conv.id))
    ex = begin_exchange(store, conv.id, "Draw", request=request)
    fake.enqueue(image_stream([data_url(png_bytes())]))

    async def go() -> None:
        client = ChatClient(fake.base_url, KEY, timeout=10.0)
        try:
            await ReplyRun(store, client, ex.reply, ex.payload).run()
        finally:
            await client.aclose()

    asyncio.run(go())
    sent = fake.requests[-1].json()
    assert sent["modalities"] == ["image", "text"]
    assert sent["image_config"] == {"aspect_ratio": "1:1"}


# ---- parley ask --images-dir


def test_cli_writes_generated_images_into_the_folder(
    fake: FakeOpenRouter, isolated_home: Path, tmp_path: Path
) -> None:
    from tests.test_cli import parley

    first, second = png_bytes(16, 16, seed=3), jpeg_bytes(4, 2)
    fake.enqueue(image_stream([data_url(first), data_url(second, "image/jpeg")]))
    out_dir = tmp_path / "pictures" / "new"
    res = parley("ask", "-m", "google/gemini-2.5-flash-image", "--images-dir", str(out_dir),
                 "Draw a cat", env=cli_env(fake, isolated_home))
    assert res.returncode == 0, res.stderr
    assert res.stdout == "Here is your picture.\n"
    written = sorted(out_dir.iterdir())
    assert [p.suffix for p in written] == [".png", ".jpg"]
    assert written[0].read_bytes() == first and written[1].read_bytes() == second
    for path in written:
        assert f"image saved: {path}" in res.stderr
    # A second run never overwrites the files already there.
    fake.enqueue(image_stream([data_url(first)]))
    res = parley("ask", "-c", "1", "--images-dir", str(out_dir), "Again",
                 env=cli_env(fake, isolated_home))
    assert res.returncode == 0, res.stderr
    assert len(list(out_dir.iterdir())) == 3


def test_cli_without_a_folder_says_where_the_images_are(
    fake: FakeOpenRouter, isolated_home: Path
) -> None:
    from tests.test_cli import parley

    url = fake.base_url.replace("/api/v1", "") + "/remote/cat.png"
    fake.enqueue(image_stream([data_url(png_bytes()), data_url(png_bytes(2, 2)), url]))
    res = parley("ask", "Draw two cats", env=cli_env(fake, isolated_home))
    assert res.returncode == 0, res.stderr
    assert "2 generated images were kept in conversation 1." in res.stderr
    assert "parley export 1" in res.stderr
    assert f"not downloaded: {url}" in res.stderr
    assert [r.path for r in fake.requests] == ["/api/v1/chat/completions"]


def test_cli_refuses_an_images_folder_it_cannot_create(
    fake: FakeOpenRouter, isolated_home: Path, tmp_path: Path
) -> None:
    from tests.test_cli import parley

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = parley("ask", "--images-dir", str(blocker / "sub"), "Draw",
                 env=cli_env(fake, isolated_home))
    assert res.returncode == 2
    assert f"cannot use {blocker / 'sub'} for images" in res.stderr
    assert fake.requests == []


def cli_env(fake: FakeOpenRouter, home: Path) -> dict[str, str]:
    import os

    e = dict(os.environ)
    e["PARLEY_HOME"] = str(home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


# ---- export and import


def store_reply_with_images(store: Store, images: list[bytes], remote: str | None = None
                            ) -> int:
    from app.core.domain import Role

    files = AttachmentFiles.in_data_dir(store.path.parent)
    conv = store.create_conversation("pictures")
    store.add_message(conv.id, Role.USER, "Draw")
    entries: list[dict[str, Any]] = []
    for data in images:
        info = sniff_image(data)
        assert info is not None
        entries.append({"sha256": files.put(data), "mime": info.mime, "size": len(data),
                        "width": info.width, "height": info.height})
    if remote:
        entries.append({"url": remote})
    reply = store.add_message(conv.id, Role.ASSISTANT, "Here you are.")
    store.update_message(reply.id, extra={"images": entries})
    return conv.id


def test_export_embeds_images_and_import_restores_them_into_an_empty_folder(
    tmp_path: Path
) -> None:
    import json

    from app.core.history.export import export_json
    from app.core.history.importers import import_data

    png, jpeg = png_bytes(32, 16, seed=7), jpeg_bytes(8, 8)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with Store.open(tmp_path / "a" / "history.sqlite3") as first:
        store_reply_with_images(first, [png, jpeg], remote="https://cdn.example.org/x.png")
        exported = export_json(first)
    doc = json.loads(exported)
    images = doc["conversations"][0]["messages"][1]["extra"]["images"]
    assert images[0]["data_url"] == data_url(png)
    assert images[1]["data_url"] == data_url(jpeg, "image/jpeg")
    assert images[2] == {"url": "https://cdn.example.org/x.png"}

    with Store.open(tmp_path / "b" / "history.sqlite3") as second:
        report = import_data(second, doc)
        assert report.conversations_added == 1
        msg = second.get_thread(second.list_conversations()[0].id)[-1]
        restored = msg.extra["images"]
        assert [i.get("sha256") for i in restored[:2]] == [sha256_hex(png), sha256_hex(jpeg)]
        assert "data_url" not in restored[0]
        assert restored[2] == {"url": "https://cdn.example.org/x.png"}
        files = AttachmentFiles.in_data_dir(tmp_path / "b")
        assert files.read(sha256_hex(png)) == png and files.read(sha256_hex(jpeg)) == jpeg
        # Importing again adds nothing and stores nothing twice.
        import_data(second, doc)
        assert sorted(files.stored()) == sorted([sha256_hex(png), sha256_hex(jpeg)])
        again = json.loads(export_json(second))
    strip = ("exported_at",)
    for key in strip:
        doc.pop(key), again.pop(key)
    assert (again["conversations"][0]["messages"][1]["extra"]
            == doc["conversations"][0]["messages"][1]["extra"])


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"data_url": "data:image/png;base64,!!!"}, "the embedded image cannot be used"),
        ({"data_url": data_url(b"just text")}, "not a PNG, JPEG, WebP or GIF image"),
        ({"sha256": "../../etc/passwd", "mime": "image/png"}, "not the hash of an image"),
        ({"url": "javascript:alert(1)"}, "neither an embedded image"),
        ("a string", "expected an object"),
    ],
)
def test_hostile_images_in_an_import_refuse_the_file(
    store: Store, tmp_path: Path, entry: Any, problem: str
) -> None:
    import json

    from app.core.errors import ImportFileError
    from app.core.history.export import export_json
    from app.core.history.importers import import_data

    with Store.open(tmp_path / "src.sqlite3") as src:
        store_reply_with_images(src, [png_bytes()])
        doc = json.loads(export_json(src))
    doc["conversations"][0]["messages"][1]["extra"]["images"] = [entry]
    with pytest.raises(ImportFileError) as err:
        import_data(store, doc)
    assert problem in str(err.value)
    assert store.list_conversations() == []


def test_markdown_export_names_the_images(store: Store) -> None:
    from app.core.history.export import to_markdown

    store_reply_with_images(store, [png_bytes(512, 512)], remote="https://cdn.example.org/y.png")
    text = to_markdown(store.export_conversations(None))
    assert "Here you are.\n" in text
    assert "[image 1: png, 512×512]" in text
    assert "[image 2: https://cdn.example.org/y.png]" in text


def test_an_image_that_cannot_be_stored_keeps_the_reply_and_says_why(
    fake: FakeOpenRouter, store: Store
) -> None:
    class FullDisk(AttachmentFiles):
        def put(self, data: bytes) -> str:
            raise errors.AttachmentError("Could not store the attachment: no space left.")

    fake.enqueue(image_stream([data_url(png_bytes()), data_url(png_bytes(2, 2))]))
    conv = store.create_conversation("t")
    ex = begin_exchange(store, conv.id, "Draw", model="google/gemini-2.5-flash-image")

    async def go() -> ReplyRun:
        client = ChatClient(fake.base_url, KEY, timeout=10.0)
        run = ReplyRun(store, client, ex.reply, ex.payload, files=FullDisk(store.path.parent))
        try:
            await run.run()
        finally:
            await client.aclose()
        return run

    run = asyncio.run(go())
    msg = store.get_message(run.reply.id)
    assert msg is not None and msg.status is MessageStatus.COMPLETE
    assert msg.content == "Here is your picture." and "images" not in msg.extra
    assert run.image_error is not None and "no space left" in str(run.image_error)


def test_an_image_received_mid_stream_survives_kill_9(
    fake: FakeOpenRouter, isolated_home: Path
) -> None:
    import json
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    png = png_bytes(12, 12, seed=5)
    fake.enqueue(image_stream([data_url(png)], hold_after_images=60.0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "Draw"], env=cli_env(fake, isolated_home),
        cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        extra: dict[str, Any] = {}
        for _ in range(1000):
            if (isolated_home / "history.sqlite3").exists():
                con = sqlite3.connect(isolated_home / "history.sqlite3")
                try:
                    row = con.execute(
                        "SELECT extra FROM messages WHERE role = 'assistant'").fetchone()
                except sqlite3.OperationalError:
                    row = None
                finally:
                    con.close()
                if row is not None and "images" in json.loads(row[0]):
                    extra = json.loads(row[0])
                    break
            time.sleep(0.02)
        assert extra, "the image was never saved while the reply streamed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    with Store.open(isolated_home / "history.sqlite3") as reopened:
        reply = next(m for m in reopened.get_messages(1) if m.role.value == "assistant")
        sha = reply.extra["images"][0]["sha256"]
        assert AttachmentFiles.in_data_dir(isolated_home).read(sha) == png
