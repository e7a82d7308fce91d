"""The ESC/POS receipt printer driver against real peers: a TCP "printer" and a serial one on a pty.

The peers answer real-time status requests (DLE EOT) the way thermal printers do and keep
every byte they receive. The job is then taken apart by `parse_escpos` below, written from
the ESC/POS command reference independently of the driver: every byte must belong to a
command it knows or to GB18030 text, so a stray or malformed command fails the test, as it
would garble a real receipt.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import zxingcpp

from app.documents import FilingFacts, PendingMaterial
from app.documents.receipt import Receipt, build_receipt, display_width, text_lines, wrap
from devices.base import DeviceError
from devices.receipt_printer import (
    EscPosReceiptPrinter,
    PrinterTarget,
    QrMode,
    ReceiptPrinter,
    SimulatedReceiptPrinter,
    TargetKind,
    compose_receipt,
    discover_printer_ports,
    parse_status,
    render_text,
)

ID_NUMBER = "110105198001010016"
UID = "0190a3f2-6b1c-7d4e-8f00-1234567890ab"
ITEM = "城乡居民基本医疗保险参保登记"
RARE = "𠮷"  # U+20BB7, outside the BMP: four bytes in GB18030

PAPER_OK = 0x12  # DLE EOT answers: fixed bits 1 and 4 set
PAPER_LOW = 0x12 | 0x0C
PAPER_OUT = 0x12 | 0x60
COVER_OPEN = 0x12 | 0x04


def facts(name: str = "张三丰", receipt_no: str | None = None) -> FilingFacts:
    return FilingFacts(
        uid=UID,
        item_code="CB-JMCB-001",
        item_name=ITEM,
        created_at=dt.datetime(2025, 6, 1, 6, 3),  # UTC: 14:03 in China
        person_name=name,
        person_id_number=ID_NUMBER,
        station_name="人民路街道医保服务站",
        station_code="ST110105001",
        operator_code="OP0001",
        receipt_no=receipt_no,
        time_limit_days=10,
        materials_pending=(PendingMaterial("户口簿", "首页及本人页"),),
    )


@pytest.fixture
def receipt() -> Receipt:
    return build_receipt(facts())


# --- an independent ESC/POS reader --------------------------------------------------------------


@dataclass
class Parsed:
    text: str = ""
    qr_payloads: list[str] = field(default_factory=list)
    images: list[np.ndarray] = field(default_factory=list)
    cut: bool = False
    chinese_mode_before_text: bool = False
    commands: list[str] = field(default_factory=list)


def parse_escpos(job: bytes) -> Parsed:
    """Walk a job command by command; text bytes are collected and decoded as GB18030."""
    out = Parsed()
    text = bytearray()
    chinese = False
    i = 0
    fixed = {  # prefix -> number of parameter bytes
        b"\x1b@": 0,
        b"\x1ba": 1,  # justification
        b"\x1bE": 1,  # emphasis
        b"\x1b!": 1,  # print mode
        b"\x1bd": 1,  # print and feed n lines
        b"\x1bt": 1,  # code table
        b"\x1d!": 1,  # character size
        b"\x1c&": 0,  # Chinese mode on
        b"\x1c.": 0,  # Chinese mode off
    }
    while i < len(job):
        two = job[i : i + 2]
        if two in fixed:
            out.commands.append(two.hex())
            if two == b"\x1c&":
                chinese = True
            i += 2 + fixed[two]
        elif two == b"\x1dV":  # cut: GS V m, or GS V m n for m = 65/66
            m = job[i + 2]
            i += 4 if m in (65, 66) else 3
            out.cut = True
            out.commands.append("cut")
        elif two == b"\x1d(" and job[i + 2 : i + 3] == b"k":  # 2D code: GS ( k pL pH cn fn ...
            length = job[i + 3] | job[i + 4] << 8
            body = job[i + 5 : i + 5 + length]
            assert body[0:1] == b"1", "only QR codes (cn = 49) are expected"
            if body[1:2] == b"P":  # store data: cn fn m d1...dk
                out.qr_payloads.append(body[3:].decode("ascii"))
            out.commands.append(f"qr-{body[1:2].decode()}")
            i += 5 + length
        elif two == b"\x1dv" and job[i + 2 : i + 3] == b"0":  # raster image: GS v 0 m xL xH yL yH
            width_bytes = job[i + 4] | job[i + 5] << 8
            height = job[i + 6] | job[i + 7] << 8
            data = job[i + 8 : i + 8 + width_bytes * height]
            bits = np.unpackbits(np.frombuffer(data, np.uint8)).reshape(height, width_bytes * 8)
            out.images.append(np.where(bits == 1, 0, 255).astype(np.uint8))
            out.commands.append("image")
            i += 8 + width_bytes * height
        elif job[i] in (0x0A, 0x0D) or job[i] >= 0x20:
            if job[i] != 0x0D:
                if not text.strip() and job[i] >= 0x20:
                    out.chinese_mode_before_text = out.chinese_mode_before_text or chinese
                text.append(job[i])
            i += 1
        else:
            raise AssertionError(f"unknown control byte {job[i]:02X} at {i}: {job[i : i + 8]!r}")
    out.text = bytes(text).decode("gb18030")
    return out


# --- peers ------------------------------------------------------------------------------------


def _status_phase(buf: bytearray, answers: dict[int, int | None], reply: object) -> bool:
    """Answer DLE EOT n requests at the start of `buf`; False once the job has begun."""
    while len(buf) >= 3 and buf[:2] == b"\x10\x04":
        n = buf[2]
        del buf[:3]
        answer = answers.get(n)
        if answer is not None:
            reply(bytes([answer]))  # type: ignore[operator]
    return len(buf) < 3 and buf[:2] in (b"", b"\x10", b"\x10\x04")


class TcpPrinter:
    """A network receipt printer on 127.0.0.1: answers status, keeps each connection's job."""

    def __init__(self, paper: int | None = PAPER_OK, cause: int | None = PAPER_OK) -> None:
        self.answers: dict[int, int | None] = {4: paper, 2: cause}
        self.jobs: list[bytes] = []
        self.queries = 0
        self.read = True
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def target(self) -> PrinterTarget:
        return PrinterTarget.network("127.0.0.1", self.port)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            if not self.read:  # a printer that accepts and then never reads (jammed)
                self._held.append(conn)
                continue
            with conn:
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        buf = bytearray()
        job = bytearray()
        in_status = True
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            if in_status:
                buf += chunk
                before = len(buf)
                in_status = _status_phase(buf, self.answers, conn.sendall)
                self.queries += (before - len(buf)) // 3
                if not in_status:
                    job += buf
            else:
                job += chunk
        self.jobs.append(bytes(job))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._held:
            conn.close()
        self._server.close()


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    peer = TcpPrinter()
    yield peer
    peer.close()


class PtyPrinter:
    """A serial receipt printer on a pseudo-terminal, opened by path like /dev/ttyUSB0."""

    def __init__(self, paper: int | None = PAPER_OK, answer: bool = True) -> None:
        self.answers: dict[int, int | None] = {4: paper, 2: PAPER_OK, 1: PAPER_OK}
        self.answer = answer
        self.received = bytearray()
        self._lock = threading.Lock()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        pending = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            with self._lock:
                self.received += chunk
            if self.answer:
                pending += chunk
                # answer every DLE EOT n, wherever it is (a real printer does, in real time)
                while (at := pending.find(b"\x10\x04")) >= 0 and len(pending) >= at + 3:
                    reply = self.answers.get(pending[at + 2])
                    if reply is not None:
                        os.write(self._master, bytes([reply]))
                    del pending[: at + 3]
                del pending[: max(len(pending) - 2, 0)]

    def job(self, timeout: float = 5.0) -> bytes:
        """Everything received once a cut command has arrived (a serial line has no EOF)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if b"\x1dV" in self.received:
                    return bytes(self.received)
            time.sleep(0.01)
        raise AssertionError("no cut command arrived")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self._master)
        os.close(self._slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    peer = PtyPrinter()
    yield peer
    peer.close()


# --- (a) network --------------------------------------------------------------------------------


def test_network_printer_receives_a_complete_chinese_receipt(
    tcp_printer: TcpPrinter, receipt: Receipt
) -> None:
    printer: ReceiptPrinter = EscPosReceiptPrinter(tcp_printer.target)
    outcome = printer.print_receipt(receipt)
    tcp_printer.close()  # joins the peer: the connection's job is complete

    assert len(tcp_printer.jobs) == 1
    job = tcp_printer.jobs[0]
    assert outcome.bytes_sent == len(job)
    assert not outcome.paper_low and outcome.warning("zh_CN") is None
    assert tcp_printer.queries == 2  # paper sensor, then offline cause

    parsed = parse_escpos(job)
    assert job.startswith(b"\x1b@\x1c&"), "initialise, then Chinese mode"
    assert parsed.chinese_mode_before_text
    assert ITEM in parsed.text
    assert "张**" in parsed.text
    assert "110105********0016" in parsed.text
    assert "2025-06-01 14:03" in parsed.text  # China time
    assert "户口簿（首页及本人页）" in parsed.text
    assert parsed.qr_payloads == [receipt.lookup_text]
    assert receipt.lookup_text == f"YBF1:{UID.upper()}"
    assert parsed.cut and parsed.commands[-1] == "cut"
    assert ID_NUMBER.encode() not in job and "张三丰".encode("gb18030") not in job
    print(f"\nESC/POS receipt: {len(job)} bytes (native QR)")


def test_every_line_fits_the_paper(receipt: Receipt) -> None:
    for columns in (48, 32):
        for line in text_lines(receipt, columns):
            limit = columns // 2 if line.style == "title" else columns
            if line.style != "qr":
                assert display_width(line.text) <= limit, line


def test_paper_out_refuses_the_job_with_a_chinese_message(receipt: Receipt) -> None:
    peer = TcpPrinter(paper=PAPER_OUT)
    try:
        printer = EscPosReceiptPrinter(peer.target)
        with pytest.raises(DeviceError) as caught:
            printer.print_receipt(receipt)
        assert "缺纸" in caught.value.zh and "paper" in caught.value.en
        health = printer.health()
        assert health.present and not health.working and health.last_error
    finally:
        peer.close()
    assert all(job == b"" for job in peer.jobs), "nothing may be sent to a printer without paper"


def test_cover_open_and_paper_low(receipt: Receipt) -> None:
    peer = TcpPrinter(cause=COVER_OPEN)
    try:
        with pytest.raises(DeviceError, match="cover"):
            EscPosReceiptPrinter(peer.target).print_receipt(receipt)
    finally:
        peer.close()
    peer = TcpPrinter(paper=PAPER_LOW)
    try:
        outcome = EscPosReceiptPrinter(peer.target).print_receipt(receipt)
    finally:
        peer.close()
    assert outcome.paper_low and "纸卷将用完" in (outcome.warning("zh_CN") or "")
    assert parse_escpos(peer.jobs[0]).cut


def test_printer_without_status_still_prints(receipt: Receipt) -> None:
    peer = TcpPrinter(paper=None, cause=None)
    try:
        started = time.monotonic()
        EscPosReceiptPrinter(peer.target, status_timeout=0.2).print_receipt(receipt)
        elapsed = time.monotonic() - started
    finally:
        peer.close()
    assert parse_escpos(peer.jobs[0]).qr_payloads == [receipt.lookup_text]
    assert elapsed < 1.5  # one unanswered status request, not one per command


def test_image_qr_for_printers_without_native_qr(tcp_printer: TcpPrinter) -> None:
    receipt = build_receipt(facts(receipt_no="YB11010525060100000012"))
    EscPosReceiptPrinter(tcp_printer.target, qr_mode=QrMode.IMAGE).print_receipt(receipt)
    tcp_printer.close()
    parsed = parse_escpos(tcp_printer.jobs[0])
    assert parsed.qr_payloads == [] and len(parsed.images) == 1
    results = zxingcpp.read_barcodes(parsed.images[0])
    assert [r.text for r in results] == [receipt.lookup_text]
    assert receipt.lookup_text.endswith(":YB11010525060100000012")
    print(f"\nESC/POS receipt: {len(tcp_printer.jobs[0])} bytes (raster QR)")


# --- (b) serial over a pty ------------------------------------------------------------------------


def test_serial_printer_on_a_pty_with_a_rare_character_name(pty_printer: PtyPrinter) -> None:
    receipt = build_receipt(facts(name=f"{RARE}娜娜"))
    assert receipt.person_masked == f"{RARE}**"
    target = PrinterTarget.serial(pty_printer.path, 115200)
    outcome = EscPosReceiptPrinter(target).print_receipt(receipt)
    job = pty_printer.job()
    assert job.startswith(b"\x10\x04\x04\x10\x04\x02"), "status asked before the job"
    body = job[6:]
    assert outcome.bytes_sent == len(body)
    rare_bytes = RARE.encode("gb18030")
    assert len(rare_bytes) == 4 and rare_bytes.decode("gb18030") == RARE
    assert rare_bytes + b"**" in body
    parsed = parse_escpos(body)
    assert f"申请人：{RARE}**" in parsed.text
    assert ITEM in parsed.text
    assert parsed.qr_payloads == [receipt.lookup_text] and parsed.cut


def test_serial_printer_that_stops_reading_times_out() -> None:
    master, slave = os.openpty()  # nobody reads the master side: the line's buffer fills
    tty.setraw(slave)
    try:
        printer = EscPosReceiptPrinter(
            PrinterTarget.serial(os.ttyname(slave)), write_timeout=0.3, check_status=False
        )
        with pytest.raises(DeviceError) as caught:
            printer.send_raw(b"\x1b@" + b"A" * (1 << 20))
        assert "没有响应" in caught.value.zh
    finally:
        os.close(master)
        os.close(slave)


# --- (c) absent and broken devices ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return int(server.getsockname()[1])


@pytest.mark.parametrize(
    ("target", "zh"),
    [
        (PrinterTarget.network("127.0.0.1", _closed_port()), "无法连接小票打印机"),
        (PrinterTarget.serial("/dev/ttyYIBAO-NONE"), "无法打开小票打印机"),
        (PrinterTarget.file("/nonexistent/usb/lp0"), "未找到小票打印机"),
        (PrinterTarget.usb(0x0416, 0x5011), "USB"),
    ],
    ids=["refused", "serial-absent", "usblp-absent", "usb-id"],
)
def test_absent_printer_is_a_device_error_in_chinese(
    target: PrinterTarget, zh: str, receipt: Receipt
) -> None:
    printer = EscPosReceiptPrinter(target, connect_timeout=1.0)
    with pytest.raises(DeviceError) as caught:
        printer.print_receipt(receipt)
    assert zh in caught.value.zh
    assert caught.value.en and caught.value.text("en") == caught.value.en
    health = printer.health()
    assert not health.present and not health.working and not health.simulated


def test_network_printer_that_never_reads_times_out() -> None:
    peer = TcpPrinter(paper=None)
    peer.read = False
    try:
        printer = EscPosReceiptPrinter(peer.target, write_timeout=0.5, status_timeout=0.1)
        with pytest.raises(DeviceError) as caught:
            printer.send_raw(b"A" * (64 << 20))
        assert "没有响应" in caught.value.zh
    finally:
        peer.close()


def test_file_printer_writes_the_job(tmp_path: Path, receipt: Receipt) -> None:
    node = tmp_path / "lp0"
    node.write_bytes(b"")
    outcome = EscPosReceiptPrinter(PrinterTarget.file(str(node))).print_receipt(receipt)
    assert node.read_bytes() == compose_receipt(receipt)
    assert outcome.bytes_sent == node.stat().st_size


def test_status_bytes() -> None:
    assert not parse_status(None, None).answered
    assert not parse_status(0x00, 0xFF).answered  # fixed bits wrong: not a printer's answer
    assert parse_status(PAPER_OUT, PAPER_OK).paper_out
    assert parse_status(PAPER_OK, 0x12 | 0x20).paper_out  # stopped at paper end
    assert parse_status(PAPER_OK, 0x12 | 0x40).fault
    ok = parse_status(PAPER_OK, PAPER_OK)
    assert ok.answered and not (ok.paper_out or ok.paper_low or ok.cover_open or ok.fault)


# --- targets, discovery, the simulated printer ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "tcp:192.168.1.50:9100",
        "tcp:[fe80::1]:9100",
        "serial:/dev/ttyUSB0@115200",
        "serial:COM3@9600",
        "file:/dev/usb/lp0",
        "usb:0416:5011",
    ],
)
def test_target_round_trip(text: str) -> None:
    assert str(PrinterTarget.parse(text)) == text


def test_target_defaults_and_errors() -> None:
    assert PrinterTarget.parse("tcp:10.0.0.9") == PrinterTarget.network("10.0.0.9", 9100)
    assert PrinterTarget.parse("serial:COM1").baudrate == 9600
    assert PrinterTarget.parse("usb:0x0416:0x5011").kind is TargetKind.USB
    for bad in ("lp0", "ipp:printer", "serial:COM1@fast", "usb:xyz"):
        with pytest.raises(ValueError):
            PrinterTarget.parse(bad)


def test_target_from_terminal_settings() -> None:
    assert PrinterTarget.from_setting("escpos_serial", "COM3") == PrinterTarget.serial("COM3")
    assert PrinterTarget.from_setting("escpos_network", "10.1.2.3:9101").port == 9101
    assert PrinterTarget.from_setting("escpos_file", "/dev/usb/lp0").kind is TargetKind.FILE
    for driver, target in (("simulated", "x"), ("escpos_serial", " ")):
        with pytest.raises(ValueError):
            PrinterTarget.from_setting(driver, target)


@dataclass
class _Port:
    device: str
    description: str = "n/a"
    vid: int | None = None
    subsystem: str | None = "serial-base"


def test_discovery_probes_built_in_ports(tmp_path: Path, pty_printer: PtyPrinter) -> None:
    (tmp_path / "lp0").write_bytes(b"")
    silent_master, silent_slave = os.openpty()
    tty.setraw(silent_slave)
    try:
        ports = [_Port(pty_printer.path), _Port(os.ttyname(silent_slave))]
        found = discover_printer_ports(
            lp_pattern=str(tmp_path / "lp*"), comports=lambda: ports, baudrates=(9600,)
        )
    finally:
        os.close(silent_master)
        os.close(silent_slave)
    targets = [str(c.target) for c in found.candidates]
    assert targets == [f"file:{tmp_path / 'lp0'}", f"serial:{pty_printer.path}@9600"]
    assert found.candidates[1].answered is True
    assert any("没有打印机应答" in n.zh for n in found.notes)


def test_discovery_here_is_fast_and_says_why() -> None:
    started = time.monotonic()
    found = discover_printer_ports()
    assert time.monotonic() - started < 3
    if not found.candidates:
        assert found.notes and all(n.zh and n.en for n in found.notes)


def test_simulated_printer_keeps_a_readable_copy(tmp_path: Path, receipt: Receipt) -> None:
    printer: ReceiptPrinter = SimulatedReceiptPrinter(tmp_path / "receipts")
    outcome = printer.print_receipt(receipt)
    assert isinstance(printer, SimulatedReceiptPrinter)
    assert printer.last_receipt == receipt and outcome.saved_to == printer.last_path
    assert outcome.saved_to is not None
    text = outcome.saved_to.read_text(encoding="utf-8")
    assert ITEM in text and "张**" in text and receipt.lookup_text in text
    assert ID_NUMBER not in text and "张三丰" not in text
    assert text == render_text(receipt)
    assert printer.health().working and printer.health().simulated

    printer.fail_with = DeviceError("小票打印机缺纸", "out of paper")
    with pytest.raises(DeviceError):
        printer.print_receipt(receipt)
    assert not printer.health().working


def test_wrap_keeps_codes_whole_and_punctuation_off_line_starts() -> None:
    lines = wrap("服务站：朝阳区人民路街道医保服务站（ST110105001）", 40, 8)
    assert lines[1].strip() == "（ST110105001）"
    for line in wrap("请补齐以下材料，补齐后按规定时限办结。" * 3, 12):
        assert line[0] not in "，。"
