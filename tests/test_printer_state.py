"""Printer paper and state without printing: CUPS through lpstat, the receipt printer through
ESC/POS real-time status.

A real CUPS cannot be assumed here, so the parser reads real lpstat output captured from a
CUPS 2.4 scheduler (tests/fixtures/README.md says how), and the runner runs a small fake
`lpstat` executable put first on PATH: a real process that prints those captures. The receipt
printer is the TCP peer of tests/test_receipt_printer.py, which answers DLE EOT as printers do.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from app.settings import DeviceSettings, DocumentPrinterDriver
from devices.printer_state import (
    Paper,
    document_state,
    parse_lpstat,
    query_cups,
    queue_state,
    receipt_state,
)
from devices.receipt_printer import EscPosReceiptPrinter, PrinterTarget, SimulatedReceiptPrinter
from devices.receipt_printer import paper_out_error as receipt_paper_out
from devices.registry import DeviceKind
from tests.test_receipt_printer import COVER_OPEN, PAPER_LOW, PAPER_OK, PAPER_OUT, TcpPrinter

LPSTAT = Path(__file__).parent / "fixtures" / "lpstat"
RUNNING = (LPSTAT / "l-p-jobs-running.txt").read_text()
AFTER = (LPSTAT / "d-l-p-after.txt").read_text()


# ---- the parser, on real output ----------------------------------------------------------------


def test_queues_while_jobs_run() -> None:
    report = parse_lpstat(RUNNING)
    assert report.default is None  # captured without -d
    assert sorted(report.queues) == ["Jammed", "Kiosk_A4", "Paper_Low", "Paper_Out", "Unplugged"]
    out = report.queues["Paper_Out"]
    assert not out.enabled and out.message == "Out of paper"
    assert out.reasons == ("media-empty-error", "paused")
    low = report.queues["Paper_Low"]
    assert low.printing and low.enabled and low.reasons == ("media-low-warning",)
    unplugged = report.queues["Unplugged"]
    assert unplugged.message == "Waiting for printer to become available."
    assert unplugged.reasons == ("offline-report",)
    healthy = report.queues["Kiosk_A4"]
    assert healthy.enabled and healthy.message == "" and healthy.reasons == ()  # "none" dropped

    states = {name: queue_state(q) for name, q in report.queues.items()}
    assert (states["Paper_Out"].paper, states["Paper_Out"].accepting) == (Paper.OUT, False)
    assert "缺纸" in states["Paper_Out"].message_zh
    assert (states["Paper_Low"].paper, states["Paper_Low"].accepting) == (Paper.LOW, True)
    assert (states["Unplugged"].paper, states["Unplugged"].accepting) == (Paper.UNKNOWN, False)
    assert "Waiting for printer" in states["Unplugged"].message_en
    assert (states["Jammed"].paper, states["Jammed"].accepting) == (Paper.OK, False)
    assert "media-jam" in states["Jammed"].message_en
    assert (states["Kiosk_A4"].paper, states["Kiosk_A4"].accepting) == (Paper.OK, True)
    assert states["Kiosk_A4"].message_zh == "" and states["Kiosk_A4"].present
    assert all(s.kind is DeviceKind.DOCUMENT_PRINTER for s in states.values())


def test_queues_after_the_jobs_and_a_technicians_pause() -> None:
    report = parse_lpstat(AFTER)
    assert report.default == "Paper_Out"
    paused = queue_state(report.queues["Kiosk_A4"])
    assert not paused.accepting and paused.paper is Paper.UNKNOWN
    assert "Paused by technician" in paused.message_en
    assert "test ok" not in paused.message_en  # the Description line is not the message
    assert queue_state(report.queues["Unplugged"]).accepting  # back once the backend was
    assert queue_state(report.queues["Paper_Low"]).heartbeat_fields() == {
        "paper": "low",
        "reasons": ["media-low-warning"],
    }


# ---- the runner, with a fake lpstat first on PATH -------------------------------------------


@pytest.fixture
def fake_lpstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`lpstat` prints $FAKE_OUT, $FAKE_ERR to stderr and exits $FAKE_RC; it records how it
    was called (its LC_ALL and arguments) in $FAKE_LOG."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "lpstat"
    script.write_text(
        "#!/bin/sh\n"
        'printf "%s|%s\\n" "$LC_ALL" "$*" >> "$FAKE_LOG"\n'
        '[ -n "$FAKE_SLEEP" ] && exec sleep "$FAKE_SLEEP"\n'
        'cat "$FAKE_OUT"\n'
        '[ -n "$FAKE_ERR" ] && cat "$FAKE_ERR" >&2\n'
        'exit "${FAKE_RC:-0}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")  # the kiosk's locale: lpstat must get C
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "calls.log"))
    monkeypatch.setenv("FAKE_OUT", str(LPSTAT / "d-l-p-after.txt"))
    return tmp_path / "calls.log"


def test_the_default_queue_or_the_named_one(fake_lpstat: Path) -> None:
    default = query_cups()
    assert (default.name, default.paper, default.accepting) == ("Paper_Out", Paper.OUT, False)
    named = query_cups("Paper_Low")
    assert (named.name, named.paper, named.accepting) == ("Paper_Low", Paper.LOW, True)
    missing = query_cups("Front_Desk")
    assert not missing.present and missing.reasons == ("no-such-printer",)
    assert "Front_Desk" in missing.message_zh
    calls = fake_lpstat.read_text().splitlines()
    assert calls == ["C|-d -l -p"] * 3  # English words, whatever the kiosk's locale


def test_no_scheduler_and_no_printers_are_told_apart(
    fake_lpstat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_RC", "1")
    for stem, reason, words in (
        ("d-l-p-no-scheduler", "no-answer", "CUPS 服务未运行"),
        ("d-l-p-no-printers", "no-printers", "打印系统中没有打印机"),
    ):
        monkeypatch.setenv("FAKE_OUT", str(LPSTAT / f"{stem}.txt"))
        monkeypatch.setenv("FAKE_ERR", str(LPSTAT / f"{stem}.err"))
        state = query_cups()
        assert not state.present and not state.accepting, stem
        assert state.reasons == (reason,) and words in state.message_zh


def test_an_lpstat_that_hangs_is_given_up_on(
    fake_lpstat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SLEEP", "30")
    started = time.monotonic()
    state = query_cups(timeout=0.5)
    assert time.monotonic() - started < 3
    assert not state.present and state.reasons == ("no-answer",)


def test_the_a4_printer_as_the_settings_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-cups"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no lpstat at all (Windows, or CUPS not installed)
    auto = DeviceSettings()
    bare = document_state(auto, demo=False)
    assert not bare.accepting and bare.reasons == ("no-print-system",)
    # The OS knows a printer (on Windows, through Qt): it prints, its paper is unknown.
    named = document_state(auto, demo=False, system_printers=lambda: ["HP_M404"])
    assert (named.accepting, named.paper, named.name) == (True, Paper.UNKNOWN, "HP_M404")
    # The demo prints to PDF files when there is no printer, as the window does.
    assert document_state(auto, demo=True).reasons == ("pdf",)
    pdf = DeviceSettings(document_printer=DocumentPrinterDriver.PDF)
    assert document_state(pdf, demo=False).accepting
    off = DeviceSettings(document_printer=DocumentPrinterDriver.NONE)
    assert not document_state(off, demo=True).accepting
    wanted = DeviceSettings(
        document_printer=DocumentPrinterDriver.SYSTEM, document_printer_name="Kiosk_A4"
    )
    assert not document_state(wanted, demo=True, system_printers=lambda: ["HP_M404"]).present


# ---- the ESC/POS receipt printer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("paper", "cause", "expected", "accepting", "flags"),
    [
        (PAPER_OK, PAPER_OK, Paper.OK, True, ()),
        (PAPER_LOW, PAPER_OK, Paper.LOW, True, ("paper-low",)),
        (PAPER_OUT, PAPER_OK, Paper.OUT, False, ("paper-out",)),
        (PAPER_OK, COVER_OPEN, Paper.OK, False, ("cover-open",)),
        (None, None, Paper.UNKNOWN, True, ()),  # a printer that does not answer status
    ],
    ids=["ok", "low", "out", "cover-open", "silent"],
)
def test_receipt_printer_paper_from_real_time_status(
    paper: int | None, cause: int | None, expected: Paper, accepting: bool, flags: tuple[str, ...]
) -> None:
    peer = TcpPrinter(paper=paper, cause=cause)
    try:
        state = receipt_state(EscPosReceiptPrinter(peer.target, status_timeout=0.2))
    finally:
        peer.close()
    assert (state.paper, state.accepting, state.reasons) == (expected, accepting, flags)
    assert state.present and state.kind is DeviceKind.RECEIPT_PRINTER
    assert state.name == f"127.0.0.1:{peer.port}"
    assert peer.queries >= (1 if paper is not None else 0)
    assert all(job == b"" for job in peer.jobs), "asking prints nothing"
    if not accepting:
        assert state.message_zh and state.message_en


def test_receipt_printer_unreachable_absent_or_simulated(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = int(server.getsockname()[1])  # closed again below: nothing listens there
    gone = receipt_state(
        EscPosReceiptPrinter(PrinterTarget.network("127.0.0.1", port), connect_timeout=1.0)
    )
    assert not gone.present and not gone.accepting and "无法连接小票打印机" in gone.message_zh
    assert not receipt_state(None).present
    simulated = SimulatedReceiptPrinter(tmp_path)
    assert receipt_state(simulated).accepting
    simulated.fail_with = receipt_paper_out()
    broken = receipt_state(simulated)
    assert not broken.accepting and "缺纸" in broken.message_zh
