"""Loads Parley's translation for the user's language (Qt's .qm files in app/translations).

The language is `$PARLEY_LANG` when set (e.g. `de`, or `en` to force English), else the
system locale. Strings in widgets go through `self.tr()`; elsewhere through
`QCoreApplication.translate(context, text)`, so `pyside6-lupdate` finds them
(`python scripts/update_translations.py` refreshes the .ts files and builds the .qm).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def install_translators(app: QCoreApplication, language: str | None = None) -> list[QTranslator]:
    """Install Parley's and Qt's own translators; returns them (keep them referenced)."""
    lang = language or os.environ.get("PARLEY_LANG") or QLocale.system().name()
    locale = QLocale(lang)
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(locale, "parley", "_", str(TRANSLATIONS_DIR)):
        app.installTranslator(ours)
        installed.append(ours)
    # Qt's own strings (standard buttons such as Save/Cancel) when Qt ships them.
    qt_base = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_base.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt_base)
        installed.append(qt_base)
    return installed
