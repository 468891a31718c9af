"""The local prompt library: reusable prompts and system-prompt presets, with variables.

Stored in the `prompts` table of the history database (docs/storage.md).

Variables are written `{{name}}` (spaces inside the braces are allowed: `{{ name }}`).
A name starts with a letter or `_` and continues with letters, digits, `_`, `-` or `.`.
To write literal double braces, triple them: `{{{name}}}` is not a variable and `fill`
turns it into the literal text `{{name}}`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.errors import ImportFileError, StorageError

if TYPE_CHECKING:
    import sqlite3

    from app.core.history import Store

PROMPTS_FORMAT = "parley-prompts"
PROMPTS_VERSION = 1

# `{{{...}}}` first (an escape), then `{{ name }}`.
_VARIABLE = re.compile(r"\{\{\{(.*?)\}\}\}|\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}", re.DOTALL)
_COLUMNS = "id, uid, title, body, tags, favourite, is_system, created_at, updated_at"


@dataclass
class Prompt:
    id: int
    uid: str
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    favourite: bool = False
    #: a system-prompt preset (sent as the system message) rather than a user prompt
    is_system: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "title": self.title,
            "body": self.body,
            "tags": list(self.tags),
            "favourite": self.favourite,
            "is_system": self.is_system,
            "created_ts": self.created_at,
            "updated_ts": self.updated_at,
        }


def variables(body: str) -> list[str]:
    """Names of the `{{variables}}` in `body`, each once, in order of first use."""
    names: list[str] = []
    for match in _VARIABLE.finditer(body):
        name = match.group(2)
        if name is not None and name not in names:
            names.append(name)
    return names


def fill(body: str, values: Mapping[str, str]) -> str:
    """Replace each `{{name}}` with `values[name]`; unknown names are left as written.

    Values are inserted literally (a value containing `{{x}}` is not filled again).
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return "{{" + match.group(1) + "}}"
        name = match.group(2)
        return str(values[name]) if name in values else match.group(0)

    return _VARIABLE.sub(replace, body)


def _from_row(row: Any) -> Prompt:
    try:
        tags = json.loads(row[4] or "[]")
    except ValueError:
        tags = []
    return Prompt(
        id=row[0],
        uid=row[1],
        title=row[2],
        body=row[3],
        tags=[str(t) for t in tags] if isinstance(tags, list) else [],
        favourite=bool(row[5]),
        is_system=bool(row[6]),
        created_at=row[7],
        updated_at=row[8],
    )


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise StorageError("A prompt needs a title.")
    return title


def _tags_json(tags: Iterable[str]) -> str:
    from app.core.history.store import clean_tags

    return json.dumps(clean_tags(tags), ensure_ascii=False)


def create(
    store: Store,
    title: str,
    body: str,
    *,
    tags: Iterable[str] = (),
    favourite: bool = False,
    is_system: bool = False,
) -> Prompt:
    """Add a prompt to the library."""
    from app.core.history.store import new_uid

    now = time.time()
    uid = new_uid()
    with store.transaction("save the prompt") as conn:
        cursor = conn.execute(
            "INSERT INTO prompts (uid, title, body, tags, favourite, is_system, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, _clean_title(title), body, _tags_json(tags), int(favourite), int(is_system),
             now, now),
        )
        prompt_id = cursor.lastrowid
    assert prompt_id is not None
    found = get(store, prompt_id)
    assert found is not None
    return found


def get(store: Store, prompt_id: int) -> Prompt | None:
    """One prompt by id, or None."""
    with store.reading("read the prompt") as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
    return None if row is None else _from_row(row)


def find(store: Store, id_or_title: str) -> Prompt | None:
    """A prompt by id (digits) or by title (exact, then case-insensitive)."""
    text = id_or_title.strip()
    if text.isdigit():
        found = get(store, int(text))
        if found is not None:
            return found
    with store.reading("read the prompt") as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM prompts WHERE title = ? ORDER BY id LIMIT 1", (text,)
        ).fetchone() or conn.execute(
            f"SELECT {_COLUMNS} FROM prompts WHERE lower(title) = lower(?) ORDER BY id LIMIT 1",
            (text,),
        ).fetchone()
    return None if row is None else _from_row(row)


def update(
    store: Store,
    prompt_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    tags: Iterable[str] | None = None,
    favourite: bool | None = None,
    is_system: bool | None = None,
) -> Prompt:
    """Change the given fields (None leaves a field alone)."""
    assignments: list[str] = []
    values: list[Any] = []
    for column, value in (
        ("title", None if title is None else _clean_title(title)),
        ("body", body),
        ("tags", None if tags is None else _tags_json(tags)),
        ("favourite", None if favourite is None else int(favourite)),
        ("is_system", None if is_system is None else int(is_system)),
    ):
        if value is not None:
            assignments.append(f"{column} = ?")
            values.append(value)
    assignments.append("updated_at = ?")
    values.append(time.time())
    with store.transaction("save the prompt") as conn:
        cursor = conn.execute(
            f"UPDATE prompts SET {', '.join(assignments)} WHERE id = ?", (*values, prompt_id)
        )
        if cursor.rowcount == 0:
            raise StorageError(f"The prompt {prompt_id} does not exist (was it deleted?).")
    found = get(store, prompt_id)
    assert found is not None
    return found


def delete(store: Store, prompt_id: int) -> bool:
    """Delete a prompt; False when there was none."""
    with store.transaction("delete the prompt") as conn:
        return conn.execute("DELETE FROM prompts WHERE id = ?", (prompt_id,)).rowcount > 0


def list_prompts(
    store: Store,
    *,
    search: str | None = None,
    favourites_only: bool = False,
    system: bool | None = None,
    tag: str | None = None,
) -> list[Prompt]:
    """Favourites first, then by title. `search` matches title, body and tags (any case)."""
    clauses: list[str] = []
    params: list[Any] = []
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\')"
        )
        params += [pattern, pattern, pattern]
    if favourites_only:
        clauses.append("favourite = 1")
    if system is not None:
        clauses.append("is_system = ?")
        params.append(int(system))
    if tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(prompts.tags) t WHERE t.value = ?)")
        params.append(tag)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    with store.reading("list the prompts") as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM prompts{where} "
            "ORDER BY favourite DESC, lower(title), id",
            params,
        ).fetchall()
    return [_from_row(r) for r in rows]


# ---------------------------------------------------------------- JSON import / export


def export_json(prompts: Iterable[Prompt]) -> str:
    """The library (or a part of it) as a JSON document that `import_json` reads."""
    from datetime import UTC, datetime

    return json.dumps(
        {
            "format": PROMPTS_FORMAT,
            "version": PROMPTS_VERSION,
            "exported_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "prompts": [p.to_dict() for p in prompts],
        },
        ensure_ascii=False,
        indent=2,
    )


@dataclass
class PromptImportReport:
    added: int = 0
    #: already in the library (same uid): left as they are
    skipped: int = 0


def _import_item(conn: sqlite3.Connection, raw: Any, where: str, now: float) -> bool:
    from app.core.history.store import new_uid

    if not isinstance(raw, dict):
        raise ImportFileError(f"Cannot import the prompts: {where} is not an object.")

    def text(key: str, limit: int, default: str | None = None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or len(value) > limit:
            raise ImportFileError(f"Cannot import the prompts: {where}.{key} is not valid text.")
        return value

    uid = raw.get("uid") or new_uid()
    if not isinstance(uid, str) or len(uid) > 64 or not uid.replace("-", "").isalnum():
        raise ImportFileError(f"Cannot import the prompts: {where}.uid is not valid.")
    title = " ".join(text("title", 1000).split())
    if not title:
        raise ImportFileError(f"Cannot import the prompts: {where}.title is empty.")
    body = text("body", 1_000_000, "")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or len(tags) > 200 or not all(
        isinstance(t, str) and len(t) <= 200 for t in tags
    ):
        raise ImportFileError(f"Cannot import the prompts: {where}.tags is not a list of text.")
    times = [raw.get("created_ts", now), raw.get("updated_ts", now)]
    # Range-checked before float(): an integer like 10**400 cannot become one.
    if not all(isinstance(t, int | float) and not isinstance(t, bool)
               and 0 <= t < 1e11 for t in times):
        raise ImportFileError(f"Cannot import the prompts: {where} has invalid times.")
    if conn.execute("SELECT 1 FROM prompts WHERE uid = ?", (uid,)).fetchone():
        return False
    conn.execute(
        "INSERT INTO prompts (uid, title, body, tags, favourite, is_system, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (uid, title, body, _tags_json(tags), int(bool(raw.get("favourite"))),
         int(bool(raw.get("is_system"))), float(times[0]), float(times[1])),
    )
    return True


def import_json(store: Store, data: Any) -> PromptImportReport:
    """Import a parsed prompts document: all or nothing, idempotent by uid."""
    if not isinstance(data, dict) or data.get("format") != PROMPTS_FORMAT:
        raise ImportFileError("Cannot import the prompts: this is not a Parley prompts file.")
    items = data.get("prompts")
    if not isinstance(items, list) or len(items) > 100_000:
        raise ImportFileError("Cannot import the prompts: `prompts` must be a list.")
    report = PromptImportReport()
    now = time.time()
    with store.transaction("import the prompts") as conn:
        for index, raw in enumerate(items):
            if _import_item(conn, raw, f"prompts[{index}]", now):
                report.added += 1
            else:
                report.skipped += 1
    return report
