"""Request-body building: every ConversationOptions field set vs the plain payload.

Each send builds the request body from the conversation's options and its history, on the
GUI thread. The baseline is the smallest body Parley sends (no options: model + messages),
measured in the same run, interleaved, on the same 40-message history.

    python benchmarks/bench_payload.py [-n N] [--rounds R]
"""

from __future__ import annotations

import argparse
import time

from _util import Summary, header, print_table, ratio

from app.core.options import ConversationOptions

# The same "every option set" conversation the options tests check for validity.
from tests.test_options import full_options


def per_build(options: ConversationOptions, history: list[dict[str, str]], n: int) -> float:
    """Seconds per `build` call, over n calls."""
    t0 = time.perf_counter()
    for _ in range(n):
        options.build("anthropic/claude-3.5-sonnet", history)
    return (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="builds per sample (2000)")
    parser.add_argument("--rounds", type=int, default=7, help="samples per series (7)")
    args = parser.parse_args()
    history = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " * 50}
        for i in range(40)
    ]
    full, plain = full_options(), ConversationOptions()
    full_s: list[float] = []
    plain_s: list[float] = []
    for _ in range(args.rounds):  # interleaved: both series see the same machine load
        plain_s.append(per_build(plain, history, args.n))
        full_s.append(per_build(full, history, args.n))
    header("Request body build, 40-message history", f"{args.rounds} rounds x {args.n} builds")
    p, f = Summary.of(plain_s), Summary.of(full_s)
    print_table(
        ["series", "median µs", "p90 µs", "vs plain"],
        [
            ["no options (baseline)", f"{p.median * 1e6:.1f}", f"{p.p90 * 1e6:.1f}", "1.00x"],
            ["every option set", f"{f.median * 1e6:.1f}", f"{f.p90 * 1e6:.1f}",
             ratio(f.median, p.median)],
        ],
    )


if __name__ == "__main__":
    main()
