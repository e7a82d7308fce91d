"""The whole counter path through the real widgets, against real peers.

Peers: the reference centre as a real process on 127.0.0.1 (its own SQLite file), a private
pcscd with vpcd and virtual social-security cards in Python (the "virtual reader"), a camera
that is an MJPG video file of a face, the receipt printed as PDF. Nothing is mocked.

Five items on a designated hospital's station, each with its own twist: 代办 (a daughter files
for her father), a newborn on the guardian's card, 容缺受理 with the one-time notice, one the
centre refuses and the operator corrects, one the centre asks materials for and the operator
supplements. The operator logs in through the log-in dialog, files, signs, prints and rates;
the window syncs; the centre reviews with its admin command; the states come back.

A second test does the day without the network: the centre is stopped, an operator who logged
in before logs in offline, files and prints; when the centre is back everything goes out.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.demo_data import demo_values
from app.settings import CameraDriver, IdCardDriver, ReceiptPrinterDriver, SscCardDriver
from app.store.models import Filing
from central import admin
from central.db import Database as CentralDatabase
from sync.activation import activate
from sync.engine import SyncEngine
from tests.centre_process import Centre, running_centre
from tests.pcscd_process import Pcscd, start_pcscd, unavailable_reason, wait_card_state
from tests.test_camera import jittered, write_video
from tests.test_face_quality import good_frame
from tests.virtual_ssc_card import CardImage, VirtualSscCard
from ui.app import build_counter_window, save_screenshot
from ui.counter.main_window import CounterWindow
from ui.counter.proxy_panel import ProxySlot
from ui.counter.queue_view import QueueView
from ui.login.login_dialog import LoginDialog
from ui.login.logins import Logins

from .counter_steps import (
    add_required_pages,
    check_and_confirm,
    page_jpeg,
    sign,
    take_face_photo,
)

STATION = "H4418020001"
OPERATOR = "HOSP01"
PASSWORD = "Hospital@2026"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

FATHER = CardImage(ssn="44180219550303001X", name="陈国强", birth_date=dt.date(1955, 3, 3))
DAUGHTER = CardImage(ssn="441802198206060021", name="陈丽", sex="2", birth_date=dt.date(1982, 6, 6))
MOTHER = CardImage(ssn="441802199507070025", name="林晓燕", sex="2", birth_date=dt.date(1995, 7, 7))
PATIENT = CardImage(ssn="441802196808080012", name="黄志明", birth_date=dt.date(1968, 8, 8))


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """In Chinese, as the operators see it."""


@dataclass
class Site:
    centre: Centre
    pcscd: Pcscd
    ctx: AppContext
    camera_video: Path


def _hospital_station(centre: Centre) -> str:
    """A designated hospital's station with one clerk; returns a fresh enrolment code."""
    db = CentralDatabase(centre.db_url)
    try:
        admin.ensure_catalog(db)
        admin.add_station(
            db,
            admin.StationSpec(
                code=STATION,
                name="示范县人民医院医保服务站",
                institution_type="designated",
                channel="designated",
                station_list="hospital",
                region_code="441802",
            ),
        )
        with db.read() as s:
            from central.models import Station

            station = s.get(Station, STATION)
            assert station is not None
            items = list(station.enabled_items)
        for needed in ("YD-BA-010", "CX-XSECB-005", "MT-RD-001", "BX-MZ-001", "YD-BA-011"):
            assert needed in items, needed
        admin.set_role(db, STATION, "hospital_clerk", "医保专员", "designated", items)
        admin.set_operator(db, STATION, OPERATOR, "周敏", ["hospital_clerk"])
        admin.set_operator_password(db, STATION, OPERATOR, PASSWORD, must_change=False)
        return admin.create_enrolment_code(db, STATION).enrolment_code
    finally:
        db.dispose()


@pytest.fixture
def site(tmp_path: Path, data_dir: Path) -> Iterator[Site]:
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"the PC/SC test peer cannot run: {reason} (make test installs it)")
    video = write_video(tmp_path / "face.avi", jittered(good_frame(), 12, seed=7))
    daemon = start_pcscd(tmp_path / "pcscd")
    try:
        with running_centre(tmp_path / "centre") as centre:
            code = _hospital_station(centre)
            ctx = AppContext.open(data_dir)
            try:
                ctx.settings = ctx.settings.with_changes(
                    devices=ctx.settings.devices.with_changes(
                        id_card=IdCardDriver.NONE,
                        ssc_card=SscCardDriver.PCSC,
                        ssc_card_reader=daemon.reader,
                        camera=CameraDriver.OPENCV,
                        camera_video_file=str(video),
                        receipt_printer=ReceiptPrinterDriver.NONE,
                    )
                )
                activate(ctx, centre.url, code, "counter-e2e")
                assert SyncEngine(ctx).run_once().error is None  # the roster comes down
                yield Site(centre, daemon, ctx, video)
            finally:
                ctx.close()
    finally:
        daemon.stop()


def log_in(qtbot: QtBot, ctx: AppContext, *, online: bool) -> tuple[Logins, str]:
    """The log-in dialog, typed into; returns the log-ins and the operator's code."""
    logins = Logins(ctx)
    station = ctx.stations.require_station()
    dialog = LoginDialog(logins.login, "zh_CN", station_name=station.name)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.code, OPERATOR)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_login is not None, timeout=15_000)
    assert dialog.result_login is not None and dialog.result_login.online is online
    return logins, dialog.result_login.operator.code


def open_counter(qtbot: QtBot, ctx: AppContext, logins: Logins, code: str) -> CounterWindow:
    win = build_counter_window(ctx, demo=False, language="zh_CN", operator_code=code, logins=logins)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=10_000)
    qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)
    return win


def read(qtbot: QtBot, site: Site, win: CounterWindow, image: CardImage) -> None:
    """The citizen's card goes into the virtual reader, the window records it, and the card
    comes out again (the watcher sees it go)."""
    card = VirtualSscCard(image)
    before = (win.person, win.applicant)
    card.insert(site.pcscd.port)
    try:
        try:
            qtbot.waitUntil(
                lambda: win.person is not before[0] or win.applicant is not before[1],
                timeout=10_000,
            )
        except Exception:  # the panel says what the reader reported
            raise AssertionError(f"no card read: {win.identity.summary.text()}") from None
        qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)
    finally:
        with qtbot.waitSignal(win.devices.card_removed, timeout=10_000):
            card.remove()
        wait_card_state(site.pcscd.reader, present=False)
        # The next card follows after a moment, as a person hands it over: vpcd can leave a
        # connect hanging when a new card socket arrives in the same instant the last one
        # closed (a property of the virtual reader, not seen with the card tests' pauses).
        qtbot.wait(800)


def fill(win: CounterWindow, ctx: AppContext, code: str, seed: int, **overrides: object) -> None:
    item = ctx.catalog.current().item(code)
    assert win.person is not None
    values = demo_values(item, win.person.read, random.Random(seed))
    values.update(overrides)
    win.form.set_values(values)


def sync_now(qtbot: QtBot, win: CounterWindow) -> None:
    assert win.sync is not None
    with qtbot.waitSignal(win.sync.finished, timeout=60_000) as done:
        qtbot.mouseClick(win.status.sync_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report.online and report.error is None, report


def filing_row(ctx: AppContext, uid: str) -> Filing:
    with ctx.db.read() as s:
        row = s.execute(select(Filing).where(Filing.uid == uid)).scalar_one()
        s.expunge(row)
        return row


def shows(queue: QueueView, uid: str, state: str) -> bool:
    """The queue has the filing selected, in `state` (its rows refresh after each sync)."""
    selected = queue.select_filing(uid) and queue.selected()
    return bool(selected) and selected.state == state  # type: ignore[union-attr]


def review(centre: Centre, receipt: str, *args: str) -> None:
    out = centre.admin("review", receipt, *args)
    assert out.returncode == 0, out.stderr


def test_five_items_from_card_to_the_centre_and_back(qtbot: QtBot, site: Site) -> None:
    ctx, centre = site.ctx, site.centre
    logins, code = log_in(qtbot, ctx, online=True)
    win = open_counter(qtbot, ctx, logins, code)
    saved: dict[str, str] = {}
    try:
        # 1. 代办: the daughter files 异地长期居住备案 for her father (face photo from the video).
        assert win.items.select("YD-BA-010")
        toggle = win.proxy.proxy_toggle
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton, pos=QPoint(8, toggle.height() // 2))
        assert win.proxy.proxy_enabled
        assert win.proxy.active_slot is ProxySlot.APPLICANT  # the one at the counter first
        read(qtbot, site, win, DAUGHTER)
        assert win.applicant is not None and win.applicant.read.name == DAUGHTER.name
        assert win.proxy.active_slot is ProxySlot.BENEFICIARY  # then the one it is for
        read(qtbot, site, win, FATHER)
        assert win.person is not None and win.person.read.name == FATHER.name
        win.proxy.set_relationship("child")
        fill(win, ctx, "YD-BA-010", 1)
        take_face_photo(qtbot, win)
        add_required_pages(win)
        sign(qtbot, win)
        save_screenshot(win, SHOTS / "counter-e2e-proxy-materials.png")
        check_and_confirm(qtbot, win, rate="good")
        assert win.last_saved is not None
        saved["proxy"] = win.last_saved.uid
        qtbot.waitUntil(lambda: win.last_printed is not None, timeout=10_000)
        receipt_pdf = Path(str(win.last_printed))
        assert receipt_pdf.suffix == ".pdf" and receipt_pdf.stat().st_size > 1000
        win.next_citizen()

        # 2. A newborn: the mother's card, the birth certificate number in the form.
        assert win.items.select("CX-XSECB-005")
        read(qtbot, site, win, MOTHER)
        fill(win, ctx, "CX-XSECB-005", 2, birth_cert_no="O440012345", newborn_name="陈小宝")
        add_required_pages(win)
        sign(qtbot, win)
        check_and_confirm(qtbot, win)
        assert win.last_saved is not None
        saved["newborn"] = win.last_saved.uid
        win.next_citizen()

        # 3. 容缺受理: the chronic-disease application with two materials still to come.
        assert win.items.select("MT-RD-001")
        read(qtbot, site, win, PATIENT)
        fill(win, ctx, "MT-RD-001", 3)
        for spec in win.materials.checklist.missing_required()[:3]:
            win.materials.checklist.add_page(spec.code, page_jpeg(spec.code))
        assert len(win.materials.checklist.missing_required()) == 2
        win.steps.setCurrentWidget(win.materials)
        check = win.materials.pending_check
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
        sign(qtbot, win)
        printed_before = win.last_printed
        check_and_confirm(qtbot, win)
        assert win.last_saved is not None
        saved["pending"] = win.last_saved.uid
        notices = ctx.paths.root / "notices"
        qtbot.waitUntil(lambda: (notices / f"{saved['pending']}.pdf").exists(), timeout=10_000)
        assert win.last_printed != printed_before

        # 4. and 5.: two filings for the same patient, to be refused and to need materials.
        assert win.items.select("BX-MZ-001")
        fill(win, ctx, "BX-MZ-001", 4)
        add_required_pages(win)
        sign(qtbot, win)
        check_and_confirm(qtbot, win)
        assert win.last_saved is not None
        saved["refused"] = win.last_saved.uid
        assert win.items.select("YD-BA-011")
        fill(win, ctx, "YD-BA-011", 5)
        take_face_photo(qtbot, win)
        add_required_pages(win)
        sign(qtbot, win)
        check_and_confirm(qtbot, win, rate="fair")
        assert win.last_saved is not None
        saved["supplement"] = win.last_saved.uid

        # Up to the centre: every filing gets its receipt number.
        sync_now(qtbot, win)
        receipts = {k: filing_row(ctx, uid).receipt_no for k, uid in saved.items()}
        assert all(receipts.values()), receipts

        # The centre reviews: one refused, one needing materials, one completed.
        review(centre, str(receipts["refused"]), "--reject", "发票与费用清单金额不一致")
        review(centre, str(receipts["supplement"]), "--need-materials", "请补充转诊证明")
        review(centre, str(receipts["newborn"]), "--approve")
        sync_now(qtbot, win)
        assert filing_row(ctx, saved["refused"]).state == "refused"
        assert filing_row(ctx, saved["supplement"]).state == "needs_materials"
        assert filing_row(ctx, saved["newborn"]).state == "completed"
        queue = win.queue
        win.tabs.setCurrentWidget(queue)
        qtbot.waitUntil(lambda: shows(queue, saved["refused"], "refused"), timeout=5000)
        assert queue.correct_button.isEnabled() and not queue.supplement_button.isEnabled()
        save_screenshot(win, SHOTS / "counter-e2e-queue-refused.png")

        # Correct the refused one: a new filing that references it.
        qtbot.mouseClick(queue.correct_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: win.correcting is not None, timeout=5000)
        assert win.form.item is not None and win.form.item.code == "BX-MZ-001"
        assert "发票与费用清单金额不一致" in win.message.text()
        read(qtbot, site, win, PATIENT)
        add_required_pages(win)
        sign(qtbot, win)
        check_and_confirm(qtbot, win)
        assert win.last_saved is not None
        corrected = win.last_saved.uid
        assert corrected != saved["refused"]

        # Supplement the other: the centre's request answered with the missing page.
        win.tabs.setCurrentWidget(queue)
        qtbot.waitUntil(lambda: shows(queue, saved["supplement"], "needs_materials"), timeout=5000)
        assert queue.supplement_button.isEnabled()
        qtbot.mouseClick(queue.supplement_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: win.supplement_dialog is not None and win.supplement_dialog.isVisible(),
            timeout=5000,
        )
        dialog = win.supplement_dialog
        assert dialog is not None
        dialog.checklist.add_page("referral_form", page_jpeg("referral"))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "补充材料已保存" in queue.message.text(), timeout=5000)

        # Everything goes up; the centre sees the correction, the supplement and the ratings.
        sync_now(qtbot, win)
        fixed = filing_row(ctx, corrected)
        assert fixed.receipt_no
        assert filing_row(ctx, saved["supplement"]).state == "in_review"
        ratings = centre.admin("ratings", STATION, "--json")
        assert ratings.returncode == 0, ratings.stderr
        counts = json.loads(ratings.stdout.strip().splitlines()[-1])
        assert counts["counts"]["good"] == 1 and counts["counts"]["fair"] == 1, counts
        audit = centre.admin("audit", STATION, "--json")
        assert audit.returncode == 0, audit.stderr
        trail = json.loads(audit.stdout.strip().splitlines()[-1])
        assert [d["chain_ok"] for d in trail["devices"]] == [True]
        actions = {e["action"] for e in trail["recent"]}
        assert {"document.printed", "filing.rated", "filing.supplemented"} <= actions, actions
        review(centre, str(fixed.receipt_no), "--approve")
        sync_now(qtbot, win)
        assert filing_row(ctx, corrected).state == "completed"
        win.tabs.setCurrentWidget(queue)
        save_screenshot(win, SHOTS / "counter-e2e-queue-after-review.png")
    finally:
        win.shutdown()


def test_offline_log_in_file_and_print_then_everything_goes_out(
    qtbot: QtBot, site: Site, tmp_path: Path
) -> None:
    ctx, centre = site.ctx, site.centre
    logins, code = log_in(qtbot, ctx, online=True)  # once online: the verifier is cached
    centre.process.terminate()
    centre.process.wait(10)
    logins, code = log_in(qtbot, ctx, online=False)
    win = open_counter(qtbot, ctx, logins, code)
    try:
        assert win.items.select("MT-RD-001")
        read(qtbot, site, win, PATIENT)
        fill(win, ctx, "MT-RD-001", 6)
        add_required_pages(win)
        sign(qtbot, win)
        check_and_confirm(qtbot, win)
        assert win.last_saved is not None
        uid = win.last_saved.uid
        qtbot.waitUntil(lambda: win.last_printed is not None, timeout=10_000)
        assert Path(str(win.last_printed)).exists()
        assert filing_row(ctx, uid).receipt_no is None
    finally:
        win.shutdown()
    # The centre comes back on the same address with the same database.
    port = int(centre.url.rsplit(":", 1)[1])
    with running_centre(Path(centre.db_url.removeprefix("sqlite:///")).parent, port=port):
        report = SyncEngine(ctx).run_once()
        assert report.online and report.error is None, report
    row = filing_row(ctx, uid)
    assert row.receipt_no and row.state == "accepted"
    assert ctx.queue.counts().waiting == 0
