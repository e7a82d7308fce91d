"""Loading translations: ours (`resources/i18n/yibao_<lang>.qm`) and Qt's own `qtbase_*.qm`.

Source strings are English; Simplified Chinese is the default language. A missing .qm file is
logged (run `make i18n`), and the program carries on in English rather than refusing to start.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install translators for `language` ("zh_CN" or "en"); returns them to keep them alive."""
    installed: list[QTranslator] = []
    QLocale.setDefault(QLocale(language))
    if language.startswith("en"):
        return installed
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator(app)
    if qtbase.load(QLocale(language), "qtbase", "_", qt_dir):
        app.installTranslator(qtbase)
        installed.append(qtbase)
    else:
        log.warning("Qt's own translation qtbase_%s.qm not found in %s", language, qt_dir)
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"yibao_{language}.qm")):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("translation yibao_%s.qm missing: run `make i18n`", language)
    return installed
