"""How the terminal's printers are, asked without printing anything.

An unattended kiosk must know before a citizen asks whether a certificate or a receipt can
come out: a printer out of paper is a service to switch off on screen (`ui.kiosk.availability`)
and a visit for someone (the heartbeat carries the paper state to the centre).

- The A4 printer goes through the OS print system. On CUPS, `lpstat -d -l -p` gives, per queue,
  whether it is enabled, its state message and its `printer-state-reasons` ("Alerts:"), which
  is where drivers and backends report `media-empty`, `media-low`, `offline-report`,
  `media-jam` and the like. lpstat is run with LC_ALL=C: CUPS translates its own words, the
  reasons are IPP keywords in any language. The reasons' -error/-warning/-report suffix is not
  a severity to rely on (CUPS's SNMP code reports an empty tray as `media-empty-warning`), so
  only the keyword counts. No print system (Windows, or CUPS not installed): the caller may
  say which printers the OS has, and their state is then unknown.
- The thermal receipt printer answers ESC/POS real-time status (`EscPosReceiptPrinter.status`,
  DLE EOT 4 and 2) on serial and network links.

Everything here blocks (a subprocess, a network or serial exchange): run it off the GUI
thread. Nothing here holds personal data; the states go into logs and heartbeats.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from app.settings import DeviceSettings, DocumentPrinterDriver
from devices.base import DeviceError
from devices.receipt_printer import (
    EscPosReceiptPrinter,
    PrinterStatus,
    ReceiptPrinter,
    cover_open_error,
    paper_out_error,
    printer_fault_error,
)
from devices.registry import DeviceKind

log = logging.getLogger(__name__)

LPSTAT_TIMEOUT_S = 5.0


class Paper(enum.StrEnum):
    OK = "ok"  # nothing about paper reported: it prints
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"  # the printer cannot say, or cannot be reached


@dataclass(frozen=True)
class PrinterState:
    """A printer as far as can be known without printing."""

    kind: DeviceKind
    present: bool  # the queue or the link is there
    accepting: bool  # a job sent now would come out
    paper: Paper
    reasons: tuple[str, ...] = ()  # the print system's own words (CUPS reasons, ESC/POS flags)
    message_zh: str = ""  # for the technician and the heartbeat, never shown to citizens
    message_en: str = ""
    name: str = ""  # the queue name or the printer's address

    def message(self, language: str) -> str:
        return self.message_zh if language.startswith("zh") else self.message_en

    def heartbeat_fields(self) -> dict[str, object]:
        """What the heartbeat's device entry adds for a printer (§8)."""
        return {"paper": self.paper.value, "reasons": [r[:60] for r in self.reasons[:20]]}


# ---- CUPS ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CupsQueue:
    name: str
    enabled: bool  # "disabled since": stopped by an error policy or a technician
    printing: bool
    message: str  # printer-state-message, e.g. "Out of paper", "Paused by technician"
    reasons: tuple[str, ...]  # printer-state-reasons, "none" left out


@dataclass(frozen=True)
class LpstatReport:
    default: str | None
    queues: dict[str, CupsQueue] = field(default_factory=dict)


_PRINTER_LINE = re.compile(r"^printer (\S+) (.*)$")
_DEFAULT_LINE = re.compile(r"^system default destination: (\S+)\s*$")
# The labelled lines of `lpstat -l -p`: the free-text state message comes before them.
_LABELS = re.compile(
    r"^(Form mounted|Content types|Printer types|Description|Alerts|Location|Connection|"
    r"Interface|On fault|After fault|Users allowed|Users denied|Forms allowed|Banner required|"
    r"Charset sets|Default pitch|Default page size|Default port settings)\b"
)


@dataclass
class _Reading:
    """The queue `parse_lpstat` is reading the lines of."""

    name: str
    enabled: bool
    printing: bool
    message: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    labelled: bool = False  # past the free-text message, into the labelled lines

    def queue(self) -> CupsQueue:
        return CupsQueue(
            self.name, self.enabled, self.printing, " ".join(self.message), tuple(self.reasons)
        )


def parse_lpstat(text: str) -> LpstatReport:
    """Read `LC_ALL=C lpstat -d -l -p` (or `-p`, or without `-d`)."""
    default: str | None = None
    queues: dict[str, CupsQueue] = {}
    reading: _Reading | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():  # a new statement: a queue, or the default destination
            if reading is not None:
                queues[reading.name] = reading.queue()
                reading = None
            if match := _DEFAULT_LINE.match(line):
                default = match.group(1)
            elif match := _PRINTER_LINE.match(line):
                rest = match.group(2)
                reading = _Reading(
                    match.group(1), not rest.startswith("disabled"), rest.startswith("now printing")
                )
            continue
        if reading is None:
            continue
        body = line.strip()
        if body.startswith("Alerts:"):
            words = body.removeprefix("Alerts:").replace(",", " ").split()
            reading.reasons = [w for w in words if w != "none"]
        if _LABELS.match(body):
            reading.labelled = True
        elif not reading.labelled and not line.startswith("\t\t"):
            reading.message.append(body)
    if reading is not None:
        queues[reading.name] = reading.queue()
    return LpstatReport(default, queues)


_SUFFIXES = ("-error", "-warning", "-report")
_PAPER_OUT = {"media-empty", "media-needed"}
_PAPER_LOW = {"media-low"}
_OFFLINE = {"offline", "shutdown", "timed-out", "paused", "stopped", "moving-to-paused"}
_FAULTS = {
    "media-jam",
    "cover-open",
    "door-open",
    "interlock-open",
    "input-tray-missing",
    "output-tray-missing",
    "output-area-full",
    "marker-supply-empty",
    "toner-empty",
    "marker-waste-full",
    "fuser-over-temp",
    "fuser-under-temp",
    "spool-area-full",
    "cups-missing-filter",
    "cups-insecure-filter",
}


def reason_keyword(reason: str) -> str:
    """`media-empty-error` → `media-empty`: the suffix does not tell how bad it is."""
    for suffix in _SUFFIXES:
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


def queue_state(queue: CupsQueue) -> PrinterState:
    """What a CUPS queue's state means for printing a certificate now."""
    kind = DeviceKind.DOCUMENT_PRINTER
    words = {reason_keyword(r) for r in queue.reasons}
    offline = bool(words & _OFFLINE) or not queue.enabled
    faults = sorted(words & _FAULTS)
    if words & _PAPER_OUT:
        paper = Paper.OUT
    elif words & _PAPER_LOW:
        paper = Paper.LOW
    else:
        paper = Paper.UNKNOWN if offline else Paper.OK
    accepting = not (paper is Paper.OUT or offline or faults)
    where = queue.name
    if paper is Paper.OUT:
        zh, en = f"A4 打印机（{where}）缺纸，请装纸", f"The A4 printer ({where}) is out of paper"
    elif faults:
        zh = f"A4 打印机（{where}）报告故障：{'、'.join(faults)}"
        en = f"The A4 printer ({where}) reports a fault: {', '.join(faults)}"
    elif offline:
        why = f"：{queue.message}" if queue.message else ""
        zh = f"A4 打印机（{where}）脱机或已停用{why}"
        en = f"The A4 printer ({where}) is offline or stopped" + (
            f": {queue.message}" if queue.message else ""
        )
    elif paper is Paper.LOW:
        zh, en = f"A4 打印机（{where}）纸张将用完", f"The A4 printer ({where}) is low on paper"
    else:
        zh = en = ""
    return PrinterState(kind, True, accepting, paper, queue.reasons, zh, en, where)


def _no_document_printer(zh: str, en: str, reason: str, name: str = "") -> PrinterState:
    return PrinterState(
        DeviceKind.DOCUMENT_PRINTER, False, False, Paper.UNKNOWN, (reason,), zh, en, name
    )


def query_cups(name: str | None = None, *, timeout: float = LPSTAT_TIMEOUT_S) -> PrinterState:
    """The state of the CUPS queue `name` (else the default, else the first one)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return _no_document_printer(
            "未安装打印系统（CUPS）", "No print system (CUPS) is installed", "no-print-system"
        )
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        done = subprocess.run(
            [lpstat, "-d", "-l", "-p"],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("lpstat did not answer within %.0f s", timeout)
        return _no_document_printer(
            "打印系统没有响应", "The print system did not answer", "no-answer"
        )
    except OSError as exc:
        log.warning("lpstat could not be run: %s", exc)
        return _no_document_printer(
            "打印系统没有响应", "The print system did not answer", "no-answer"
        )
    report = parse_lpstat(done.stdout)
    if not report.queues:
        if done.returncode != 0 and "No destinations" not in done.stderr:
            log.warning("lpstat: %s", done.stderr.strip()[:200])
            return _no_document_printer(
                "打印系统没有响应（CUPS 服务未运行？）",
                "The print system did not answer (is the CUPS service running?)",
                "no-answer",
            )
        return _no_document_printer(
            "打印系统中没有打印机", "The print system has no printers", "no-printers"
        )
    chosen = name or report.default or sorted(report.queues)[0]
    queue = report.queues.get(chosen)
    if queue is None:
        return _no_document_printer(
            f"系统中没有名为“{chosen}”的打印机",
            f"No system printer named {chosen!r}",
            "no-such-printer",
            chosen,
        )
    return queue_state(queue)


def document_state(
    cfg: DeviceSettings,
    *,
    demo: bool,
    system_printers: Callable[[], list[str]] | None = None,
    timeout: float = LPSTAT_TIMEOUT_S,
) -> PrinterState:
    """The A4 printer as the terminal's settings use it.

    A PDF "printer" (set so, or the demo without a printer) always accepts. Without CUPS,
    `system_printers` (the OS's printer names, e.g. from Qt) tells whether the printer at
    least exists; its paper is then unknown.
    """
    kind = DeviceKind.DOCUMENT_PRINTER
    pdf = PrinterState(kind, True, True, Paper.UNKNOWN, ("pdf",), name="PDF")
    if cfg.document_printer is DocumentPrinterDriver.NONE:
        return _no_document_printer("本终端设置为不使用", "Set as not used here", "not-used")
    if cfg.document_printer is DocumentPrinterDriver.PDF:
        return pdf
    state = query_cups(cfg.document_printer_name or None, timeout=timeout)
    if state.reasons == ("no-print-system",) and system_printers is not None:
        names = system_printers()
        wanted = cfg.document_printer_name
        if names and (not wanted or wanted in names):
            return PrinterState(kind, True, True, Paper.UNKNOWN, name=wanted or names[0])
    if not state.present and demo and cfg.document_printer is DocumentPrinterDriver.AUTO:
        return pdf  # the demo prints to PDF files, as the window does
    return state


# ---- the ESC/POS receipt printer ------------------------------------------------------------


def escpos_state(status: PrinterStatus, name: str) -> PrinterState:
    kind = DeviceKind.RECEIPT_PRINTER
    if not status.answered:  # many network printers do not answer status on port 9100
        return PrinterState(kind, True, True, Paper.UNKNOWN, name=name)
    flags = [
        flag
        for flag, on in (
            ("paper-out", status.paper_out),
            ("paper-low", status.paper_low),
            ("cover-open", status.cover_open),
            ("fault", status.fault),
        )
        if on
    ]
    paper = Paper.OUT if status.paper_out else Paper.LOW if status.paper_low else Paper.OK
    error: DeviceError | None = None
    if status.cover_open:
        error = cover_open_error()
    elif status.paper_out:
        error = paper_out_error()
    elif status.fault:
        error = printer_fault_error()
    if error is not None:
        return PrinterState(kind, True, False, paper, tuple(flags), error.zh, error.en, name)
    zh, en = (
        ("小票打印机纸卷将用完", "The receipt printer's roll is nearly empty")
        if flags
        else ("", "")
    )
    return PrinterState(kind, True, True, paper, tuple(flags), zh, en, name)


def receipt_state(printer: ReceiptPrinter | None) -> PrinterState:
    """The receipt printer, asked over its link; its health for printers that cannot say."""
    kind = DeviceKind.RECEIPT_PRINTER
    if printer is None:
        return PrinterState(
            kind, False, False, Paper.UNKNOWN, ("absent",), "未接小票打印机", "No receipt printer"
        )
    if isinstance(printer, EscPosReceiptPrinter):
        name = printer.target.describe()
        try:
            return escpos_state(printer.status(), name)
        except DeviceError as exc:
            return PrinterState(
                kind, False, False, Paper.UNKNOWN, ("unreachable",), exc.zh, exc.en, name
            )
    health = printer.health()
    return PrinterState(
        kind,
        health.present,
        health.working,
        Paper.UNKNOWN,
        () if health.working else ("failed",),
        health.last_error or "",
        health.last_error or "",
        printer.name,
    )
