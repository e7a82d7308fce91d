"""Test reads for the technician: run one device once and show what came back, masked.

The same code serves `yibao devices test NAME` and the technician screen (on a worker thread),
so a technician on the phone with support sees the same lines in both. Personal data read
during a test is masked before it becomes a line and is never logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.documents import FilingFacts, PendingMaterial
from app.documents.receipt import Receipt
from app.identity import PersonRead, mask_id_number, mask_name
from app.settings import DeviceSettings
from devices.base import DeviceError
from devices.registry import (
    DeviceKind,
    DeviceReport,
    build_camera,
    build_identity_readers,
    build_receipt_printer,
    discover_camera,
    discover_id_card,
    discover_receipt_printer,
    discover_scanner,
    discover_ssc_card,
)


@dataclass
class TestResult:
    kind: DeviceKind
    ok: bool
    lines: list[str] = field(default_factory=list)  # masked, ready to show
    error_zh: str = ""
    error_en: str = ""
    seconds: float = 0.0

    def error(self, language: str) -> str:
        return self.error_zh if language.startswith("zh") else self.error_en


def person_lines(person: PersonRead) -> list[str]:
    """What a card gave, masked as on the counter screen."""
    lines = [
        f"来源 source: {person.source}",
        f"证件 document: {person.id_kind.value} {mask_id_number(person.id_number)}",
        f"姓名 name: {mask_name(person.name)}",
    ]
    if person.birth_date is not None:
        lines.append(f"出生年份 birth year: {person.birth_date.year}")
    if person.valid_until:
        lines.append(f"有效期至 valid until: {person.valid_until}")
    if person.photo is not None:
        lines.append(f"照片 photo: {len(person.photo)} bytes")
    return lines


def mask_code(text: str) -> str:
    """A scanned code is a credential (an e-voucher token): show its length and ends only."""
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}…{text[-2:]} ({len(text)} chars)"


Tester = Callable[[DeviceSettings, float], list[str]]


def _test_identity(kind: DeviceKind) -> Tester:
    def run(cfg: DeviceSettings, timeout: float) -> list[str]:
        report = discover_id_card(cfg) if kind is DeviceKind.ID_CARD else discover_ssc_card(cfg)
        built = build_identity_readers(cfg, demo=False, reports=[report])
        reader = built.readers.get(kind)
        if reader is None:
            raise DeviceError(report.reason_zh, report.reason_en)
        if report.driver == "simulated" and hasattr(reader, "present_new_person"):
            reader.present_new_person()  # a simulator has no one to put a card on it
        person = reader.read(timeout)
        return [f"设备 device: {report.driver} {report.detail}".rstrip(), *person_lines(person)]

    return run


def _test_scanner(cfg: DeviceSettings, timeout: float) -> list[str]:
    report = discover_scanner(cfg)
    if report.driver != "serial":
        raise DeviceError(
            "键盘式扫码器请在运维界面的测试框中扫码测试",
            "Test a keyboard-wedge scanner by scanning into the technician screen's test box",
        )
    if not report.present:
        raise DeviceError(report.reason_zh, report.reason_en)
    from devices.serial_scanner import SerialScanner

    scanner = SerialScanner(report.detail, cfg.scanner_baudrate)
    try:
        code = scanner.scan(timeout)
    finally:
        scanner.close()
    if code is None:
        raise DeviceError(
            f"{timeout:g} 秒内没有收到扫码", f"No code was scanned within {timeout:g} s"
        )
    return [f"设备 device: serial {report.detail}", f"扫码 code: {mask_code(code)}"]


def _test_camera(cfg: DeviceSettings, timeout: float) -> list[str]:
    """Open the camera, take a few frames, and say what the face gate sees in the last one."""
    from devices.face_quality import assess

    report = discover_camera(cfg)
    camera = build_camera(cfg, report, demo=False)
    if camera is None:
        raise DeviceError(report.reason_zh, report.reason_en)
    deadline = time.monotonic() + timeout
    camera.open()
    try:
        frame = camera.read()
        for _ in range(10):  # let exposure settle
            if time.monotonic() > deadline:
                break
            frame = camera.read()
    finally:
        camera.close()
    height, width = frame.shape[:2]
    verdict = assess(frame)
    faces = verdict.faces
    advice = "；".join(p.zh for p in verdict.problems) or "可以拍照"
    return [
        f"设备 device: {report.driver} {report.detail}".rstrip(),
        f"画面 frame: {width}x{height}",
        f"人脸 faces: {faces}",
        f"人像质量 face check: {advice}",
    ]


TEST_UID = "00000000-0000-7000-8000-000000000000"


def sample_facts() -> FilingFacts:
    """A filing with no one's data in it, for test prints (paper, Chinese text, QR, cut)."""
    import datetime as dt

    return FilingFacts(
        uid=TEST_UID,
        item_code="TEST",
        item_name="测试打印（非业务凭证）𠮷",
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        person_name="测试",
        person_id_number="000000000000000000",
        station_name="测试打印",
        station_code="TEST",
        operator_code="TECH",
        materials_pending=(PendingMaterial("测试材料"),),
    )


def sample_receipt() -> Receipt:
    from app.documents.receipt import build_receipt

    return build_receipt(sample_facts())


def _test_receipt_printer(cfg: DeviceSettings, timeout: float) -> list[str]:
    report = discover_receipt_printer(cfg)
    printer = build_receipt_printer(cfg, report, demo=False, folder=".")
    if printer is None:
        raise DeviceError(report.reason_zh, report.reason_en)
    outcome = printer.print_receipt(sample_receipt())
    lines = [
        f"设备 device: {report.driver} {report.detail}",
        f"已发送 sent: {outcome.bytes_sent} bytes",
    ]
    if outcome.paper_low:
        lines.append("纸将用完 paper low")
    return lines


TESTERS: dict[DeviceKind, Tester] = {
    DeviceKind.RECEIPT_PRINTER: _test_receipt_printer,
    DeviceKind.CAMERA: _test_camera,
    DeviceKind.ID_CARD: _test_identity(DeviceKind.ID_CARD),
    DeviceKind.SSC_CARD: _test_identity(DeviceKind.SSC_CARD),
    DeviceKind.SCANNER: _test_scanner,
}


def run_test(kind: DeviceKind, cfg: DeviceSettings, timeout: float = 10.0) -> TestResult:
    """One test of `kind`; blocks up to about `timeout` s (not for the GUI thread)."""
    started = time.monotonic()
    tester = TESTERS.get(kind)
    if tester is None:
        return TestResult(
            kind, False, error_zh="此设备暂无测试", error_en="No test for this device yet"
        )
    try:
        lines = tester(cfg, timeout)
    except DeviceError as exc:
        return TestResult(
            kind, False, error_zh=exc.zh, error_en=exc.en, seconds=time.monotonic() - started
        )
    return TestResult(kind, True, lines, seconds=time.monotonic() - started)


def report_for(kind: DeviceKind, reports: list[DeviceReport]) -> DeviceReport | None:
    return next((r for r in reports if r.kind is kind), None)
