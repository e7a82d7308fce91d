"""The kiosk end to end: a citizen's social-security card in the virtual reader (pcscd + vpcd),
the reference centre as a real process, the camera a video of a face.

Online: a query answered by the centre, a rights record printed and verified by anyone at
/verify/CODE, an application with the guided face check (临时外出就医备案), its receipt and
rating; the session ends with the card prompted out; the filing, its face photo and the
rating reach the centre. Offline (the centre stopped): the query tells the citizen where else
to go, an application is still taken and receipted, and goes out when the centre is back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.filing_service import FACE_PHOTO
from app.settings import (
    CameraDriver,
    DocumentPrinterDriver,
    IdCardDriver,
    ReceiptPrinterDriver,
    SscCardDriver,
)
from app.store.models import Filing
from central import models as cm
from central.db import Database as CentralDatabase
from sync.activation import activate
from sync.engine import SyncEngine
from sync.insured import IssuedDocument
from tests.centre_process import Centre, running_centre
from tests.kiosk_steps import (
    answer_questions,
    choose_item,
    confirm,
    open_applications,
    photograph_papers,
    rate_good,
    tap,
)
from tests.pcscd_process import Pcscd, start_pcscd, unavailable_reason, wait_card_state
from tests.test_camera import jittered, write_video
from tests.test_face_quality import good_frame
from tests.virtual_ssc_card import CardImage, VirtualSscCard
from ui.app import build_kiosk_window
from ui.kiosk.window import KioskWindow

# A demo insured person the centre has records for (central/insured.py seeds her).
CITIZEN = CardImage(
    ssn="441802198506151320", name="陈秀英", sex="2", birth_date=dt.date(1985, 6, 15)
)
TEMPORARY = "YD-BA-011"
ENROL = "CX-CBDJ-001"


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


@dataclass
class Site:
    centre: Centre
    pcscd: Pcscd
    ctx: AppContext


@pytest.fixture
def site(tmp_path: Path, data_dir: Path) -> Iterator[Site]:
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"the PC/SC test peer cannot run: {reason} (make test installs it)")
    video = write_video(tmp_path / "face.avi", jittered(good_frame(), 12, seed=11))
    daemon = start_pcscd(tmp_path / "pcscd")
    try:
        with running_centre(tmp_path / "centre") as centre:
            seeded = centre.seed_demo()
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
                        document_printer=DocumentPrinterDriver.PDF,
                    )
                )
                activate(ctx, centre.url, seeded["enrolment_code"], "kiosk-e2e")
                assert SyncEngine(ctx).run_once().error is None
                yield Site(centre, daemon, ctx)
            finally:
                ctx.close()
    finally:
        daemon.stop()


def open_kiosk(qtbot: QtBot, ctx: AppContext) -> KioskWindow:
    win = build_kiosk_window(ctx, demo=False, language="zh_CN")
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=10_000)
    qtbot.waitUntil(lambda: win.lane.pending == 0, timeout=5000)
    return win


def close_kiosk(win: KioskWindow) -> None:
    win._leaving = True  # the test, not a citizen, closes it
    win.close()


def insert(qtbot: QtBot, site: Site, win: KioskWindow) -> VirtualSscCard:
    card = VirtualSscCard(CITIZEN)
    card.insert(site.pcscd.port)
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.home, timeout=15_000)
    return card


def take_out(qtbot: QtBot, site: Site, win: KioskWindow, card: VirtualSscCard) -> None:
    with qtbot.waitSignal(win.devices.card_removed, timeout=10_000):
        card.remove()
    wait_card_state(site.pcscd.reader, present=False)


def filing_row(ctx: AppContext, uid: str) -> Filing:
    with ctx.db.read() as s:
        row = s.execute(select(Filing).where(Filing.uid == uid)).scalar_one()
        s.expunge(row)
        return row


def centre_filing(centre: Centre, receipt_no: str) -> tuple[dict[str, object], list[str], str]:
    """At the centre: the filing's payload, its attachments' digests, its rating (or "")."""
    db = CentralDatabase(centre.db_url)
    try:
        with db.read() as s:
            filing = s.execute(
                select(cm.Filing).where(cm.Filing.receipt_no == receipt_no)
            ).scalar_one()
            digests = list(
                s.execute(
                    select(cm.FilingAttachment.sha256).where(
                        cm.FilingAttachment.filing_id == filing.id
                    )
                ).scalars()
            )
            rating = s.execute(
                select(cm.Rating.rating).where(cm.Rating.filing_id == filing.id)
            ).scalar()
            return json.loads(filing.payload), digests, rating or ""
    finally:
        db.dispose()


def test_queries_certificate_and_a_face_checked_application_reach_the_centre(
    qtbot: QtBot, site: Site
) -> None:
    ctx, centre = site.ctx, site.centre
    win = open_kiosk(qtbot, ctx)
    try:
        card = insert(qtbot, site, win)
        assert CITIZEN.name not in win.home.greeting.text()  # masked
        # A query, answered by the centre.
        tap(qtbot, win.home.query_buttons["payments"])
        qtbot.waitUntil(lambda: win.query_page.results.count() > 0, timeout=15_000)
        assert "元" in win.query_page.results.item(0).text()
        tap(qtbot, win.query_page.back_button)
        # A rights record, printed (to PDF here) and checked by anyone with its code.
        with qtbot.waitSignal(win.queries.issued, timeout=15_000) as issued:
            tap(qtbot, win.home.print_buttons["rights_record"])
        document = issued.args[0]
        assert isinstance(document, IssuedDocument)
        qtbot.waitUntil(lambda: win.last_printed is not None, timeout=15_000)
        answer = requests.get(document.verify_url, params={"format": "json"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["genuine"] is True
        tap(qtbot, win.query_page.back_button)
        # 临时外出就医备案: questions, the face check on the camera, no optional papers.
        open_applications(qtbot, win)
        choose_item(qtbot, win, TEMPORARY)
        answer_questions(
            qtbot,
            win,
            {
                "phone": "13800138000",
                "temporary_type": "referral",
                "destination": "region",
                "start_date": "today",
            },
            region_path=("广东省", "广州市"),
        )
        face = win.face_check
        assert win.application.pages.currentWidget() is face
        qtbot.waitUntil(face.use_button.isVisible, timeout=20_000)
        tap(qtbot, face.use_button)
        assert photograph_papers(qtbot, win) == 0  # both papers are optional: skipped
        review = win.application.review
        texts = [review.lines.item(i).text() for i in range(review.lines.count())]
        assert any("广东省 广州市" in t for t in texts) and any("本人照片" in t for t in texts)
        uid = confirm(qtbot, win)
        qtbot.waitUntil(lambda: win.application.last_receipt is not None, timeout=15_000)
        rate_good(qtbot, win)
        # Finish with the card still in: the next screen asks for it to be taken out.
        tap(qtbot, win.home.finish_button)
        assert win.pages.currentWidget() is win.attract and not win.card_notice.isHidden()
        take_out(qtbot, site, win, card)
        assert win.card_notice.isHidden()
        # The kiosk syncs by itself after a filing: the centre takes it and gives a number.
        qtbot.waitUntil(lambda: filing_row(ctx, uid).receipt_no is not None, timeout=60_000)
        receipt_no = filing_row(ctx, uid).receipt_no
        assert receipt_no is not None
        assert win.sync is not None
        with qtbot.waitSignal(win.sync.finished, timeout=60_000):
            win.sync.sync_now()  # the rating command follows its filing's acknowledgement
    finally:
        close_kiosk(win)
    payload, digests, rating = centre_filing(centre, receipt_no)
    assert payload["operator"] == "KIOSK" and payload["item_code"] == TEMPORARY
    assert payload["values"]["destination"] == "440100"  # type: ignore[index]
    codes = {a["code"]: a["sha256"] for a in payload["attachments"]}  # type: ignore[union-attr]
    assert FACE_PHOTO in codes and "id_copy" in codes
    assert set(codes.values()) <= set(digests)
    assert rating == "good"


def test_offline_the_kiosk_still_takes_an_application(qtbot: QtBot, site: Site) -> None:
    ctx, centre = site.ctx, site.centre
    centre.process.terminate()
    centre.process.wait(10)
    win = open_kiosk(qtbot, ctx)
    try:
        card = insert(qtbot, site, win)
        tap(qtbot, win.home.query_buttons["coverage"])
        qtbot.waitUntil(lambda: "12393" in win.query_page.status.text(), timeout=30_000)
        tap(qtbot, win.query_page.back_button)
        open_applications(qtbot, win)
        choose_item(qtbot, win, ENROL)
        answer_questions(
            qtbot,
            win,
            {
                "phone": "13800138000",
                "household_type": "local",
                "insured_category": "adult",
                "start_date": "today",
            },
        )
        photograph_papers(qtbot, win)
        uid = confirm(qtbot, win)
        qtbot.waitUntil(lambda: win.application.last_receipt is not None, timeout=15_000)
        assert Path(str(win.application.last_receipt)).exists()
        tap(qtbot, win.application.done.rating.skip_button)
        tap(qtbot, win.home.finish_button)
        take_out(qtbot, site, win, card)
        assert filing_row(ctx, uid).receipt_no is None  # queued, waiting for the network
    finally:
        close_kiosk(win)
    port = int(centre.url.rsplit(":", 1)[1])
    with running_centre(Path(centre.db_url.removeprefix("sqlite:///")).parent, port=port):
        report = SyncEngine(ctx).run_once()
        assert report.online and report.error is None, report
    row = filing_row(ctx, uid)
    assert row.receipt_no and row.state == "accepted"
