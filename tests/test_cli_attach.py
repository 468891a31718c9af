"""`parley ask -a FILE`: real subprocesses, the fake server, a real data folder."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest

from tests import attachment_samples as samples
from tests.fake_openrouter import FakeOpenRouter, error_status, text_stream
from tests.test_cli import db_rows, parley


@pytest.fixture
def env(fake: FakeOpenRouter, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PARLEY_HOME"] = str(isolated_home)
    e["OPENROUTER_BASE_URL"] = fake.base_url
    e["OPENROUTER_API_KEY"] = "test-key"
    e["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    e.pop("QT_QPA_PLATFORM", None)
    return e


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _catalog(home: Path, models: list[dict[str, object]]) -> None:
    path = home / "cache" / "models-openrouter.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "endpoint": "openrouter",
                                "fetched_at": time.time(), "data": models}))


def _model(model_id: str, inputs: list[str], price: str = "0.000001") -> dict[str, object]:
    return {"id": model_id, "name": model_id,
            "architecture": {"input_modalities": inputs, "output_modalities": ["text"]},
            "pricing": {"prompt": price, "completion": price}}


def test_ask_with_attachments_sends_content_parts_and_stores_them(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(samples.png())
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(samples.pdf())
    notes = tmp_path / "notes"
    notes.write_text("line one\n")
    fake.enqueue(text_stream("Seen."))
    res = parley("ask", "-m", "openai/gpt-4o", "-a", str(image), "--attach", str(paper),
                 "-a", str(notes), "What do these say?", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "Seen.\n"
    body = fake.requests[-1].json()
    assert body["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": "What do these say?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,"
                                                   f"{_b64(samples.png())}"}},
        {"type": "file", "file": {"filename": "paper.pdf", "file_data":
                                  f"data:application/pdf;base64,{_b64(samples.pdf())}"}},
        {"type": "text", "text": "notes:\n```\nline one\n\n```"},
    ]}]
    assert body["plugins"] == [{"id": "file-parser", "pdf": {"engine": "pdf-text"}}]
    assert db_rows(isolated_home, "SELECT name, kind FROM message_attachments ORDER BY position"
                   ) == [("chart.png", "image"), ("paper.pdf", "pdf"), ("notes", "text")]

    # A follow-up sends the files again: they are part of the conversation.
    fake.enqueue(text_stream("Still seen."))
    res = parley("ask", "-c", "1", "And now?", env=env)
    assert res.returncode == 0, res.stderr
    first = fake.requests[-1].json()["messages"][0]
    assert first["content"][2]["file"]["filename"] == "paper.pdf"


def test_unsupported_or_too_large_file_exits_2_and_sends_nothing(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    fake_png = tmp_path / "photo.png"
    fake_png.write_text("not really a picture")
    res = parley("ask", "-a", str(fake_png), "Describe it", env=env)
    assert res.returncode == 2
    assert "photo.png" in res.stderr
    assert "Nothing was sent" in res.stderr
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as fh:
        fh.truncate(40 * 1024 * 1024)
    res = parley("ask", "-a", str(huge), "Read it", env=env)
    assert res.returncode == 2
    assert "huge.pdf" in res.stderr and "larger than" in res.stderr
    res = parley("ask", "-a", str(tmp_path / "absent.txt"), "Read it", env=env)
    assert res.returncode == 2
    assert "absent.txt" in res.stderr
    assert fake.requests == []
    # Refused before the history was even opened.
    assert not (isolated_home / "history.sqlite3").exists()


def test_capability_warning_before_sending_and_the_404_names_a_model_that_can(
    fake: FakeOpenRouter, env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    _catalog(isolated_home, [
        _model("acme/text-only", ["text"]),
        _model("acme/vision", ["text", "image"], "0.000002"),
        _model("other/vision-cheap", ["text", "image"], "0.0000001"),
    ])
    image = tmp_path / "cat.png"
    image.write_bytes(samples.png())
    fake.enqueue(error_status(404, {"error": {
        "code": 404, "message": "No endpoints found that support image input"}}))
    res = parley("ask", "-m", "acme/text-only", "-a", str(image), "What is it?", env=env)
    assert res.returncode == 1
    assert "acme/text-only does not read images: cat.png will probably be refused" in res.stderr
    assert "acme/text-only cannot read images" in res.stderr
    # The same vendor first: the user likely wants to stay with it.
    assert "such as acme/vision or other/vision-cheap" in res.stderr
    (error,) = db_rows(isolated_home, "SELECT error FROM messages WHERE role = 'assistant'")
    assert "acme/text-only cannot read images" in error[0]
