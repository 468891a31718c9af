"""Child process of bench_ask.py: raw httpx reading the streamed body to the end.

    python benchmarks/_httpx_client.py BASE_URL [PROMPT]

The floor for any Python client on httpx: same request body, no SSE or JSON parsing,
nothing written.
"""

from __future__ import annotations

import asyncio
import json
import sys


async def main(base_url: str, prompt: str) -> int:
    import httpx

    body = json.dumps(
        {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": prompt}],
            "stream": True,
        }
    ).encode()
    total = 0
    async with httpx.AsyncClient(
        headers={"Authorization": "Bearer test-key", "Content-Type": "application/json"}
    ) as client, client.stream("POST", f"{base_url}/chat/completions", content=body) as r:
        r.raise_for_status()
        async for chunk in r.aiter_bytes():
            total += len(chunk)
    return total


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "hi"))
