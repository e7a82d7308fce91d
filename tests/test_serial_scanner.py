"""The serial QR scanner driver on a real pseudo-terminal, and the simulated scanner.

The test holds the pty's master side, as the scanner would: it writes codes with the
terminators real scanners use, splits them across writes, pauses inside them, and finally
closes its side, which is what a scanner unplugged mid-read looks like to the driver.
"""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, Slot
from pytestqt.qtbot import QtBot

from devices.base import DeviceError
from devices.serial_scanner import (
    CodeScanner,
    SerialScanner,
    SimulatedScanner,
    decode_code,
)
from ui.scanner_worker import ScannerWorker
from ui.tasks import WorkerThread

TOKEN = "YBEV1.ER_GVqZAzZcH6J-knpypwJ6fMUMrbWIuHgkkPmhOUJY"


class ScannerPeer:
    """The scanner's end of a pty: bytes written here arrive on `path`."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no line discipline: CR stays CR
        self.path = os.ttyname(self.slave)
        self.open = True

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        if self.open:
            os.close(self.master)
            self.open = False

    def close(self) -> None:
        self.unplug()
        os.close(self.slave)


@pytest.fixture
def peer() -> Iterator[ScannerPeer]:
    pty = ScannerPeer()
    yield pty
    pty.close()


@pytest.fixture
def scanner(peer: ScannerPeer) -> Iterator[SerialScanner]:
    driver = SerialScanner(peer.path)
    assert driver.health().present  # opens the port; pyserial drops what came before
    yield driver
    driver.close()


def test_it_is_a_code_scanner(scanner: SerialScanner) -> None:
    device: CodeScanner = scanner
    assert device.name == "serial_scanner"


@pytest.mark.parametrize("end", [b"\r\n", b"\r", b"\n"], ids=["crlf", "cr", "lf"])
def test_every_terminator_ends_a_code(
    peer: ScannerPeer, scanner: SerialScanner, end: bytes
) -> None:
    peer.send(TOKEN.encode() + end + b"SECOND-CODE-42" + end)
    assert scanner.scan(timeout=1) == TOKEN
    assert scanner.scan(timeout=1) == "SECOND-CODE-42"
    assert scanner.scan(timeout=0.05) is None  # nothing left, not even an empty line


def test_a_code_split_across_writes(peer: ScannerPeer, scanner: SerialScanner) -> None:
    for part in (b"YBEV1.ER_GV", b"qZAzZcH6J-knpypwJ6fM", b"UMrbWIuHgkkPmhOUJY\r", b"\n"):
        peer.send(part)
    assert scanner.scan(timeout=1) == TOKEN


def test_a_code_in_two_chunks_with_a_pause(peer: ScannerPeer, scanner: SerialScanner) -> None:
    def slow_scanner() -> None:
        peer.send(TOKEN[:20].encode())
        time.sleep(0.3)
        peer.send(TOKEN[20:].encode() + b"\r\n")

    thread = threading.Thread(target=slow_scanner)
    thread.start()
    started = time.monotonic()
    assert scanner.scan(timeout=2) == TOKEN
    assert 0.25 < time.monotonic() - started < 1.5
    thread.join()


def test_a_partial_code_waits_for_the_next_scan(peer: ScannerPeer, scanner: SerialScanner) -> None:
    peer.send(TOKEN[:30].encode())
    assert scanner.scan(timeout=0.15) is None  # the worker's loop calls again
    peer.send(TOKEN[30:].encode() + b"\r")
    assert scanner.scan(timeout=1) == TOKEN


def test_cr_and_lf_in_separate_reads_give_no_empty_code(
    peer: ScannerPeer, scanner: SerialScanner
) -> None:
    peer.send(b"FIRST-CODE\r")
    assert scanner.scan(timeout=1) == "FIRST-CODE"
    peer.send(b"\nSECOND-CODE\r\n")
    assert scanner.scan(timeout=1) == "SECOND-CODE"


def test_empty_lines_and_framing_are_ignored(peer: ScannerPeer, scanner: SerialScanner) -> None:
    peer.send(b"\r\n\r\n   \r\n\x02 " + TOKEN.encode() + b" \x03\r\n")
    assert scanner.scan(timeout=1) == TOKEN


def test_utf8_and_gb18030_text(peer: ScannerPeer, scanner: SerialScanner) -> None:
    peer.send("医保电子凭证𠮷".encode() + b"\r\n")
    peer.send("清远市医保局".encode("gb18030") + b"\r\n")
    assert scanner.scan(timeout=1) == "医保电子凭证𠮷"
    assert scanner.scan(timeout=1) == "清远市医保局"


def test_nothing_scanned_times_out(scanner: SerialScanner) -> None:
    started = time.monotonic()
    assert scanner.scan(timeout=0.3) is None
    assert 0.25 < time.monotonic() - started < 0.6


def test_an_endless_line_is_dropped(peer: ScannerPeer, scanner: SerialScanner) -> None:
    peer.send(b"Z" * 9000)
    assert scanner.scan(timeout=0.3) is None
    peer.send(b"\r\nAFTER-THE-NOISE\r\n")
    assert scanner.scan(timeout=1) == "AFTER-THE-NOISE"


def test_cancel_wakes_a_blocked_scan(scanner: SerialScanner) -> None:
    threading.Timer(0.1, scanner.cancel).start()
    started = time.monotonic()
    assert scanner.scan(timeout=5) is None
    assert time.monotonic() - started < 1


def test_unplugged_mid_read(peer: ScannerPeer, scanner: SerialScanner) -> None:
    assert scanner.health().working
    peer.send(TOKEN[:10].encode())

    def unplug() -> None:
        time.sleep(0.2)
        peer.unplug()

    thread = threading.Thread(target=unplug)
    thread.start()
    started = time.monotonic()
    with pytest.raises(DeviceError) as caught:
        scanner.scan(timeout=5)
    assert time.monotonic() - started < 1.5
    thread.join()
    assert caught.value.zh == "与扫码器的连接已断开，请检查扫码器是否插好，然后重新扫码"
    assert "lost" in caught.value.en
    health = scanner.health()  # the device node is gone: it cannot even be opened again
    assert (health.present, health.working) == (False, False)
    assert health.last_error is not None and health.last_error.startswith("无法打开扫码器")


def test_a_replugged_scanner_comes_back(peer: ScannerPeer) -> None:
    scanner = SerialScanner(peer.path)
    assert scanner.health().present
    peer.unplug()
    with pytest.raises(DeviceError):
        scanner.scan(timeout=1)
    # Plugged in again: a new device node, as a USB-serial bridge gets.
    again = ScannerPeer()
    try:
        scanner.port = again.path
        assert scanner.health().working
        again.send(b"BACK-AGAIN-1\r\n")
        assert scanner.scan(timeout=1) == "BACK-AGAIN-1"
        assert scanner.health().working
    finally:
        scanner.close()
        again.close()


def test_a_missing_port() -> None:
    scanner = SerialScanner("/dev/ttyNOSUCH9")
    with pytest.raises(DeviceError) as caught:
        scanner.scan(timeout=0.2)
    assert caught.value.zh.startswith("无法打开扫码器（串口 /dev/ttyNOSUCH9）")
    health = scanner.health()
    assert (health.present, health.working, health.simulated) == (False, False, False)
    assert health.last_error is not None and health.last_error.startswith("无法打开扫码器")


def test_decode_code() -> None:
    assert decode_code(b"  ABC\t") == "ABC"
    assert decode_code("电子凭证".encode("gb18030")) == "电子凭证"
    assert decode_code(b"\x02\x03") == ""


def test_the_simulated_scanner() -> None:
    scanner = SimulatedScanner()
    device: CodeScanner = scanner
    scanner.feed(" " + TOKEN + "\r\n")
    scanner.feed("")
    scanner.feed("NEXT-CODE-1")
    assert device.scan(timeout=0.1) == TOKEN
    assert device.scan(timeout=0.1) == "NEXT-CODE-1"  # the empty one was skipped
    assert device.scan(timeout=0.05) is None
    threading.Timer(0.05, scanner.cancel).start()
    started = time.monotonic()
    assert device.scan(timeout=5) is None
    assert time.monotonic() - started < 1
    health = device.health()
    assert (health.present, health.working, health.simulated) == (True, True, True)


# --- the worker thread that watches a scanner ------------------------------------------------


class Collector(QObject):
    """Lives on the GUI thread, so the worker's signals reach it queued, as in the app."""

    def __init__(self, worker: ScannerWorker) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.failures: list[str] = []
        self.recoveries = 0
        worker.codeScanned.connect(self.on_code)
        worker.failed.connect(self.on_failed)
        worker.recovered.connect(self.on_recovered)

    @Slot(str)
    def on_code(self, code: str) -> None:
        self.codes.append(code)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.failures.append(message)

    @Slot()
    def on_recovered(self) -> None:
        self.recoveries += 1


def test_the_worker_reports_codes_and_stops_promptly(qtbot: QtBot) -> None:
    simulated = SimulatedScanner()
    worker = ScannerWorker(simulated, poll_timeout=5)
    seen = Collector(worker)
    watcher = WorkerThread(worker, "scanner")
    watcher.start()
    try:
        simulated.feed(TOKEN)
        qtbot.waitUntil(lambda: seen.codes == [TOKEN], timeout=2000)
    finally:
        started = time.monotonic()
        assert watcher.shutdown(2000)
        assert time.monotonic() - started < 1  # the 5 s scan was cancelled, not waited out


def test_the_worker_reports_an_unplugged_scanner_and_its_return(
    qtbot: QtBot, peer: ScannerPeer
) -> None:
    scanner = SerialScanner(peer.path)
    assert scanner.health().present
    worker = ScannerWorker(scanner, poll_timeout=0.2, backoff=0.1)
    seen = Collector(worker)
    watcher = WorkerThread(worker, "scanner")
    watcher.start()
    again: ScannerPeer | None = None
    try:
        peer.unplug()
        qtbot.waitUntil(lambda: bool(seen.failures), timeout=2000)
        assert seen.failures[0] == "与扫码器的连接已断开，请检查扫码器是否插好，然后重新扫码"
        again = ScannerPeer()
        scanner.port = again.path  # plugged back in (a new device node)
        qtbot.waitUntil(lambda: seen.recoveries == 1, timeout=3000)
        again.send(b"BACK-AGAIN-2\r\n")
        qtbot.waitUntil(lambda: seen.codes == ["BACK-AGAIN-2"], timeout=2000)
        # One message per distinct failure, not one per retry: lost, then cannot reopen.
        assert len(seen.failures) == len(set(seen.failures)) <= 2
    finally:
        assert watcher.shutdown(2000)
        scanner.close()
        if again is not None:
            again.close()
