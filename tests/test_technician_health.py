"""The technician screen shows what the heartbeat carries about the terminal itself: the clock
against the centre's, the free disk, and the printers' paper as the kiosk last checked it.

The real technician window, unlocked through its widgets, reading a real store on its lane.
The words are compared through the window's own tr(), so the test holds in either language.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.technician_auth import TechnicianAuth
from sync.state import SyncStateStore
from tests.pcscd_process import client_socket
from ui.technician.window import TechnicianWindow

PASSWORD = "field-tech-2026"


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[TechnicianWindow]:
    client_socket()
    TechnicianAuth(ctx.secrets, ctx.db).set_password(PASSWORD)
    win = TechnicianWindow(ctx, "zh_CN")
    qtbot.addWidget(win)
    win.show()
    yield win
    win.shutdown()


def test_clock_disk_and_paper_where_the_technician_looks(
    qtbot: QtBot, window: TechnicianWindow, ctx: AppContext
) -> None:
    store = SyncStateStore(ctx.db)
    store.set_centre_clock_offset(-420, dt.datetime(2026, 11, 23, 1, 2, 3))
    store.set_device_health(
        [
            {"name": "document_printer", "present": True, "working": False, "paper": "out",
             "last_error": "A4 打印机（Kiosk_A4）缺纸，请装纸"},
            {"name": "receipt_printer", "present": True, "working": True, "paper": "ok"},
        ]
    )  # fmt: skip
    qtbot.keyClicks(window.password, PASSWORD)
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.unlocked and bool(window.reports), timeout=15_000)
    qtbot.waitUntil(lambda: bool(window.figures.text()), timeout=5000)

    text = window.figures.text()
    free = shutil.disk_usage(ctx.paths.root).free / 1024**3
    clock, disk = text.split("\n")
    assert "-420" in clock and "2026-11-23T01:02:03Z" in clock
    assert window.figures.tr("More than 5 minutes off: set the clock.") in clock
    shown = float(re.findall(r"\d+(?:\.\d+)?", disk)[0])
    assert abs(shown - free) < 0.3
    assert window.figures.tr("Less than 1 GiB: free some space.") not in disk or free < 1

    rows = {r.kind.value: i for i, r in enumerate(window.reports)}
    a4 = window.table.item(rows["document_printer"], 4).text()
    assert "缺纸" in a4 and window._paper_words("out") in a4
    receipt = window.table.item(rows["receipt_printer"], 4).text()
    assert window._paper_words("ok") == "" and "·" not in receipt


def test_before_any_heartbeat_the_clock_is_said_to_be_unchecked(
    qtbot: QtBot, window: TechnicianWindow
) -> None:
    qtbot.keyClicks(window.password, PASSWORD)
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.figures.text()), timeout=15_000)
    assert window.figures.text().split("\n")[0] == window.figures.tr(
        "Clock: not yet compared with the centre."
    )
