"""The real counter window, offscreen: boot, screenshot, fill and save through the widgets.

Screenshots go to `test-artifacts/screenshots/` (named in the README) so people can look at
what the tests saw.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from app.catalog.schema import FieldType
from app.context import AppContext
from app.services.demo_data import demo_values
from app.validation import validate_form
from devices.registry import DeviceKind
from devices.simulated_identity import SimulatedIdentityReader
from ui.app import build_counter_window, save_screenshot
from ui.counter.editors import ChoiceEditor, DateEditor, ReadOnlyEditor
from ui.counter.form_view import FormView
from ui.counter.main_window import CounterWindow

from .counter_steps import complete_and_save, read_card, take_face_photo

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Every screen in this module is checked in Chinese (see conftest)."""


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[CounterWindow]:
    win = build_counter_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)
    yield win
    win.shutdown()


def test_boots_in_chinese_with_status_bar(window: CounterWindow) -> None:
    shot = save_screenshot(window, SHOTS / "counter-first-screen.png")
    assert shot.stat().st_size > 10_000
    assert window.save_button.text() == "核对确认"
    assert "示范镇医保工作站" in window.session.station_label.text()
    assert "李明" in window.session.operator_label.text()
    assert window.status.network_label.text().startswith("离线")
    assert window.status.waiting_label.text() == "待上传：0"
    assert "CX-CBDJ-001" in window.items.codes()
    assert not window.save_button.isEnabled()  # no citizen read yet


def test_fill_and_save_one_filing_through_the_widgets(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    assert window.items.select("CX-CBDJ-001")
    read_card(qtbot, window)
    form = window.form
    name_field = form.editors["name"]
    assert isinstance(name_field, ReadOnlyEditor)
    assert "*" in str(name_field.edit.text())  # masked on screen
    phone = form.editors["phone"].focus_widget()
    assert isinstance(phone, QLineEdit)
    qtbot.keyClicks(phone, "13800138000")
    for key in ("household_type", "insured_category"):
        combo = form.editors[key].focus_widget()
        assert isinstance(combo, QComboBox)
        combo.setFocus()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() >= 0
    start = form.editors["start_date"]
    assert isinstance(start, DateEditor)
    start.set_value(__import__("datetime").date.today().isoformat())
    save_screenshot(window, SHOTS / "counter-form-filled.png")
    complete_and_save(qtbot, window, rate="good")
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 1, timeout=5000)
    assert "已保存" in window.message.text()
    # The queue rows and the counts come back from the database lane one after the other.
    qtbot.waitUntil(lambda: window.status.waiting_label.text() == "待上传：1", timeout=5000)
    row = window.queue.model.row(0)
    assert row.item_code == "CX-CBDJ-001" and row.state == "queued"
    assert window.queue.model.data(window.queue.model.index(0, 3)) == "已保存，待上传"
    window.tabs.setCurrentIndex(1)
    save_screenshot(window, SHOTS / "counter-queue.png")
    counts = ctx.queue.counts()
    assert counts.filings_by_state == {"queued": 1}
    assert counts.outbox_by_state == {"pending": 2}  # the filing, and the citizen's rating
    assert sorted(r.kind for r in ctx.queue.outbox()) == ["filing", "rating"]


def test_bad_input_is_named_in_chinese_and_nothing_is_lost(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    window.items.select("CX-CBDJ-001")
    read_card(qtbot, window)
    form = window.form
    assert window.person is not None
    item = ctx.catalog.current().item("CX-CBDJ-001")
    form.set_values(demo_values(item, window.person.read, random.Random(3)))
    phone = form.editors["phone"].focus_widget()
    assert isinstance(phone, QLineEdit)
    phone.setText("12345")
    qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    error = form.findChild(QLabel, "error_phone")
    assert error is not None and not error.isHidden()
    assert "联系电话" in error.text() and "11 位手机号码" in error.text()
    assert "标红" in window.message.text()
    save_screenshot(window, SHOTS / "counter-form-error.png")
    assert ctx.queue.counts().filings_total == 0
    typed = form.raw_values()
    phone.setText("13800138000")
    complete_and_save(qtbot, window)
    assert error.isHidden()
    assert ctx.queue.counts().filings_total == 1
    # What the operator had typed in the other fields was kept for the corrected save.
    assert typed["household_type"] and typed["insured_category"]


def test_every_catalog_form_renders_and_validates(qtbot: QtBot, ctx: AppContext) -> None:
    """Every item: the form builds, takes valid values through its widgets, and validates."""
    reader = SimulatedIdentityReader(seed=11, read_delay=0)
    rng = random.Random(11)
    form = FormView("zh_CN")
    qtbot.addWidget(form)
    catalog = ctx.catalog.current()
    assert len(catalog.items) >= 29
    for item in catalog.items:
        person = reader.read()
        form.set_item(item)
        form.set_person(person)
        assert set(form.editors) == {f.key for f in item.fields}, item.code
        for spec in item.fields:
            editor = form.editors[spec.key]
            if spec.type is FieldType.CHOICE and not spec.read_only:
                assert isinstance(editor, ChoiceEditor)
                assert editor.combo.count() == len(spec.choices)
        values = demo_values(item, person, rng)
        form.set_values(values)
        result = validate_form(item, form.raw_values(), prefill=person.prefill())
        assert result.ok, (item.code, [e.en for e in result.errors])
        if any(f.required and not f.read_only for f in item.fields):
            form.clear()
            blank = validate_form(item, form.raw_values(), prefill=person.prefill())
            assert {e.code for e in blank.errors} == {"required"}, item.code


def test_every_enabled_application_saves_through_the_window(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    rng = random.Random(5)
    catalog = ctx.catalog.current()
    applications = [
        i for i in catalog.items if i.code in window.items.codes() and i.kind.value == "application"
    ]
    read_card(qtbot, window)
    for n, item in enumerate(applications, start=1):
        assert window.items.select(item.code)
        assert window.person is not None
        window.form.set_values(demo_values(item, window.person.read, rng))
        complete_and_save(qtbot, window, pending=n % 2 == 0)
        assert ctx.queue.counts().filings_total == n  # saved before the rating was asked
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == len(applications), timeout=5000)
    assert {r.item_code for r in ctx.queue.filings()} == {i.code for i in applications}


def test_english_labels_come_from_the_catalog(qtbot: QtBot, ctx: AppContext) -> None:
    form = FormView("en")
    qtbot.addWidget(form)
    item = ctx.catalog.current().item("CX-CBDJ-001")
    form.set_item(item)
    assert form.title.text() == item.name_en
    assert form.editors["phone"].focus_widget().accessibleName() == "Phone"


def test_rare_character_name_is_shown_as_read_and_the_view_is_audited(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    import datetime as dt

    from app.identity import IdKind, PersonRead

    name = "𬌗𠮷娜"  # surname and a given-name character outside the Basic Multilingual Plane
    qtbot.waitUntil(lambda: window.devices.discovered, timeout=5000)
    assert window.devices.put_demo_card(
        PersonRead(
            id_kind=IdKind.RESIDENT_ID,
            id_number="11010519491231002X",
            name=name,
            source="simulated_id_card",
            sex="2",
            birth_date=dt.date(1949, 12, 31),
            address="北京市朝阳区",
        )
    )
    qtbot.waitUntil(lambda: window.person is not None, timeout=5000)
    summary = window.identity.summary
    assert summary.text().startswith("𬌗**")  # masked, code point by code point
    assert name not in summary.text()
    qtbot.mouseClick(window.identity.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: name in summary.text(), timeout=5000)
    assert not window.identity.reveal_button.isEnabled()
    save_screenshot(window, SHOTS / "counter-rare-character-name.png")
    from sqlalchemy import select

    from app.store.models import AuditEvent

    with ctx.db.read() as s:
        events = s.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert [tuple(e) for e in events] == [("person.view", "name")]


def scan(qtbot: QtBot, win: CounterWindow, code: str) -> None:
    """A keyboard-wedge scanner: the code typed in one burst, then Enter, into a focused field."""
    field = win.items.findChild(QLineEdit)
    assert field is not None
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    before = field.text()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.wait(100)
    assert field.text() == before  # the scan never lands in the field


def test_receipt_prints_after_saving_with_a_lookup_code_that_finds_the_filing(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    from app.documents import lookup_code

    rng = random.Random(9)
    item = ctx.catalog.current().item("CX-CBDJ-001")
    assert window.items.select(item.code)
    read_card(qtbot, window)
    assert window.person is not None
    id_number = window.person.read.id_number
    window.form.set_values(demo_values(item, window.person.read, rng))
    complete_and_save(qtbot, window)
    qtbot.waitUntil(lambda: window.last_printed is not None, timeout=10_000)
    assert window.last_saved is not None
    printed = Path(str(window.last_printed)).read_text(encoding="utf-8")
    assert item.name in printed and id_number not in printed
    assert lookup_code.encode(window.last_saved.uid) in printed
    assert "小票已打印" in window.message.text() or "已打印" in window.message.text()
    # Scanning the receipt's QR code brings the filing up in the queue.
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 1, timeout=5000)
    window.tabs.setCurrentIndex(0)
    scan(qtbot, window, lookup_code.encode(window.last_saved.uid))
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.queue, timeout=3000)
    assert window.queue.table.selectionModel().isRowSelected(0)


def test_an_e_voucher_on_the_demo_station_offers_the_cards(
    qtbot: QtBot, window: CounterWindow
) -> None:
    scan(qtbot, window, "YBEV1.not-a-real-token-but-well-shaped")
    qtbot.waitUntil(lambda: "社保卡或身份证" in window.identity.summary.text(), timeout=5000)
    assert window.person is None


def test_the_face_photo_from_the_demo_camera_goes_with_the_filing(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    item = next(
        i
        for i in ctx.catalog.current().items
        if i.face_photo_required and i.offline and i.code in window.items.codes()
    )
    assert window.items.select(item.code)
    read_card(qtbot, window)
    assert window.person is not None
    # The simulated camera's person walks up and stands still; the gate takes the photo.
    take_face_photo(qtbot, window)
    assert window.materials.face_status.text() == "已拍摄"
    blobs_before = sum(1 for p in ctx.paths.blobs.rglob("*") if p.is_file())
    window.form.set_values(demo_values(item, window.person.read, random.Random(3)))
    complete_and_save(qtbot, window, pending=True)  # the face photo is there already
    assert window.materials.face_photo is None  # not kept for the next filing
    blobs_after = sum(1 for p in ctx.paths.blobs.rglob("*") if p.is_file())
    assert blobs_after == blobs_before + 2  # the face photo and the signature
    assert window.last_saved is not None
    codes = ctx.queue.detail(window.last_saved.uid).attachment_codes
    assert codes == ("face_photo", "signature")


def test_an_e_voucher_read_by_the_configured_camera(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    """The camera is a video file (as a technician may set for a pilot); the code it shows is
    routed like a scanned one: on the demo station, to the offline message."""
    from app.settings import CameraDriver
    from devices.qr_frames import make_frame
    from tests.test_camera import write_video

    token = "YBEV1.counter-camera-" + "q" * 30
    video = write_video(tmp_path / "phone.avi", [make_frame(token, seed=n) for n in range(8)])
    ctx.settings = ctx.settings.with_changes(
        devices=ctx.settings.devices.with_changes(
            camera=CameraDriver.OPENCV, camera_video_file=str(video)
        )
    )
    win = build_counter_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    try:
        qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
        assert win.devices.reports[DeviceKind.CAMERA].driver == "video_file"
        qtbot.mouseClick(win.identity.camera_scan_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "社保卡或身份证" in win.identity.summary.text(), timeout=5000)
    finally:
        win.shutdown()


def test_items_are_found_by_pinyin_initials(qtbot: QtBot, window: CounterWindow) -> None:
    def visible() -> set[str]:
        return {
            str(child.data(0, Qt.ItemDataRole.UserRole))
            for _parent, children in window.items._groups()
            for child in children
            if not child.isHidden()
        }

    everything = visible()
    qtbot.keyClicks(window.items.filter, "ydjy")
    qtbot.waitUntil(lambda: visible() != everything, timeout=3000)
    assert visible() and all(code.startswith("YD-") for code in visible())
    save_screenshot(window, SHOTS / "counter-find-by-pinyin.png")


def test_the_queue_narrows_by_state_item_reference_and_citizen(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    from sqlalchemy import update

    from app.drills import DrillFiler
    from app.store.models import Filing

    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=41, read_delay=0).read, 41)
    uids = [drills.file().uid for _ in range(4)]
    with ctx.db.write() as s:
        s.execute(update(Filing).where(Filing.uid == uids[0]).values(state="refused"))
    # The citizen at the counter has one filing of their own.
    assert window.items.select("CX-CBDJ-001")
    read_card(qtbot, window)
    assert window.person is not None
    window.form.set_values(
        demo_values(ctx.catalog.current().item("CX-CBDJ-001"), window.person.read, random.Random(1))
    )
    complete_and_save(qtbot, window)
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 5, timeout=5000)
    queue = window.queue
    window.tabs.setCurrentWidget(queue)
    queue.state_box.setCurrentIndex(queue.state_box.findData("refused"))
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5000)
    assert queue.model.row(0).uid == uids[0]
    queue.state_box.setCurrentIndex(0)
    queue.citizen_button.setChecked(True)
    assert window.last_saved is not None
    mine = window.last_saved.uid
    qtbot.waitUntil(
        lambda: queue.model.rowCount() == 1 and queue.model.row(0).uid == mine, timeout=5000
    )
    save_screenshot(window, SHOTS / "counter-queue-this-citizen.png")
    queue.citizen_button.setChecked(False)
    queue.reference_box.setText(uids[2].upper())  # as printed on the receipt
    queue.reference_box.editingFinished.emit()
    qtbot.waitUntil(
        lambda: queue.model.rowCount() == 1 and queue.model.row(0).uid == uids[2], timeout=5000
    )


def test_a_school_station_is_told_at_the_card_when_the_citizen_is_not_a_member(
    qtbot: QtBot, ctx: AppContext
) -> None:
    from sqlalchemy import insert, select, update

    from app.services.members import member_token
    from app.store.models import Member, Role, Station

    build_counter_window(ctx, demo=True, language="zh_CN").shutdown()  # the demo station
    with ctx.db.write() as s:
        items = [*s.execute(select(Station.enabled_items)).scalar_one(), "CX-BGDJ-002"]
        s.execute(update(Station).values(channel="school", enabled_items=items))
        s.execute(update(Role).values(channel="school", items=items))
    win = build_counter_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    try:
        qtbot.waitUntil(lambda: win.permissions is not None, timeout=5000)
        qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
        with qtbot.waitSignal(win.devices.person_read, timeout=5000) as read:
            qtbot.mouseClick(win.identity.read_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "名单" in win.identity.summary.text(), timeout=5000)
        assert win.person is None
        card = read.args[0]
        with ctx.db.write() as s:  # the centre's list now names this pupil
            s.execute(insert(Member), [{"id_token": member_token(ctx.cipher, card.id_number)}])
        before = win.permissions
        win.reload_permissions()  # as after the sync that brought the list
        qtbot.waitUntil(lambda: win.permissions is not before, timeout=5000)
        with qtbot.waitSignal(win.devices.card_removed, timeout=5000):
            win.devices.take_demo_card()
        win.devices.put_demo_card(card)  # the same card again
        qtbot.waitUntil(lambda: win.person is not None, timeout=5000)
        assert win.person is not None and win.person.read.id_number == card.id_number
    finally:
        win.shutdown()
