"""Refresh Parley's translation sources and build the compiled catalogues.

    python scripts/update_translations.py          # lupdate: app/**/*.py -> app/translations/*.ts
                                                   # lrelease: *.ts -> *.qm (shipped in the package)

Add a language by creating an empty `app/translations/parley_<lang>.ts` (or copying an
existing one) and running this script; translate it with Qt Linguist or any editor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "app" / "translations"
LANGUAGES = ["de"]


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: it comes with PySide6 (pip install PySide6-Essentials)")
    return found


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py"))
    TS_DIR.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        ts = TS_DIR / f"parley_{lang}.ts"
        subprocess.run(
            [tool("pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "none",
             "-ts", str(ts.relative_to(ROOT))],
            cwd=ROOT, check=True,
        )
        if lang == "de":
            import german  # the German table, kept beside this script

            german.main()
        subprocess.run(
            [tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))],
            cwd=ROOT, check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
