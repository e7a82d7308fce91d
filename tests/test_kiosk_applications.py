"""A citizen's own applications at the kiosk on the demo station: questions answered by touch,
papers photographed, confirmed, queued like any filing, a receipt, a rating; nothing saved
before "confirm", nothing of the person left after the session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.kiosk_form import HANDLER_CONFIRMS, IDENTITY_RECORD_MIME
from app.services.permissions import SELF_SERVICE_OPERATOR
from app.store.models import Filing
from tests.kiosk_steps import (
    answer_questions,
    choose_item,
    confirm,
    open_applications,
    photograph_papers,
    rate_good,
    tap,
)
from tests.test_kiosk_window import identify, traces
from ui.app import build_kiosk_window
from ui.kiosk.window import KioskWindow

CHRONIC = "MT-RD-001"
ENROL = "CX-CBDJ-001"


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


@pytest.fixture
def kiosk(qtbot: QtBot, ctx: AppContext) -> Iterator[KioskWindow]:
    ctx.stations.ensure_demo_station(ctx.catalog.current())
    win = build_kiosk_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    qtbot.waitUntil(lambda: win.lane.pending == 0, timeout=5000)
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
    yield win
    win._leaving = True
    win.close()


def payload(ctx: AppContext, uid: str) -> dict[str, Any]:
    """The filing as frozen and queued (decrypted)."""
    with ctx.db.read() as s:
        enc = s.execute(select(Filing.payload_enc).where(Filing.uid == uid)).scalar_one()
    return dict(json.loads(ctx.cipher.decrypt(enc, "filing.payload")))


def filed(ctx: AppContext) -> int:
    return ctx.queue.counts().filings_total


def test_chronic_disease_application_is_queued_with_its_photos(
    qtbot: QtBot, kiosk: KioskWindow, ctx: AppContext
) -> None:
    person = identify(qtbot, kiosk)
    open_applications(qtbot, kiosk)
    offered = set(kiosk.application.choice.buttons)
    # The demo station is a township: the six self-service applications it has enabled.
    assert {CHRONIC, ENROL, "YD-BA-010", "YD-BA-011", "YD-BABG-012", "YD-BAQX-013"} <= offered
    choose_item(qtbot, kiosk, CHRONIC)
    page = kiosk.application.question
    # A wrong phone number is explained and the citizen stays on the question.
    tap(qtbot, page.phone_pad.keys["1"])
    tap(qtbot, page.next_button)
    assert page.error.text() and kiosk.application._index == 0
    tap(qtbot, page.phone_pad.clear_key)
    answer_questions(
        qtbot, kiosk, {"phone": "13800138000", "disease": "diabetes", "diagnosis_date": "today"}
    )
    assert filed(ctx) == 0  # nothing is saved before "confirm"
    kept = photograph_papers(qtbot, kiosk)
    assert kept == 4
    review = [kiosk.application.review.lines.item(i).text() for i in range(4)]
    assert any("糖尿病" in line for line in review)
    assert person.name not in " ".join(review) and person.id_number not in " ".join(review)
    assert "确诊医疗机构" in kiosk.application.review.note.text()  # the handler telephones
    uid = confirm(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.application.last_receipt is not None, timeout=10_000)
    rating_uid = rate_good(qtbot, kiosk)
    assert rating_uid

    frozen = payload(ctx, uid)
    assert frozen["item_code"] == CHRONIC
    assert frozen["operator"] == SELF_SERVICE_OPERATOR
    values = frozen["values"]
    assert values["disease"] == "diabetes" and values["phone"] == "13800138000"
    assert values["diagnosis_hospital"] == HANDLER_CONFIRMS
    codes = {a["code"]: a["mime"] for a in frozen["attachments"]}
    assert codes["id_copy"] == IDENTITY_RECORD_MIME
    assert {"application_form", "diagnosis_certificate", "medical_records", "test_reports"} <= set(
        codes
    )
    assert not frozen["materials_pending"]
    # The identity record is what was read (stored encrypted, like every attachment).
    record = next(a for a in frozen["attachments"] if a["code"] == "id_copy")
    assert json.loads(ctx.blobs.get(record["sha256"]))["id_number"] == person.id_number

    tap(qtbot, kiosk.home.finish_button)
    assert traces(kiosk, person) == []


def test_enrolment_with_an_optional_paper_skipped(
    qtbot: QtBot, kiosk: KioskWindow, ctx: AppContext
) -> None:
    identify(qtbot, kiosk)
    open_applications(qtbot, kiosk)
    choose_item(qtbot, kiosk, ENROL)
    answer_questions(
        qtbot,
        kiosk,
        {
            "phone": "13800138000",
            "household_type": "local",
            "insured_category": "adult",
            "start_date": "today",
        },
    )
    assert photograph_papers(qtbot, kiosk) == 0  # the residence permit is optional
    uid = confirm(qtbot, kiosk)
    assert payload(ctx, uid)["values"]["insured_category"] == "adult"


def test_back_and_leaving_saves_nothing(qtbot: QtBot, kiosk: KioskWindow, ctx: AppContext) -> None:
    person = identify(qtbot, kiosk)
    open_applications(qtbot, kiosk)
    choose_item(qtbot, kiosk, ENROL)
    answer_questions(
        qtbot,
        kiosk,
        {"phone": "13912345678", "household_type": "local"},
        until="insured_category",
    )
    # The answers so far are shown again after "back".
    page = kiosk.application.question
    tap(qtbot, page.back_button)
    assert page.question is not None and page.question.key == "household_type"
    tap(qtbot, page.back_button)
    assert page.phone_pad.digits() == "13912345678"
    tap(qtbot, page.back_button)  # back to the list of applications
    tap(qtbot, kiosk.application.choice.back_button)
    assert kiosk.pages.currentWidget() is kiosk.home
    tap(qtbot, kiosk.home.finish_button)
    assert filed(ctx) == 0
    assert traces(kiosk, person) + traces_of_phone(kiosk) == []


def traces_of_phone(win: KioskWindow) -> list[str]:
    from PySide6.QtWidgets import QApplication

    from ui.kiosk.privacy import find_traces

    roots = list(QApplication.topLevelWidgets())
    return find_traces(["13912345678", "139 1234 5678"], roots, win.temp_dir)
