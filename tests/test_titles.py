"""Generated titles: the request, and cleaning what the model answers."""

from __future__ import annotations

import asyncio

import pytest

from app.core.client import ChatClient
from app.core.config import Settings
from app.core.titles import clean_title, generate_title
from tests.fake_openrouter import FakeOpenRouter, text_stream


@pytest.mark.parametrize(("raw", "expected"), [
    ('"Planning a Trip to Japan."', "Planning a Trip to Japan"),
    ("Title: **Rust lifetimes explained**\nextra line", "Rust lifetimes explained"),
    ("\n\n  “Sourdough basics”  ", "Sourdough basics"),
    ("one two three four five six seven eight nine ten", "one two three four five six seven eight"),
    ("", ""),
])
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_long_words_are_capped() -> None:
    assert len(clean_title("x" * 50 + " " + "y" * 50)) <= 81


def test_title_model_is_off_by_default() -> None:
    assert Settings().title_model == ""


def test_generate_title_streams_from_the_model(fake: FakeOpenRouter) -> None:
    fake.enqueue(text_stream('"Pruning Apple Trees."'))

    async def run() -> str:
        client = ChatClient(fake.base_url, "test-key")
        try:
            return await generate_title(client, "cheap/model", "When to prune?", "Winter.")
        finally:
            await client.aclose()

    assert asyncio.run(run()) == "Pruning Apple Trees"
    body = fake.requests[-1].json()
    assert body["model"] == "cheap/model"
    assert "When to prune?" in body["messages"][1]["content"]
    assert body["stream"] is True
