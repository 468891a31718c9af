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

from app.core.options import (
    ConversationOptions,
    ProviderPrefs,
    ReasoningOptions,
    StructuredOutput,
    WebSearchOptions,
)

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp": {"type": "number"}},
    "required": ["city", "temp"],
    "additionalProperties": False,
}


def full_options() -> ConversationOptions:
    """Every option set to a valid value."""
    return ConversationOptions(
        models=["anthropic/claude-3.5-sonnet", "meta-llama/llama-3.1-8b-instruct:free"],
        provider=ProviderPrefs(
            order=["OpenAI", "Azure"], allow_fallbacks=False, sort="price",
            data_collection="deny", zdr=True, only=["OpenAI", "Azure"], ignore=["DeepInfra"],
            quantizations=["fp8"], max_price={"prompt": 1.0, "completion": 2.0},
            require_parameters=True,
        ),
        temperature=0.7, top_p=0.9, top_k=40, frequency_penalty=0.5, presence_penalty=-0.5,
        repetition_penalty=1.1, min_p=0.05, top_a=0.2, seed=42, max_tokens=256,
        stop=["END", "\n\n"], logit_bias={"50256": -100}, logprobs=True, top_logprobs=5,
        system_prompt="Be brief.",
        reasoning=ReasoningOptions(effort="high", exclude=False, enabled=True),
        web_search=WebSearchOptions(enabled=True, max_results=3, search_prompt="Sources:",
                                    engine="exa"),
        structured=StructuredOutput(mode="json_schema", schema=SCHEMA, name="weather",
                                    strict=True),
        prompt_caching=True,
        middle_out=True,
    )


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
