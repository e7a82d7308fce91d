"""Every user-facing string is translated, the .ts file matches the code, Qt speaks Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from ui.i18n import I18N_DIR, install_translators

REPO = Path(__file__).resolve().parent.parent
TS = I18N_DIR / "yibao_zh_CN.ts"


def unfinished(ts: Path) -> list[str]:
    tree = ET.parse(ts)
    missing = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        text = (translation.text or "") + "".join(n.text or "" for n in translation)
        if translation.get("type") in {"unfinished", "vanished", "obsolete"} or not text.strip():
            missing.append(source)
    return missing


def test_every_string_has_a_chinese_translation() -> None:
    assert unfinished(TS) == []


def test_ts_file_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Running lupdate over ui/ finds no string that the .ts file lacks."""
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = sorted(str(p) for p in (REPO / "ui").rglob("*.py"))
    out = subprocess.run(
        [str(lupdate), *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "(0 new " in out.stdout, out.stdout
    assert unfinished(copy) == []


def test_qt_standard_dialogs_speak_chinese(qapp: QApplication) -> None:
    translators = install_translators(qapp, "zh_CN")
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        button = box.button(QDialogButtonBox.StandardButton.Cancel)
        assert button is not None and button.text().startswith("取消")
        assert QCoreApplication.translate("Labels", "Accepted") == "已受理"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
