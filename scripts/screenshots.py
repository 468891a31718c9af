"""Screenshots of the real app for the README and the AppStream metadata, made headless.

    python scripts/screenshots.py                 # docs/screenshots/parley-{light,dark}.png
    python scripts/screenshots.py --out /tmp/s --size 1280x800

Each theme runs in its own process: a scratch $PARLEY_HOME is filled with a realistic
history through the storage layer, the window is built by `app.main.build` exactly as
`parley` does, shown on Qt's offscreen platform, and grabbed with `QWidget.grab()` — no
X server, no network (the model list is not fetched), fixed times: the same pixels on every
run of the same app on the same fonts.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THEMES = ("light", "dark")
MODEL = "anthropic/claude-sonnet-4"
#: the sample history's clock (UTC; the shots are taken with TZ=UTC)
SAMPLE_TIME = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()

QUESTION = (
    "I have a SQLite table events(id, user_id, kind, created_at) with duplicate rows "
    "(same user_id, kind and created_at). How do I delete the duplicates and keep one of each?"
)

ANSWER = """\
Keep the row with the lowest `id` in each group and delete the rest. A window function \
finds them in one pass:

```sql
DELETE FROM events
WHERE id IN (
    SELECT id FROM (
        SELECT id, row_number() OVER (
            PARTITION BY user_id, kind, created_at ORDER BY id
        ) AS n
        FROM events
    )
    WHERE n > 1
);
```

Then stop new duplicates at the source with a unique index:

```sql
CREATE UNIQUE INDEX events_once ON events (user_id, kind, created_at);
```

Which approach fits depends on the table:

| Approach | Speed on 1M rows | Needs |
| --- | ---: | --- |
| `row_number()` window | ~0.8 s | SQLite 3.25+ |
| `GROUP BY` + `min(id)` | ~1.1 s | any version |
| Copy to a new table | ~0.6 s | free disk space, a short lock |

Run it inside a transaction (`BEGIN; ... COMMIT;`) and check `changes()` before you commit.\
"""

FOLLOW_UP = "And in Python, if I still need to insert rows that may already exist?"

FOLLOW_UP_ANSWER = """\
With the unique index in place, let SQLite skip them:

```python
con.execute(
    "INSERT OR IGNORE INTO events (user_id, kind, created_at) VALUES (?, ?, ?)",
    (user_id, kind, created_at),
)
```

`INSERT OR IGNORE` leaves the existing row alone; use `ON CONFLICT DO UPDATE` instead if the \
newer values should win.\
"""

# (title, model, [(user, assistant), ...]) — older conversations shown in the sidebar
OTHER_CONVERSATIONS = [
    ("Summarise the Q3 board notes", "openai/gpt-4o-mini", [
        ("Summarise these notes in five bullet points: revenue up 12%, churn flat, ...",
         "- Revenue grew 12% quarter on quarter\n- Churn held at 2.1%\n- Hiring paused"),
    ]),
    ("Lisbon in four days", "google/gemini-2.5-flash", [
        ("Plan four relaxed days in Lisbon in March, no car.",
         "**Day 1 — Baixa and Alfama.** Start at Praça do Comércio, then tram 28 up to..."),
    ]),
    ("Rust: lifetimes in struct fields", "anthropic/claude-sonnet-4", [
        ("Why does `struct Parser { input: &str }` not compile?",
         "A reference in a struct needs a lifetime parameter: `struct Parser<'a> { ... }`"),
    ]),
    ("Regex for ISO 8601 dates", "openai/gpt-4o-mini", [
        ("A regex that matches 2026-11-24 and 2026-11-24T10:15:00Z but not 2026-13-01?",
         "```regex\n^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])(T[\\d:]{8}Z)?$\n```"),
    ]),
]


def fill_history() -> int:
    """Write the sample history into $PARLEY_HOME; returns the conversation to show."""
    from app.core.config import database_path
    from app.core.domain import MessageStatus, Role, Usage
    from app.core.history import Store

    with Store.open(database_path()) as store:

        def exchange(conv_id: int, prompt: str, reply: str, model: str, tokens: int) -> None:
            store.add_message(conv_id, Role.USER, prompt)
            answer = store.add_message(
                conv_id, Role.ASSISTANT, "", status=MessageStatus.STREAMING, model=model
            )
            prompt_tokens = len(prompt) // 4 + 40
            store.update_message(
                answer.id,
                content=reply,
                status=MessageStatus.COMPLETE,
                model=model,
                provider="Anthropic" if model.startswith("anthropic/") else "OpenAI",
                finish_reason="stop",
                usage=Usage(
                    prompt_tokens=prompt_tokens,
                    completion_tokens=tokens,
                    total_tokens=prompt_tokens + tokens,
                    cost=round((prompt_tokens * 3 + tokens * 15) / 1_000_000, 6),
                ),
            )

        for title, model, turns in OTHER_CONVERSATIONS:
            conv = store.create_conversation(title, model=model)
            for prompt, reply in turns:
                exchange(conv.id, prompt, reply, model, tokens=len(reply) // 4 + 10)
        conv = store.create_conversation("Remove duplicate rows in SQLite", model=MODEL)
        exchange(conv.id, QUESTION, ANSWER, MODEL, tokens=412)
        exchange(conv.id, FOLLOW_UP, FOLLOW_UP_ANSWER, MODEL, tokens=118)
        # Fixed times (a conversation an hour after the one before, a message 40 s after
        # the one before), so the shots do not change with the day they are taken.
        with store.transaction("set the sample times") as conn:
            conn.execute(
                "UPDATE conversations SET created_at = :t + id * 3600, updated_at = :t + id * 3600",
                {"t": SAMPLE_TIME},
            )
            conn.execute(
                "UPDATE messages SET created_at = :t + conversation_id * 3600 + id * 40, "
                "updated_at = :t + conversation_id * 3600 + id * 40",
                {"t": SAMPLE_TIME},
            )
        return conv.id


def apply_theme(qapp: object, theme: str) -> None:
    """The app's own theme switch when it has one, else a plain Fusion palette."""
    if importlib.util.find_spec("app.ui.theme") is not None:
        from app.ui import theme as theme_module

        theme_module.apply_theme(qapp, theme)
        return
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication, QStyleFactory

    assert isinstance(qapp, QApplication)
    qapp.setStyle(QStyleFactory.create("Fusion"))
    if theme == "light":
        qapp.setPalette(qapp.style().standardPalette())
        return
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for name, color in {
        role.Window: "#202326", role.WindowText: "#e6e6e6", role.Base: "#17191b",
        role.AlternateBase: "#2a2e32", role.ToolTipBase: "#2a2e32", role.ToolTipText: "#e6e6e6",
        role.Text: "#e6e6e6", role.Button: "#2a2e32", role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b", role.Link: "#6cb6ff", role.Highlight: "#2f7fd8",
        role.HighlightedText: "#ffffff", role.PlaceholderText: "#8b949e",
        role.Light: "#3a3f44", role.Midlight: "#33383d", role.Mid: "#44494e",
        role.Dark: "#111315", role.Shadow: "#000000",
    }.items():
        palette.setColor(name, QColor(color))
    for name in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(group.Disabled, name, QColor("#6e7681"))
    qapp.setPalette(palette)


def shoot(theme: str, out: Path, size: tuple[int, int]) -> None:
    """In this process: build the app on a sample history and save one PNG."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app import APP_NAME
    from app.core.context import AppContext
    from app.core.resources import icon_files
    from app.main import build
    from app.ui.style import apply_style

    conversation_id = fill_history()
    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setDesktopFileName("parley")
    qapp.setQuitOnLastWindowClosed(False)  # as run_gui: the loop ends when main() returns
    qapp.setCursorFlashTime(0)  # a steady caret: a blinking one makes shots differ
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    qapp.setWindowIcon(icon)
    apply_theme(qapp, theme)
    apply_style(qapp)

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    ctx = AppContext.open()
    parley = build(ctx)
    # No network: the model list would be fetched from OpenRouter a moment after start.
    parley.controller.refresh_models = lambda: None  # type: ignore[method-assign]
    parley.start()
    parley.window.resize(*size)
    parley.window.show()
    parley.controller.open_conversation(conversation_id)
    parley.window.focus_composer()

    async def main() -> None:
        # Let layouts settle and the lazily rendered messages paint.
        for _ in range(10):
            await asyncio.sleep(0.1)
            qapp.processEvents()
        image = parley.window.grab().toImage()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG", 9):
            raise SystemExit(f"screenshots: could not write {out}")
        QTimer.singleShot(0, parley.window.close)
        await asyncio.sleep(0.05)
        await parley.controller.shutdown()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        ctx.store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder for parley-<theme>.png (default: docs/screenshots)")
    parser.add_argument("--size", default="1200x900", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--theme", choices=THEMES, help="only this theme (runs in-process)")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    size = (int(width), int(height))

    if args.theme:
        shoot(args.theme, args.out / f"parley-{args.theme}.png", size)
        return 0
    for theme in THEMES:
        # A fresh process per theme: palettes and rendered messages do not carry over.
        with tempfile.TemporaryDirectory(prefix="parley-shot-") as home:
            env = {
                **os.environ,
                "QT_QPA_PLATFORM": "offscreen",
                "TZ": "UTC",
                "LC_ALL": "C.UTF-8",
                "PARLEY_HOME": home,
                "OPENROUTER_API_KEY": "sk-or-screenshot",  # only so no welcome panel shows
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
                ),
            }
            env.pop("OPENROUTER_BASE_URL", None)
            subprocess.run(
                [sys.executable, __file__, "--theme", theme, "--out", str(args.out),
                 "--size", args.size],
                env=env, check=True, timeout=120,
            )
        png = args.out / f"parley-{theme}.png"
        print(f"{png}  {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
