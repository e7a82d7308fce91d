"""The kiosk killed with SIGKILL in the middle of an application, then started again as its
watchdog would (systemd Restart=always, watchdog.ps1): the attract screen, and every filing
the citizen had been told was saved still queued.

Two kiosk processes (tests/kiosk_crash_driver.py: the demo kiosk built as `yibao gui --mode
kiosk --demo` builds it, driven through its real widgets) run one after the other on one data
folder and one temp root, and each is killed:

1. after a 门诊慢特病 application with four photographed papers and a 城乡居民参保登记 were
   confirmed, with a third application answered and on its review screen, not confirmed;
2. after one more confirmed application, a moment after "confirm" was pressed on the next
   (the save is on the worker lane: the kill lands before, during or after its commit).

Then the kiosk starts in this process on the same folders and the test checks that:

* it shows the attract screen with nobody's session (no person, no countdown banner, no
  "take your card" notice);
* every filing whose number the done page showed is in the store, QUEUED, with its pending
  outbox entry, its payload intact (item, the phone answered in that application) and every
  attachment's blob present and matching its hash (the four photos, the identity record);
* the application killed on its review screen left nothing (no filing with its phone), and
  the one killed just after "confirm" is either absent or complete, never half-saved;
* `PRAGMA integrity_check` is ok.

And the session folders: a killed kiosk never wipes its temp folder, and what it left there
(checked after each kill) are the receipt PDFs of its applications, with the application
number and the applicant (masked). The next kiosk to start removes the folder of the killed
one and its lock file (ui/kiosk/session_folder.py): the second process the first's, the
restarted kiosk the second's; the folder of a kiosk that is still running (held by this
process) stays.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.store.models import Filing, FilingState, OutboxEntry, OutboxState
from tests.kiosk_crash_driver import phone
from tests.test_crash_durability import _Lines
from ui.app import build_kiosk_window
from ui.kiosk.session_folder import LOCK_SUFFIX, PREFIX, SessionFolder
from ui.kiosk.window import KioskWindow

REPO = Path(__file__).resolve().parent.parent
READY_DEADLINE_S = 60.0
CHRONIC = "MT-RD-001"
ENROL = "CX-CBDJ-001"


@dataclass
class Killed:
    """What one killed kiosk had told its citizen, and where it kept its session's files."""

    stop: str
    temp_dir: Path
    filed: dict[str, tuple[str, str]] = field(default_factory=dict)  # uid: (item, phone)
    unfinished_phone: str = ""


def _run_and_kill(
    data_dir: Path, temp_root: Path, plan: list[str], first: int, stop: str, log: Path
) -> Killed:
    env = dict(os.environ)
    env.update(YIBAO_KEYRING="file", QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp_root))
    env.pop("YIBAO_HOME", None)
    args = [str(data_dir), ",".join(plan), stop, str(first)]
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.kiosk_crash_driver", *args],
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
            cwd=REPO,
        )
        try:
            lines = _Lines(proc)
            deadline = time.monotonic() + READY_DEADLINE_S
            killed: Killed | None = None
            while True:
                line = lines.next(deadline)
                assert line is not None, f"the kiosk stopped by itself:\n{log.read_text()}"
                word, *rest = line.decode().split()
                if word == "TEMP":
                    killed = Killed(stop, Path(rest[0]))
                elif word == "FILED":
                    assert killed is not None
                    n, uid = int(rest[0]), rest[1]
                    killed.filed[uid] = (plan[n - first], phone(n))
                elif word == "READY":
                    assert killed is not None and rest[0] == stop
                    killed.unfinished_phone = phone(int(rest[1]))
                    break
            # Another kiosk starting now (another data folder's, a test alongside) leaves the
            # folder of this running one alone.
            SessionFolder(temp_root).remove()
            assert killed.temp_dir.is_dir() and Path(str(killed.temp_dir) + LOCK_SUFFIX).exists()
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()
    # Up to the kill the kiosk had no error of its own (a slot's exception is printed there).
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")
    assert len(killed.filed) == len(plan)
    return killed


def _pdf_text(path: Path) -> str:
    doc = QPdfDocument()
    try:
        assert doc.load(str(path)) == QPdfDocument.Error.None_
        return "".join(str(doc.getAllText(p).text()) for p in range(doc.pageCount()))
    finally:
        doc.close()


def _leftovers(temp_root: Path) -> set[str]:
    return {p.name for p in temp_root.glob(PREFIX + "*")}


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp root of the killed kiosks and of the restarted one (as TMPDIR would be)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _payload(ctx: AppContext, filing: Filing) -> dict[str, Any]:
    return dict(json.loads(ctx.cipher.decrypt(filing.payload_enc, "filing.payload")))


def _check_complete(ctx: AppContext, filing: Filing, outbox: list[OutboxEntry]) -> dict[str, Any]:
    """A queued filing whole: state, its one pending outbox entry, payload, every blob."""
    assert filing.state == FilingState.QUEUED.value, filing.uid
    (entry,) = [e for e in outbox if e.filing_id == filing.id and e.kind == "filing"]
    assert entry.idempotency_key == filing.uid and entry.state == OutboxState.PENDING.value
    assert entry.payload_sha256 == filing.payload_sha256
    frozen = ctx.cipher.decrypt(filing.payload_enc, "filing.payload")
    assert hashlib.sha256(frozen).hexdigest() == filing.payload_sha256
    payload = dict(json.loads(frozen))
    assert payload["attachments"], filing.uid  # at least the identity record
    for attachment in payload["attachments"]:
        data = ctx.blobs.get(attachment["sha256"])
        assert hashlib.sha256(data).hexdigest() == attachment["sha256"], attachment["code"]
    return payload


def _check_left_behind(k: Killed, temp_root: Path) -> None:
    """A killed kiosk's session folder stays, with its lock and its receipts."""
    assert k.temp_dir.parent == temp_root
    assert Path(str(k.temp_dir) + LOCK_SUFFIX).exists()
    for uid in k.filed:
        text = _pdf_text(k.temp_dir / f"receipt-{uid}.pdf")
        assert uid in text and "申请人" in text  # who applied for what (masked)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_sigkill_mid_filing_restarts_to_attract_with_confirmed_filings_queued(
    qtbot: QtBot, chinese: None, data_dir: Path, temp_root: Path, tmp_path: Path
) -> None:
    first = _run_and_kill(
        data_dir, temp_root, [CHRONIC, ENROL], 1, "review", tmp_path / "kiosk-1.log"
    )
    _check_left_behind(first, temp_root)
    second = _run_and_kill(data_dir, temp_root, [ENROL], 4, "confirm", tmp_path / "kiosk-2.log")
    # The second kiosk, started after the first was killed, removed what the first left.
    assert not first.temp_dir.exists() and not Path(str(first.temp_dir) + LOCK_SUFFIX).exists()
    _check_left_behind(second, temp_root)
    killed = [first, second]

    live = SessionFolder(temp_root)  # a kiosk still running beside: its folder must stay
    (live.path / "receipt.pdf").write_bytes(b"%PDF- of a live session")

    # The watchdog-style restart: the same data folder, the same temp root.
    ctx = AppContext.open(data_dir)
    win: KioskWindow | None = None
    try:
        win = build_kiosk_window(ctx, demo=True, language="zh_CN")
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.lane.pending == 0 and win.devices.discovered, timeout=10_000)
        assert win.pages.currentWidget() is win.attract and win.attract.timer.isActive()
        assert win.person is None and win.application.person is None
        assert not win.banner.isVisible() and not win.card_notice.isVisible()
        assert win.temp_dir.parent == temp_root and list(win.temp_dir.iterdir()) == []
        assert _leftovers(temp_root) == {
            win.temp_dir.name,
            win.temp_dir.name + LOCK_SUFFIX,
            live.path.name,
            live.path.name + LOCK_SUFFIX,
        }
        assert (live.path / "receipt.pdf").exists()

        assert ctx.db.integrity_check() == "ok"
        with ctx.db.read() as s:
            filings = {f.uid: f for f in s.execute(select(Filing)).scalars()}
            outbox = list(s.execute(select(OutboxEntry)).scalars())
            s.expunge_all()
        confirmed = {uid: what for k in killed for uid, what in k.filed.items()}
        for uid, (item_code, answered_phone) in confirmed.items():
            assert uid in filings, f"the filing {uid} confirmed to the citizen is lost"
            payload = _check_complete(ctx, filings[uid], outbox)
            assert payload["item_code"] == item_code
            assert payload["values"]["phone"] == answered_phone
            codes = [a["code"] for a in payload["attachments"]]
            if item_code == CHRONIC:  # the four photographed papers came through the kill
                assert len(codes) == 5 and "id_copy" in codes
        unconfirmed = {uid: f for uid, f in filings.items() if uid not in confirmed}
        phones = {uid: _payload(ctx, f)["values"]["phone"] for uid, f in unconfirmed.items()}
        # Killed on the review screen: nothing of it was saved.
        assert first.unfinished_phone not in phones.values()
        # Killed just after "confirm": saved whole, or not at all.
        assert set(phones.values()) <= {second.unfinished_phone}
        for f in unconfirmed.values():
            _check_complete(ctx, f, outbox)
        print(f"killed just after confirm: {'saved whole' if unconfirmed else 'not saved'}")
        assert len([e for e in outbox if e.kind == "filing"]) == len(filings)
        # Each confirmed application was rated before the next began: those are queued too.
        rated = sorted(e.filing_id for e in outbox if e.kind == "rating")
        assert rated == sorted(filings[uid].id for uid in confirmed)
        counts = ctx.queue.counts()
        assert counts.filings_total == len(filings) >= len(confirmed)
    finally:
        if win is not None:
            win._leaving = True
            win.close()
        live.remove()
        ctx.close()
    assert _leftovers(temp_root) == set()  # the kiosk's exit removes its folder and lock
