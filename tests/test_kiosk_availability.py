"""Which kiosk services are off, and what a citizen is told: "paused here, go there", never a
device error.

The card reader is the real SAM driver on a pty (tests/sam_simulator.py), unplugged by closing
the pty as in tests/test_device_hub.py; the device hub is the real one. Printer states are
parsed from real lpstat output (tests/fixtures/lpstat) and asked from the TCP receipt-printer
peer of tests/test_receipt_printer.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.id_card_sam import SamIdCardReader
from devices.printer_state import Paper, PrinterState, parse_lpstat, queue_state, receipt_state
from devices.receipt_printer import EscPosReceiptPrinter
from devices.registry import DeviceKind, DeviceReport
from devices.simulated_identity import SimulatedIdentityReader
from tests.sam_simulator import SamSimulator
from tests.test_receipt_printer import PAPER_OUT, TcpPrinter
from ui.devices.hub import DeviceHub
from ui.kiosk.availability import KioskAvailability, ReceiptRoute, Service

QUEUES = parse_lpstat(
    (Path(__file__).parent / "fixtures" / "lpstat" / "d-l-p-after.txt").read_text()
)
A4_OUT = queue_state(QUEUES.queues["Paper_Out"])
A4_OK = queue_state(QUEUES.queues["Paper_Low"])  # low on paper still prints

SSC_ABSENT = DeviceReport(DeviceKind.SSC_CARD, "pcsc", False, "", "未找到智能卡服务", "no pcscd")
WEDGE = DeviceReport(
    DeviceKind.SCANNER, "wedge", False, reason_zh="键盘式扫码器无法自动检测", reason_en="wedge"
)
CAMERA = DeviceReport(DeviceKind.CAMERA, "opencv", True, "0")
NO_CAMERA = DeviceReport(DeviceKind.CAMERA, "opencv", False, "", "未找到摄像头", "No camera")


@pytest.fixture
def hub(qtbot: QtBot) -> Iterator[DeviceHub]:
    devices = DeviceHub("zh_CN", poll_timeout=0.1)
    yield devices
    devices.shutdown()


def attach(hub: DeviceHub, readers: dict[DeviceKind, object], others: list[DeviceReport]) -> None:
    """What discovery would have done: the reports, then the readers watched."""
    hub.reports = {r.kind: r for r in others}
    hub.use(readers, {r.kind: r for r in others})  # type: ignore[arg-type]


def test_an_unplugged_card_reader_turns_card_identification_off_in_plain_words(
    qtbot: QtBot, hub: DeviceHub
) -> None:
    available = KioskAvailability("zh_CN")
    changes: list[dict[Service, str]] = []
    available.changed.connect(changes.append)
    available.watch(hub)
    assert available.is_available(Service.CARD)  # nothing reported yet: nobody turned away
    sim = SamSimulator(None)
    reader = SamIdCardReader(sim.path, command_timeout=0.2, read_timeout=0.3, poll_interval=0.02)
    attach(hub, {DeviceKind.ID_CARD: reader}, [SSC_ABSENT, WEDGE, CAMERA])
    assert changes == []  # everything a citizen needs works: nothing to announce
    for service in Service:
        assert available.is_available(service), service

    sim.close()  # the ID card reader is unplugged; the social-security reader was never there
    qtbot.waitUntil(lambda: bool(changes), timeout=5000)
    off = changes[-1]
    assert set(off) == {Service.CARD}
    assert not available.is_available(Service.CARD)
    assert available.is_available(Service.KIOSK) and available.is_available(Service.E_VOUCHER)
    told = available.reason(Service.CARD, "zh_CN")
    assert off[Service.CARD] == told
    assert "医保电子凭证" in told and "乡镇（街道）医保服务站" in told and "12393" in told
    english = available.reason(Service.CARD, "en_US")
    assert "e-voucher" in english and "12393" in english
    error = {s.kind: s for s in hub.statuses()}[DeviceKind.ID_CARD].message_zh
    assert error and error not in told  # the device's own error stays with the technician
    assert available.reason(Service.E_VOUCHER, "zh_CN") == ""
    hub.shutdown()
    reader.close()


def test_no_way_to_identify_anyone_is_one_plain_message(qtbot: QtBot, hub: DeviceHub) -> None:
    available = KioskAvailability("zh_CN")
    available.watch(hub)
    no_scanner = DeviceReport(DeviceKind.SCANNER, "none", False, "", "本终端设置为不使用", "")
    id_absent = DeviceReport(DeviceKind.ID_CARD, "sam_serial", False, "", "未找到读卡器", "")
    attach(hub, {}, [id_absent, SSC_ABSENT, no_scanner, CAMERA])
    assert {Service.KIOSK, Service.CARD, Service.E_VOUCHER} <= set(available.unavailable())
    kiosk = available.reason(Service.KIOSK, "zh_CN")
    assert kiosk.startswith("本机暂停服务") and "12393" in kiosk
    # Neither way in works, so neither message sends the citizen to the other way.
    assert available.reason(Service.CARD, "zh_CN") == kiosk
    assert available.reason(Service.E_VOUCHER, "zh_CN") == kiosk


def test_a_missing_camera_pauses_photo_services_only(qtbot: QtBot, hub: DeviceHub) -> None:
    available = KioskAvailability("en_US")
    available.watch(hub)
    reader = SimulatedIdentityReader(read_delay=0, invent_when_empty=False)
    attach(hub, {DeviceKind.ID_CARD: reader}, [SSC_ABSENT, WEDGE, NO_CAMERA])
    off = available.unavailable()
    assert set(off) == {Service.FACE_CHECK, Service.MATERIAL_PHOTOS}
    assert "photo of you" in off[Service.FACE_CHECK] and "12393" in off[Service.FACE_CHECK]
    assert "摄像头" not in available.reason(Service.FACE_CHECK, "zh_CN")
    assert available.reason(Service.FACE_CHECK, "zh_CN").startswith("需要拍照核验本人的业务")


def test_paper_decides_certificates_and_where_receipts_go(qtbot: QtBot) -> None:
    available = KioskAvailability("zh_CN")
    with qtbot.waitSignal(available.changed) as first:
        available.set_printer(A4_OUT)  # the A4 printer CUPS stopped for want of paper
    assert set(first.args[0]) == {Service.CERTIFICATES}
    told = available.reason(Service.CERTIFICATES, "zh_CN")
    assert told.startswith("本机暂时不能打印证明") and "12393" in told
    assert "Paper_Out" not in told and "缺纸" not in told
    assert available.receipt_route() is ReceiptRoute.THERMAL  # not checked yet: try it

    peer = TcpPrinter(paper=PAPER_OUT)
    try:
        thermal = receipt_state(EscPosReceiptPrinter(peer.target, status_timeout=0.2))
    finally:
        peer.close()
    assert thermal.paper is Paper.OUT
    with qtbot.waitSignal(available.changed) as both:
        available.set_printer(thermal)
    assert set(both.args[0]) == {Service.CERTIFICATES, Service.RECEIPTS}
    assert available.receipt_route() is ReceiptRoute.SCREEN
    assert "回执编号" in available.reason(Service.RECEIPTS, "zh_CN")
    assert "receipt number" in available.reason(Service.RECEIPTS, "en")

    with qtbot.waitSignal(available.changed) as refilled:
        available.set_printer(A4_OK)  # paper put in the A4 printer: receipts come out there
    assert refilled.args[0] == {}
    assert available.receipt_route() is ReceiptRoute.A4
    with qtbot.assertNotEmitted(available.changed):
        available.set_printer(A4_OK)  # the same again is no news
    fixed = PrinterState(DeviceKind.RECEIPT_PRINTER, True, True, Paper.OK)
    available.set_printer(fixed)
    assert available.receipt_route() is ReceiptRoute.THERMAL
