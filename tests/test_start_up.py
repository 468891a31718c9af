"""What Parley does before its window is first shown: only what that window needs.

Each test starts a real `parley --smoke` in a fresh process (offscreen, empty data folder,
an endpoint that refuses connections) and looks at the process at the moment the window has
been shown and the event loop turned once, the moment a user first sees it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fake_openrouter import refuse_connection_port

ROOT = Path(__file__).resolve().parents[1]

#: runs `parley --smoke` and prints, once the main window is shown, what is loaded by then
PROBE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

show = QMainWindow.show
seen = []

def report():
    import PySide6.QtWidgets as widgets
    window = next(w for w in widgets.QApplication.topLevelWidgets() if hasattr(w, "chat"))
    print(json.dumps({
        "modules": sorted(sys.modules),
        "qt_widget_classes": sorted(n for n in vars(widgets) if n.startswith("Q")),
        "shown_messages": sorted(window.chat.views),
    }), flush=True)

def shown(self):
    show(self)
    if not seen:
        seen.append(True)
        QTimer.singleShot(0, report)

QMainWindow.show = shown
from app.cli import main
sys.exit(main(["--smoke"]))
"""


def shown_state(tmp_path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PARLEY_HOME=str(tmp_path / "home"),
        OPENROUTER_API_KEY="test-key",
        OPENROUTER_BASE_URL=f"http://127.0.0.1:{refuse_connection_port()}/api/v1",
    )
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    state: dict[str, Any] = json.loads(line)
    return state


def test_the_window_is_shown_before_the_event_loop_machinery_is_loaded(tmp_path: Path) -> None:
    # asyncio + qasync cost ~35 ms to import. A check queued at start-up used to import
    # asyncio just to see that no loop ran yet, inside the first event-loop turn.
    state = shown_state(tmp_path)
    loaded = set(state["modules"])
    assert not loaded & {"asyncio", "qasync", "httpx", "keyring", "ssl"}


def test_showing_the_window_does_not_set_up_every_widget_class(tmp_path: Path) -> None:
    # Asking Qt for a widget it created itself (a scroll area's viewport) made PySide look
    # for the widget's most derived Python class, setting up every QWidget subclass it has
    # (~15 ms before the first paint). Parley uses no QWizard, so seeing it set up means
    # that search ran.
    state = shown_state(tmp_path)
    assert "QMainWindow" in state["qt_widget_classes"]
    assert "QWizard" not in state["qt_widget_classes"]


def test_the_last_chat_is_shown_at_once_with_its_code_highlighted_after_the_first_paint(
        tmp_path: Path) -> None:
    # Building a lexer's rules (~70 ms for Python) and importing pygments made a launch
    # that reopens a chat with code ~100 ms slower; the code is drawn plain first.
    from app.core.domain import Role
    from app.core.history import Store

    home = tmp_path / "home"
    home.mkdir()
    with Store.open(home / "history.sqlite3") as store:
        conv = store.create_conversation("Parsing")
        store.add_message(conv.id, Role.USER, "How do I double a number?")
        reply = store.add_message(
            conv.id, Role.ASSISTANT, "```python\ndef twice(x):\n    return 2 * x\n```")
    (home / "window-state.json").write_text(json.dumps({"last_conversation": conv.id}))
    state = shown_state(tmp_path)
    assert reply.id in state["shown_messages"]
    assert "pygments" not in state["modules"]


def test_opening_the_window_skips_the_command_line_commands(tmp_path: Path) -> None:
    state = shown_state(tmp_path)
    assert not [m for m in state["modules"] if m.startswith("app.cli.")
                and m != "app.cli.common"]


def test_importing_the_cli_loads_no_command_module() -> None:
    code = "import sys, app.cli; print(sorted(m for m in sys.modules if m.startswith('app.cli.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.strip() == "['app.cli.common']"


def test_pyside_does_not_read_the_source_of_modules_imported_after_the_ui(
        tmp_path: Path) -> None:
    # PySide's import hook read every newly imported module's whole source file (~18 ms
    # over the start-up's modules). Reading a source goes through linecache.
    (tmp_path / "parley_probe_module.py").write_text("VALUE = 1\n", encoding="utf-8")
    code = (
        "import sys, linecache\n"
        f"{{}}\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import parley_probe_module\n"
        "print(any('parley_probe_module' in name for name in linecache.cache))\n"
    )

    def source_read_after(first_import: str) -> bool:
        out = subprocess.run([sys.executable, "-c", code.format(first_import)],
                             capture_output=True, text=True, cwd=ROOT, timeout=60,
                             check=True).stdout
        return out.strip() == "True"

    # The check is real: plain PySide reads the source...
    assert source_read_after("import PySide6.QtCore")
    # ...and Parley's UI package turns that off.
    assert not source_read_after("import app.ui; import PySide6.QtWidgets")
