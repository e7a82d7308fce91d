"""The terminal's settings: one typed place, saved as versioned JSON in the data folder.

Settings are read on the GUI thread at start-up and handed to workers as values. A file from
an older version is migrated step by step; one from a newer version is refused rather than
guessed at.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import UserFacingError
from app.restart_window import DEFAULT_RESTART_AT, parse_hhmm

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2


class Mode(StrEnum):
    COUNTER = "counter"
    KIOSK = "kiosk"
    TABLET = "tablet"
    TECHNICIAN = "technician"


class Language(StrEnum):
    ZH_CN = "zh_CN"
    EN = "en"


class IdCardDriver(StrEnum):
    """How the resident-ID card reader is reached."""

    AUTO = "auto"  # a SAM reader on the configured port, else the simulator in demo mode
    SAM_SERIAL = "sam_serial"  # the SAM serial protocol over a (USB-)serial port
    VENDOR_SDK = "vendor_sdk"  # the vendor's SDT_/CVR_ library through ctypes
    SIMULATED = "simulated"
    NONE = "none"  # no reader at this terminal


class SscCardDriver(StrEnum):
    AUTO = "auto"  # the first PC/SC reader, else the simulator in demo mode
    PCSC = "pcsc"
    SIMULATED = "simulated"
    NONE = "none"


class ScannerDriver(StrEnum):
    AUTO = "auto"  # keyboard wedge always listens; a serial scanner when a port is set
    WEDGE = "wedge"  # USB scanner that types like a keyboard
    SERIAL = "serial"
    SIMULATED = "simulated"
    NONE = "none"


class CameraDriver(StrEnum):
    AUTO = "auto"
    OPENCV = "opencv"  # a camera index, or a video file (pilots, demos, tests)
    SIMULATED = "simulated"
    NONE = "none"


class ReceiptPrinterDriver(StrEnum):
    AUTO = "auto"
    ESCPOS_SERIAL = "escpos_serial"  # target: the port, e.g. /dev/ttyUSB0 or COM3
    ESCPOS_NETWORK = "escpos_network"  # target: host[:port], port 9100 by default
    ESCPOS_FILE = "escpos_file"  # target: a device node such as /dev/usb/lp0
    SIMULATED = "simulated"  # writes readable text files into the data folder
    NONE = "none"


class DocumentPrinterDriver(StrEnum):
    AUTO = "auto"  # the system's default printer, else PDF files
    SYSTEM = "system"  # a named printer of the OS print system (CUPS, Windows)
    PDF = "pdf"  # PDF files into a folder
    NONE = "none"


@dataclass(frozen=True)
class DeviceSettings:
    """Which device is where at this terminal; chosen in the technician panel."""

    id_card: IdCardDriver = IdCardDriver.AUTO
    id_card_port: str = ""  # serial port of a SAM reader
    id_card_baudrate: int = 115200
    id_card_sdk_library: str = ""  # path of the vendor library (.so / .dll)
    id_card_sdk_flavour: str = "SDT"  # SDT or CVR
    id_card_sdk_port: int = 1001  # the library's own port number (1001 = first USB)
    ssc_card: SscCardDriver = SscCardDriver.AUTO
    ssc_card_reader: str = ""  # PC/SC reader name; empty = the first reader
    ssc_provincial_library: str = ""  # the province's read library for 3rd-generation cards
    scanner: ScannerDriver = ScannerDriver.AUTO
    scanner_port: str = ""  # serial scanners
    scanner_baudrate: int = 9600
    qr_decoder: str = "zxing"  # for camera frames: zxing or zbar (bench/qr.py picked zxing)
    camera: CameraDriver = CameraDriver.AUTO
    camera_index: int = 0
    camera_video_file: str = ""  # play a video file instead of a camera
    receipt_printer: ReceiptPrinterDriver = ReceiptPrinterDriver.AUTO
    receipt_printer_target: str = ""
    document_printer: DocumentPrinterDriver = DocumentPrinterDriver.AUTO
    document_printer_name: str = ""  # empty = the system default printer
    # Where a flatbed scanner drops its files; empty = `scans/` in the data folder. A version-2
    # file without it loads with the default, so adding it needed no migration.
    scan_folder: str = ""

    def with_changes(self, **changes: Any) -> DeviceSettings:
        return replace(self, **changes)


# What each device setting is called on the technician screen: (Chinese, English).
DEVICE_SETTING_LABELS: dict[str, tuple[str, str]] = {
    "id_card": ("身份证读卡器：方式", "ID card reader: driver"),
    "id_card_port": ("身份证读卡器：串口", "ID card reader: serial port"),
    "id_card_baudrate": ("身份证读卡器：波特率", "ID card reader: baud rate"),
    "id_card_sdk_library": ("身份证读卡器：厂商库文件", "ID card reader: vendor library"),
    "id_card_sdk_flavour": ("身份证读卡器：厂商库类型", "ID card reader: library type"),
    "id_card_sdk_port": ("身份证读卡器：厂商库端口号", "ID card reader: library port"),
    "ssc_card": ("社保卡读卡器：方式", "Social-security card reader: driver"),
    "ssc_card_reader": ("社保卡读卡器：名称", "Social-security card reader: name"),
    "ssc_provincial_library": ("社保卡：省级读卡库", "Social-security card: provincial library"),
    "scanner": ("扫码器：方式", "Scanner: driver"),
    "scanner_port": ("扫码器：串口", "Scanner: serial port"),
    "scanner_baudrate": ("扫码器：波特率", "Scanner: baud rate"),
    "qr_decoder": ("摄像头识码：解码库", "Camera QR decoding: decoder"),
    "camera": ("摄像头：方式", "Camera: driver"),
    "camera_index": ("摄像头：编号", "Camera: index"),
    "camera_video_file": ("摄像头：视频文件（演示）", "Camera: video file (demo)"),
    "receipt_printer": ("小票打印机：方式", "Receipt printer: driver"),
    "receipt_printer_target": ("小票打印机：端口或地址", "Receipt printer: port or address"),
    "document_printer": ("A4 打印机：方式", "A4 printer: driver"),
    "document_printer_name": ("A4 打印机：名称", "A4 printer: name"),
    "scan_folder": ("扫描仪：文件夹", "Scanner: folder"),
}


def scan_folder_path(devices: DeviceSettings, data_root: Path) -> Path:
    """The folder the materials checklist imports scans from (see `scan_folder`)."""
    chosen = devices.scan_folder.strip()
    return Path(chosen).expanduser() if chosen else data_root / "scans"


@dataclass(frozen=True)
class Settings:
    mode: Mode = Mode.COUNTER
    language: Language = Language.ZH_CN
    central_url: str = ""
    sync_interval_seconds: int = 60
    # Filings unsent for longer than this are raised as "needs attention".
    attention_after_hours: int = 24
    font_scale: float = 1.0
    # The counter locks after this many minutes without input (0: never).
    idle_lock_minutes: float = 10.0
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    # Kiosk mode: the time of day (HH:MM, China time) from which an idle kiosk restarts itself
    # once a day (app/restart_window.py; the systemd timer / Windows task is the fallback).
    # A version-2 file without it loads with the default, so adding it needed no migration.
    kiosk_restart_at: str = field(
        default=DEFAULT_RESTART_AT, metadata={"validate": lambda v: parse_hhmm(v).strftime("%H:%M")}
    )

    def __post_init__(self) -> None:
        _validate_fields(self)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _validate_fields(obj: Any) -> None:
    """Run each field's `validate` (metadata): it returns the normal form or raises ValueError."""
    for f in fields(obj):
        check = f.metadata.get("validate")
        if check is not None:
            object.__setattr__(obj, f.name, check(getattr(obj, f.name)))


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added per-terminal device settings; a version-1 terminal starts on "auto"."""
    raw.setdefault("devices", {})
    return raw


_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


class SettingsError(UserFacingError):
    pass


def load_settings(path: Path) -> Settings:
    """Read settings, migrating old files; a missing file gives the defaults."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings file unreadable, using defaults: %s", exc)
        return Settings()
    version = int(raw.pop("version", 1))
    if version > SETTINGS_VERSION:
        raise SettingsError(
            f"设置文件来自更新的版本（{version}），请升级本程序。",
            f"The settings file comes from a newer version ({version}); please upgrade.",
        )
    while version < SETTINGS_VERSION:
        raw = _MIGRATIONS[version](raw)
        version += 1
    return _typed(Settings, raw, "")


def _typed(cls: Any, raw: object, prefix: str) -> Any:
    """Build the dataclass `cls` from `raw`, field by field.

    Each value is converted to its default's type; a value that does not convert (or an
    unknown enum member) falls back to the default with a warning that names the setting, so
    one bad line from a hand edit does not cost the terminal all its other settings.
    Unknown keys are ignored (a downgrade keeps working).
    """
    defaults = cls()
    if not isinstance(raw, dict):
        log.warning("settings section %s is not an object; using the defaults", prefix or "root")
        return defaults
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        default = getattr(defaults, f.name)
        if is_dataclass(default):
            values[f.name] = _typed(type(default), raw[f.name], f"{prefix}{f.name}.")
            continue
        try:
            value = type(default)(raw[f.name])
            check = f.metadata.get("validate")
            values[f.name] = check(value) if check is not None else value
        except (TypeError, ValueError):
            log.warning("setting %s%s has an invalid value; using the default", prefix, f.name)
    return cls(**values)


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically, so a power cut leaves the old file or the new, never half of one."""
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
