"""Layer rules that keep Parley easy to change, checked on the source itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.fake_openrouter import FakeOpenRouter

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_qt_even_lazily() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p)
                                         if m.split(".")[0] in {"PySide6", "shiboken6", "qasync"}
                                         or m.startswith("app.ui") or m == "app.main")
        for p in (APP / "core").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_cli_imports_no_qt_at_module_level() -> None:
    for path in (APP / "cli").rglob("*.py"):
        assert not {m for m in imported_modules(path) if m.startswith("PySide6")}, path


def runtime_imports(path: Path) -> set[str]:
    """Imports that run, i.e. not those under `if TYPE_CHECKING:` (types only).

    `from a.b import c` counts as importing both `a.b` and `a.b.c` (c may be a submodule).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


#: the modules that hold the SQLite connection; widgets reach them through a controller
HISTORY_STORE_MODULES = {
    "app.core.history.Store",
    "app.core.history.db",
    "app.core.history.migrations",
    "app.core.history.store",
}


def test_widgets_never_touch_sqlite_or_httpx() -> None:
    for path in (APP / "ui").rglob("*.py"):
        mods = runtime_imports(path)
        assert not {m for m in mods if m.split(".")[0] in {"sqlite3", "httpx"}}, path
        assert not mods & HISTORY_STORE_MODULES, path
        # Only the controller makes requests; widgets may name the client's types.
        assert "app.core.client" not in mods or path.name == "chat_controller.py", path


def test_importing_all_of_core_loads_no_qt() -> None:
    code = (
        "import pkgutil, importlib, sys, app.core\n"
        "for m in pkgutil.walk_packages(app.core.__path__, 'app.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import app.cli\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_tool_registry_does_not_import_mcp_at_module_level() -> None:
    # mcp builds on the registry; the other way round would bring the import cycle back.
    mods = runtime_imports(APP / "core" / "tools" / "registry.py")
    assert not {m for m in mods if m.startswith("app.core.tools.")}, sorted(mods)
    code = (
        "import sys, app.core.tools.registry\n"
        "print(sorted(m for m in sys.modules if m.startswith('app.core.tools.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.strip() == "['app.core.tools.registry']"


def test_the_cli_loads_no_qt_no_http_stack_until_a_command_needs_it() -> None:
    # `parley --help`, `parley search` and friends must start fast: httpx, the MCP SDK and
    # Qt are loaded only by the commands (or the window) that use them.
    code = (
        "import sys, app.cli\n"
        "app.cli.build_parser()\n"
        "heavy = ('PySide6', 'shiboken6', 'httpx', 'httpcore', 'mcp', 'keyring', 'jsonschema')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_the_window_module_loads_no_event_loop_no_http_no_keychain_before_it_paints() -> None:
    # The window is painted first; asyncio/qasync, httpx and keyring load after the first
    # paint (or on a worker thread), which keeps the start-up within 2x a bare window.
    code = (
        "import sys, app.main\n"
        "heavy = ('asyncio', 'qasync', 'httpx', 'httpcore', 'keyring', 'mcp', 'ziamath',\n"
        "         'cryptography', 'markdown_it', 'pygments')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_after_the_start_up_warm_up_a_send_imports_nothing_more(fake: FakeOpenRouter) -> None:
    # Imports on the GUI thread at the first send froze the window for ~35 ms; the warm-up
    # (run on a worker thread after start-up) must cover what a send loads.
    code = (
        "import asyncio, sys\n"
        "from app.ui.chat_controller import warm_up_send_path\n"
        "from app.core.client import ChatClient\n"
        "from app.core.events import ReplyAccumulator\n"
        "warm_up_send_path()\n"
        "before = set(sys.modules)\n"
        "async def go():\n"
        "    client = ChatClient(sys.argv[1], 'test-key')\n"
        "    acc = ReplyAccumulator()\n"
        "    def fold(events):\n"
        "        for e in events:\n"
        "            acc.apply(e)\n"
        "    try:\n"
        "        await client.stream_chat({'model': 'm', 'messages': [\n"
        "            {'role': 'user', 'content': 'hi'}]}, fold)\n"
        "    finally:\n"
        "        await client.aclose()\n"
        "    assert acc.text, 'no reply'\n"
        "asyncio.run(go())\n"
        "new = set(sys.modules) - before\n"
        "watched = ('app.', 'anyio', 'httpcore', 'httpx', 'h11', 'sniffio')\n"
        "print(sorted(m for m in new if m.startswith(watched)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, fake.base_url], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
