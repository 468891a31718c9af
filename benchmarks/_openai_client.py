"""Child process of bench_ask.py: the official `openai` SDK streaming one reply to stdout.

    python benchmarks/_openai_client.py BASE_URL [PROMPT]

What a script built on the SDK does: AsyncOpenAI, chat.completions.create(stream=True),
each delta's content written to stdout.
"""

from __future__ import annotations

import asyncio
import sys


async def main(base_url: str, prompt: str) -> None:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="test-key")
    out = sys.stdout
    stream = await client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
        stream=True,
    )
    async for chunk in stream:
        if chunk.choices:
            content = chunk.choices[0].delta.content
            if content:
                out.write(content)
    out.write("\n")
    out.flush()
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "hi"))
