"""Streaming render cost: incremental StreamingMarkdown vs re-rendering the whole reply.

A generated 20,000-word reply with 30 fenced code blocks and 6 tables is fed in 2,000
chunks. The naive baseline (render_markdown of the whole text so far on every chunk) is
quadratic, so by default it is timed on every 20th chunk and extrapolated; pass --full
to time every chunk (minutes). Pure Python, no Qt: this is the renderer's share of the
GUI-thread budget (DESIGN: <= 1.5 s total, longest stall <= 30 ms).

    python benchmarks/bench_render.py [--full] [--words N] [--chunks N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.markdown_render import StreamingMarkdown, render_markdown

WORDS = [
    "the",
    "model",
    "answer",
    "token",
    "stream",
    "render",
    "block",
    "table",
    "list",
    "code",
    "python",
    "value",
    "function",
    "returns",
    "because",
    "while",
    "user",
    "window",
    "latency",
    "chunk",
    "quickly",
]

CODE = '''def fib(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


if __name__ == "__main__":
    print([fib(i) for i in range(10)])
'''

TABLE = """| name | value | note |
|:-----|------:|:----:|
| alpha | 1 | *first* |
| beta | 22 | `second` |
| gamma | 333 | third |
"""


def make_reply(words: int, code_blocks: int, tables: int, seed: int = 7) -> str:
    """Markdown with headings, paragraphs, lists, code blocks and tables spread evenly."""
    rng = random.Random(seed)
    parts: list[str] = []
    n = 0
    specials = ["code"] * code_blocks + ["table"] * tables
    rng.shuffle(specials)
    per_special = words // (len(specials) + 1)
    next_special = per_special
    while n < words:
        kind = rng.random()
        if kind < 0.1:
            line = "## " + " ".join(rng.choices(WORDS, k=4)).title()
            n += 4
        elif kind < 0.3:
            items = [
                f"- {' '.join(rng.choices(WORDS, k=8))} **{rng.choice(WORDS)}**" for _ in range(4)
            ]
            line = "\n".join(items)
            n += 36
        else:
            k = rng.randint(30, 80)
            line = " ".join(rng.choices(WORDS, k=k)) + "."
            line = line.replace(" value ", " `value` ", 1).replace(" block ", " *block* ", 1)
            n += k
        parts.append(line)
        if specials and n >= next_special:
            special = specials.pop()
            parts.append(f"```python\n{CODE}```" if special == "code" else TABLE.rstrip("\n"))
            next_special += per_special
    return "\n\n".join(parts) + "\n"


def chunk_ends(text: str, chunks: int) -> list[int]:
    step = len(text) / chunks
    return [min(len(text), round(step * (i + 1))) for i in range(chunks)]


def bench_incremental(text: str, ends: list[int]) -> tuple[float, float, str]:
    sm = StreamingMarkdown()
    parts: list[str] = []
    longest = 0.0
    t0 = time.perf_counter()
    for end in ends[:-1]:
        s = time.perf_counter()
        parts.extend(sm.update(text[:end]).new_finished)
        longest = max(longest, time.perf_counter() - s)
    s = time.perf_counter()
    parts.extend(sm.finish(text).new_finished)
    longest = max(longest, time.perf_counter() - s)
    return time.perf_counter() - t0, longest, "".join(parts)


def bench_naive(text: str, ends: list[int], every: int) -> tuple[float, float]:
    """Total (extrapolated when every > 1) and longest single render."""
    sample = ends[every - 1 :: every]
    longest = 0.0
    t0 = time.perf_counter()
    for end in sample:
        s = time.perf_counter()
        render_markdown(text[:end])
        longest = max(longest, time.perf_counter() - s)
    spent = time.perf_counter() - t0
    return spent * len(ends) / len(sample), longest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=20_000)
    ap.add_argument("--chunks", type=int, default=2_000)
    ap.add_argument("--full", action="store_true", help="time the naive baseline on every chunk")
    args = ap.parse_args()

    text = make_reply(args.words, code_blocks=30, tables=6)
    ends = chunk_ends(text, args.chunks)
    print(
        f"reply: {len(text.split()):,} words, {len(text):,} chars, "
        f"{text.count('```') // 2} code blocks, {text.count('|:-----|')} tables, "
        f"{len(ends):,} chunks"
    )

    render_markdown("warm *up*\n\n```python\nx = 1\n```\n")  # lexer import, Markdown instance

    t0 = time.perf_counter()
    whole = render_markdown(text)
    once = time.perf_counter() - t0
    print(f"one full render of the final text:  {once * 1000:8.1f} ms")

    inc_total, inc_longest, streamed = bench_incremental(text, ends)
    print(
        f"incremental, all {len(ends):,} updates:    {inc_total * 1000:8.1f} ms total, "
        f"longest update {inc_longest * 1000:.1f} ms"
    )
    print(f"incremental output == render_markdown(final): {streamed == whole}")

    every = 1 if args.full else 20
    naive_total, naive_longest = bench_naive(text, ends, every)
    how = "every chunk" if every == 1 else f"every {every}th chunk, extrapolated"
    print(
        f"naive re-render ({how}): {naive_total * 1000:8.1f} ms total, "
        f"longest render {naive_longest * 1000:.1f} ms"
    )
    print(f"ratio naive / incremental total:   {naive_total / inc_total:8.1f}x")
    print(f"ratio incremental / one full render: {inc_total / once:6.2f}x")
    print("targets (DESIGN, renderer share only): total <= 1500 ms, longest stall <= 30 ms")
    matching, total = corpus_parity()
    print(f"parity: {matching}/{total} corpus answers match CommonMark + GFM (target: all)")


def corpus_parity() -> tuple[int, int]:
    """How many answers in tests/corpus/ have the reference block structure."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.test_markdown_corpus import CORPUS, _reference, _tree

    matching = 0
    for path in CORPUS:
        text = path.read_text(encoding="utf-8")
        matching += _tree(render_markdown(text)) == _tree(_reference(text))
    return matching, len(CORPUS)


if __name__ == "__main__":
    main()
