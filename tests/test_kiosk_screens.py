"""Every kiosk screen in portrait (1080×1920) and landscape (1920×1080), in both themes at both
type presets, with nothing cut off.

One kiosk window per orientation and look, on a terminal of the reference centre (a real
process on 127.0.0.1, with the demo insured persons) and the simulated ID card reader; the
window is walked through `SCREENS` in order. Each screen is saved to
`test-artifacts/screenshots/kiosk-<screen>-<orientation>-<look>.png` before it is checked, so
a failure can be looked at, and checked for: anything cut off, clipped or overlapping
(`tests/screen_checks.py`), a control shorter than 15 mm on a 21-inch screen, a control or
picture without a name for a screen reader.

The application screens are walked as a citizen applies for 异地长期居住人员备案 (YD-BA-010, the
item with every kind of question, the face check, papers and a note for the handler). The
terminal's camera is the simulated one: the face check is then restarted on a real MJPG video of
a face (as tests/test_kiosk_face_check.py does; the simulated person takes seconds to walk up),
the photo page on the simulated camera's paper scene.

To add a screen: write `def my_screen(k: Kiosk, look: Look) -> None` that
brings `k.win` there from wherever the previous screen left it and calls `look(widget)` with
the window (or a dialog it opened, from inside the dialog's event loop, as `technician`
does), then add `("my-screen", my_screen)` to `SCREENS`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.identity import IdKind, PersonRead
from app.kiosk_form import Ask
from app.ratings import Rating
from app.settings import CameraDriver, IdCardDriver, SscCardDriver
from devices.camera import OpenCvCamera, SimulatedCamera
from devices.printer_state import Paper, PrinterState
from devices.registry import DeviceKind
from sync.activation import activate
from sync.engine import SyncEngine
from sync.insured import InsuredOffline
from sync.state import SyncStateStore
from tests.centre_process import running_centre
from tests.test_camera import jittered, write_video
from tests.test_face_quality import good_frame
from ui.app import build_kiosk_window
from ui.kiosk import theme
from ui.kiosk.face_check import READY, TAKEN
from ui.kiosk.window import COUNTDOWN_S, KioskWindow

from .kiosk_steps import answer_questions, choose_item, open_applications, tap, type_digits
from .screen_checks import elided_items, problems, settle, short_controls, shot, unnamed

TIMEOUT_MS = 10_000
ORIENTATIONS = {"portrait": QSize(1080, 1920), "landscape": QSize(1920, 1080)}
LOOKS = {  # the defaults, what a citizen with both 大字 and 高对比 on sees, and the two between
    "default": (theme.DEFAULT, theme.LARGE),
    "high-contrast-larger": (theme.HIGH_CONTRAST, theme.LARGER),
    "default-larger": (theme.DEFAULT, theme.LARGER),
    "high-contrast": (theme.HIGH_CONTRAST, theme.LARGE),
}
INSURED = PersonRead(  # seeded by `yibao central seed-demo`, with records
    id_kind=IdKind.RESIDENT_ID,
    id_number="441802199001011239",
    name="张三",
    source="id_card",
)
ANNOUNCEMENT = {
    "id": 1,
    "title": "2027年度城乡居民医保开始缴费",
    "body": "缴费时间为2026年9月1日至12月31日，可以在村委会、银行网点或手机上缴费。",
}

Look = Callable[[QWidget], None]


@dataclass
class Kiosk:
    win: KioskWindow
    qtbot: QtBot
    face_video: Path
    language: str = "zh_CN"
    look: tuple[theme.KioskTheme, theme.SizePreset] = (theme.DEFAULT, theme.LARGE)


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


@pytest.fixture(scope="module")
def terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A kiosk terminal of the centre's demo station, activated and synced once, shared by the
    module's windows (the centre and its demo people take seconds to set up)."""
    root = tmp_path_factory.mktemp("kiosk-screens")
    with running_centre(root / "centre") as centre:
        seeded = centre.seed_demo()
        ctx = AppContext.open(root / "data")
        try:
            ctx.settings = ctx.settings.with_changes(
                devices=ctx.settings.devices.with_changes(
                    id_card=IdCardDriver.SIMULATED,  # the test lays the card on it
                    ssc_card=SscCardDriver.NONE,
                    camera=CameraDriver.SIMULATED,
                )
            )
            activate(ctx, centre.url, seeded["enrolment_code"], "kiosk-screens")
            assert SyncEngine(ctx).run_once().error is None
            SyncStateStore(ctx.db).set(announcements=json.dumps([ANNOUNCEMENT]))
            yield ctx
        finally:
            ctx.close()


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A webcam's MJPG stream of a face that passes the quality gate."""
    return write_video(tmp_path_factory.mktemp("video") / "face.avi", jittered(good_frame(), 10))


@pytest.fixture
def kiosk(qtbot: QtBot, terminal: AppContext, face_video: Path) -> Iterator[Kiosk]:
    win = build_kiosk_window(terminal, demo=False, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.lane.pending == 0, timeout=TIMEOUT_MS)
    yield Kiosk(win, qtbot, face_video)
    win._leaving = True  # the test, not a citizen, closes it
    win.close()


def use_look(win: KioskWindow, kiosk_theme: theme.KioskTheme, preset: theme.SizePreset) -> None:
    """The citizen's choice (大字, 高对比) on every page's bar; the window applies it. Until the
    window is wired to the choice, the look is applied here as the window would."""
    for page in (win.attract, win.identify, win.home):
        page.a11y.set_choice(
            larger=preset is theme.LARGER, high_contrast=kiosk_theme is theme.HIGH_CONTRAST
        )
    wanted = theme.stylesheet(kiosk_theme, preset, control_height_px=theme.min_control_height_px())
    if win.styleSheet() != wanted:
        theme.apply(win, kiosk_theme, preset)


# ---- the screens, in the order they are walked ------------------------------------------------
def attract(k: Kiosk, look: Look) -> None:
    assert k.win.pages.currentWidget() is k.win.attract
    k.qtbot.waitUntil(lambda: k.win.attract.title.text() == ANNOUNCEMENT["title"])
    look(k.win)


def identify(k: Kiosk, look: Look) -> None:
    """ "Who are you", with the centre's answer to an e-voucher it never issued."""
    k.qtbot.mouseClick(k.win.attract.start_button, Qt.MouseButton.LeftButton)
    assert k.win.pages.currentWidget() is k.win.identify
    k.win.devices.code_scanned.emit("YBEV1." + secrets.token_urlsafe(32))  # as a scanner would
    k.qtbot.waitUntil(lambda: bool(k.win.identify.status.text()), timeout=TIMEOUT_MS)
    assert "查无此电子凭证" in k.win.identify.status.text()
    look(k.win)


def home(k: Kiosk, look: Look) -> None:
    """The demo insured person's ID card on the reader: the home page greets them, masked."""
    assert k.win.devices.put_demo_card(INSURED)
    k.qtbot.waitUntil(lambda: k.win.pages.currentWidget() is k.win.home, timeout=TIMEOUT_MS)
    assert INSURED.name not in k.win.home.greeting.text()
    look(k.win)


def query(k: Kiosk, look: Look) -> None:
    """The reimbursements (the longest lines), answered by the centre."""
    page = k.win.query_page
    k.qtbot.mouseClick(k.win.home.query_buttons["reimbursements"], Qt.MouseButton.LeftButton)
    k.qtbot.waitUntil(lambda: page.results.count() > 0, timeout=TIMEOUT_MS)
    look(k.win)


def query_offline(k: Kiosk, look: Look) -> None:
    """The centre unreachable: the message and where to go instead. The centre is shared by the
    module, so its failure is the queries' own signal with the real message here; the path to
    a stopped centre is tested in tests/test_kiosk_queries.py."""
    k.win.queries.failed.emit(InsuredOffline().text(k.language))
    assert k.win.query_page.results.count() == 0
    look(k.win)


def countdown(k: Kiosk, look: Look) -> None:
    """The idle warning over the home page (the countdown's own signal: its timing is tested
    in tests/test_kiosk_window.py)."""
    k.qtbot.mouseClick(k.win.query_page.back_button, Qt.MouseButton.LeftButton)
    k.win.countdown.warning.emit(COUNTDOWN_S)
    assert not k.win.banner.isHidden()
    look(k.win)
    k.win.countdown.resumed.emit()


def technician(k: Kiosk, look: Look) -> None:
    """The technician's password prompt after the hidden gesture: looked at from inside its
    own event loop, then cancelled. A timer closes it if it never came, so the test fails
    rather than hangs."""
    seen: list[QWidget] = []

    def inside() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            settle()
            look(dialog)
            seen.append(dialog)
            dialog.reject()

    timers = [QTimer(k.win), QTimer(k.win)]
    for timer, after, then in ((timers[0], 200, inside), (timers[1], TIMEOUT_MS, _close_modal)):
        timer.setSingleShot(True)
        timer.timeout.connect(then)
        timer.start(after)
    try:
        k.win.ask_technician()
    finally:
        for timer in timers:
            timer.stop()  # none may fire later, into another screen's dialog
    assert seen, "the technician's prompt did not open"


def _close_modal() -> None:
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QDialog):
        dialog.reject()


# ---- an application: 异地长期居住人员备案, every kind of question --------------------------
LONG_STAY = "YD-BA-010"
CANCEL = "YD-BAQX-013"  # 异地就医备案取消: three questions, then the face check


def _question(k: Kiosk) -> Ask:
    question = k.win.application.question.question
    assert k.win.application.pages.currentWidget() is k.win.application.question
    assert question is not None
    return question.ask


def apply_choice(k: Kiosk, look: Look) -> None:
    """The applications the citizen may make here."""
    open_applications(k.qtbot, k.win)
    assert LONG_STAY in k.win.application.choice.buttons
    look(k.win)


def question_phone(k: Kiosk, look: Look) -> None:
    """The phone number on the large keypad, a few digits typed."""
    choose_item(k.qtbot, k.win, LONG_STAY)
    assert _question(k) is Ask.PHONE
    type_digits(k.qtbot, k.win.application.question.phone_pad, "1380013")
    look(k.win)


def question_choice(k: Kiosk, look: Look) -> None:
    page = k.win.application.question
    page.phone_pad.clear()
    answer_questions(k.qtbot, k.win, {"phone": "13800138000"}, until="residence_type")
    assert _question(k) is Ask.CHOICE and len(page.choice_buttons) >= 2
    look(k.win)


def region_province(k: Kiosk, look: Look) -> None:
    page = k.win.application.question
    tap(k.qtbot, page.choice_buttons[0])
    assert _question(k) is Ask.REGION and not page.region.path
    look(k.win)


def region_county(k: Kiosk, look: Look) -> None:
    """A city's counties (the longest names), with "the whole city"."""
    region = k.win.application.question.region
    for name in ("河北省", "石家庄市"):
        tap(k.qtbot, next(b for b in region.buttons if b.isVisible() and b.text() == name))
    assert region.whole_button.isVisible() and len(region.path) == 2
    look(k.win)


def question_date(k: Kiosk, look: Look) -> None:
    """A date on the keypad, "today" touched."""
    page = k.win.application.question
    tap(k.qtbot, page.region.whole_button)
    assert _question(k) is Ask.DATE
    tap(k.qtbot, page.today_button)
    look(k.win)


def question_yes_no(k: Kiosk, look: Look) -> None:
    page = k.win.application.question
    tap(k.qtbot, page.next_button)
    assert _question(k) is Ask.YES_NO and len(page.choice_buttons) == 2
    look(k.win)


def face_guidance(k: Kiosk, look: Look) -> None:
    """The guided face photo: the face in the frame, "hold still"."""
    flow = k.win.application
    tap(k.qtbot, flow.question.choice_buttons[0])
    face = k.win.face_check
    assert flow.pages.currentWidget() is face
    face.start(OpenCvCamera(k.face_video, loop=True))  # see the module's docstring
    k.qtbot.waitUntil(
        lambda: face.guidance_code in (READY, TAKEN) and not face.preview.pixmap().isNull(),
        timeout=TIMEOUT_MS,
    )
    look(k.win)


def face_taken(k: Kiosk, look: Look) -> None:
    """The photo taken: "take it again" or "use this photo"."""
    face = k.win.face_check
    k.qtbot.waitUntil(lambda: face.guidance_code == TAKEN, timeout=TIMEOUT_MS)
    assert face.use_button.isVisible() and face.retake_button.isVisible()
    look(k.win)


def _restart_photo(k: Kiosk, camera: SimulatedCamera | None) -> None:
    flow = k.win.application
    assert flow.plan is not None and flow.photo.material is not None
    n = [m.code for m in flow.plan.photos].index(flow.photo.material.code)
    flow.photo.show_material(flow.photo.material, camera, n + 1, len(flow.plan.photos))


def photo_before(k: Kiosk, look: Look) -> None:
    """The first paper under the camera (the simulated camera's paper scene)."""
    flow = k.win.application
    tap(k.qtbot, k.win.face_check.use_button)
    assert flow.pages.currentWidget() is flow.photo
    _restart_photo(k, SimulatedCamera("materials"))
    k.qtbot.waitUntil(flow.photo.shoot_button.isEnabled, timeout=TIMEOUT_MS)
    look(k.win)


def photo_after(k: Kiosk, look: Look) -> None:
    page = k.win.application.photo
    tap(k.qtbot, page.shoot_button)
    k.qtbot.waitUntil(page.keep_button.isVisible, timeout=TIMEOUT_MS)
    look(k.win)


def photo_no_camera(k: Kiosk, look: Look) -> None:
    """The second (optional) paper on a kiosk whose camera is gone (the page is given no
    camera, as the device hub gives when none is found)."""
    page = k.win.application.photo
    tap(k.qtbot, page.keep_button)
    assert k.win.application.pages.currentWidget() is page
    _restart_photo(k, None)
    settle()  # a frame the first paper's camera had queued must not bring "take photo" back
    assert not page.shoot_button.isVisible() and "摄像头" in page.status.text()
    look(k.win)
    assert not page.shoot_button.isVisible() and "摄像头" in page.status.text()


def review(k: Kiosk, look: Look) -> None:
    """The masked summary, and what the handler will telephone about."""
    flow = k.win.application
    tap(k.qtbot, flow.photo.skip_button)
    assert flow.pages.currentWidget() is flow.review
    assert flow.review.note.isVisibleTo(flow.review) and flow.review.confirm_button.isEnabled()
    look(k.win)


def done(k: Kiosk, look: Look) -> None:
    """Saved: the number, the receipt, the rating."""
    flow = k.win.application
    with k.qtbot.waitSignal(flow.filed, timeout=TIMEOUT_MS):
        tap(k.qtbot, flow.review.confirm_button)
    assert flow.pages.currentWidget() is flow.done
    look(k.win)


def rating_reasons(k: Kiosk, look: Look) -> None:
    """中评: the reasons to touch."""
    rating = k.win.application.done.rating
    tap(k.qtbot, rating.level_buttons[Rating.FAIR])
    assert rating.reason_buttons and rating.send_button.isVisible()
    look(k.win)


def review_blocked(k: Kiosk, look: Look) -> None:
    """An application that needs the face check on a kiosk whose camera has failed: the
    review says why and nothing can be confirmed."""
    tap(k.qtbot, k.win.application.done.rating.skip_button)
    assert k.win.pages.currentWidget() is k.win.home
    hub, availability = k.win.devices, k.win.availability
    drivers = {kind: report.driver for kind, report in hub.reports.items()}
    failed = [
        dc_replace(s, working=False) if s.kind is DeviceKind.CAMERA else s for s in hub.statuses()
    ]
    availability.set_devices(failed, drivers)
    open_applications(k.qtbot, k.win)
    choose_item(k.qtbot, k.win, CANCEL)
    flow = k.win.application
    assert flow.plan is not None
    answers: dict[str, object] = {"phone": "13800138000"}
    for question in flow.plan.questions:
        if question.ask is Ask.CHOICE:
            answers[question.key] = question.spec.choices[0].value
    last = flow.plan.questions[-1]
    answer_questions(k.qtbot, k.win, answers, until=last.key)
    tap(k.qtbot, flow.question.choice_buttons[0])  # then the face check: blocked
    assert flow.pages.currentWidget() is flow.review
    assert not flow.review.confirm_button.isEnabled() and flow.review.status.text()
    look(k.win)
    availability.set_devices(hub.statuses(), drivers)


def service_unavailable(k: Kiosk, look: Look) -> None:
    """The certificate asked for with the A4 printer out of paper."""
    flow = k.win.application
    tap(k.qtbot, flow.review.back_button)
    k.qtbot.waitUntil(lambda: k.win.pages.currentWidget() is k.win.home, timeout=TIMEOUT_MS)
    k.win.availability.set_printer(
        PrinterState(DeviceKind.DOCUMENT_PRINTER, present=True, accepting=False, paper=Paper.OUT)
    )
    tap(k.qtbot, k.win.home.print_buttons["enrolment_cert"])
    assert "不能打印证明" in k.win.query_page.status.text()
    look(k.win)


def card_notice(k: Kiosk, look: Look) -> None:
    """After the session, "take your card" on the attract screen. The simulated reader's card
    is taken out with the session; the notice stays for a card left in a real reader, so the
    session shown is begun by the hub's own signal (a card read) with no card on the
    simulated reader."""
    tap(k.qtbot, k.win.query_page.back_button)
    tap(k.qtbot, k.win.home.finish_button)
    k.qtbot.waitUntil(k.win.card_notice.isHidden, timeout=TIMEOUT_MS)  # the demo card is out
    k.win.devices.person_read.emit(INSURED)
    k.qtbot.waitUntil(lambda: k.win.pages.currentWidget() is k.win.home, timeout=TIMEOUT_MS)
    tap(k.qtbot, k.win.home.finish_button)
    assert k.win.pages.currentWidget() is k.win.attract and not k.win.card_notice.isHidden()
    use_look(k.win, *k.look)  # reset for the next person; checked in every look here
    look(k.win)


SCREENS: list[tuple[str, Callable[[Kiosk, Look], None]]] = [
    ("attract", attract),
    ("identify", identify),
    ("home", home),
    ("query", query),
    ("query-offline", query_offline),
    ("countdown", countdown),
    ("technician", technician),
    ("apply-choice", apply_choice),
    ("question-phone", question_phone),
    ("question-choice", question_choice),
    ("region-province", region_province),
    ("region-county", region_county),
    ("question-date", question_date),
    ("question-yes-no", question_yes_no),
    ("face-guidance", face_guidance),
    ("face-taken", face_taken),
    ("photo-before", photo_before),
    ("photo-after", photo_after),
    ("photo-no-camera", photo_no_camera),
    ("review", review),
    ("done", done),
    ("rating-reasons", rating_reasons),
    ("review-blocked", review_blocked),
    ("service-unavailable", service_unavailable),
    ("card-notice", card_notice),
]


# ---- the test ---------------------------------------------------------------------------------
@pytest.mark.parametrize("look_name", LOOKS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_every_kiosk_screen(kiosk: Kiosk, orientation: str, look_name: str) -> None:
    size = ORIENTATIONS[orientation]
    kiosk_theme, preset = LOOKS[look_name]
    win = kiosk.win
    kiosk.look = (kiosk_theme, preset)
    win.resize(size)
    use_look(win, kiosk_theme, preset)
    settle()
    assert win.size() == size
    min_px = theme.min_control_height_px(21.0, size.width(), size.height())
    found: dict[str, list[str]] = {}
    saved: list[Path] = []

    for name, go in SCREENS:

        def look(top: QWidget, name: str = name) -> None:
            settle()
            saved.append(shot(top, f"kiosk-{name}-{orientation}-{look_name}"))
            if top is not win:  # a dialog: on the screen, whole
                assert top.width() <= size.width() and top.height() <= size.height(), name
            strict = top is win  # Qt's own dialogs are named by their buttons' text
            wrong = (
                problems(top)
                + elided_items(top)
                + short_controls(top, min_px)
                + unnamed(top, strict=strict)
            )
            if wrong:
                found[name] = wrong

        started = time.monotonic()
        use_look(win, kiosk_theme, preset)  # a screen may have ended a session and reset it
        go(kiosk, look)
        assert time.monotonic() - started < 15, f"{name} took too long"

    assert [p.name for p in saved] == [
        f"kiosk-{name}-{orientation}-{look_name}.png" for name, _ in SCREENS
    ]
    assert not found, "\n".join(f"{n}:\n  " + "\n  ".join(w) for n, w in found.items())


def test_the_checks_find_a_short_control_and_a_cut_row(qtbot: QtBot) -> None:
    """The kiosk's own checks fail when they should: a button under 15 mm, and a row of a
    view that wraps its text (a table here) shorter than its text wrapped."""
    top = QWidget()
    qtbot.addWidget(top)
    button = QPushButton("确定", top)
    button.setAccessibleName("确定")
    button.setFixedHeight(40)
    rows = QTableWidget(2, 1, top)
    assert rows.wordWrap()
    rows.setItem(0, 0, QTableWidgetItem("短"))
    rows.setItem(1, 0, QTableWidgetItem("一条很长很长的记录，" * 6))
    rows.setColumnWidth(0, 200)
    layout = QVBoxLayout(top)
    layout.addWidget(button)
    layout.addWidget(rows)
    top.resize(400, 600)
    top.show()
    qtbot.waitExposed(top)
    settle()
    short = short_controls(top, 62)
    assert len(short) == 1 and "40 px" in short[0]
    cut = elided_items(top)
    assert len(cut) == 1 and "row 1" in cut[0], cut
    button.setFixedHeight(62)
    rows.resizeRowsToContents()
    settle()
    assert short_controls(top, 62) == [] and elided_items(top) == []
