"""The technician screen through its widgets: password gate, discovery, test read, saving.

Real peers: the SAM reader simulator on a pseudo-terminal is the ID card reader the screen
finds and tests; the password check, discovery and the test read run on the screen's worker
lane as they do for a technician.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.technician_auth import TechnicianAuth
from app.settings import IdCardDriver, load_settings
from tests.pcscd_process import client_socket
from tests.sam_simulator import SamSimulator, SimCard
from ui.app import save_screenshot
from ui.technician.window import TechnicianWindow

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "field-tech-2026"


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Checked in Chinese (see conftest)."""


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[TechnicianWindow]:
    client_socket()  # the tests' private pcscd socket, where no pcscd listens now
    TechnicianAuth(ctx.secrets, ctx.db).set_password(PASSWORD)
    win = TechnicianWindow(ctx, "zh_CN")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.shutdown()


def unlock(qtbot: QtBot, win: TechnicianWindow, password: str = PASSWORD) -> None:
    qtbot.keyClicks(win.password, password)
    qtbot.mouseClick(win.login_button, Qt.MouseButton.LeftButton)


def test_the_wrong_password_keeps_the_panel_closed(qtbot: QtBot, window: TechnicianWindow) -> None:
    unlock(qtbot, window, "not-it")
    qtbot.waitUntil(lambda: "不正确" in window.login_message.text(), timeout=5000)
    assert window.pages.currentIndex() == 0 and not window.unlocked
    assert window.password.text() == ""  # never kept in the field
    save_screenshot(window, SHOTS / "technician-login.png")


def test_find_test_and_save_a_sam_reader(
    qtbot: QtBot, window: TechnicianWindow, ctx: AppContext
) -> None:
    with SamSimulator(SimCard()) as sim:
        unlock(qtbot, window)
        qtbot.waitUntil(lambda: window.unlocked and bool(window.reports), timeout=10_000)
        kinds = [r.kind.value for r in window.reports]
        assert window.table.rowCount() == len(kinds)
        assert "社保卡读卡器" in window.table.item(kinds.index("ssc_card"), 0).text()
        assert "pcscd" in window.table.item(kinds.index("ssc_card"), 3).text()
        # Point the ID card reader at the simulator's port and save.
        driver = window.editors["id_card"]
        port = window.editors["id_card_port"]
        assert isinstance(driver, QComboBox) and isinstance(port, QComboBox)
        driver.setCurrentIndex(driver.findData(IdCardDriver.SAM_SERIAL.value))
        port.setCurrentText(sim.path)
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "已保存" in window.save_message.text(), timeout=5000)
        saved = load_settings(ctx.paths.settings).devices
        assert saved.id_card is IdCardDriver.SAM_SERIAL and saved.id_card_port == sim.path
        qtbot.waitUntil(
            lambda: (
                window.table.item(0, 2) is not None and window.table.item(0, 2).text() == sim.path
            ),
            timeout=10_000,
        )
        window.table.selectRow(0)
        qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.result.toPlainText().startswith("正常"), timeout=10_000)
        text = window.result.toPlainText()
        assert "********" in text and "姓名" in text
        # A keyboard-wedge scanner is checked by scanning anything: shown masked.
        qtbot.keyClicks(window.result, "YBEV1.abcdefghijklmnop")
        qtbot.keyClick(window.result, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "扫码器工作正常" in window.scan_box.text(), timeout=3000)
        assert "abcdefghijklmnop" not in window.scan_box.text()
        save_screenshot(window, SHOTS / "technician-panel.png")


def test_a4_test_print_and_what_the_counter_last_saw(
    qtbot: QtBot, window: TechnicianWindow, ctx: AppContext
) -> None:
    import json

    from devices.registry import DeviceKind
    from sync.state import DEVICES_KEY, SyncStateStore

    seen = [{"name": "id_card", "present": True, "working": False, "last_error": "读卡器没有响应"}]
    SyncStateStore(ctx.db).set(**{DEVICES_KEY: json.dumps(seen, ensure_ascii=False)})
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.unlocked and bool(window.reports), timeout=10_000)
    kinds = [r.kind for r in window.reports]
    id_row = kinds.index(DeviceKind.ID_CARD)
    qtbot.waitUntil(
        lambda: (
            window.table.item(id_row, 4) is not None
            and window.table.item(id_row, 4).text() == "读卡器没有响应"
        ),
        timeout=5000,
    )
    window.table.selectRow(kinds.index(DeviceKind.DOCUMENT_PRINTER))
    qtbot.mouseClick(window.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.result.toPlainText().startswith("正常"), timeout=10_000)
    pdf = ctx.paths.root / "documents" / "test-notice.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in window.result.toPlainText()
