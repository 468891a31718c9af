"""The prompt library for the widgets: list, edit, import and export via app.core.history.prompts.

Widgets never see SQLite: the library dialog and the composer's "/" picker call this object,
which turns every `ParleyError` into `errorRaised` (a sentence to show) instead of letting
it escape into Qt's event loop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.core.errors import ParleyError
from app.core.history import prompts as lib
from app.core.history.prompts import Prompt, PromptImportReport

if TYPE_CHECKING:
    from app.core.history import Store

#: larger files are refused before they are read (a prompt library is kilobytes)
MAX_IMPORT_BYTES = 64 * 1024 * 1024

#: how many prompts the "/" picker offers at most
PICKER_LIMIT = 30


class PromptsController(QObject):
    """Glue between the prompt widgets and the library stored in the history database."""

    #: the library changed (created, edited, deleted or imported prompts)
    promptsChanged = Signal()
    #: a failure as a complete sentence; nothing was changed by the failed call
    errorRaised = Signal(str)
    #: a short confirmation ("Imported 3 prompts.")
    statusMessage = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def _fail(self, exc: ParleyError) -> None:
        self.errorRaised.emit(str(exc))

    # ---- reading --------------------------------------------------------------------

    def list_prompts(
        self, search: str = "", *, favourites_only: bool = False, system: bool | None = None
    ) -> list[Prompt]:
        """Favourites first, then by title; `search` matches title, body and tags."""
        try:
            return lib.list_prompts(
                self._store, search=search.strip() or None,
                favourites_only=favourites_only, system=system,
            )
        except ParleyError as exc:
            self._fail(exc)
            return []

    def get(self, prompt_id: int) -> Prompt | None:
        """One prompt, or None when it is gone (or the database failed)."""
        try:
            return lib.get(self._store, prompt_id)
        except ParleyError as exc:
            self._fail(exc)
            return None

    def picker_prompts(self, query: str) -> list[Prompt]:
        """Prompts for the composer's "/" picker: titles starting with `query`, then
        titles containing it, then tags containing it (favourites first in each group)."""
        needle = query.strip().casefold()
        everything = self.list_prompts()
        if not needle:
            return everything[:PICKER_LIMIT]
        starts = [p for p in everything if p.title.casefold().startswith(needle)]
        contains = [p for p in everything
                    if needle in p.title.casefold() and p not in starts]
        tagged = [p for p in everything
                  if p not in starts and p not in contains
                  and any(needle in t.casefold() for t in p.tags)]
        return (starts + contains + tagged)[:PICKER_LIMIT]

    # ---- writing --------------------------------------------------------------------

    def create(
        self,
        title: str,
        body: str,
        *,
        tags: Iterable[str] = (),
        favourite: bool = False,
        is_system: bool = False,
    ) -> Prompt | None:
        """Add a prompt; None (and `errorRaised`) when it could not be saved."""
        try:
            prompt = lib.create(self._store, title, body, tags=list(tags),
                                favourite=favourite, is_system=is_system)
        except ParleyError as exc:
            self._fail(exc)
            return None
        self.promptsChanged.emit()
        return prompt

    def update(
        self,
        prompt_id: int,
        *,
        title: str | None = None,
        body: str | None = None,
        tags: Iterable[str] | None = None,
        favourite: bool | None = None,
        is_system: bool | None = None,
    ) -> Prompt | None:
        """Change the given fields (None leaves one alone); None when it failed."""
        try:
            prompt = lib.update(
                self._store, prompt_id, title=title, body=body,
                tags=None if tags is None else list(tags),
                favourite=favourite, is_system=is_system,
            )
        except ParleyError as exc:
            self._fail(exc)
            return None
        self.promptsChanged.emit()
        return prompt

    def set_favourite(self, prompt_id: int, favourite: bool) -> Prompt | None:
        """Star or unstar a prompt."""
        return self.update(prompt_id, favourite=favourite)

    def delete(self, prompt_id: int) -> bool:
        """Delete a prompt; False when it was already gone or the delete failed."""
        try:
            deleted = lib.delete(self._store, prompt_id)
        except ParleyError as exc:
            self._fail(exc)
            return False
        if deleted:
            self.promptsChanged.emit()
        return deleted

    def duplicate(self, prompt_id: int, title: str) -> Prompt | None:
        """A copy of a prompt under `title` (not a favourite, so the copy is easy to tell)."""
        original = self.get(prompt_id)
        if original is None:
            return None
        return self.create(title, original.body, tags=original.tags,
                           is_system=original.is_system)

    # ---- files ----------------------------------------------------------------------

    def export_file(self, path: str | os.PathLike[str],
                    prompt_ids: Sequence[int] | None = None) -> int | None:
        """Write the library (or the given prompts) as JSON; the count, or None on failure."""
        items = self.list_prompts()
        if prompt_ids is not None:
            wanted = set(prompt_ids)
            items = [p for p in items if p.id in wanted]
        target = Path(path)
        # Written beside the target first: a failed write never leaves half a file.
        partial = target.with_name(target.name + ".partial")
        try:
            partial.write_text(lib.export_json(items), encoding="utf-8")
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            self.errorRaised.emit(
                self.tr("Could not write {path}: {error}.").format(
                    path=target, error=exc.strerror or exc
                )
            )
            return None
        self.statusMessage.emit(
            self.tr("Exported {n} prompt(s) to {path}.").format(n=len(items), path=target)
        )
        return len(items)

    def import_file(self, path: str | os.PathLike[str]) -> PromptImportReport | None:
        """Read a Parley prompts JSON file: all or nothing; prompts already there are kept."""
        from app.core.history.importers import read_import_bytes

        source = Path(path)
        try:
            # Regular files only, read with a bound: a pipe or /dev/zero is refused.
            data = json.loads(read_import_bytes(source, MAX_IMPORT_BYTES).decode("utf-8"))
            report = lib.import_json(self._store, data)
        except OSError as exc:
            self.errorRaised.emit(
                self.tr("Could not read {path}: {error}.").format(
                    path=source, error=exc.strerror or exc
                )
            )
            return None
        except (UnicodeDecodeError, ValueError):
            self.errorRaised.emit(
                self.tr("Cannot import {path}: it is not a JSON file.").format(path=source)
            )
            return None
        except ParleyError as exc:
            self._fail(exc)
            return None
        if report.added:
            self.promptsChanged.emit()
        self.statusMessage.emit(
            self.tr("Imported {added} prompt(s); {skipped} already in the library.").format(
                added=report.added, skipped=report.skipped
            )
        )
        return report
