"""History at scale: 10,000 conversations / 500,000 messages.

Generates the history once (executemany in one transaction, realistic message sizes,
the FTS triggers indexing as they would in use), caches it in /tmp keyed by the schema
version and the size, and measures on a fresh copy each run:

- the sidebar's first page (200 rows) and the full list, with message counts;
- full-text search: a common word, a rare word, a phrase, a prefix;
- `get_thread` of a 1,000-message conversation;
- one streaming save of a 20 KB reply (not indexed until the reply is final);
- streaming saves of a 1 MB and a 5 MB reply, on schema version 2 (which re-indexed the
  whole reply at every save) and on the current schema (which indexes it once, when it is
  final), with the after/before ratio; also the one final save that indexes it;

against baselines from the same run: a `SELECT 1` round trip, and a `LIKE` scan over all
message text (what search would cost without FTS). Targets: list <= 100 ms,
search <= 50 ms, open a 1,000-message chat <= 300 ms. Nothing asserts on time.

    python benchmarks/bench_history.py [--quick] [--regenerate] [--saves-only]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import Summary, header, ms, print_table, ratio, temp_home

from app.core.history import MIGRATIONS, Store
from app.core.history.search import search

CONVERSATIONS = 10_000
MESSAGES = 500_000
BIG_THREAD = 1_000
RARE_WORD = "xylophonic"
RARE_COUNT = 25
PHRASE = ("quantum", "garden")

_COMMON = (  # noqa: SIM905 - a paragraph reads better than 200 quoted words
    "the of and to a in is it you that he was for on are with as I his they be at one "
    "have this from or had by word but what some we can out other were all there when up "
    "use your how said an each she which do their time if will way about many then them "
    "write would like so these her long make thing see him two has look more day could go "
    "come did number sound no most people my over know water than call first who may down "
    "side been now find any new work part take get place made live where after back little "
    "only round man year came show every good me give our under name very through just "
    "form sentence great think say help low line differ turn cause much mean before move "
    "right boy old too same tell does set three want air well also play small end put home "
    "read hand port large spell add even land here must big high such follow act why ask "
    "python sqlite query index table function return value error model token stream reply"
).split()


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    syllables = [a + b for a in "bcdfghklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = list(dict.fromkeys(_COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen and word != RARE_WORD:
            seen.add(word)
            words.append(word)
    return words


def _sentences(rng: random.Random, count: int) -> list[str]:
    vocab = _vocabulary(rng)
    weights = [1.0 / (rank + 8) for rank in range(len(vocab))]  # Zipf-like
    out = []
    for _ in range(count):
        words = rng.choices(vocab, weights, k=rng.randint(6, 22))
        out.append(" ".join(words).capitalize() + ".")
    return out


def cache_path(quick: bool) -> Path:
    version = len(MIGRATIONS)
    size = "quick" if quick else "full"
    return Path(f"/tmp/parley-bench-history-v{version}-{size}.sqlite3")


def generate(path: Path, conversations: int, messages: int) -> None:
    """Write a history with realistic sizes: prompts ~250 chars, replies ~1,500."""
    rng = random.Random(1234)
    pool = _sentences(rng, 40_000)
    path.unlink(missing_ok=True)
    Store.open(path).close()  # the current schema, empty
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    started = time.perf_counter()
    conn.execute("BEGIN")
    now = time.time()
    base = now - 3 * 365 * 86400
    per_conv = [(messages - BIG_THREAD) // (conversations - 1)] * (conversations - 1)
    for i in range((messages - BIG_THREAD) % (conversations - 1)):
        per_conv[i] += 1
    per_conv.insert(conversations // 2, BIG_THREAD)
    rare = set(rng.sample(range(messages), RARE_COUNT))
    phrase = set(rng.sample(range(messages), 400))
    conv_rows = []
    msg_rows: list[tuple[object, ...]] = []
    msg_id = 0
    for conv_id, count in enumerate(per_conv, start=1):
        t0 = base + (conv_id / conversations) * (now - base - 86400)
        title = " ".join(rng.choice(pool).split()[:5]).rstrip(".")
        conv_rows.append((conv_id, title, t0, t0 + count * 30, "openai/gpt-4o-mini",
                          f"c{conv_id:031x}", int(conv_id % 97 == 0)))
        parent = None
        for k in range(count):
            msg_id += 1
            user = k % 2 == 0
            n = rng.randint(1, 4) if user else rng.randint(6, 18)
            text = " ".join(rng.choices(pool, k=n))
            index = msg_id - 1
            if index in rare:
                text += f" The {RARE_WORD} sound."
            if index in phrase:
                text += f" A {PHRASE[0]} {PHRASE[1]} grows."
            created = t0 + k * 30
            msg_rows.append((
                msg_id, conv_id, parent, "user" if user else "assistant", text, created,
                created, None if user else "openai/gpt-4o-mini",
                None if user else 100 + k, None if user else 300,
                None if user else 400 + k, None if user else 0.0004, f"m{msg_id:031x}",
            ))
            parent = msg_id
        if len(msg_rows) >= 20_000:
            _flush(conn, conv_rows, msg_rows)
    _flush(conn, conv_rows, msg_rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA optimize")
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    print(f"generated {path} in {time.perf_counter() - started:.0f} s "
          f"({path.stat().st_size / 1e6:.0f} MB)")


def _flush(conn: sqlite3.Connection, convs: list[tuple[object, ...]],
           msgs: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO conversations (id, title, created_at, updated_at, model, uid, pinned) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", convs)
    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at, "
        "updated_at, model, prompt_tokens, completion_tokens, total_tokens, cost, uid) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", msgs)
    convs.clear()
    msgs.clear()


def timed(fn: Callable[[], object], n: int) -> Summary:
    fn()  # warm the page cache and the statement cache once
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return Summary.of(samples)


def _reply_text(size: int) -> str:
    words = " ".join(random.Random(size).choices(_COMMON, k=size // 3))
    return (words * (size // max(1, len(words)) + 1))[:size]


def streaming_saves(home: Path, n: int) -> list[list[str]]:
    """Saves of a big streaming reply before (schema 2) and after (current schema)."""
    rows: list[list[str]] = []
    for size in (1_000_000, 5_000_000):
        text = _reply_text(size)
        medians: dict[str, Summary] = {}
        for label, migrations in (("v2", MIGRATIONS[:2]), ("now", MIGRATIONS)):
            path = home / f"saves-{label}-{size}.sqlite3"
            Store.open(path, migrations=migrations).close()
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("INSERT INTO conversations (id, created_at, updated_at) VALUES (1, 0, 0)")
            conn.execute("INSERT INTO messages (id, conversation_id, role, content, status, "
                         "created_at, updated_at) VALUES (1, 1, 'assistant', '', 'streaming', "
                         "0, 0)")
            k = 0

            def save(
                conn: sqlite3.Connection = conn, text: str = text, size: int = size
            ) -> None:
                # What Store.update_message does once a second while a reply streams.
                nonlocal k
                k += 1
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE messages SET content = ?, updated_at = ? WHERE id = 1",
                             (text[: size - (k % 7)], time.time()))
                conn.execute("COMMIT")

            medians[label] = timed(save, n)
            conn.execute("BEGIN IMMEDIATE")
            t = time.perf_counter()
            conn.execute("UPDATE messages SET content = ?, status = 'complete' WHERE id = 1",
                         (text,))
            conn.execute("COMMIT")
            final = time.perf_counter() - t
            conn.close()
            if label == "now":
                rows.append([f"  final save of the {size // 1_000_000} MB reply (indexes it)",
                             ms(final), "", "", "once per reply"])
        before, after = medians["v2"], medians["now"]
        rows.insert(len(rows) - 1, [
            f"streaming save of a {size // 1_000_000} MB reply: schema 2",
            f"{ms(before.median)} ({ms(before.p90)})", "", "", "re-indexed at every save"])
        rows.insert(len(rows) - 1, [
            f"streaming save of a {size // 1_000_000} MB reply: now",
            f"{ms(after.median)} ({ms(after.p90)})", "", ratio(after.median, before.median),
            "after / before"])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 conversations / 50,000 messages, fewer samples")
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached history")
    parser.add_argument("-n", type=int, default=0, help="samples per measurement")
    parser.add_argument("--saves-only", action="store_true",
                        help="only the streaming saves of big replies (no big history)")
    args = parser.parse_args()
    conversations, messages = (1_000, 50_000) if args.quick else (CONVERSATIONS, MESSAGES)
    n = args.n or (5 if args.quick else 15)
    if args.saves_only:
        header("bench_history", f"streaming saves, {n} samples each, median (p90)")
        with temp_home() as home:
            rows = streaming_saves(home, n)
        print_table(["measurement", "ms", "target ms", "ratio", "note"], rows)
        return 0

    cached = cache_path(args.quick)
    if args.regenerate or not cached.exists():
        partial = cached.with_suffix(".partial")
        generate(partial, conversations, messages)
        partial.replace(cached)

    header("bench_history", f"{conversations:,} conversations / {messages:,} messages, "
                            f"{n} samples each, median (p90)")
    with temp_home() as home:
        path = home / "history.sqlite3"
        shutil.copyfile(cached, path)
        store = Store.open(path)
        conn = store._conn
        assert conn is not None
        big = conn.execute(
            "SELECT conversation_id FROM messages GROUP BY conversation_id "
            "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]

        baseline_rt = timed(lambda: conn.execute("SELECT 1").fetchone(), n)
        like = timed(lambda: conn.execute(
            "SELECT id FROM messages WHERE content LIKE ? LIMIT 50",
            (f"%{RARE_WORD}%",)).fetchall(), max(3, n // 5))

        rows: list[list[str]] = []

        def add(name: str, s: Summary, target: float | None, base: Summary | None,
                extra: str = "") -> None:
            rows.append([
                name, f"{ms(s.median)} ({ms(s.p90)})",
                "" if target is None else f"<= {target:g}",
                "" if base is None else ratio(s.median, base.median), extra,
            ])

        add("baseline: SELECT 1 round trip", baseline_rt, None, None)
        add(f"baseline: LIKE scan for '{RARE_WORD}'", like, None, None)
        first_page = timed(lambda: store.list_conversations(limit=200), n)
        add("list: first page (200, pinned first)", first_page, 100, None)
        full = timed(store.list_conversations, max(3, n // 3))
        add(f"list: all {conversations:,}", full, 100, None)
        add("count_conversations", timed(store.count_conversations, n), None, None)
        for label, query in [
            ("search: common word 'the'", "the"),
            ("search: common word 'python'", "python"),
            (f"search: rare word '{RARE_WORD}'", RARE_WORD),
            (f"search: phrase '\"{' '.join(PHRASE)}\"'", f'"{" ".join(PHRASE)}"'),
            ("search: prefix 'quant*'", "quant*"),
        ]:
            hits = search(store, query)
            s = timed(lambda q=query: search(store, q), n)  # type: ignore[misc]
            add(label, s, 50, like, f"{len(hits)} hits; x LIKE")
        thread = timed(lambda: store.get_thread(big), n)
        add(f"get_thread: {len(store.get_thread(big))} messages", thread, 300, None)
        allmsgs = timed(lambda: store.get_messages(big), n)
        add("get_messages: same conversation", allmsgs, None, None)

        # A streaming save: one UPDATE of a 20 KB reply (not indexed yet), committed.
        conv = store.create_conversation("stream")
        reply = store.add_message(
            conv.id, "assistant", "", status="streaming"  # type: ignore[arg-type]
        )
        text = " ".join(random.Random(5).choices(_COMMON, k=4000))[:20_000]
        k = 0

        def save() -> None:
            nonlocal k
            k += 1
            store.update_message(reply.id, content=text[: 20_000 - (k % 7)])

        add("streaming save of a 20 KB reply", timed(save, n * 2), None, baseline_rt,
            "UPDATE + commit")

        def save_plain() -> None:
            nonlocal k
            k += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE messages SET status = status, updated_at = ? WHERE id = ?",
                         (time.time(), reply.id))
            conn.execute("COMMIT")

        add("  same row, UPDATE without text + commit", timed(save_plain, n * 2), None, None)
        store.close()
        rows.extend(streaming_saves(home, max(3, n // 3)))
    print_table(["measurement", "ms", "target ms", "ratio", "note"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
