"""Receipt printers: ESC/POS thermal printers through python-escpos, and a simulated one.

Chinese thermal printers (Xprinter, GPrinter, Sunmi, Epson's Chinese models...) carry a
GB18030 (or at least GBK) font and switch to it with ``FS &`` (1C 26): in Chinese mode a
byte below 0x80 is ASCII and anything else starts a double-byte (or, for GB18030, 4-byte)
character. python-escpos's own text path picks single-byte code pages and cannot express
that, so the text is encoded here with Python's ``gb18030`` codec and sent with ``_raw``;
python-escpos still supplies the transports (Serial, Network, File, Usb), the styling
commands, the QR code and the cut. GB18030 encodes every Unicode character, including the
rare ones outside the BMP that appear in names; whether a 4-byte character *prints* depends
on the printer's font (GB18030-2005 printers have it, GBK-only ones print a blank or ?).

The QR code is printed natively (``GS ( k``, `QrMode.NATIVE`) by default: ~90 bytes
instead of ~6 kB of raster image (a whole receipt is ~750 bytes against ~6.9 kB), which
matters at 9600 baud (0.8 s against 7 s a receipt), and the printer draws the modules at its
own resolution and error correction. Printers without ``GS ( k`` (some old 58 mm ones) get
the same code as a raster image (`QrMode.IMAGE`, ``GS v 0``) drawn from the `qrcode`
library's matrix, centred with ESC a rather than padded to the paper width.

A job is composed completely in memory first (python-escpos's `Dummy`), then sent with one
write on a connection opened for that job and closed after: a half-composed job never
reaches the paper, the printer is free for other terminals between receipts (network
printers accept one connection at a time), and a printer switched off and on again simply
works on the next receipt. Before sending, the printer is asked for its paper and cover
state with real-time status commands (``DLE EOT 4`` and ``DLE EOT 2``) over serial and
network links; a printer that does not answer within a fraction of a second is printed to
anyway, as many network printers do not answer status on port 9100.

Everything here blocks; callers run it off the GUI thread.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import enum
import errno
import glob
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import serial  # type: ignore[import-untyped]
from escpos import printer as escpos_printer
from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from PIL import Image

from app.documents.lookup_code import qr_matrix
from app.documents.receipt import COLUMNS_80MM, LineStyle, Receipt, display_width, text_lines
from devices.base import DeviceError, DeviceHealth

log = logging.getLogger(__name__)

FS_CHINESE_ON = b"\x1c&"  # FS &: Chinese character mode (multi-byte GB codes)
FS_CHINESE_OFF = b"\x1c."  # FS .: back to single-byte code pages
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"  # bit 2 cover open, bit 5 stopped at paper end, 6 error
DLE_EOT_PAPER = b"\x10\x04\x04"  # bits 2-3 paper near end, bits 5-6 paper end
STATUS_FIXED_MASK = 0x93  # in every DLE EOT answer bits 1 and 4 are 1 and bits 0 and 7 are 0
STATUS_FIXED_BITS = 0x12

DOTS_PER_COLUMN = 12  # font A is 12 x 24 dots
QR_MODULE_DOTS = 6  # 0.75 mm a module at 203 dpi: a version-4 code is 25 mm wide
DEFAULT_NETWORK_PORT = 9100  # "raw" / JetDirect port every network receipt printer listens on
DEFAULT_BAUDRATE = 9600  # the factory setting of most serial receipt printers


# --- messages ---------------------------------------------------------------------------------


def paper_out_error() -> DeviceError:
    return DeviceError(
        "小票打印机缺纸，请装入热敏纸卷后重新打印",
        "The receipt printer is out of paper; load a roll and print again.",
    )


def cover_open_error() -> DeviceError:
    return DeviceError(
        "小票打印机纸仓盖未合上，请合上后重新打印",
        "The receipt printer's cover is open; close it and print again.",
    )


def printer_fault_error() -> DeviceError:
    return DeviceError(
        "小票打印机报告故障（可能是切刀卡纸或过热），请关闭电源片刻后重试",
        "The receipt printer reports a fault (cutter jam or overheating); switch it off for "
        "a moment and retry.",
    )


def no_answer_error(where: str) -> DeviceError:
    return DeviceError(
        f"小票打印机（{where}）没有响应，请检查打印机是否开机、连接线是否插好，然后重新打印",
        f"The receipt printer ({where}) did not respond; check that it is on and connected, "
        "then print again.",
    )


def link_broken_error(where: str) -> DeviceError:
    return DeviceError(
        f"与小票打印机（{where}）的连接中断，回执可能没有打印完整，请检查连接后重新打印",
        f"The connection to the receipt printer ({where}) was lost; the receipt may be "
        "incomplete. Check the connection and print again.",
    )


def permission_error(where: str) -> DeviceError:
    return DeviceError(
        f"没有使用小票打印机（{where}）的权限，请联系运维人员设置设备权限",
        f"No permission to use the receipt printer ({where}); ask the technician to set the "
        "device permissions (e.g. the lp or dialout group).",
    )


def not_found_error(target: PrinterTarget) -> DeviceError:
    where = target.describe()
    if target.kind is TargetKind.NETWORK:
        return DeviceError(
            f"无法连接小票打印机（{where}），请检查打印机电源、网线和 IP 地址设置",
            f"Cannot connect to the receipt printer at {where}; check its power, network "
            "cable and IP address.",
        )
    if target.kind is TargetKind.SERIAL:
        return DeviceError(
            f"无法打开小票打印机（串口 {target.address}），请检查打印机连接线和串口设置",
            f"Cannot open the receipt printer on serial port {target.address}; check the "
            "cable and the configured port.",
        )
    return DeviceError(
        f"未找到小票打印机（{where}），请检查打印机电源和 USB 连接线",
        f"Receipt printer not found ({where}); check its power and USB cable.",
    )


def pyusb_missing_error() -> DeviceError:
    return DeviceError(
        "按厂商编号连接 USB 打印机需要 pyusb 组件，当前未安装；"
        "请改用打印机设备文件（如 /dev/usb/lp0）",
        "USB printers by vendor id need pyusb, which is not installed; use the printer's "
        "device file (e.g. /dev/usb/lp0) instead.",
    )


# --- where the printer is -----------------------------------------------------------------------


class TargetKind(enum.StrEnum):
    NETWORK = "tcp"
    SERIAL = "serial"
    FILE = "file"  # a device node: /dev/usb/lp0 (Linux usblp), or a file to capture a job
    USB = "usb"  # vendor:product through pyusb (libusb)


@dataclass(frozen=True)
class PrinterTarget:
    """How to reach a printer; `str()` and `parse()` give its settings-file form.

    ``tcp:192.168.1.50`` or ``tcp:192.168.1.50:9100``, ``serial:/dev/ttyUSB0@9600`` or
    ``serial:COM3@115200``, ``file:/dev/usb/lp0``, ``usb:0416:5011`` (hex ids).
    """

    kind: TargetKind
    address: str  # host, serial device, file path, or "vvvv:pppp"
    port: int = DEFAULT_NETWORK_PORT  # network only
    baudrate: int = DEFAULT_BAUDRATE  # serial only

    @classmethod
    def network(cls, host: str, port: int = DEFAULT_NETWORK_PORT) -> PrinterTarget:
        return cls(TargetKind.NETWORK, host, port=port)

    @classmethod
    def serial(cls, device: str, baudrate: int = DEFAULT_BAUDRATE) -> PrinterTarget:
        return cls(TargetKind.SERIAL, device, baudrate=baudrate)

    @classmethod
    def file(cls, path: str) -> PrinterTarget:
        return cls(TargetKind.FILE, path)

    @classmethod
    def usb(cls, vendor_id: int, product_id: int) -> PrinterTarget:
        return cls(TargetKind.USB, f"{vendor_id:04x}:{product_id:04x}")

    @classmethod
    def parse(cls, text: str) -> PrinterTarget:
        kind_text, sep, rest = text.strip().partition(":")
        if not sep or not rest:
            raise ValueError(f"printer {text!r}: expected kind:address, e.g. tcp:192.168.1.50")
        try:
            kind = TargetKind(kind_text.lower())
        except ValueError:
            raise ValueError(f"printer {text!r}: unknown kind {kind_text!r}") from None
        if kind is TargetKind.NETWORK:
            match = re.fullmatch(r"\[?([^\[\]]+?)\]?(?::(\d{1,5}))?", rest)
            if match is None or (":" in match.group(1) and not rest.startswith("[")):
                raise ValueError(f"printer {text!r}: expected tcp:HOST[:PORT]")
            return cls.network(match.group(1), int(match.group(2) or DEFAULT_NETWORK_PORT))
        if kind is TargetKind.SERIAL:
            device, _, baud = rest.rpartition("@") if "@" in rest else (rest, "", "")
            if baud and not baud.isdigit():
                raise ValueError(f"printer {text!r}: baud rate {baud!r} is not a number")
            return cls.serial(device, int(baud) if baud else DEFAULT_BAUDRATE)
        if kind is TargetKind.USB:
            match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})", rest)
            if match is None:
                raise ValueError(f"printer {text!r}: expected usb:VID:PID in hex")
            return cls.usb(int(match.group(1), 16), int(match.group(2), 16))
        return cls.file(rest)

    @classmethod
    def from_setting(cls, driver: str, target: str) -> PrinterTarget:
        """From the terminal's saved settings (app.settings.ReceiptPrinterDriver and its target).

        ``escpos_serial`` + ``COM3`` or ``/dev/ttyUSB0@115200``; ``escpos_network`` +
        ``192.168.1.50`` or ``192.168.1.50:9100``; ``escpos_file`` + ``/dev/usb/lp0``.
        """
        kinds = {"escpos_serial": "serial", "escpos_network": "tcp", "escpos_file": "file"}
        if driver not in kinds:
            raise ValueError(f"receipt printer driver {driver!r} has no ESC/POS target")
        if not target.strip():
            raise ValueError(f"receipt printer driver {driver!r} needs a target")
        return cls.parse(f"{kinds[driver]}:{target.strip()}")

    def __str__(self) -> str:
        if self.kind is TargetKind.NETWORK:
            host = f"[{self.address}]" if ":" in self.address else self.address
            return f"tcp:{host}:{self.port}"
        if self.kind is TargetKind.SERIAL:
            return f"serial:{self.address}@{self.baudrate}"
        return f"{self.kind.value}:{self.address}"

    def describe(self) -> str:
        """Short, for messages: 192.168.1.50:9100, /dev/ttyUSB0, USB 0416:5011."""
        if self.kind is TargetKind.NETWORK:
            return f"{self.address}:{self.port}"
        if self.kind is TargetKind.USB:
            return f"USB {self.address}"
        return self.address


# --- what printing returns, and the interface ---------------------------------------------------


@dataclass(frozen=True)
class PrintOutcome:
    """A job the printer accepted; `paper_low` asks the operator to change the roll soon."""

    printer: str
    bytes_sent: int
    paper_low: bool = False
    saved_to: Path | None = None  # the simulated printer's text file

    def warning(self, language: str) -> str | None:
        if not self.paper_low:
            return None
        if language.startswith("zh"):
            return "小票打印机纸卷将用完，请及时更换"
        return "The receipt printer's roll is nearly empty; change it soon."


class ReceiptPrinter(Protocol):
    """Prints receipts. Both calls block (I/O with the device); never call them on the GUI thread.

    `print_receipt` raises DeviceError with a message for the operator when the receipt
    could not be printed; the filing itself is already saved, so the operator carries on
    and can reprint later.
    """

    name: str

    def print_receipt(self, receipt: Receipt) -> PrintOutcome: ...

    def health(self) -> DeviceHealth: ...


# --- composing a job ------------------------------------------------------------------------------


class QrMode(enum.StrEnum):
    NATIVE = "native"  # GS ( k: the printer draws the code
    IMAGE = "image"  # GS v 0 raster image drawn here


def qr_raster(text: str, module_dots: int) -> Image.Image:
    """A 1-bit image of the QR code, quiet zone included, for printers without ``GS ( k``.

    Only as wide as the code: the job centres it with ESC a 1 rather than padding it to the
    paper width, which would triple the bytes sent.
    """
    matrix = qr_matrix(text)
    size = len(matrix) * module_dots
    image = Image.new("1", (size, size), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                box = (x * module_dots, y * module_dots)
                image.paste(0, (*box, box[0] + module_dots, box[1] + module_dots))
    return image


def _gb(text: str) -> bytes:
    return text.encode("gb18030", errors="replace")


def compose_receipt(
    receipt: Receipt,
    *,
    columns: int = COLUMNS_80MM,
    qr_mode: QrMode = QrMode.NATIVE,
    qr_module_dots: int = QR_MODULE_DOTS,
    chinese_mode: bool = True,
    profile: str | None = None,
) -> bytes:
    """The whole ESC/POS job for one receipt: init, Chinese mode, text, QR code, cut."""
    job = escpos_printer.Dummy(profile=profile)
    paper_dots = columns * DOTS_PER_COLUMN
    # image() checks the width against the profile's paper and, when the profile does not
    # know it (the default one), prints a complaint to stdout: give this job's own copy of
    # the profile the paper width in dots.
    data = copy.deepcopy(job.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = paper_dots
    job.profile.profile_data = data

    job.hw("INIT")
    if chinese_mode:
        job._raw(FS_CHINESE_ON)
    for line in text_lines(receipt, columns):
        if line.style is LineStyle.TITLE:
            job.set(align="center", bold=True, custom_size=True, width=2, height=2)
            job._raw(_gb(line.text + "\n"))
            job.set(align="left", bold=False, custom_size=True, width=1, height=1)
        elif line.style is LineStyle.HEADING:
            job.set(bold=True)
            job._raw(_gb(line.text + "\n"))
            job.set(bold=False)
        elif line.style is LineStyle.CENTRED:
            job.set(align="center")
            job._raw(_gb(line.text + "\n"))
            job.set(align="left")
        elif line.style is LineStyle.QR:
            job.set(align="center")
            if qr_mode is QrMode.NATIVE:
                job.qr(line.text, ec=QR_ECLEVEL_M, size=qr_module_dots, native=True)
                job._raw(b"\n")
            else:
                job.image(qr_raster(line.text, qr_module_dots))
            job.set(align="left")
        else:
            job._raw(_gb(line.text + "\n"))
    if chinese_mode:
        job._raw(FS_CHINESE_OFF)
    job.cut()  # feeds past the cutter (ESC d 6), then GS V 0
    return bytes(job.output)


# --- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; `answered=False` means it does not do status."""

    answered: bool
    paper_out: bool = False
    paper_low: bool = False
    cover_open: bool = False
    fault: bool = False


def status_byte_valid(value: int) -> bool:
    """A DLE EOT answer has fixed bits; anything else is noise or not a printer."""
    return value & STATUS_FIXED_MASK == STATUS_FIXED_BITS


def parse_status(paper: int | None, offline_cause: int | None) -> PrinterStatus:
    """Combine the answers to DLE EOT 4 (paper sensors) and DLE EOT 2 (why offline)."""
    valid_paper = paper is not None and status_byte_valid(paper)
    valid_cause = offline_cause is not None and status_byte_valid(offline_cause)
    if not valid_paper and not valid_cause:
        return PrinterStatus(answered=False)
    p = paper if valid_paper and paper is not None else 0x12
    c = offline_cause if valid_cause and offline_cause is not None else 0x12
    return PrinterStatus(
        answered=True,
        paper_out=bool(p & 0x60) or bool(c & 0x20),
        paper_low=bool(p & 0x0C),
        cover_open=bool(c & 0x04),
        fault=bool(c & 0x40),
    )


# --- the ESC/POS printer ----------------------------------------------------------------------


class EscPosReceiptPrinter:
    """A `ReceiptPrinter` for an ESC/POS thermal printer on a network, serial, file or USB link.

    One lock serialises jobs: two receipts interleaved on one printer would be unreadable.
    """

    name = "escpos_receipt"

    def __init__(
        self,
        target: PrinterTarget,
        *,
        columns: int = COLUMNS_80MM,
        qr_mode: QrMode = QrMode.NATIVE,
        chinese_mode: bool = True,  # False only for printers that boot in Chinese mode
        profile: str | None = None,  # a python-escpos printer profile name, e.g. "TM-T88V"
        connect_timeout: float = 3.0,
        write_timeout: float = 15.0,
        status_timeout: float = 0.3,
        check_status: bool = True,
    ) -> None:
        self.target = target
        self.columns = columns
        self.qr_mode = qr_mode
        self.chinese_mode = chinese_mode
        self.profile = profile
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self.status_timeout = status_timeout
        self.check_status = check_status
        self._lock = threading.Lock()
        self._last_error: str | None = None

    def compose(self, receipt: Receipt) -> bytes:
        return compose_receipt(
            receipt,
            columns=self.columns,
            qr_mode=self.qr_mode,
            chinese_mode=self.chinese_mode,
            profile=self.profile,
        )

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        job = self.compose(receipt)
        with self._lock:
            return self._remember(lambda: self._print_job(job))

    def send_raw(self, job: bytes) -> PrintOutcome:
        """Send an already composed job (a reprint, a test page)."""
        with self._lock:
            return self._remember(lambda: self._print_job(job))

    def status(self) -> PrinterStatus:
        """Open the link and ask the printer how it is; DeviceError when it cannot be reached."""
        with self._lock:
            return self._remember(self._status_only)

    def health(self) -> DeviceHealth:
        """Present = the link opens; working = and the printer reports no paper-out or fault.

        A printer that answers no status but accepts the link is reported working: it is the
        best that can be known without printing.
        """
        now = dt.datetime.now(dt.UTC)
        if not self._lock.acquire(timeout=0.5):  # printing: report what is known, do not wait
            known = self._last_error is None
            return DeviceHealth(self.name, True, known, False, self._last_error, checked_at=now)
        try:
            try:
                status = self._remember(self._status_only)
            except DeviceError:
                return DeviceHealth(self.name, False, False, False, self._last_error, now)
            working = not (status.paper_out or status.cover_open or status.fault)
            if not working:
                self._last_error = self._status_error(status).zh
            return DeviceHealth(self.name, True, working, False, self._last_error, checked_at=now)
        finally:
            self._lock.release()

    # -- internals (lock held) --

    def _remember(self, action: Callable[[], Any]) -> Any:
        try:
            result = action()
        except DeviceError as exc:
            self._last_error = exc.zh
            log.warning("receipt printer %s: %s", self.target, exc.en)
            raise
        self._last_error = None
        return result

    def _print_job(self, job: bytes) -> PrintOutcome:
        device = self._open()
        try:
            status = self._query_status(device) if self.check_status else PrinterStatus(False)
            if status.paper_out or status.cover_open or status.fault:
                raise self._status_error(status)
            self._send(device, job)
        finally:
            self._close(device)
        log.info("receipt printer %s: %d bytes sent", self.target, len(job))
        return PrintOutcome(str(self.target), len(job), paper_low=status.paper_low)

    def _status_only(self) -> PrinterStatus:
        device = self._open()
        try:
            return self._query_status(device)
        finally:
            self._close(device)

    @staticmethod
    def _status_error(status: PrinterStatus) -> DeviceError:
        if status.cover_open:
            return cover_open_error()
        if status.paper_out:
            return paper_out_error()
        return printer_fault_error()

    def _make(self) -> Any:
        """The python-escpos printer object for the target (not opened yet)."""
        t = self.target
        if t.kind is TargetKind.NETWORK:
            return escpos_printer.Network(t.address, port=t.port, timeout=self.connect_timeout)
        if t.kind is TargetKind.SERIAL:
            return escpos_printer.Serial(
                t.address, baudrate=t.baudrate, timeout=self.status_timeout
            )
        if t.kind is TargetKind.FILE:
            return escpos_printer.File(t.address, auto_flush=False)
        if not escpos_printer.Usb.is_usable():
            # Checked before constructing: without pyusb even the object's __del__ raises.
            raise pyusb_missing_error()
        vendor, product = (int(part, 16) for part in t.address.split(":"))
        return escpos_printer.Usb(vendor, product, timeout=int(self.write_timeout * 1000))

    def _open(self) -> Any:
        device = self._make()
        try:
            device.open()
        except DeviceNotFoundError as exc:
            cause = exc.__context__
            if getattr(cause, "errno", None) in (errno.EACCES, errno.EPERM):
                raise permission_error(self.target.describe()) from exc
            raise not_found_error(self.target) from exc
        except (EscposError, OSError) as exc:
            raise not_found_error(self.target) from exc
        handle = device.device
        if self.target.kind is TargetKind.NETWORK:
            handle.settimeout(self.write_timeout)
        elif self.target.kind is TargetKind.SERIAL:
            handle.write_timeout = self.write_timeout
        return device

    def _send(self, device: Any, job: bytes) -> None:
        where = self.target.describe()
        try:
            device._raw(job)
            if self.target.kind is TargetKind.FILE:
                device.flush()
        except (TimeoutError, serial.SerialTimeoutException) as exc:
            self._discard_output(device)
            raise no_answer_error(where) from exc
        except (OSError, EscposError) as exc:
            self._discard_output(device)
            raise link_broken_error(where) from exc

    def _query_status(self, device: Any) -> PrinterStatus:
        """DLE EOT 4 then DLE EOT 2 over links that can answer; `answered=False` otherwise."""
        if self.target.kind not in (TargetKind.NETWORK, TargetKind.SERIAL):
            return PrinterStatus(answered=False)  # usblp and raw USB: write-only here
        paper = self._ask(device, DLE_EOT_PAPER)
        if paper is None:
            return PrinterStatus(answered=False)
        return parse_status(paper, self._ask(device, DLE_EOT_OFFLINE_CAUSE))

    def _ask(self, device: Any, request: bytes) -> int | None:
        """Send a real-time status request; the one answer byte, or None after the timeout."""
        handle = device.device
        where = self.target.describe()
        try:
            if self.target.kind is TargetKind.NETWORK:
                handle.settimeout(self.status_timeout)
                try:
                    handle.sendall(request)
                    answer = handle.recv(1)
                except TimeoutError:
                    return None
                finally:
                    handle.settimeout(self.write_timeout)
                if not answer:  # the printer closed the connection
                    raise link_broken_error(where)
            else:
                handle.timeout = self.status_timeout
                handle.write(request)
                answer = handle.read(1)
                if not answer:
                    return None
        except (serial.SerialTimeoutException, TimeoutError) as exc:
            raise no_answer_error(where) from exc
        except OSError as exc:
            raise link_broken_error(where) from exc
        return answer[0]

    def _discard_output(self, device: Any) -> None:
        """After a failed write, drop what is queued so closing does not wait on it."""
        if self.target.kind is TargetKind.SERIAL:
            with contextlib.suppress(Exception):
                device.device.reset_output_buffer()

    def _close(self, device: Any) -> None:
        """Close the link; a late status byte is read first so the close is not a reset."""
        try:
            if self.target.kind is TargetKind.NETWORK and device.device:
                handle = device.device
                handle.setblocking(False)
                with contextlib.suppress(OSError):
                    while handle.recv(64):
                        pass
            device.close()
        except Exception:  # closing a dead link must not hide the real error
            log.debug("closing receipt printer %s failed", self.target, exc_info=True)


# --- the simulated printer -------------------------------------------------------------------


def qr_text_art(text: str) -> list[str]:
    """The QR code drawn with half-block characters (two module rows a text row).

    Shown in a monospace font with dark text on a light background, a phone can scan it.
    """
    matrix = qr_matrix(text, border=2)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    rows = []
    for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True):
        rows.append("".join(" ▄▀█"[t * 2 + b] for t, b in zip(top, bottom, strict=True)))
    return rows


def render_text(receipt: Receipt, columns: int = COLUMNS_80MM) -> str:
    """A receipt as plain text, laid out as the thermal printer would (for the demo, for tests)."""
    out: list[str] = []
    for line in text_lines(receipt, columns):
        if line.style is LineStyle.TITLE:
            out.append(_centre(" ".join(line.text), columns))  # spaced out: it prints double wide
        elif line.style is LineStyle.CENTRED:
            out.append(_centre(line.text, columns))
        elif line.style is LineStyle.QR:
            art = qr_text_art(line.text)
            out += [_centre(row, columns) for row in art]
            out.append(_centre(f"[{line.text}]", columns))
        else:
            out.append(line.text)
    out.append("- " * (columns // 2) + "✂")
    return "\n".join(out) + "\n"


def _centre(text: str, columns: int) -> str:
    pad = max(columns - display_width(text), 0) // 2
    return " " * pad + text


@dataclass
class SimulatedReceiptPrinter:
    """A `ReceiptPrinter` that writes each receipt as a text file under `folder` (demo mode).

    `fail_with` makes every print fail with that error, to try the operator's path when the
    printer is broken; `last_receipt` and `printed` let tests and the demo see what came out.
    """

    folder: Path
    columns: int = COLUMNS_80MM
    fail_with: DeviceError | None = None
    name: str = "simulated_receipt"
    last_receipt: Receipt | None = field(default=None, init=False)
    last_path: Path | None = field(default=None, init=False)
    printed: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        if self.fail_with is not None:
            raise self.fail_with
        text = render_text(receipt, self.columns)
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = receipt.filed_at.strftime("%Y%m%d-%H%M%S")
            path = self.folder / f"receipt-{stamp}-{receipt.filing_uid[:8]}-{self.printed + 1}.txt"
            path.write_text(text, encoding="utf-8")
            self.last_receipt = receipt
            self.last_path = path
            self.printed += 1
        return PrintOutcome(self.name, len(text.encode("utf-8")), saved_to=path)

    def health(self) -> DeviceHealth:
        broken = self.fail_with is not None
        return DeviceHealth(
            self.name,
            present=True,
            working=not broken,
            simulated=True,
            last_error=self.fail_with.zh if self.fail_with else None,
            checked_at=dt.datetime.now(dt.UTC),
        )


# --- discovery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterCandidate:
    target: PrinterTarget
    description: str
    answered: bool | None = None  # a status probe got a printer's answer; None = not probed


@dataclass(frozen=True)
class DiscoveryNote:
    """Why a kind of printer is not in the list, in Chinese and English."""

    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


@dataclass(frozen=True)
class PortDiscovery:
    """Candidate printer links, and why the list may be shorter than the technician expects."""

    candidates: tuple[PrinterCandidate, ...]
    notes: tuple[DiscoveryNote, ...]


# Serial ports that exist whether or not anything is plugged in (a motherboard or VM UART):
# listed only when a printer answers on them; USB-serial adapters appear only when plugged.
_BUILT_IN_SUBSYSTEMS = {"serial-base", "platform", "pnp"}
PROBE_BAUDRATES = (9600, 115200)


def probe_serial(device: str, baudrates: Iterable[int], timeout: float = 0.15) -> int | None:
    """The baud rate at which a printer answers DLE EOT 1 on `device`, or None.

    The port is opened exclusively, so a port another driver (the ID card reader) holds is
    left alone rather than sent bytes in the middle of its exchange.
    """
    for baudrate in baudrates:
        try:
            with serial.Serial(
                device, baudrate, timeout=timeout, write_timeout=timeout, exclusive=True
            ) as port:
                port.reset_input_buffer()
                port.write(b"\x10\x04\x01")
                answer = port.read(1)
        except (OSError, ValueError):
            return None
        if answer and status_byte_valid(answer[0]):
            return baudrate
    return None


def discover_printer_ports(
    *,
    probe: bool = True,
    lp_pattern: str = "/dev/usb/lp*",
    comports: Callable[[], Iterable[Any]] | None = None,
    baudrates: Iterable[int] = PROBE_BAUDRATES,
) -> PortDiscovery:
    """Receipt printer links on this machine: usblp device nodes and serial ports.

    Network printers cannot be listed without scanning the LAN (their address is on the
    self-test slip: hold FEED while switching on); USB printers by vendor id need pyusb.
    Built-in serial ports are probed (when `probe`, ~0.15 s a baud rate) and listed only if
    a printer answers, since every PC has them; USB-serial adapters are always listed.
    """
    candidates: list[PrinterCandidate] = []
    notes: list[DiscoveryNote] = []
    for path in sorted(glob.glob(lp_pattern)):
        candidates.append(PrinterCandidate(PrinterTarget.file(path), f"USB printer {path}"))
    if not candidates:
        notes.append(
            DiscoveryNote(
                f"没有 USB 打印机设备文件（{lp_pattern}）",
                f"no USB printer device nodes ({lp_pattern})",
            )
        )
    if comports is None:
        from serial.tools import list_ports  # type: ignore[import-untyped]

        comports = list_ports.comports
    rates = tuple(baudrates)
    found_serial = False
    for port in comports():
        device = str(port.device)
        description = str(getattr(port, "description", "") or "").strip()
        built_in = getattr(port, "subsystem", None) in _BUILT_IN_SUBSYSTEMS or not getattr(
            port, "vid", None
        )
        rate = probe_serial(device, rates) if probe else None
        if not built_in:
            found_serial = True
            target = PrinterTarget.serial(device, rate or DEFAULT_BAUDRATE)
            answered = (rate is not None) if probe else None
            candidates.append(
                PrinterCandidate(target, f"USB serial {device} {description}", answered)
            )
        elif rate is not None:
            found_serial = True
            target = PrinterTarget.serial(device, rate)
            candidates.append(PrinterCandidate(target, f"serial printer {device}", True))
        elif probe:
            bauds = "/".join(map(str, rates))
            notes.append(
                DiscoveryNote(
                    f"串口 {device} 上没有打印机应答（试过 {bauds} 波特率）",
                    f"no printer answered on serial port {device} (tried {bauds} baud)",
                )
            )
        else:
            notes.append(
                DiscoveryNote(
                    f"串口 {device} 是主板串口，未探测", f"{device} is a built-in port, not probed"
                )
            )
    if not found_serial:
        notes.append(DiscoveryNote("没有发现串口打印机", "no serial printer found"))
    notes.append(
        DiscoveryNote(
            "网络打印机请手动填写 IP 地址（见打印机自检页），端口一般为 9100",
            "network printers are entered by IP address (on the self-test slip), port 9100",
        )
    )
    try:
        import usb.core  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        notes.append(
            DiscoveryNote(
                "未安装 pyusb，不列出按厂商编号连接的 USB 打印机",
                "pyusb is not installed: USB printers by vendor id are not listed",
            )
        )
    return PortDiscovery(tuple(candidates), tuple(notes))
