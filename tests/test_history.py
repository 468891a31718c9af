"""History you can trust and search: migration 2, FTS, list state, branches, usage."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app.core.branches import begin_edit, begin_regenerate
from app.core.chat import begin_exchange
from app.core.domain import Attachment, AttachmentKind, MessageStatus, Role, Usage
from app.core.errors import StorageError
from app.core.history import MIGRATIONS, Store
from app.core.history.search import MATCH_END, MATCH_START, fts_query, search


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as s:
        yield s


def _tick() -> None:
    time.sleep(0.002)


def _fts_ok(store: Store) -> None:
    conn = store._conn
    assert conn is not None
    # FTS5 compares the index with the content table; raises if they disagree.
    conn.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
    conn.execute(
        "INSERT INTO conversations_fts (conversations_fts, rank) VALUES ('integrity-check', 1)"
    )


# ---------------------------------------------------------------- migration 1 -> 2


def _make_v1(path: Path) -> None:
    """A version-1 database as Parley 1 wrote it: prompts without parents."""
    Store.open(path, migrations=MIGRATIONS[:1]).close()
    raw = sqlite3.connect(path)
    now = time.time()
    with raw:
        raw.execute("INSERT INTO conversations (id, title, created_at, updated_at) "
                    "VALUES (1, 'Old café chat', ?, ?)", (now, now))
        rows = [
            (1, None, "system", "Be brief."),
            (2, None, "user", "first question about zebras"),
            (3, 2, "assistant", "first answer"),
            (4, None, "user", "second question"),
            (5, 4, "assistant", "second answer"),
        ]
        for mid, parent, role, content in rows:
            raw.execute(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, "
                "created_at, updated_at, reasoning) VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
                (mid, parent, role, content, now + mid, now + mid,
                 "pondering" if mid == 3 else ""),
            )
        raw.execute("INSERT INTO conversations (id, title, created_at, updated_at) "
                    "VALUES (2, 'Empty', ?, ?)", (now, now))
    raw.close()


def test_migration_1_to_2_keeps_everything_and_backs_up(db_path: Path) -> None:
    _make_v1(db_path)
    with Store.open(db_path) as s:
        assert s.schema_version == len(MIGRATIONS) >= 2
        thread = s.get_thread(1)
        assert [m.content for m in thread] == [
            "Be brief.", "first question about zebras", "first answer", "second question",
            "second answer",
        ]
        assert [m.parent_id for m in thread] == [None, 1, 2, 3, 4]
        uids = [m.uid for m in s.get_messages(1)]
        assert len(set(uids)) == 5
        for uid in uids:
            assert len(uid) == 32 and uid[12] == "4" and uid[16] in "89ab", uid
            int(uid, 16)
        convs = s.list_conversations()
        assert {c.title for c in convs} == {"Old café chat", "Empty"}
        assert all(len(c.uid) == 32 for c in convs)
        assert all(not c.pinned and not c.archived and c.tags == [] for c in convs)
        # Existing rows are indexed by the migration.
        assert [h.message_id for h in search(s, "zebras")] == [2]
        assert [h.message_id for h in search(s, "pondering")] == [3]
        assert [h.role for h in search(s, "cafe")] == ["title"]
        _fts_ok(s)
        # New rows continue the old path.
        new = s.add_message(1, Role.USER, "third")
        assert new.parent_id == 5
    (backup,) = (db_path.parent / "backups").iterdir()
    assert backup.name.startswith(f"history.sqlite3.before-v{len(MIGRATIONS)}-")
    raw = sqlite3.connect(backup)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("SELECT count(*) FROM messages").fetchone()[0] == 5
    finally:
        raw.close()


def _indexed_rows(store: Store) -> int:
    conn = store._conn
    assert conn is not None
    return int(conn.execute("SELECT count(*) FROM messages_fts_docsize").fetchone()[0])


def test_streaming_reply_is_indexed_once_when_final(store: Store) -> None:
    conv = store.create_conversation("Animals")
    user = store.add_message(conv.id, Role.USER, "Tell me about zebras")
    reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    text = ""
    for n in range(5):
        text += f"Stripes of the okapi, part {n}. "
        store.update_message(reply.id, content=text, reasoning=f"thinking about giraffes {n}")
        # While it streams the reply is not in the index at all.
        assert _indexed_rows(store) == 1
        assert search(store, "okapi") == []
    assert [h.message_id for h in search(store, "zebras")] == [user.id]

    store.update_message(reply.id, status=MessageStatus.COMPLETE, finish_reason="stop")
    assert _indexed_rows(store) == 2
    assert [h.message_id for h in search(store, "okapi")] == [reply.id]
    assert [h.message_id for h in search(store, "giraffes")] == [reply.id]
    _fts_ok(store)

    # Later saves of a final reply keep the index exact.
    store.update_message(reply.id, content="Okapis are shy.", status=MessageStatus.COMPLETE)
    assert [h.message_id for h in search(store, "shy")] == [reply.id]
    assert search(store, "stripes") == []
    _fts_ok(store)


def test_tool_messages_and_failed_replies_are_found_once_final(store: Store) -> None:
    conv = store.create_conversation()
    store.add_message(conv.id, Role.USER, "weather?")
    tool = store.add_message(conv.id, Role.TOOL, "", status=MessageStatus.STREAMING)
    store.update_message(tool.id, content='{"forecast": "drizzle"}')
    assert search(store, "drizzle") == []
    store.update_message(tool.id, status=MessageStatus.COMPLETE)
    assert [h.message_id for h in search(store, "drizzle")] == [tool.id]

    failed = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    store.update_message(failed.id, content="Partial monsoon")
    store.update_message(failed.id, status=MessageStatus.ERROR, error="HTTP 502.")
    assert [h.message_id for h in search(store, "monsoon")] == [failed.id]
    _fts_ok(store)


def test_deleting_a_streaming_reply_keeps_the_index_exact(store: Store) -> None:
    conv = store.create_conversation()
    store.add_message(conv.id, Role.USER, "q")
    live = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    store.update_message(live.id, content="unfinished quokka")
    assert store.delete_message(live.id) == 1
    other = store.create_conversation()
    store.add_message(other.id, Role.USER, "quokka facts")
    assert [h.conversation_id for h in search(store, "quokka")] == [other.id]
    _fts_ok(store)
    store.delete_conversation(conv.id)
    _fts_ok(store)


def test_interrupted_reply_is_searchable_after_start_up(db_path: Path) -> None:
    with Store.open(db_path) as s:
        conv = s.create_conversation()
        s.add_message(conv.id, Role.USER, "q")
        reply = s.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
        s.update_message(reply.id, content="half a narwhal story", reasoning="tusks")
        assert search(s, "narwhal") == []
    with Store.open(db_path) as s:
        assert s.mark_interrupted_streams() == 1
        assert [h.message_id for h in search(s, "narwhal")] == [reply.id]
        assert [h.message_id for h in search(s, "tusks")] == [reply.id]
        _fts_ok(s)


def test_migration_takes_streaming_replies_out_of_the_index(db_path: Path) -> None:
    Store.open(db_path, migrations=MIGRATIONS[:2]).close()
    raw = sqlite3.connect(db_path)
    with raw:  # as version 2 wrote them: every save of a streaming reply indexed
        raw.execute("INSERT INTO conversations (id, created_at, updated_at) VALUES (1, 1, 1)")
        raw.execute("INSERT INTO messages (id, conversation_id, role, content, created_at, "
                    "updated_at) VALUES (1, 1, 'assistant', 'finished pelican', 1, 1)")
        raw.execute("INSERT INTO messages (id, conversation_id, parent_id, role, content, "
                    "status, created_at, updated_at) "
                    "VALUES (2, 1, 1, 'assistant', '', 'streaming', 2, 2)")
        raw.execute("UPDATE messages SET content = 'streaming pelican' WHERE id = 2")
        assert raw.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH "
                           "'pelican'").fetchone()[0] == 2
    raw.close()
    with Store.open(db_path) as s:
        assert [h.message_id for h in search(s, "pelican")] == [1]
        s.update_message(2, content="streaming pelican, done", status=MessageStatus.COMPLETE)
        assert {h.message_id for h in search(s, "pelican")} == {1, 2}
        _fts_ok(s)


def test_reasoning_only_match_shows_a_highlighted_reasoning_snippet(store: Store) -> None:
    conv = store.create_conversation("Trip")
    store.add_message(conv.id, Role.USER, "Plan a weekend")
    reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    store.update_message(
        reply.id,
        content="Saturday: museum. Sunday: hike. " * 20,
        reasoning="The user likes quiet places; the capybara sanctuary is near.",
        status=MessageStatus.COMPLETE,
    )
    (hit,) = search(store, "capybara")
    assert hit.message_id == reply.id
    assert f"{MATCH_START}capybara{MATCH_END} sanctuary" in hit.snippet
    assert "museum" not in hit.snippet


def test_rows_inserted_by_hand_get_uids(store: Store) -> None:
    conn = store._conn
    assert conn is not None
    conn.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('x', 1, 1)")
    conn.execute("INSERT INTO messages (conversation_id, role, content, created_at, updated_at) "
                 "VALUES (1, 'user', 'by hand', 1, 1)")
    (conv,) = store.list_conversations()
    assert len(conv.uid) == 32
    assert len(store.get_messages(conv.id)[0].uid) == 32
    assert search(store, "hand")[0].message_id == store.get_messages(conv.id)[0].id


# ---------------------------------------------------------------- full-text search


def test_fts_follows_insert_update_delete_and_trash(store: Store) -> None:
    conv = store.create_conversation("Plans")
    user = store.add_message(conv.id, Role.USER, "How do I water a bonsai?")
    reply = store.add_message(conv.id, Role.ASSISTANT, "", status=MessageStatus.STREAMING)
    assert [h.message_id for h in search(store, "bonsai")] == [user.id]

    store.update_message(reply.id, content="Water the bonsai when the soil feels dry.")
    store.update_message(reply.id, content="Mist the Bonsaï daily.", reasoning="humidity")
    # A reply is indexed once, when it is final.
    assert [h.message_id for h in search(store, "bonsai")] == [user.id]
    store.update_message(reply.id, status=MessageStatus.COMPLETE)
    assert [h.message_id for h in search(store, "bonsai")] == [user.id, reply.id] or [
        h.message_id for h in search(store, "bonsai")] == [reply.id, user.id]
    assert search(store, "soil") == []
    assert [h.message_id for h in search(store, "humidity")] == [reply.id]
    _fts_ok(store)

    store.trash_conversation(conv.id)
    assert search(store, "bonsai") == []
    assert search(store, "plans") == []
    store.restore_conversation(conv.id)
    assert len(search(store, "bonsai")) == 2

    store.rename_conversation(conv.id, "Gardening")
    assert [h.role for h in search(store, "gardening")] == ["title"]
    assert search(store, "plans") == []

    store.delete_conversation(conv.id)
    assert search(store, "bonsai") == []
    assert search(store, "gardening") == []
    _fts_ok(store)


def test_search_hits_snippets_phrases_prefixes_ranking(store: Store) -> None:
    conv = store.create_conversation("Databases")
    a = store.add_message(conv.id, Role.USER, "SQLite full text search is handy. " * 3)
    b = store.add_message(conv.id, Role.ASSISTANT, "Text about search, and full coverage.")
    c = store.add_message(conv.id, Role.USER, "Unrelated prose about searching.")
    hits = search(store, "search")
    assert [h.message_id for h in hits][:2] == [a.id, b.id]  # bm25: more matches first
    hit = hits[0]
    assert hit.conversation_id == conv.id
    assert hit.conversation_title == "Databases"
    assert hit.role == "user"
    assert f"{MATCH_START}search{MATCH_END}" in hit.snippet
    assert hit.created_at == a.created_at
    assert [h.message_id for h in search(store, '"full text"')] == [a.id]
    assert {h.message_id for h in search(store, "full text")} == {a.id, b.id}
    assert {h.message_id for h in search(store, "search*")} == {a.id, b.id, c.id}
    assert {h.message_id for h in search(store, "sqlite OR coverage")} == {a.id, b.id}
    assert len(search(store, "search", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    ['foo"bar OR (', '"', '""', "(", ")", "*", "**", "OR", "AND", "NOT x", "NEAR(a b)",
     "a:b", "content:x", "^start", "-minus", "{a b}", "x AND OR y", "'; DROP TABLE x;--",
     "\x00", "\x02x\x03", "a" * 5000, " ", "", '"unterminated phrase', "über* \"* x"],
)
def test_hostile_queries_never_raise(store: Store, query: str) -> None:
    conv = store.create_conversation("t")
    store.add_message(conv.id, Role.USER, "foo bar content minus start x y über")
    search(store, query)  # must not raise


def test_fts_query_quotes_everything() -> None:
    assert fts_query('foo"bar OR (') == '"foo bar"'
    assert fts_query("a OR b") == '"a" OR "b"'
    assert fts_query('"two words"* x*') == '"two words"* "x"*'
    assert fts_query("NEAR(a b)") == '"NEAR(a" "b)"'
    assert fts_query("( ) *") == ""
    # OR joins only its two neighbours; a term with no word in it is skipped, not the end
    assert fts_query("cats OR dogs food") == '"cats" OR "dogs" "food"'
    assert fts_query("- food (") == '"food"'


# ---------------------------------------------------------------- list state


def test_list_pins_archives_tags_trash(store: Store) -> None:
    a = store.create_conversation("a")
    _tick()
    b = store.create_conversation("b")
    _tick()
    c = store.create_conversation("c")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]
    store.set_pinned(a.id, True)
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]
    assert [x.title for x in store.list_conversations(limit=2, offset=1)] == ["c", "b"]
    store.set_archived(c.id, True)
    assert [x.title for x in store.list_conversations()] == ["a", "b"]
    assert [x.title for x in store.list_conversations(archived=True)] == ["c"]
    assert {x.title for x in store.list_conversations(archived=None)} == {"a", "b", "c"}
    assert store.count_conversations() == 2
    assert store.count_conversations(archived=None) == 3

    assert store.set_tags(a.id, [" work ", "Work", "", "rust  lang"]) == ["work", "rust lang"]
    store.set_tags(b.id, ["work"])
    got = store.get_conversation(a.id)
    assert got is not None and got.tags == ["work", "rust lang"] and got.pinned
    assert store.all_tags() == [("rust lang", 1), ("work", 2)]
    assert [x.title for x in store.list_conversations(tag="work")] == ["a", "b"]
    assert store.count_conversations(tag="rust lang") == 1

    store.trash_conversation(b.id)
    assert [x.title for x in store.list_conversations()] == ["a"]
    assert [x.title for x in store.list_trashed()] == ["b"]
    assert store.all_tags() == [("rust lang", 1), ("work", 1)]
    assert {x.title for x in store.list_conversations(include_trashed=True)} == {"a", "b"}
    trashed = store.get_conversation(b.id)
    assert trashed is not None and trashed.trashed_at is not None
    store.restore_conversation(b.id)
    assert store.count_conversations() == 2

    store.trash_conversation(b.id)
    assert store.purge_trashed(older_than_seconds=3600) == 0
    assert store.purge_trashed(older_than_seconds=0) == 1
    assert store.get_conversation(b.id) is None
    with pytest.raises(StorageError, match="does not exist"):
        store.set_pinned(9999, True)


def test_options_round_trip(store: Store) -> None:
    conv = store.create_conversation()
    assert store.get_options(conv.id) == {}
    store.set_options(conv.id, {"temperature": 0.2, "provider": {"order": ["x"]}})
    assert store.get_options(conv.id) == {"temperature": 0.2, "provider": {"order": ["x"]}}
    assert store.get_options(999) == {}
    with pytest.raises(StorageError):
        store.set_options(conv.id, {"bad": object()})


def test_usage_totals(store: Store) -> None:
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    assert store.usage_totals() == Usage(cost=None)
    r1 = store.add_message(a.id, Role.ASSISTANT, "x")
    store.update_message(r1.id, usage=Usage(10, 5, 15, 0.25, 2, 1))
    r2 = store.add_message(b.id, Role.ASSISTANT, "y")
    store.update_message(r2.id, usage=Usage(1, 1, 2, None))
    store.add_message(a.id, Role.USER, "no usage")
    assert store.usage_totals() == Usage(11, 6, 17, 0.25, 2, 1)
    assert store.usage_totals(a.id) == Usage(10, 5, 15, 0.25, 2, 1)
    assert store.usage_totals(b.id).cost is None
    assert store.usage_totals(since=time.time() + 60) == Usage(cost=None)
    assert store.usage_totals(a.id, since=0).total_tokens == 15


# ---------------------------------------------------------------- branches


def test_edit_and_regenerate_make_siblings_and_switch_threads(store: Store) -> None:
    conv = store.create_conversation("t")
    ex1 = begin_exchange(store, conv.id, "q1", model="m")
    store.update_message(ex1.reply.id, content="a1", status=MessageStatus.COMPLETE)
    ex2 = begin_exchange(store, conv.id, "q2", model="m")
    assert ex2.user_message.parent_id == ex1.reply.id
    assert ex2.payload["messages"] == [
        {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]
    store.update_message(ex2.reply.id, content="a2", status=MessageStatus.COMPLETE)

    # Regenerate the second reply: a sibling, shown; the request ends with the prompt.
    regen = begin_regenerate(store, ex2.reply.id, model="m2")
    assert regen.reply.parent_id == ex2.user_message.id
    assert regen.payload["messages"][-1] == {"role": "user", "content": "q2"}
    assert len(regen.payload["messages"]) == 3
    store.update_message(regen.reply.id, content="a2 again", status=MessageStatus.COMPLETE)
    assert [m.id for m in store.siblings(ex2.reply.id)] == [ex2.reply.id, regen.reply.id]
    assert [m.content for m in store.get_thread(conv.id)][-1] == "a2 again"

    # Edit the first prompt: a sibling prompt with its own reply; the old branch stays.
    edit = begin_edit(store, ex1.user_message.id, "q1 edited", model="m")
    assert edit.user_message.parent_id is None
    assert edit.payload["messages"] == [{"role": "user", "content": "q1 edited"}]
    store.update_message(edit.reply.id, content="b1", status=MessageStatus.COMPLETE)
    assert [m.content for m in store.get_thread(conv.id)] == ["q1 edited", "b1"]
    assert [m.content for m in store.siblings(ex1.user_message.id)] == ["q1", "q1 edited"]

    # Back to the first branch: its newest leaf is shown, and a new turn continues it.
    leaf = store.select_branch(ex1.user_message.id)
    assert leaf == regen.reply.id
    assert [m.content for m in store.get_thread(conv.id)] == ["q1", "a1", "q2", "a2 again"]
    ex3 = begin_exchange(store, conv.id, "q3", model="m")
    assert [m["content"] for m in ex3.payload["messages"]] == ["q1", "a1", "q2", "a2 again",
                                                             "q3"]
    store.select_branch(ex2.reply.id)
    assert [m.content for m in store.get_thread(conv.id)] == ["q1", "a1", "q2", "a2"]
    # Nothing was ever destroyed.
    assert len(store.get_messages(conv.id)) == 9


def test_delete_message_is_explicit_about_descendants(store: Store) -> None:
    conv = store.create_conversation("t")
    q1 = store.add_message(conv.id, Role.USER, "q1")
    a1 = store.add_message(conv.id, Role.ASSISTANT, "a1")
    alt = store.new_reply_sibling(a1.id)
    store.update_message(alt.id, content="alt", status=MessageStatus.COMPLETE)
    q2 = store.add_message(conv.id, Role.USER, "q2")
    assert q2.parent_id == alt.id
    with pytest.raises(StorageError, match="1 later message"):
        store.delete_message(alt.id)
    assert store.delete_message(q2.id) == 1
    assert store.get_thread(conv.id)[-1].id == alt.id
    assert store.delete_message(alt.id) == 1
    # The branch shown is gone: the remaining sibling is shown.
    assert [m.id for m in store.get_thread(conv.id)] == [q1.id, a1.id]
    assert store.delete_message(q1.id, with_descendants=True) == 2
    assert store.get_thread(conv.id) == []
    assert store.delete_message(12345) == 0
    _fts_ok(store)


def test_new_reply_sibling_only_for_replies(store: Store) -> None:
    conv = store.create_conversation("t")
    q = store.add_message(conv.id, Role.USER, "q")
    with pytest.raises(StorageError, match="not a reply"):
        store.new_reply_sibling(q.id)
    with pytest.raises(StorageError, match="does not exist"):
        store.siblings(999)
    with pytest.raises(StorageError, match="does not exist"):
        store.select_branch(999)


def test_search_result_counts_are_bounded(store: Store) -> None:
    for i in range(12):
        store.create_conversation(f"Budget {i}")
    conv = store.create_conversation("Notes")
    for i in range(60):
        store.add_message(conv.id, Role.USER, f"budget line {i}")
    hits = search(store, "budget")
    assert len(hits) == 50  # the default page of results
    assert sum(h.role == "title" for h in hits) == 10  # titles leave room for messages
    assert search(store, "budget", limit=-1) == []


def _invoice(n: int) -> Attachment:
    return Attachment(sha256=f"{n:064x}", name=f"invoice-{n}.pdf", mime="application/pdf",
                      size=1, kind=AttachmentKind.PDF)


def test_every_attached_file_whose_name_matches_is_found(store: Store) -> None:
    conv = store.create_conversation("paperwork")
    store.add_message(conv.id, Role.USER, "Are these right?",
                      attachments=[_invoice(n) for n in range(3)])
    hits = search(store, "invoice")
    assert sorted(h.snippet for h in hits) == [
        f"📎 {MATCH_START}invoice{MATCH_END}-{n}.pdf" for n in range(3)]


def test_a_short_result_list_holds_the_title_and_the_files(store: Store) -> None:
    conv = store.create_conversation("invoice questions")
    store.add_message(conv.id, Role.USER, "Are these right?",
                      attachments=[_invoice(n) for n in range(3)])
    store.add_message(conv.id, Role.ASSISTANT, "The invoice totals match.")
    hits = search(store, "invoice", limit=4)
    assert [h.role for h in hits] == ["title", "user", "user", "user"]
    assert [h.role for h in search(store, "invoice", limit=5)][-1] == "assistant"
