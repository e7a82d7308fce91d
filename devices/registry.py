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

from app.settings import DeviceSettings, IdCardDriver, ScannerDriver, SscCardDriver
from devices.base import DeviceError, DeviceHealth
from devices.identity import IdentityReader

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
    reports += [extra(cfg) for extra in _EXTRA_DISCOVERERS]
    return reports


# Kinds whose discovery lives with their driver module (camera, printers) register here.
_EXTRA_DISCOVERERS: list[Discoverer] = []


# ---- building drivers --------------------------------------------------------------------


@dataclass
class IdentityDevices:
    """The identity readers built for this terminal, and why any are missing."""

    readers: dict[DeviceKind, IdentityReader] = field(default_factory=dict)
    absent: dict[DeviceKind, DeviceReport] = field(default_factory=dict)
    others: dict[DeviceKind, DeviceReport] = field(default_factory=dict)  # non-reader kinds


def build_identity_readers(
    cfg: DeviceSettings, *, demo: bool, reports: list[DeviceReport] | None = None
) -> IdentityDevices:
    """ID card and social-security card readers from the settings (and discovery for auto)."""
    from devices.simulated_identity import SimulatedIdentityReader

    found = {r.kind: r for r in reports} if reports is not None else None
    out = IdentityDevices()

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
