"""Which devices this terminal has: discovery, and building drivers from the saved settings.

Discovery answers the technician's question "what is attached, and if not, why not" for each
kind of device, in bounded time and without personal data. It looks at the operating system's
lists (serial ports, PC/SC readers, cameras, printer ports) and, for resident-ID readers,
probes candidate serial ports with the SAM status command, because a SAM reader on a
USB-serial adapter looks like any other serial port until it answers.

Building turns `DeviceSettings` into drivers. "auto" means the real device when one is
configured or found; with none, the demo gets the simulator (what `make run` shows) and a
real station gets nothing, with the reason, so the counter can say so and carry on with the
devices that work.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from app.settings import (
    CameraDriver,
    DeviceSettings,
    DocumentPrinterDriver,
    IdCardDriver,
    ReceiptPrinterDriver,
    ScannerDriver,
    SscCardDriver,
)
from devices.base import DeviceError, DeviceHealth
from devices.identity import IdentityReader

if TYPE_CHECKING:
    from devices.camera import Camera, Scene
    from devices.receipt_printer import ReceiptPrinter

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 0.4  # one SAM status exchange; a real reader answers in ~20 ms


class DeviceKind(StrEnum):
    ID_CARD = "id_card"
    SSC_CARD = "ssc_card"
    SCANNER = "scanner"
    CAMERA = "camera"
    RECEIPT_PRINTER = "receipt_printer"
    DOCUMENT_PRINTER = "document_printer"


KIND_LABELS: dict[DeviceKind, tuple[str, str]] = {
    DeviceKind.ID_CARD: ("身份证读卡器", "ID card reader"),
    DeviceKind.SSC_CARD: ("社保卡读卡器", "Social-security card reader"),
    DeviceKind.SCANNER: ("扫码器（医保电子凭证）", "QR scanner (e-voucher)"),
    DeviceKind.CAMERA: ("摄像头", "Camera"),
    DeviceKind.RECEIPT_PRINTER: ("小票打印机", "Receipt printer"),
    DeviceKind.DOCUMENT_PRINTER: ("A4 打印机", "A4 printer"),
}


@dataclass(frozen=True)
class DeviceReport:
    """One kind of device as discovery found it. Never holds personal data."""

    kind: DeviceKind
    driver: str  # the driver that would be used ("sam_serial", "pcsc", "simulated", ...)
    present: bool
    detail: str = ""  # where it is: port, reader name, camera index
    reason_zh: str = ""  # why it is absent, or a note
    reason_en: str = ""
    candidates: tuple[str, ...] = ()  # what the technician can choose from

    def reason(self, language: str) -> str:
        return self.reason_zh if language.startswith("zh") else self.reason_en

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "driver": self.driver,
            "present": self.present,
            "detail": self.detail,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "candidates": list(self.candidates),
        }


def serial_ports() -> list[str]:
    """The serial ports the OS lists (USB-serial adapters, built-in COM ports)."""
    from serial.tools import list_ports  # type: ignore[import-untyped]

    try:
        return sorted(port.device for port in list_ports.comports())
    except OSError as exc:  # a broken sysfs entry must not stop discovery
        log.warning("listing serial ports failed: %s", exc)
        return []


def probe_sam_port(port: str, baudrate: int, timeout: float = PROBE_TIMEOUT_S) -> DeviceHealth:
    """Ask whatever is on `port` for its SAM status; present only if a SAM reader answers."""
    from devices.id_card_sam import SamIdCardReader

    reader = SamIdCardReader(port, baudrate, command_timeout=timeout)
    try:
        return reader.health()
    finally:
        reader.close()


# ---- discovery ---------------------------------------------------------------------------


def discover_id_card(
    cfg: DeviceSettings, ports: Iterable[str] | None = None, *, probe: bool = True
) -> DeviceReport:
    kind = DeviceKind.ID_CARD
    if cfg.id_card is IdCardDriver.NONE:
        return _not_used(kind)
    if cfg.id_card is IdCardDriver.SIMULATED:
        return _simulated(kind)
    if cfg.id_card is IdCardDriver.VENDOR_SDK:
        path = cfg.id_card_sdk_library
        if not path or not os.path.exists(path):
            return DeviceReport(
                kind,
                "vendor_sdk",
                False,
                path,
                "未找到配置的厂商读卡库文件" if path else "未配置厂商读卡库路径",
                "The configured vendor library was not found"
                if path
                else "No vendor library path is configured",
            )
        return DeviceReport(kind, "vendor_sdk", True, f"{path} ({cfg.id_card_sdk_flavour})")
    candidates = list(ports) if ports is not None else serial_ports()
    if cfg.id_card_port and cfg.id_card_port not in candidates:
        candidates.insert(0, cfg.id_card_port)
    if not candidates:
        return DeviceReport(
            kind,
            "sam_serial",
            False,
            reason_zh="没有串口：未连接身份证读卡器（或未安装 USB 串口驱动）",
            reason_en="No serial ports: no ID card reader is connected "
            "(or its USB-serial driver is missing)",
        )
    order = [cfg.id_card_port] if cfg.id_card_port else []
    order += [p for p in candidates if p not in order]
    if not probe:
        chosen = cfg.id_card_port
        return DeviceReport(
            kind,
            "sam_serial",
            bool(chosen),
            chosen,
            "" if chosen else "未配置端口，且未探测串口",
            "" if chosen else "No port configured and serial ports not probed",
            tuple(candidates),
        )
    last: DeviceHealth | None = None
    for port in order:
        health = probe_sam_port(port, cfg.id_card_baudrate)
        if health.present:
            return DeviceReport(
                kind,
                "sam_serial",
                True,
                port,
                reason_zh="" if health.working else health.last_error or "",
                reason_en="" if health.working else "the reader's security module reports a fault",
                candidates=tuple(candidates),
            )
        last = health
    detail = (last.last_error or "") if last else ""
    return DeviceReport(
        kind,
        "sam_serial",
        False,
        reason_zh=f"检查了 {len(order)} 个串口，没有身份证读卡器应答"
        + (f"（{detail}）" if detail else ""),
        reason_en=f"Checked {len(order)} serial port(s); no ID card reader answered",
        candidates=tuple(candidates),
    )


def discover_ssc_card(cfg: DeviceSettings) -> DeviceReport:
    kind = DeviceKind.SSC_CARD
    if cfg.ssc_card is SscCardDriver.NONE:
        return _not_used(kind)
    if cfg.ssc_card is SscCardDriver.SIMULATED:
        return _simulated(kind)
    from devices.ssc_card import list_readers

    try:
        readers = list_readers()
    except DeviceError as exc:
        return DeviceReport(kind, "pcsc", False, reason_zh=exc.zh, reason_en=exc.en)
    if not readers:
        return DeviceReport(
            kind,
            "pcsc",
            False,
            reason_zh="智能卡服务在运行，但没有检测到读卡器",
            reason_en="The smart-card service runs but no reader is connected",
        )
    wanted = cfg.ssc_card_reader
    if wanted and wanted not in readers:
        return DeviceReport(
            kind,
            "pcsc",
            False,
            reason_zh=f"配置的读卡器“{wanted}”不在，可选：{'、'.join(readers)}",
            reason_en=f"The configured reader {wanted!r} is not there",
            candidates=tuple(readers),
        )
    return DeviceReport(kind, "pcsc", True, wanted or readers[0], candidates=tuple(readers))


def discover_scanner(cfg: DeviceSettings, ports: Iterable[str] | None = None) -> DeviceReport:
    kind = DeviceKind.SCANNER
    if cfg.scanner is ScannerDriver.NONE:
        return _not_used(kind)
    if cfg.scanner is ScannerDriver.SIMULATED:
        return _simulated(kind)
    candidates = tuple(ports if ports is not None else serial_ports())
    if cfg.scanner is ScannerDriver.SERIAL or (
        cfg.scanner is ScannerDriver.AUTO and cfg.scanner_port
    ):
        port = cfg.scanner_port
        if port and os.path.exists(port):
            return DeviceReport(kind, "serial", True, port, candidates=candidates)
        return DeviceReport(
            kind,
            "serial",
            False,
            port,
            "未找到配置的扫码器串口" if port else "未配置扫码器串口",
            "The configured scanner port was not found" if port else "No scanner port configured",
            candidates,
        )
    return DeviceReport(
        kind,
        "wedge",
        False,
        reason_zh="键盘式扫码器无法自动检测；在任意界面扫一次码即可确认",
        reason_en="Keyboard-wedge scanners cannot be detected; scan any code to check one",
        candidates=candidates,
    )


def discover_camera(cfg: DeviceSettings) -> DeviceReport:
    kind = DeviceKind.CAMERA
    if cfg.camera is CameraDriver.NONE:
        return _not_used(kind)
    if cfg.camera is CameraDriver.SIMULATED:
        return _simulated(kind)
    if cfg.camera_video_file:
        there = os.path.exists(cfg.camera_video_file)
        return DeviceReport(
            kind,
            "video_file",
            there,
            cfg.camera_video_file,
            "" if there else "配置的视频文件不存在",
            "" if there else "The configured video file does not exist",
        )
    from devices.camera import list_cameras

    cameras = list_cameras()
    candidates = tuple(str(c.index) for c in cameras)
    if not cameras:
        return DeviceReport(kind, "opencv", False, "", cameras.reason_zh, cameras.reason_en)
    wanted = next((c for c in cameras if c.index == cfg.camera_index), None)
    if wanted is None:
        return DeviceReport(
            kind,
            "opencv",
            False,
            str(cfg.camera_index),
            f"配置的摄像头 {cfg.camera_index} 不在，可选：{'、'.join(candidates)}",
            f"Camera {cfg.camera_index} is not there; found: {', '.join(candidates)}",
            candidates,
        )
    return DeviceReport(
        kind, "opencv", True, f"{wanted.index} {wanted.name}", candidates=candidates
    )


def build_camera(
    cfg: DeviceSettings, report: DeviceReport, *, demo: bool, scene: Scene = "face"
) -> Camera | None:
    """The camera to open (not yet opened), or None when there is none to use."""
    from devices.camera import OpenCvCamera, SimulatedCamera

    if report.driver == "simulated" or (
        not report.present and demo and cfg.camera is CameraDriver.AUTO
    ):
        return SimulatedCamera(scene=scene)
    if not report.present:
        return None
    if report.driver == "video_file":
        return OpenCvCamera(cfg.camera_video_file, loop=True)
    return OpenCvCamera(cfg.camera_index)


def discover_receipt_printer(cfg: DeviceSettings) -> DeviceReport:
    """`detail` holds the printer target as `PrinterTarget.parse` reads it (tcp:..., serial:...)."""
    kind = DeviceKind.RECEIPT_PRINTER
    driver = cfg.receipt_printer
    if driver is ReceiptPrinterDriver.NONE:
        return _not_used(kind)
    if driver is ReceiptPrinterDriver.SIMULATED:
        return _simulated(kind)
    from devices.receipt_printer import PrinterTarget, TargetKind, discover_printer_ports

    if driver is not ReceiptPrinterDriver.AUTO:
        try:
            target = PrinterTarget.from_setting(driver.value, cfg.receipt_printer_target)
        except ValueError as exc:
            return DeviceReport(
                kind, driver.value, False, "", "小票打印机设置不完整或有误", f"Bad setting: {exc}"
            )
        if target.kind in (TargetKind.SERIAL, TargetKind.FILE) and not os.path.exists(
            target.address
        ):
            return DeviceReport(
                kind,
                driver.value,
                False,
                str(target),
                f"未找到打印机端口 {target.address}",
                f"Printer port {target.address} not found",
            )
        note_zh = "网络打印机：请用测试打印确认" if target.kind is TargetKind.NETWORK else ""
        note_en = "Network printer: confirm with a test print" if note_zh else ""
        return DeviceReport(kind, driver.value, True, str(target), note_zh, note_en)
    found = discover_printer_ports(probe=True)
    candidates = tuple(str(c.target) for c in found.candidates)
    answered = [c for c in found.candidates if c.answered is not False]
    if answered:
        return DeviceReport(kind, "escpos", True, str(answered[0].target), candidates=candidates)
    return DeviceReport(
        kind,
        "escpos",
        False,
        "",
        "；".join(n.zh for n in found.notes),
        "; ".join(n.en for n in found.notes),
        candidates,
    )


def build_receipt_printer(
    cfg: DeviceSettings, report: DeviceReport, *, demo: bool, folder: str
) -> ReceiptPrinter | None:
    """The receipt printer to use, or None; the simulator writes text files into `folder`."""
    from pathlib import Path

    from devices.receipt_printer import EscPosReceiptPrinter, PrinterTarget, SimulatedReceiptPrinter

    if report.driver == "simulated" or (
        not report.present and demo and cfg.receipt_printer is ReceiptPrinterDriver.AUTO
    ):
        return SimulatedReceiptPrinter(Path(folder))
    if not report.present:
        return None
    return EscPosReceiptPrinter(PrinterTarget.parse(report.detail))


def discover_document_printer(cfg: DeviceSettings) -> DeviceReport:
    """A4 printing goes through the OS print system (CUPS here); PDF files always work."""
    kind = DeviceKind.DOCUMENT_PRINTER
    driver = cfg.document_printer
    if driver is DocumentPrinterDriver.NONE:
        return _not_used(kind)
    if driver is DocumentPrinterDriver.PDF:
        return DeviceReport(kind, "pdf", True, "PDF", "打印为 PDF 文件", "Prints to PDF files")
    printers, problem = system_printers()
    wanted = cfg.document_printer_name
    if printers and (not wanted or wanted in printers):
        return DeviceReport(kind, "system", True, wanted or printers[0], candidates=tuple(printers))
    why_zh = f"系统中没有名为“{wanted}”的打印机" if printers and wanted else problem[0]
    why_en = f"No system printer named {wanted!r}" if printers and wanted else problem[1]
    if driver is DocumentPrinterDriver.SYSTEM:
        return DeviceReport(kind, "system", False, "", why_zh, why_en, tuple(printers))
    return DeviceReport(  # absent, but A4 documents still come out, as PDF files
        kind,
        "pdf",
        False,
        "PDF",
        f"{why_zh}；文件将打印为 PDF",
        f"{why_en}; documents are saved as PDF",
        tuple(printers),
    )


def system_printers() -> tuple[list[str], tuple[str, str]]:
    """Printer queues of the OS print system (CUPS `lpstat -e`), and why there are none."""
    import shutil
    import subprocess

    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return [], ("未安装打印系统（CUPS）", "No print system (CUPS) is installed")
    try:
        done = subprocess.run(
            [lpstat, "-e"], capture_output=True, text=True, timeout=3, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("lpstat failed: %s", exc)
        return [], ("无法查询打印系统", "The print system did not answer")
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if not names:
        return [], ("打印系统中没有打印机", "The print system has no printers")
    return names, ("", "")


def _not_used(kind: DeviceKind) -> DeviceReport:
    return DeviceReport(
        kind, "none", False, reason_zh="本终端设置为不使用", reason_en="Set as not used here"
    )


def _simulated(kind: DeviceKind) -> DeviceReport:
    return DeviceReport(
        kind, "simulated", True, "simulator", "模拟设备（演示）", "Simulated device (demo)"
    )


Discoverer = Callable[[DeviceSettings], DeviceReport]


def discover_all(cfg: DeviceSettings, *, probe: bool = True) -> list[DeviceReport]:
    """Every kind of device, in a fixed order; each check bounded in time."""
    ports = serial_ports()
    reports = [
        discover_id_card(cfg, ports, probe=probe),
        discover_ssc_card(cfg),
        discover_scanner(cfg, ports),
    ]
    reports += [discover(cfg) for discover in _MORE]
    return reports


_MORE: list[Discoverer] = [discover_camera, discover_receipt_printer, discover_document_printer]


# ---- building drivers --------------------------------------------------------------------


@dataclass
class TerminalDevices:
    """The drivers built for this terminal, and why any are missing."""

    readers: dict[DeviceKind, IdentityReader] = field(default_factory=dict)
    absent: dict[DeviceKind, DeviceReport] = field(default_factory=dict)
    others: dict[DeviceKind, DeviceReport] = field(default_factory=dict)  # non-reader kinds
    reports: list[DeviceReport] = field(default_factory=list)  # everything discovery saw
    receipt_printer: ReceiptPrinter | None = None


def build_identity_readers(
    cfg: DeviceSettings, *, demo: bool, reports: list[DeviceReport] | None = None
) -> TerminalDevices:
    """ID card and social-security card readers from the settings (and discovery for auto)."""
    from devices.simulated_identity import SimulatedIdentityReader

    found = {r.kind: r for r in reports} if reports is not None else None
    out = TerminalDevices()

    def report(kind: DeviceKind) -> DeviceReport:
        if found is not None and kind in found:
            return found[kind]
        if kind is DeviceKind.ID_CARD:
            return discover_id_card(cfg)
        return discover_ssc_card(cfg)

    # Resident ID card.
    id_report = report(DeviceKind.ID_CARD)
    if id_report.present and id_report.driver == "sam_serial":
        from devices.id_card_sam import SamIdCardReader

        out.readers[DeviceKind.ID_CARD] = SamIdCardReader(id_report.detail, cfg.id_card_baudrate)
    elif id_report.present and id_report.driver == "vendor_sdk":
        from devices.vendor_sdk import VendorSdkReader

        out.readers[DeviceKind.ID_CARD] = VendorSdkReader(
            cfg.id_card_sdk_library,
            cfg.id_card_sdk_port,
            "CVR" if cfg.id_card_sdk_flavour.upper() == "CVR" else "SDT",
        )
    elif id_report.driver == "simulated" or (demo and cfg.id_card is IdCardDriver.AUTO):
        out.readers[DeviceKind.ID_CARD] = SimulatedIdentityReader(invent_when_empty=False)
    else:
        out.absent[DeviceKind.ID_CARD] = id_report

    # Social-security card.
    ssc_report = report(DeviceKind.SSC_CARD)
    if ssc_report.present and ssc_report.driver == "pcsc":
        from devices.ssc_card import CtypesProvincialLibrary, SscCardReader

        provincial = (
            CtypesProvincialLibrary(cfg.ssc_provincial_library)
            if cfg.ssc_provincial_library
            else None
        )
        out.readers[DeviceKind.SSC_CARD] = SscCardReader(
            cfg.ssc_card_reader or None, provincial=provincial
        )
    elif ssc_report.driver == "simulated":
        out.readers[DeviceKind.SSC_CARD] = SimulatedIdentityReader(invent_when_empty=False)
    else:
        out.absent[DeviceKind.SSC_CARD] = ssc_report
    return out
