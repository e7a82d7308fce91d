"""Kiosk queries against the reference centre as a real process: a demo insured person is
identified on the (simulated) ID reader, asks for payments and coverage, and is told where to
go when the centre is gone; the session's end leaves nothing of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.identity import IdKind, PersonRead, mask_id_number
from app.settings import CameraDriver, DocumentPrinterDriver, IdCardDriver, SscCardDriver
from sync.activation import activate
from sync.engine import SyncEngine
from tests.centre_process import Centre
from ui.app import build_kiosk_window, save_screenshot
from ui.kiosk.privacy import find_traces
from ui.kiosk.window import KioskWindow

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
INSURED = PersonRead(  # seeded by `yibao central seed-demo` with records
    id_kind=IdKind.RESIDENT_ID,
    id_number="441802199001011239",
    name="张三",
    source="id_card",
)


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


@pytest.fixture
def kiosk(qtbot: QtBot, centre: Centre, data_dir: Path) -> Iterator[KioskWindow]:
    out = centre.admin("seed-demo", "--json")
    assert out.returncode == 0, out.stderr
    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    ctx = AppContext.open(data_dir)
    try:
        ctx.settings = ctx.settings.with_changes(
            devices=ctx.settings.devices.with_changes(
                id_card=IdCardDriver.SIMULATED,  # the card is laid on it by the test
                ssc_card=SscCardDriver.NONE,
                camera=CameraDriver.NONE,
                # Certificates as PDF files: a kiosk with no A4 printer offers none.
                document_printer=DocumentPrinterDriver.PDF,
            )
        )
        activate(ctx, centre.url, seeded["enrolment_code"], "kiosk-1")
        assert SyncEngine(ctx).run_once().error is None
        win = build_kiosk_window(ctx, demo=False, language="zh_CN")
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
        yield win
        win._leaving = True
        win.close()
    finally:
        ctx.close()


def test_payments_and_coverage_then_offline(
    qtbot: QtBot, kiosk: KioskWindow, centre: Centre
) -> None:
    assert kiosk.devices.put_demo_card(INSURED)
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.home, timeout=5000)
    qtbot.mouseClick(kiosk.home.query_buttons["payments"], Qt.MouseButton.LeftButton)
    page = kiosk.query_page
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=10_000)
    lines = [page.results.item(n).text() for n in range(page.results.count())]
    assert all("元" in line for line in lines)
    assert lines[0][:4].isdigit()  # a period such as 2026-10
    save_screenshot(kiosk, SHOTS / "kiosk-query-payments.png")
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.home.query_buttons["coverage"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=10_000)
    assert any("参保缴费" in page.results.item(n).text() for n in range(page.results.count()))

    centre.process.terminate()
    centre.process.wait(10)
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.home.query_buttons["account"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "12393" in page.status.text(), timeout=15_000)
    assert page.results.count() == 0
    save_screenshot(kiosk, SHOTS / "kiosk-query-offline.png")

    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.home.finish_button, Qt.MouseButton.LeftButton)
    roots = list(QApplication.topLevelWidgets())
    assert find_traces([INSURED.name, INSURED.id_number], roots, kiosk.temp_dir) == []


def test_an_enrolment_certificate_printed_and_verified_by_anyone(
    qtbot: QtBot, kiosk: KioskWindow, centre: Centre
) -> None:
    import requests

    from tests.test_document_pdf import Pdf

    assert kiosk.devices.put_demo_card(INSURED)
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.home, timeout=5000)
    qtbot.mouseClick(kiosk.home.print_buttons["rights_record"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.last_printed is not None, timeout=15_000)
    path = Path(str(kiosk.last_printed))
    assert path.parent == kiosk.temp_dir and path.suffix == ".pdf"
    pdf = Pdf(path)
    try:
        text = pdf.text()
        assert "个人权益记录" in text
        assert mask_id_number(INSURED.id_number) in text.replace(" ", "")
        assert INSURED.id_number not in text  # masked on paper too
        assert "缴费" in text and "元" in text
        codes = pdf.qr_codes()
    finally:
        pdf.close()
    assert len(codes) == 1 and "/verify/" in codes[0]
    answer = requests.get(codes[0], params={"format": "json"}, timeout=10)
    assert answer.status_code == 200
    found = answer.json()
    assert found["genuine"] is True and found["kind"] == "rights_record"
    assert INSURED.id_number not in answer.text
    page = requests.get(codes[0], timeout=10)
    assert "证明真实有效" in page.text
    qtbot.mouseClick(kiosk.query_page.back_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.home.finish_button, Qt.MouseButton.LeftButton)
    assert not path.exists()  # the session's printout went with the session
