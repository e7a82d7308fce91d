"""The kiosk's own health checks: both printers asked off the GUI thread, the citizen's services
switched accordingly, and the paper state carried by the heartbeat to the centre.

Real parts: the reference centre process and an activated terminal (its store and sync
engine), the device hub, the TCP receipt-printer peer answering ESC/POS status, and `lpstat`
as a real process first on PATH printing real captured CUPS output (a real CUPS cannot be
assumed here; tests/fixtures/README.md says how the output was captured).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.context import AppContext
from devices.receipt_printer import EscPosReceiptPrinter
from devices.registry import DeviceKind, DeviceReport
from devices.simulated_identity import SimulatedIdentityReader
from sync.engine import SyncEngine
from sync.state import SyncStateStore
from tests.centre_process import Centre
from tests.test_receipt_printer import PAPER_LOW, PAPER_OUT, TcpPrinter
from ui.devices.hub import DeviceHub
from ui.kiosk.availability import KioskAvailability, ReceiptRoute, Service
from ui.kiosk.health import KioskHealth
from ui.tasks import TaskLane

LPSTAT = Path(__file__).parent / "fixtures" / "lpstat"


@pytest.fixture
def lpstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `lpstat` printing the file named in $FAKE_OUT; each call is a line in the log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "lpstat"
    script.write_text('#!/bin/sh\necho "$*" >> "$FAKE_LOG"\ncat "$FAKE_OUT"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "lpstat.log"))
    monkeypatch.setenv("FAKE_OUT", str(LPSTAT / "d-l-p-after.txt"))  # default queue: Paper_Out
    return tmp_path / "lpstat.log"


def lpstat_calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def receipt_peer() -> Iterator[TcpPrinter]:
    peer = TcpPrinter(paper=PAPER_LOW)
    yield peer
    peer.close()


class Kiosk:
    """The parts of the kiosk window the health checks work with."""

    def __init__(self, ctx: AppContext, peer: TcpPrinter, interval_ms: int = 60_000) -> None:
        self.hub = DeviceHub("zh_CN", poll_timeout=0.1)
        self.db_lane = TaskLane("kiosk-db")
        self.availability = KioskAvailability("zh_CN")
        self.availability.watch(self.hub)
        self.health = KioskHealth(
            ctx, self.hub, self.availability, self.db_lane, demo=False, interval_ms=interval_ms
        )
        self.peer = peer

    def discover(self) -> None:
        """What the hub's discovery gives on such a kiosk: a reader, a network receipt printer."""
        reader = SimulatedIdentityReader(read_delay=0, invent_when_empty=False)
        printer = DeviceReport(DeviceKind.RECEIPT_PRINTER, "escpos", True, str(self.peer.target))
        self.hub.reports = {DeviceKind.RECEIPT_PRINTER: printer}
        self.hub.receipt_printer = EscPosReceiptPrinter(self.peer.target, status_timeout=0.2)
        self.hub.use({DeviceKind.ID_CARD: reader}, {DeviceKind.RECEIPT_PRINTER: printer})

    def close(self) -> None:
        self.health.shutdown()
        self.hub.shutdown()
        self.db_lane.shutdown()


def test_paper_out_pauses_certificates_and_reaches_the_centre(
    qtbot: QtBot, centre: Centre, activated: AppContext, lpstat: Path, receipt_peer: TcpPrinter
) -> None:
    kiosk = Kiosk(activated, receipt_peer)
    try:
        kiosk.health.start()  # before discovery: the A4 printer only
        qtbot.waitUntil(lambda: kiosk.health.checks >= 1, timeout=5000)
        assert set(kiosk.health.printers) == {DeviceKind.DOCUMENT_PRINTER}
        kiosk.discover()  # the receipt printer found: it is asked at once
        qtbot.waitUntil(lambda: DeviceKind.RECEIPT_PRINTER in kiosk.health.printers, timeout=5000)
        assert receipt_peer.queries >= 1 and all(job == b"" for job in receipt_peer.jobs)
        available = kiosk.availability
        assert not available.is_available(Service.CERTIFICATES)  # CUPS: Paper_Out stopped
        assert available.receipt_route() is ReceiptRoute.THERMAL  # low, but it prints
        assert available.is_available(Service.CARD)

        store = SyncStateStore(activated.db)

        def saved() -> dict[str, dict[str, object]]:
            return {str(d["name"]): d for d in store.device_health()}

        qtbot.waitUntil(lambda: "receipt_printer" in saved() and kiosk.db_lane.pending == 0)
        entries = saved()
        assert entries["document_printer"]["paper"] == "out"
        assert entries["document_printer"]["working"] is False
        assert "缺纸" in str(entries["document_printer"]["last_error"])
        assert entries["receipt_printer"]["paper"] == "low"
        assert entries["receipt_printer"]["working"] is True
        assert entries["id_card"]["working"] is True

        assert SyncEngine(activated).run_once().error is None
        out = centre.admin("heartbeats", "--json")
        [beat] = json.loads(out.stdout)["terminals"]
        heard = {d["name"]: d for d in beat["devices"]}
        assert heard["document_printer"]["reasons"] == ["media-empty-error", "paused"]
        assert heard["receipt_printer"]["reasons"] == ["paper-low"]
        assert beat["flags"][0] == "paper_out"
    finally:
        kiosk.close()


def test_checks_run_periodically_after_a_print_failure_and_never_pile_up(
    qtbot: QtBot,
    ctx: AppContext,
    lpstat: Path,
    receipt_peer: TcpPrinter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kiosk = Kiosk(ctx, receipt_peer, interval_ms=150)
    try:
        kiosk.discover()
        kiosk.health.start()
        qtbot.waitUntil(lambda: kiosk.health.checks >= 3, timeout=5000)  # the timer's rounds
        kiosk.health.stop()
        qtbot.waitUntil(lambda: not kiosk.health.busy, timeout=5000)
        assert lpstat_calls(lpstat) == kiosk.health.checks  # one lpstat a round
        assert kiosk.availability.is_available(Service.RECEIPTS)

        # The receipt roll runs out and the A4 queue jams; a receipt fails: look again at once.
        receipt_peer.answers[4] = PAPER_OUT
        monkeypatch.setenv("FAKE_OUT", str(LPSTAT / "l-p-jobs-running.txt"))  # first: Jammed
        with qtbot.waitSignal(kiosk.health.checked, timeout=5000):
            kiosk.health.after_print_failure("小票打印机缺纸")
        assert kiosk.health.printers[DeviceKind.DOCUMENT_PRINTER].name == "Jammed"
        assert kiosk.availability.receipt_route() is ReceiptRoute.SCREEN
        assert {Service.RECEIPTS, Service.CERTIFICATES} <= set(kiosk.availability.unavailable())

        # Five asks while one runs: that one, then one more, not five.
        before = kiosk.health.checks
        for _ in range(5):
            kiosk.health.check_now()
        qtbot.waitUntil(lambda: kiosk.health.checks == before + 2, timeout=5000)
        qtbot.wait(300)
        assert kiosk.health.checks == before + 2 and not kiosk.health.busy
    finally:
        kiosk.close()
