"""Full-text search over the history (SQLite FTS5, tables in docs/storage.md).

What a person types is never passed to FTS5 as syntax: every word becomes a quoted
string, so `foo"bar OR (` searches for those words instead of raising. Understood:

- words: all must occur (any order), accents and case ignored (`cafe` finds `Café`);
- `"a quoted phrase"`: those words next to each other;
- `prefix*`: words starting with `prefix` (also `"a phrase"*`);
- `OR` in capitals between two terms: either.

Snippets mark each match as `MATCH_START` + word + `MATCH_END` (\\x02 and \\x03, control
characters that cannot appear in typed text); `mark_brackets` turns them into `[` `]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.history import Store

MATCH_START = "\x02"
MATCH_END = "\x03"
ELLIPSIS = "…"
#: starts the snippet of a match in an attached file's name
ATTACHMENT_MARK = "📎 "
#: tokens of context around the matches in a snippet
SNIPPET_TOKENS = 16
#: a query longer than this is cut (nobody types more; FTS5 cost grows with terms)
MAX_QUERY_CHARS = 1000
#: matches ranked per query, newest first (see `search`)
RANK_WINDOW = 5000

_TOKEN = re.compile(r'"([^"]*)"?(\*?)|(\S+)')


@dataclass(frozen=True)
class SearchHit:
    """One match. `message_id` is None for a match in the conversation's title."""

    conversation_id: int
    message_id: int | None
    conversation_title: str
    #: "user", "assistant", "system", "tool", or "title" for a title match
    role: str
    #: text around the matches, matches between MATCH_START and MATCH_END
    snippet: str
    #: bm25 score: lower is better (FTS5's convention); comparable within one kind
    rank: float
    created_at: float


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def fts_query(text: str) -> str:
    """Turn what a person typed into a safe FTS5 query; "" when nothing is searchable."""
    parts: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text[:MAX_QUERY_CHARS]):
        phrase, phrase_star, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                pending_or = bool(parts)
                continue
            star = bare.endswith("*")
            words = bare.rstrip("*").replace('"', " ")
        else:
            star = bool(phrase_star)
            words = phrase
        if not _has_word(words):
            continue
        term = '"' + " ".join(words.split()) + '"' + ("*" if star else "")
        if pending_or:
            parts.append("OR")
            pending_or = False
        parts.append(term)
    return " ".join(parts)


def mark_brackets(snippet: str) -> str:
    """A snippet with matches shown as [word], for plain-text output."""
    return snippet.replace(MATCH_START, "[").replace(MATCH_END, "]")


def search(store: Store, query: str, limit: int = 50) -> list[SearchHit]:
    """Title matches first, then attached file names, then messages best first;
    conversations in the trash excluded.

    Messages are ranked by bm25 among the newest `RANK_WINDOW` matches, which is exact for
    all but very common words (for those, recent messages win, which suits a chat log).
    """
    match = fts_query(query)
    if not match or limit <= 0:
        return []
    hits: list[SearchHit] = []
    with store.reading("search the history") as conn:
        rows = conn.execute(
            "SELECT c.id, snippet(conversations_fts, 0, ?, ?, ?, ?), "
            "bm25(conversations_fts), c.title, c.created_at "
            "FROM conversations_fts JOIN conversations c ON c.id = conversations_fts.rowid "
            "WHERE conversations_fts MATCH ? AND c.trashed_at IS NULL "
            "ORDER BY bm25(conversations_fts) LIMIT ?",
            (MATCH_START, MATCH_END, ELLIPSIS, SNIPPET_TOKENS, match, min(limit, 10)),
        ).fetchall()
        hits.extend(
            SearchHit(cid, None, title, "title", snip, rank, created)
            for cid, snip, rank, title, created in rows
        )
        # Files attached to a prompt, by name ("the invoice PDF I sent").
        rows = conn.execute(
            "SELECT m.conversation_id, m.id, c.title, m.role, "
            "highlight(message_attachments_fts, 0, ?, ?), bm25(message_attachments_fts), "
            "m.created_at FROM message_attachments_fts "
            "JOIN message_attachments a ON a.id = message_attachments_fts.rowid "
            "JOIN messages m ON m.id = a.message_id "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE message_attachments_fts MATCH ? AND c.trashed_at IS NULL "
            "ORDER BY bm25(message_attachments_fts), m.id DESC LIMIT ?",
            (MATCH_START, MATCH_END, match, min(limit - len(hits), 10)),
        ).fetchall()
        hits.extend(
            SearchHit(cid, mid, title, role, f"{ATTACHMENT_MARK}{name}", rank, created)
            for cid, mid, title, role, name, rank, created in rows
        )
        # Ranking every match of a very common word costs time in proportion to the
        # history; ranking the newest RANK_WINDOW matches stays fast at any size and is
        # exact whenever a query matches fewer messages than that.
        rows = conn.execute(
            "WITH matched AS (SELECT rowid AS id, bm25(messages_fts) AS score "
            "FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) "
            "SELECT m.conversation_id, m.id, c.title, m.role, matched.score, m.created_at "
            "FROM matched JOIN messages m ON m.id = matched.id "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.trashed_at IS NULL ORDER BY matched.score, m.id DESC LIMIT ?",
            (match, RANK_WINDOW, limit - len(hits)),
        ).fetchall()
        for conversation_id, message_id, title, role, score, created in rows:
            # Snippets only for the hits shown: each re-reads and re-tokenizes its message.
            snip = conn.execute(
                "SELECT snippet(messages_fts, -1, ?, ?, ?, ?) FROM messages_fts "
                "WHERE messages_fts MATCH ? AND rowid = ?",
                (MATCH_START, MATCH_END, ELLIPSIS, SNIPPET_TOKENS, match, message_id),
            ).fetchone()
            hits.append(SearchHit(
                conversation_id, message_id, title, role, snip[0] if snip else "", score,
                created,
            ))
    return hits[:limit]
