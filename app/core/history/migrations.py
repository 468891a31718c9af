"""Parley's schema history: each version's SQL, in order, and the checks on that list."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["MIGRATIONS", "Migration"]


class Migration(NamedTuple):
    """One ordered, named schema change; `version` counts up from 1 without gaps."""

    version: int
    name: str
    sql: str



_V1_INITIAL = """
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL DEFAULT 'New chat',
    created_at  REAL    NOT NULL,
    updated_at  REAL    NOT NULL,
    model       TEXT
);

-- The sidebar lists chats by latest activity.
CREATE INDEX conversations_by_activity ON conversations (updated_at);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL
                      REFERENCES conversations (id) ON DELETE CASCADE,
    -- The message this one answers or follows; NULL for the first one. Deleting a
    -- message that others build on fails instead of silently dropping its replies.
    parent_id         INTEGER REFERENCES messages (id),
    role              TEXT    NOT NULL
                      CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content           TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT 'complete'
                      CHECK (status IN ('complete', 'streaming', 'stopped', 'error')),
    created_at        REAL    NOT NULL,
    updated_at        REAL    NOT NULL,
    model             TEXT,
    provider          TEXT,
    finish_reason     TEXT,
    -- Usage: all NULL when the endpoint reported none.
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    total_tokens      INTEGER,
    cost              REAL,
    cached_tokens     INTEGER,
    reasoning_tokens  INTEGER,
    error             TEXT,
    reasoning         TEXT    NOT NULL DEFAULT '',
    generation_id     TEXT,
    extra             TEXT    NOT NULL DEFAULT '{}'
);

-- Opening a chat reads its messages in id order.
CREATE INDEX messages_by_conversation ON messages (conversation_id);
-- Lets SQLite check the parent_id foreign key without scanning every message.
CREATE INDEX messages_by_parent ON messages (parent_id) WHERE parent_id IS NOT NULL;
-- Start-up looks for replies left streaming by a crash; this keeps that instant.
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

-- A branch never crosses chats.
CREATE TRIGGER messages_parent_same_conversation
BEFORE INSERT ON messages
WHEN NEW.parent_id IS NOT NULL
 AND (SELECT conversation_id FROM messages WHERE id = NEW.parent_id)
     IS NOT NEW.conversation_id
BEGIN
    SELECT RAISE(ABORT, 'parent message belongs to another conversation');
END;
"""

# A random uuid4 as 32 lowercase hex digits (version nibble 4, variant 8/9/a/b), in SQL so
# that the migration can give every existing row its stable id in one statement.
_UUID4_SQL = (
    "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || "
    "hex(randomblob(6)))"
)

_V2_HISTORY = f"""
-- Stable ids: import and export match on them, so importing a file twice adds nothing.
ALTER TABLE conversations ADD COLUMN uid TEXT;
UPDATE conversations SET uid = {_UUID4_SQL};
CREATE UNIQUE INDEX conversations_uid ON conversations (uid);
ALTER TABLE messages ADD COLUMN uid TEXT;
UPDATE messages SET uid = {_UUID4_SQL};
CREATE UNIQUE INDEX messages_uid ON messages (uid);
-- Rows inserted without a uid (by hand, or by an older tool) still get one.
CREATE TRIGGER conversations_default_uid AFTER INSERT ON conversations
WHEN NEW.uid IS NULL
BEGIN
    UPDATE conversations SET uid = {_UUID4_SQL} WHERE id = NEW.id;
END;
CREATE TRIGGER messages_default_uid AFTER INSERT ON messages
WHEN NEW.uid IS NULL
BEGIN
    UPDATE messages SET uid = {_UUID4_SQL} WHERE id = NEW.id;
END;

-- Sidebar state.
ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0
    CHECK (pinned IN (0, 1));
ALTER TABLE conversations ADD COLUMN archived INTEGER NOT NULL DEFAULT 0
    CHECK (archived IN (0, 1));
-- Soft delete: set when moved to the trash, NULL otherwise.
ALTER TABLE conversations ADD COLUMN trashed_at REAL;
-- A JSON list of strings.
ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- Per-conversation request options (a JSON object), owned by the options editor.
ALTER TABLE conversations ADD COLUMN options TEXT NOT NULL DEFAULT '{{}}';
-- The last message of the branch on screen; NULL means "the newest leaf".
ALTER TABLE conversations ADD COLUMN active_leaf_id INTEGER
    REFERENCES messages (id) ON DELETE SET NULL;
CREATE INDEX conversations_sidebar
    ON conversations (archived, pinned, updated_at, id) WHERE trashed_at IS NULL;
CREATE INDEX conversations_trashed ON conversations (trashed_at) WHERE trashed_at IS NOT NULL;
CREATE INDEX conversations_active_leaf ON conversations (active_leaf_id)
    WHERE active_leaf_id IS NOT NULL;

-- Version 1 saved each prompt without a parent. Messages form a tree now, so every
-- parentless message but the first follows the one before it: history stays one path.
UPDATE messages SET parent_id = (
    SELECT max(p.id) FROM messages p
    WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
) WHERE parent_id IS NULL;

-- Full-text search over message text and reasoning, and over titles. External content:
-- the text is stored once (in messages / conversations); triggers keep the index in step.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content, reasoning,
    content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO messages_fts (rowid, content, reasoning)
    VALUES (NEW.id, NEW.content, NEW.reasoning);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
    VALUES ('delete', OLD.id, OLD.content, OLD.reasoning);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
    VALUES ('delete', OLD.id, OLD.content, OLD.reasoning);
    INSERT INTO messages_fts (rowid, content, reasoning)
    VALUES (NEW.id, NEW.content, NEW.reasoning);
END;

CREATE VIRTUAL TABLE conversations_fts USING fts5 (
    title,
    content = 'conversations', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild');
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations
BEGIN
    INSERT INTO conversations_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations
BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title)
    VALUES ('delete', OLD.id, OLD.title);
END;
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations
BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title)
    VALUES ('delete', OLD.id, OLD.title);
    INSERT INTO conversations_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

-- The prompt library (app/core/prompts.py).
CREATE TABLE prompts (
    id          INTEGER PRIMARY KEY,
    uid         TEXT    NOT NULL UNIQUE,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL DEFAULT '',
    tags        TEXT    NOT NULL DEFAULT '[]',
    favourite   INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    is_system   INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0, 1)),
    created_at  REAL    NOT NULL,
    updated_at  REAL    NOT NULL
);
"""

# The endpoint (Settings name) a conversation talks to; NULL means the built-in
# "openrouter" endpoint, which is what every conversation used before.
_V3_CONVERSATION_ENDPOINT = """
ALTER TABLE conversations ADD COLUMN endpoint TEXT;
"""

_V4_FINAL_INDEX = """
-- The process writing a streaming reply (see app/core/history/writers.py): start-up
-- marks a reply interrupted only when its writer is gone. NULL once the reply is final,
-- and for replies written before this version.
ALTER TABLE messages ADD COLUMN writer TEXT;

-- Search indexes a reply once, when it is final, instead of re-indexing all of its text
-- at every save while it streams. External content: a 'delete' must be given exactly the
-- values that were indexed, and only rows not 'streaming' are (or were) in the index.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
-- Until now streaming rows were indexed with their current text: take them out.
INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
    SELECT 'delete', id, content, reasoning FROM messages WHERE status = 'streaming';
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN NEW.status <> 'streaming'
BEGIN
    INSERT INTO messages_fts (rowid, content, reasoning)
    VALUES (NEW.id, NEW.content, NEW.reasoning);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN OLD.status <> 'streaming'
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
    VALUES ('delete', OLD.id, OLD.content, OLD.reasoning);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, status ON messages
WHEN OLD.status <> 'streaming' OR NEW.status <> 'streaming'
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
    SELECT 'delete', OLD.id, OLD.content, OLD.reasoning WHERE OLD.status <> 'streaming';
    INSERT INTO messages_fts (rowid, content, reasoning)
    SELECT NEW.id, NEW.content, NEW.reasoning WHERE NEW.status <> 'streaming';
END;
"""

_V5_ATTACHMENTS = """
-- Files sent with a prompt, in the order they were attached. The bytes live once in the
-- data folder's content-addressed store (attachments/<sha256>); rows only refer to them.
CREATE TABLE message_attachments (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    -- a downscaled copy sent instead of the original (large photos); NULL: the original
    sent_sha256 TEXT,
    name        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('image', 'pdf', 'text', 'audio')),
    width       INTEGER,
    height      INTEGER,
    pages       INTEGER,
    UNIQUE (message_id, position)
);
-- Garbage collection asks which hashes are still referred to.
CREATE INDEX message_attachments_by_sha ON message_attachments (sha256);

-- File names are searchable (`parley search`, Ctrl+K). Rows are only ever inserted and
-- deleted (never updated), so two triggers keep the index in step.
CREATE VIRTUAL TABLE message_attachments_fts USING fts5 (
    name,
    content = 'message_attachments', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER message_attachments_fts_insert AFTER INSERT ON message_attachments
BEGIN
    INSERT INTO message_attachments_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;
CREATE TRIGGER message_attachments_fts_delete AFTER DELETE ON message_attachments
BEGIN
    INSERT INTO message_attachments_fts (message_attachments_fts, rowid, name)
    VALUES ('delete', OLD.id, OLD.name);
END;
"""

_V6_USAGE_INDEX = """
-- The usage dashboard and `parley usage` add up replies over a date range (by day, model,
-- endpoint or conversation). Everything they read is in this index, so a range is one
-- index range scan and never touches the message text. Only replies carry usage.
CREATE INDEX messages_usage ON messages (
    created_at, status, model, cost, prompt_tokens, completion_tokens,
    reasoning_tokens, cached_tokens, conversation_id
) WHERE role = 'assistant';
"""

_V7_USAGE_DAILY = """
-- Spend per local date, model and endpoint, so that the usage dashboard adds up a few
-- rows per day instead of sorting every reply of a range. The triggers keep it equal to
-- the same sums over `messages`: a reply counts once it is final and was or may have been
-- billed (complete, stopped, or failed after reporting usage). `day` is the local date
-- of the process that wrote the reply, as `date(created_at, 'unixepoch', 'localtime')`.
CREATE TABLE usage_daily (
    day               TEXT    NOT NULL,
    model             TEXT    NOT NULL,
    endpoint          TEXT    NOT NULL,
    replies           INTEGER NOT NULL,
    -- replies that reported a cost; `cost` adds up theirs only
    priced            INTEGER NOT NULL,
    cost              REAL    NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens  INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    PRIMARY KEY (day, model, endpoint)
) WITHOUT ROWID;

INSERT INTO usage_daily
SELECT date(m.created_at, 'unixepoch', 'localtime'), coalesce(m.model, 'unknown model'),
       coalesce(c.endpoint, 'openrouter'), count(*), count(m.cost), total(m.cost),
       total(m.prompt_tokens), total(m.completion_tokens), total(m.reasoning_tokens),
       total(m.cached_tokens)
FROM messages m JOIN conversations c ON c.id = m.conversation_id
WHERE m.role = 'assistant' AND m.status <> 'streaming'
      AND (m.status <> 'error' OR m.cost IS NOT NULL
           OR m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)
GROUP BY 1, 2, 3;

-- Adds NEW to its group when it counts.
CREATE TRIGGER usage_daily_insert AFTER INSERT ON messages
WHEN NEW.role = 'assistant' BEGIN
    INSERT INTO usage_daily
    SELECT date(NEW.created_at, 'unixepoch', 'localtime'), coalesce(NEW.model, 'unknown model'),
           (SELECT coalesce(endpoint, 'openrouter') FROM conversations
            WHERE id = NEW.conversation_id),
           1, NEW.cost IS NOT NULL, coalesce(NEW.cost, 0), coalesce(NEW.prompt_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0),
           coalesce(NEW.cached_tokens, 0)
    WHERE NEW.role = 'assistant' AND NEW.status <> 'streaming'
          AND (NEW.status <> 'error' OR NEW.cost IS NOT NULL
               OR NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
    ON CONFLICT DO UPDATE SET
        replies = replies + 1, priced = priced + excluded.priced, cost = cost + excluded.cost,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens;
END;

-- Takes OLD out of its group, then adds NEW: a reply finishing, its cost arriving later.
CREATE TRIGGER usage_daily_update AFTER UPDATE OF
    role, status, model, created_at, conversation_id, cost, prompt_tokens,
    completion_tokens, reasoning_tokens, cached_tokens ON messages
WHEN NEW.role = 'assistant' OR OLD.role = 'assistant' BEGIN
    UPDATE usage_daily SET
        replies = replies - 1, priced = priced - (OLD.cost IS NOT NULL),
        -- back to exactly 0 rather than a rounding residue when no priced reply is left
        cost = CASE WHEN priced = (OLD.cost IS NOT NULL) THEN 0
                    ELSE cost - coalesce(OLD.cost, 0) END,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0)
    WHERE day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND model = coalesce(OLD.model, 'unknown model')
          AND endpoint = (SELECT coalesce(endpoint, 'openrouter') FROM conversations
                          WHERE id = OLD.conversation_id)
          AND OLD.role = 'assistant' AND OLD.status <> 'streaming'
          AND (OLD.status <> 'error' OR OLD.cost IS NOT NULL
               OR OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL);
    DELETE FROM usage_daily WHERE day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND model = coalesce(OLD.model, 'unknown model')
          AND endpoint = (SELECT coalesce(endpoint, 'openrouter') FROM conversations
                          WHERE id = OLD.conversation_id) AND replies <= 0;
    INSERT INTO usage_daily
    SELECT date(NEW.created_at, 'unixepoch', 'localtime'), coalesce(NEW.model, 'unknown model'),
           (SELECT coalesce(endpoint, 'openrouter') FROM conversations
            WHERE id = NEW.conversation_id),
           1, NEW.cost IS NOT NULL, coalesce(NEW.cost, 0), coalesce(NEW.prompt_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0),
           coalesce(NEW.cached_tokens, 0)
    WHERE NEW.role = 'assistant' AND NEW.status <> 'streaming'
          AND (NEW.status <> 'error' OR NEW.cost IS NOT NULL
               OR NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
    ON CONFLICT DO UPDATE SET
        replies = replies + 1, priced = priced + excluded.priced, cost = cost + excluded.cost,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens;
END;

-- When a whole conversation goes, its own trigger below takes its replies out: by the
-- time its messages are deleted, the conversation (and so their endpoint) is gone.
CREATE TRIGGER usage_daily_delete AFTER DELETE ON messages
WHEN OLD.role = 'assistant'
     AND EXISTS (SELECT 1 FROM conversations WHERE id = OLD.conversation_id) BEGIN
    UPDATE usage_daily SET
        replies = replies - 1, priced = priced - (OLD.cost IS NOT NULL),
        -- back to exactly 0 rather than a rounding residue when no priced reply is left
        cost = CASE WHEN priced = (OLD.cost IS NOT NULL) THEN 0
                    ELSE cost - coalesce(OLD.cost, 0) END,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0)
    WHERE day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND model = coalesce(OLD.model, 'unknown model')
          AND endpoint = (SELECT coalesce(endpoint, 'openrouter') FROM conversations
                          WHERE id = OLD.conversation_id)
          AND OLD.role = 'assistant' AND OLD.status <> 'streaming'
          AND (OLD.status <> 'error' OR OLD.cost IS NOT NULL
               OR OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL);
    DELETE FROM usage_daily WHERE day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND model = coalesce(OLD.model, 'unknown model')
          AND endpoint = (SELECT coalesce(endpoint, 'openrouter') FROM conversations
                          WHERE id = OLD.conversation_id) AND replies <= 0;
END;

CREATE TRIGGER usage_daily_conversation_delete BEFORE DELETE ON conversations BEGIN
    UPDATE usage_daily SET
        replies = replies - g.n, priced = priced - g.pr,
        cost = CASE WHEN priced = g.pr THEN 0 ELSE cost - g.co END,
        prompt_tokens = prompt_tokens - g.p, completion_tokens = completion_tokens - g.c,
        reasoning_tokens = reasoning_tokens - g.r, cached_tokens = cached_tokens - g.k
    FROM (
        SELECT date(m.created_at, 'unixepoch', 'localtime') AS d,
               coalesce(m.model, 'unknown model') AS mo, count(*) AS n,
               count(m.cost) AS pr, total(m.cost) AS co, total(m.prompt_tokens) AS p,
               total(m.completion_tokens) AS c, total(m.reasoning_tokens) AS r,
               total(m.cached_tokens) AS k
        FROM messages m
        WHERE m.conversation_id = OLD.id AND m.role = 'assistant' AND m.status <> 'streaming'
              AND (m.status <> 'error' OR m.cost IS NOT NULL
                   OR m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)
        GROUP BY 1, 2
    ) AS g
    WHERE usage_daily.day = g.d AND usage_daily.model = g.mo
          AND usage_daily.endpoint = coalesce(OLD.endpoint, 'openrouter');
    DELETE FROM usage_daily WHERE replies <= 0;
END;

-- Moving a conversation to another endpoint moves its spend with it.
CREATE TRIGGER usage_daily_conversation_endpoint AFTER UPDATE OF endpoint ON conversations
WHEN coalesce(OLD.endpoint, 'openrouter') <> coalesce(NEW.endpoint, 'openrouter') BEGIN
    UPDATE usage_daily SET
        replies = replies - g.n, priced = priced - g.pr,
        cost = CASE WHEN priced = g.pr THEN 0 ELSE cost - g.co END,
        prompt_tokens = prompt_tokens - g.p, completion_tokens = completion_tokens - g.c,
        reasoning_tokens = reasoning_tokens - g.r, cached_tokens = cached_tokens - g.k
    FROM (
        SELECT date(m.created_at, 'unixepoch', 'localtime') AS d,
               coalesce(m.model, 'unknown model') AS mo, count(*) AS n,
               count(m.cost) AS pr, total(m.cost) AS co, total(m.prompt_tokens) AS p,
               total(m.completion_tokens) AS c, total(m.reasoning_tokens) AS r,
               total(m.cached_tokens) AS k
        FROM messages m
        WHERE m.conversation_id = OLD.id AND m.role = 'assistant' AND m.status <> 'streaming'
              AND (m.status <> 'error' OR m.cost IS NOT NULL
                   OR m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)
        GROUP BY 1, 2
    ) AS g
    WHERE usage_daily.day = g.d AND usage_daily.model = g.mo
          AND usage_daily.endpoint = coalesce(OLD.endpoint, 'openrouter');
    DELETE FROM usage_daily WHERE replies <= 0;
    INSERT INTO usage_daily
    SELECT date(m.created_at, 'unixepoch', 'localtime'), coalesce(m.model, 'unknown model'),
           coalesce(NEW.endpoint, 'openrouter'), count(*), count(m.cost), total(m.cost),
           total(m.prompt_tokens), total(m.completion_tokens), total(m.reasoning_tokens),
           total(m.cached_tokens)
    FROM messages m
    WHERE m.conversation_id = OLD.id AND m.role = 'assistant' AND m.status <> 'streaming'
          AND (m.status <> 'error' OR m.cost IS NOT NULL
               OR m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)
    GROUP BY 1, 2
    ON CONFLICT DO UPDATE SET
        replies = replies + excluded.replies, priced = priced + excluded.priced,
        cost = cost + excluded.cost, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens;
END;

-- The same per conversation (cost and replies only), for the dearest conversations of a
-- range. Deleting a conversation deletes its messages, whose trigger takes them out.
CREATE TABLE usage_conversation_daily (
    day             TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL,
    replies         INTEGER NOT NULL,
    priced          INTEGER NOT NULL,
    cost            REAL    NOT NULL,
    PRIMARY KEY (day, conversation_id)
) WITHOUT ROWID;

INSERT INTO usage_conversation_daily
SELECT date(m.created_at, 'unixepoch', 'localtime'), m.conversation_id, count(*),
       count(m.cost), total(m.cost)
FROM messages m
WHERE m.role = 'assistant' AND m.status <> 'streaming'
          AND (m.status <> 'error' OR m.cost IS NOT NULL
               OR m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)
GROUP BY 1, 2;

CREATE TRIGGER usage_conversation_daily_insert AFTER INSERT ON messages
WHEN NEW.role = 'assistant' BEGIN
    INSERT INTO usage_conversation_daily
    SELECT date(NEW.created_at, 'unixepoch', 'localtime'), NEW.conversation_id, 1,
           NEW.cost IS NOT NULL, coalesce(NEW.cost, 0)
    WHERE NEW.role = 'assistant' AND NEW.status <> 'streaming'
          AND (NEW.status <> 'error' OR NEW.cost IS NOT NULL
               OR NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
    ON CONFLICT DO UPDATE SET
        replies = replies + 1, priced = priced + excluded.priced, cost = cost + excluded.cost;
END;

CREATE TRIGGER usage_conversation_daily_update AFTER UPDATE OF
    role, status, created_at, conversation_id, cost, prompt_tokens, completion_tokens
    ON messages
WHEN NEW.role = 'assistant' OR OLD.role = 'assistant' BEGIN
    UPDATE usage_conversation_daily SET
        replies = replies - 1, priced = priced - (OLD.cost IS NOT NULL),
        cost = CASE WHEN priced = (OLD.cost IS NOT NULL) THEN 0
                    ELSE cost - coalesce(OLD.cost, 0) END
    WHERE conversation_id = OLD.conversation_id
          AND day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND OLD.role = 'assistant' AND OLD.status <> 'streaming'
          AND (OLD.status <> 'error' OR OLD.cost IS NOT NULL
               OR OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL);
    DELETE FROM usage_conversation_daily WHERE conversation_id = OLD.conversation_id
          AND day = date(OLD.created_at, 'unixepoch', 'localtime') AND replies <= 0;
    INSERT INTO usage_conversation_daily
    SELECT date(NEW.created_at, 'unixepoch', 'localtime'), NEW.conversation_id, 1,
           NEW.cost IS NOT NULL, coalesce(NEW.cost, 0)
    WHERE NEW.role = 'assistant' AND NEW.status <> 'streaming'
          AND (NEW.status <> 'error' OR NEW.cost IS NOT NULL
               OR NEW.prompt_tokens IS NOT NULL OR NEW.completion_tokens IS NOT NULL)
    ON CONFLICT DO UPDATE SET
        replies = replies + 1, priced = priced + excluded.priced, cost = cost + excluded.cost;
END;

CREATE TRIGGER usage_conversation_daily_delete AFTER DELETE ON messages
WHEN OLD.role = 'assistant' BEGIN
    UPDATE usage_conversation_daily SET
        replies = replies - 1, priced = priced - (OLD.cost IS NOT NULL),
        cost = CASE WHEN priced = (OLD.cost IS NOT NULL) THEN 0
                    ELSE cost - coalesce(OLD.cost, 0) END
    WHERE conversation_id = OLD.conversation_id
          AND day = date(OLD.created_at, 'unixepoch', 'localtime')
          AND OLD.role = 'assistant' AND OLD.status <> 'streaming'
          AND (OLD.status <> 'error' OR OLD.cost IS NOT NULL
               OR OLD.prompt_tokens IS NOT NULL OR OLD.completion_tokens IS NOT NULL);
    DELETE FROM usage_conversation_daily WHERE conversation_id = OLD.conversation_id
          AND day = date(OLD.created_at, 'unixepoch', 'localtime') AND replies <= 0;
END;
"""

_V8_DRAFTS = """
-- The unsent message of a conversation, or of the new chat not stored yet (NULL).
CREATE TABLE drafts (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER UNIQUE
                     REFERENCES conversations (id) ON DELETE CASCADE,
    text             TEXT    NOT NULL DEFAULT '',
    attachments      TEXT    NOT NULL DEFAULT '[]',
    updated_at       REAL    NOT NULL
);

-- UNIQUE lets many NULLs in: this keeps one draft for the new chat.
CREATE UNIQUE INDEX drafts_one_new_chat ON drafts ((conversation_id IS NULL))
    WHERE conversation_id IS NULL;
"""

_V9_FOLDERS = """
-- Folders group conversations (one level of nesting: a folder may sit in a top-level
-- folder, never deeper; the application enforces the depth). Ids are stable text ids
-- (uuid4 hex) so exports can match them across databases.
CREATE TABLE folders (
    id          TEXT    PRIMARY KEY,
    parent_id   TEXT    REFERENCES folders(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    collapsed   INTEGER NOT NULL DEFAULT 0,
    -- defaults for new chats made in the folder: {"model": ..., "options": {...}}
    defaults    TEXT    NOT NULL DEFAULT '{}',
    created_at  REAL    NOT NULL,
    updated_at  REAL    NOT NULL
);

CREATE INDEX folders_parent ON folders (parent_id, position);

-- Deleting a folder moves its conversations out of it; they are never deleted with it.
ALTER TABLE conversations ADD COLUMN folder_id TEXT
    REFERENCES folders(id) ON DELETE SET NULL;

CREATE INDEX conversations_folder ON conversations (folder_id);
"""

# Sync (app/core/sync, docs/sync.md). Triggers put the stable id of every changed
# conversation, message and prompt into sync_outbox, but only once sync is switched on
# (sync_state.capturing) and never while remote changes are being applied
# (sync_state.applying, set only inside that transaction), so a merged change is not
# sent back out. A reply still streaming is captured once it is final. Every statement
# is idempotent: a file whose version number was set back by hand upgrades again.
_V10_SYNC = """
CREATE TABLE IF NOT EXISTS sync_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT,
    capturing   INTEGER NOT NULL DEFAULT 0,
    applying    INTEGER NOT NULL DEFAULT 0,
    next_seq    INTEGER NOT NULL DEFAULT 1,
    last_round  REAL
);
INSERT OR IGNORE INTO sync_state (id) VALUES (1);

CREATE TABLE IF NOT EXISTS sync_outbox (
    seq   INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL,
    uid   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sync_clock (
    kind     TEXT    NOT NULL,
    uid      TEXT    NOT NULL,
    ts       INTEGER NOT NULL,
    device   TEXT    NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0,
    -- kinds merged field by field: {"field": [value, ts, device]} as last synced
    state    TEXT,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS sync_peers (
    device       TEXT PRIMARY KEY,
    applied_seq  INTEGER NOT NULL DEFAULT 0,
    last_applied REAL
) WITHOUT ROWID;

-- Remote changes that refer to something not here yet (a reply whose prompt comes from
-- a device not read yet): applied as soon as what they wait for arrives.
CREATE TABLE IF NOT EXISTS sync_parked (
    kind       TEXT NOT NULL,
    uid        TEXT NOT NULL,
    op         TEXT NOT NULL,
    wait_kind  TEXT NOT NULL,
    wait_uid   TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_parked_waiting ON sync_parked (wait_kind, wait_uid);

CREATE TABLE IF NOT EXISTS sync_skipped (
    device  TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    mtime   REAL    NOT NULL,
    reason  TEXT    NOT NULL,
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS sync_leaf_wanted (
    conversation_uid TEXT PRIMARY KEY,
    leaf_uid         TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_leaf_wanted_by_leaf ON sync_leaf_wanted (leaf_uid);

-- Chats and folders received in a folder that has not arrived yet: filed in it when it
-- does (kind 'conversation' or 'folder', its uid, the folder's id).
CREATE TABLE IF NOT EXISTS sync_folder_wanted (
    kind       TEXT NOT NULL,
    uid        TEXT NOT NULL,
    folder_uid TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sync_folder_wanted_by_folder ON sync_folder_wanted (folder_uid);

CREATE TABLE IF NOT EXISTS sync_blobs_wanted (
    sha256 TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS sync_conversation_insert AFTER INSERT ON conversations
WHEN NEW.uid IS NOT NULL
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('conversation', NEW.uid);
END;

-- trashed_at is left out: the trash is the Undo window, local to this device.
CREATE TRIGGER IF NOT EXISTS sync_conversation_update AFTER UPDATE OF
    uid, title, created_at, updated_at, model, pinned, archived, tags, options, endpoint,
    active_leaf_id, folder_id ON conversations
WHEN NEW.uid IS NOT NULL
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('conversation', NEW.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_conversation_delete AFTER DELETE ON conversations
WHEN OLD.uid IS NOT NULL
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('conversation', OLD.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_message_insert AFTER INSERT ON messages
WHEN NEW.uid IS NOT NULL AND NEW.status <> 'streaming'
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('message', NEW.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_message_update AFTER UPDATE ON messages
WHEN NEW.uid IS NOT NULL AND NEW.status <> 'streaming'
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('message', NEW.uid);
END;

-- Messages deleted together with their conversation go with its tombstone.
CREATE TRIGGER IF NOT EXISTS sync_message_delete AFTER DELETE ON messages
WHEN OLD.uid IS NOT NULL
     AND EXISTS (SELECT 1 FROM conversations WHERE id = OLD.conversation_id)
     AND (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('message', OLD.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_folder_insert AFTER INSERT ON folders
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('folder', NEW.id);
END;

-- collapsed is left out: whether a folder shows open is this device's view.
CREATE TRIGGER IF NOT EXISTS sync_folder_update AFTER UPDATE OF
    id, parent_id, name, position, defaults, created_at, updated_at ON folders
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('folder', NEW.id);
END;

-- Sub-folders deleted with their folder (ON DELETE CASCADE) are recorded too.
CREATE TRIGGER IF NOT EXISTS sync_folder_delete AFTER DELETE ON folders
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('folder', OLD.id);
END;

CREATE TRIGGER IF NOT EXISTS sync_prompt_insert AFTER INSERT ON prompts
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('prompt', NEW.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_prompt_update AFTER UPDATE ON prompts
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('prompt', NEW.uid);
END;

CREATE TRIGGER IF NOT EXISTS sync_prompt_delete AFTER DELETE ON prompts
WHEN (SELECT capturing AND NOT applying FROM sync_state WHERE id = 1) BEGIN
    INSERT INTO sync_outbox (kind, uid) VALUES ('prompt', OLD.uid);
END;
"""

#: Parley's schema history. Append only: never edit or reorder a released migration.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial", _V1_INITIAL),
    Migration(2, "history, search, branches, prompts", _V2_HISTORY),
    Migration(3, "conversation endpoint", _V3_CONVERSATION_ENDPOINT),
    Migration(4, "index final replies only, record who writes a streaming reply",
              _V4_FINAL_INDEX),
    Migration(5, "files attached to messages", _V5_ATTACHMENTS),
    Migration(6, "usage index", _V6_USAGE_INDEX),
    Migration(7, "daily usage summary", _V7_USAGE_DAILY),
    Migration(8, "drafts", _V8_DRAFTS),
    Migration(9, "folders", _V9_FOLDERS),
    Migration(10, "sync change log", _V10_SYNC),
)


def _check_migrations(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(
                f"migration {migration.name!r} has version {migration.version}, "
                f"expected {expected}: versions must count up from 1 without gaps"
            )


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping triggers and quoted semicolons whole."""
    statements: list[str] = []
    buffer = ""
    parts = script.split(";")
    for index, part in enumerate(parts):
        buffer += part
        if index < len(parts) - 1:
            buffer += ";"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer)
            buffer = ""
    if buffer.strip():
        statements.append(buffer)  # incomplete: let SQLite report the syntax error
    return [s for s in statements if s.strip(" \t\r\n;")]

