"""Every counter screen at 1366×768 and 1920×1080, with nothing cut off.

The main window on each tab and each step of a filing (form filled; materials with a face
photo, pages and a signature; the review page; the queue with a refused and a needs-materials
filing among others; today's summary), and every dialog the counter opens: log-in, password
change, the lock screen, signature, rating, one-time notice, supplement, face capture and the
scan picker. The window is resized to exactly each screen size; dialogs keep their own size,
parented to the window at both sizes, and must fit on the screen. Each is saved to
`test-artifacts/screenshots/counter-<screen>-<W>x<H>.png` before it is checked (so a failure
can be looked at) and checked with `tests/screen_checks.py`.

Dialogs the window runs with exec() (lock, password, face capture) are answered from a timer
inside their event loop, and a safety timer closes any still open after a while, so a test
fails rather than hangs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QSize, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabBar,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.context import AppContext
from app.drills import DrillFiler
from app.ratings import Rating
from app.services.demo_data import demo_values
from app.services.station_service import DEMO_OPERATOR_CODE, DEMO_PASSWORD
from app.settings import scan_folder_path
from app.store.models import Filing
from devices.simulated_identity import SimulatedIdentityReader
from ui.app import build_counter_window
from ui.camera.face_capture_dialog import WAITING_ZH, FaceCaptureDialog
from ui.counter.main_window import CounterWindow
from ui.login.login_dialog import LoginDialog
from ui.login.logins import Logins
from ui.login.password_dialog import PasswordDialog

from .counter_steps import answer_rating, page_jpeg, read_card, take_face_photo
from .screen_checks import (
    SCREENS,
    SMALL,
    assert_fits,
    elided_items,
    minimum_culprits,
    problems,
    settle,
    shot,
    size_name,
)

TIMEOUT_MS = 10_000
FACE_ITEM = "YD-BA-011"  # a face photo, one required material and two optional ones
LEFT = Qt.MouseButton.LeftButton
D = TypeVar("D", bound=QDialog)
# A known finding, not yet fixed: the item list stays 300 px wide at both sizes (the window's
# splitter gives every extra pixel to the tabs), so the three longest item names end in "…"
# (the full name is in the tooltip). Remove this when the list shows them whole.
KNOWN_ELIDED = frozenset({"itemTree"})


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Every screen is checked in Chinese, the longer labels (see conftest)."""


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[CounterWindow]:
    """The window as `yibao gui` opens it after a log-in: lock, switch and password buttons."""
    win = build_counter_window(ctx, demo=True, language="zh_CN", logins=Logins(ctx))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(
        lambda: win.db_lane.pending == 0 and bool(win.items.codes()), timeout=TIMEOUT_MS
    )
    yield win
    win.shutdown()


# ---- checking one screen ------------------------------------------------------------------
def resize_window(win: CounterWindow, size: QSize, *, check: bool = True) -> None:
    win.resize(size)
    settle()
    if check:
        assert_window_size(win, size)


def assert_window_size(win: CounterWindow, size: QSize) -> None:
    assert win.size() == size, (
        f"the window cannot shrink to {size_name(size)} (minimum "
        f"{win.minimumSizeHint().width()}x{win.minimumSizeHint().height()}):\n"
        + "\n".join(minimum_culprits(win, size))
    )


def check_window(win: CounterWindow, screen: str) -> None:
    """The window as it is now, at both sizes: shot (whatever the size it took), then
    checked; and its minimum size (what the operator could shrink it to) fits the small
    screen."""
    for size in SCREENS:
        resize_window(win, size, check=False)
        shot(win, f"counter-{screen}-{size_name(size)}")
        assert_window_size(win, size)
        assert_fits(win, allow_elided=KNOWN_ELIDED)
    hint = win.minimumSizeHint()
    assert hint.width() <= SMALL.width() and hint.height() <= SMALL.height(), (
        f"{screen}: minimum {hint.width()}x{hint.height()}\n"
        + "\n".join(minimum_culprits(win, SMALL))
    )


def check_dialog(win: CounterWindow, dialog: QDialog, screen: str) -> None:
    """A dialog over the window at both window sizes: at its own size, on the screen, whole."""
    assert dialog.parentWidget() is not None and dialog.parentWidget().window() is win
    for size in SCREENS:
        resize_window(win, size)
        assert dialog.isVisible(), screen
        shot(dialog, f"counter-{screen}-{size_name(size)}")
        hint = dialog.minimumSizeHint()
        assert dialog.width() <= size.width() and dialog.height() <= size.height(), (
            screen,
            dialog.size(),
        )
        assert hint.width() <= size.width() and hint.height() <= size.height(), (screen, hint)
        assert_fits(dialog)


@contextmanager
def closing_after(kind: type[QDialog], ms: int = TIMEOUT_MS) -> Iterator[None]:
    """A safety net: any dialog of `kind` still open after `ms` is closed (done(), which even
    the lock screen's reject() cannot refuse), so an exec() that waits for something that
    never comes ends the test instead of hanging it."""

    def close_all() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                widget.done(QDialog.DialogCode.Rejected)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(close_all)
    timer.start(ms)
    try:
        yield
    finally:
        timer.stop()


@contextmanager
def answering(kind: type[D], act: Callable[[D], None]) -> Iterator[list[BaseException]]:
    """While the block runs a modal exec(): once a dialog of `kind` is the active modal
    widget, `act` runs inside its event loop. What `act` raises is kept (raised by the test
    after exec() returns) and the dialog is closed, so nothing hangs."""
    errors: list[BaseException] = []
    poll = QTimer()
    poll.setInterval(50)

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            return
        poll.stop()
        try:
            act(dialog)
        except BaseException as exc:
            errors.append(exc)
            dialog.done(QDialog.DialogCode.Rejected)

    poll.timeout.connect(attempt)
    poll.start()
    try:
        with closing_after(kind):
            yield errors
    finally:
        poll.stop()


def raise_first(errors: list[BaseException]) -> None:
    if errors:
        raise errors[0]


def test_the_checks_see_what_is_cut_off(qtbot: QtBot) -> None:
    """The checks themselves: each kind of cut-off they are meant to see, seen."""
    top = QWidget()
    qtbot.addWidget(top)
    top.resize(300, 200)
    inner = QWidget(top)
    inner.setGeometry(0, 0, 150, 200)
    clipped = QPushButton("clipped by its parent", inner)
    clipped.setGeometry(100, 10, 120, 30)
    squeezed = QPushButton("a long button text", top)
    squeezed.setGeometry(160, 10, 40, 30)
    one, two = QLabel("one", top), QLabel("two", top)
    one.setGeometry(160, 60, 60, 20)
    two.setGeometry(170, 65, 60, 20)
    wrapped = QLabel("a label that wraps over several lines " * 3, top)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(160, 100, 120, 20)
    tabs = QTabBar(top)
    for n in range(6):
        tabs.addTab(f"tab number {n}")
    tabs.setGeometry(0, 160, 150, 30)
    progress = QProgressBar(top)
    progress.setFormat("uploading 3 / 12, 1.2 MB")
    progress.setValue(25)
    progress.setGeometry(0, 120, 60, 20)
    items = QTreeWidget(top)
    items.setHeaderHidden(True)
    QTreeWidgetItem(items, ["an item name far too long for this narrow tree"])
    items.setGeometry(160, 130, 60, 60)
    top.show()
    qtbot.waitExposed(top)
    settle()
    found = "\n".join(problems(top) + elided_items(top))
    assert "clipped by its parent" in found and "sticks out" in found
    assert "squeezed" in found
    assert "overlaps" in found
    assert "text cut" in found
    assert "scrolled out of view" in found
    assert "'uploading 3 / 12, 1.2 MB' cut" in found
    assert "an item name far" in found and "shows" in found
    items.setObjectName("narrowTree")
    assert elided_items(top, skip=frozenset({"narrowTree"})) == []


# ---- the filing, step by step -------------------------------------------------------------
def write_scans(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"scan-{n + 1:03d}.jpg").write_bytes(page_jpeg(f"SCAN {n + 1}"))


def signature_strokes(qtbot: QtBot, win: CounterWindow) -> QDialog:
    qtbot.mouseClick(win.materials.sign_button, LEFT)
    dialog = win.signature_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    pad, h = dialog.pad, dialog.pad.height()
    QTest.mousePress(pad, LEFT, Qt.KeyboardModifier.NoModifier, QPoint(40, h // 2))
    for x in range(50, 420, 15):
        QTest.mouseMove(pad, QPoint(x, h // 2 + (18 if (x // 15) % 2 else -18)))
    QTest.mouseRelease(pad, LEFT, Qt.KeyboardModifier.NoModifier, QPoint(420, h // 2))
    assert dialog.confirm_button.isEnabled()
    return dialog


def test_a_filing_step_by_step(qtbot: QtBot, window: CounterWindow, ctx: AppContext) -> None:
    check_window(window, "first-screen")
    item = ctx.catalog.current().item(FACE_ITEM)
    assert window.items.select(item.code)
    read_card(qtbot, window)
    assert window.person is not None
    window.form.set_values(demo_values(item, window.person.read, random.Random(3)))
    check_window(window, "form")
    window.proxy.proxy_toggle.setChecked(True)  # 代办: the applicant's card slot and relation
    check_window(window, "form-proxy")
    window.proxy.proxy_toggle.setChecked(False)

    # Step 2: the scanner's folder, with a few scans in it.
    window.steps.setCurrentWidget(window.materials)
    write_scans(scan_folder_path(ctx.settings.devices, ctx.paths.root), 3)
    checklist = window.materials.checklist
    checklist.open_scans("id_copy")
    picker = checklist.picker
    assert picker is not None
    qtbot.waitUntil(lambda: picker.isVisible() and len(picker.files()) == 3, timeout=TIMEOUT_MS)
    check_dialog(window, picker, "scan-picker")
    picker.reject()

    # The capture dialog as the citizen sees it (not taking the photo, so it holds still)...
    camera = window.devices.make_camera()
    assert camera is not None
    face = FaceCaptureDialog(camera, window, mode="face", language="zh_CN", auto_capture=False)
    face.open()
    try:
        qtbot.waitUntil(
            lambda: (
                face.preview.pixmap() is not None
                and not face.preview.pixmap().isNull()
                and face.guidance.text() != WAITING_ZH
            ),
            timeout=TIMEOUT_MS,
        )
        check_dialog(window, face, "face-capture-dialog")
    finally:
        face.reject()
    assert not face.session.running
    # ...then the photo taken the window's way (exec(); it captures by itself).
    with closing_after(FaceCaptureDialog, 20_000):
        take_face_photo(qtbot, window)

    # Some pages (the required one and an optional one) and the signature.
    checklist.add_page("id_copy", page_jpeg("ID 1"), "image/jpeg", "camera")
    checklist.add_page("id_copy", page_jpeg("ID 2"), "image/jpeg", "camera")
    checklist.add_page("referral_form", page_jpeg("REFERRAL"), "image/jpeg", "camera")
    signature = signature_strokes(qtbot, window)
    check_dialog(window, signature, "signature-dialog")
    qtbot.mouseClick(signature.confirm_button, LEFT)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.materials.signature is not None, timeout=TIMEOUT_MS)
    window.steps.setCurrentWidget(window.materials)
    check_window(window, "materials")

    # Step 3, the review page, then confirm: saved, the receipt, the rating.
    qtbot.mouseClick(window.save_button, LEFT)
    assert window.steps.currentWidget() is window.review, window.message.text()
    assert window.review.confirm_button.isEnabled(), window.review.blocking_problems()
    check_window(window, "review")
    qtbot.mouseClick(window.review.confirm_button, LEFT)
    qtbot.waitUntil(lambda: window.last_saved is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.rating_dialog is not None and window.rating_dialog.isVisible(),
        timeout=TIMEOUT_MS,
    )
    rating = window.rating_dialog
    assert rating is not None
    check_dialog(window, rating, "rating-dialog")
    qtbot.mouseClick(rating.level_buttons[Rating.POOR], LEFT)  # the most reasons offered
    check_dialog(window, rating, "rating-dialog-reasons")
    answer_rating(qtbot, window, "poor")
    qtbot.waitUntil(lambda: window.last_printed is not None, timeout=TIMEOUT_MS)
    check_window(window, "saved")


def test_the_one_time_notice_before_filing(
    qtbot: QtBot, window: CounterWindow, ctx: AppContext
) -> None:
    """Step 2 with the required material missing: the notice shown on screen for the citizen
    to photograph (nothing filed yet)."""
    item = ctx.catalog.current().item(FACE_ITEM)
    assert window.items.select(item.code)
    read_card(qtbot, window)
    assert window.person is not None
    window.steps.setCurrentWidget(window.materials)
    assert window.materials.checklist.missing_required()
    with qtbot.captureExceptions() as raised:
        qtbot.mouseClick(window.materials.show_notice_button, LEFT)
        settle()
    assert not raised, "Show notice raised " + "; ".join(repr(e[1]) for e in raised)
    qtbot.waitUntil(
        lambda: window.notice_dialog is not None and window.notice_dialog.isVisible(),
        timeout=3000,
    )
    assert window.notice_dialog is not None
    check_dialog(window, window.notice_dialog, "notice-dialog")
    window.notice_dialog.reject()


# ---- the queue, the summary and the supplement --------------------------------------------
def test_queue_summary_and_supplement(qtbot: QtBot, window: CounterWindow, ctx: AppContext) -> None:
    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=41, read_delay=0).read, 41)
    uids = [drills.file().uid for _ in range(6)]  # accepted with materials to follow
    with ctx.db.write() as s:
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[0])
            .values(state="refused", receipt_no="SL2026000101", centre_message="不符合参保条件")
        )
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[1])
            .values(
                state="needs_materials",
                receipt_no="SL2026000102",
                centre_message="请补充户口簿首页及本人页",
            )
        )
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[2])
            .values(state="in_review", receipt_no="SL2026000103")
        )
    window.refresh()
    window.tabs.setCurrentWidget(window.queue)
    queue = window.queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == len(uids), timeout=TIMEOUT_MS)
    assert {queue.model.row(n).state for n in range(len(uids))} >= {"refused", "needs_materials"}
    assert queue.select_filing(uids[1])
    assert queue.supplement_button.isEnabled()
    check_window(window, "queue")

    qtbot.mouseClick(queue.supplement_button, LEFT)
    qtbot.waitUntil(
        lambda: window.supplement_dialog is not None and window.supplement_dialog.isVisible(),
        timeout=TIMEOUT_MS,
    )
    supplement = window.supplement_dialog
    assert supplement is not None
    supplement.checklist.add_page("id_copy", page_jpeg("MORE"), "image/jpeg", "camera")
    check_dialog(window, supplement, "supplement-dialog")
    supplement.reject()

    window.tabs.setCurrentWidget(window.summary)
    qtbot.waitUntil(lambda: window.summary.figures["today"].text() == "6", timeout=TIMEOUT_MS)
    check_window(window, "summary")


def test_the_status_bar_of_a_station_with_a_centre(window: CounterWindow) -> None:
    """The status bar as a station that syncs shows it on a bad day: the centre out of
    reach, filings undelivered for over a day, an upload under way, Sync now (what
    `_on_sync_*` show; the demo station has no centre to show them)."""
    status = window.status
    status.sync_button.show()
    status.set_last_sync("10:42")
    status.set_network(online=False, reason="无法连接中心平台。")
    status.set_attention(3)
    status.set_sending(3, 12, 1_200_000)
    check_window(window, "status-bar-with-centre")


# ---- log-in, password, lock ---------------------------------------------------------------
def test_log_in_password_and_lock(qtbot: QtBot, window: CounterWindow, ctx: AppContext) -> None:
    logins = window.logins
    assert logins is not None
    hint = (
        QCoreApplication.translate("LoginDialog", "Demo station: operator %1, password %2")
        .replace("%1", DEMO_OPERATOR_CODE)
        .replace("%2", DEMO_PASSWORD)
    )
    station = ctx.stations.ensure_demo_station(ctx.catalog.current())
    login = LoginDialog(  # as at start-up (ui.app.log_in), over the window for the check
        logins.login,
        "zh_CN",
        window,
        station_name=station.name,
        operator_code=DEMO_OPERATOR_CODE,
        demo_hint=hint,
    )
    login.open()
    qtbot.waitExposed(login)
    try:
        check_dialog(window, login, "login-dialog")
    finally:
        login.reject()

    def password(dialog: PasswordDialog) -> None:
        check_dialog(window, dialog, "password-dialog")
        qtbot.mouseClick(dialog.cancel_button, LEFT)

    with answering(PasswordDialog, password) as errors:
        qtbot.mouseClick(window.password_button, LEFT)  # returns when the dialog closes
    raise_first(errors)

    seen: list[bool] = []

    def locked(dialog: LoginDialog) -> None:
        seen.append(window.splitter.isVisible())
        for size in SCREENS:
            resize_window(window, size)
            shot(window, f"counter-lock-{size_name(size)}")
            assert_fits(window, allow_elided=KNOWN_ELIDED)
        check_dialog(window, dialog, "lock-dialog")
        dialog.password.setText(DEMO_PASSWORD)
        dialog.submit()  # unlocks once the log-in is checked on its lane

    with answering(LoginDialog, locked) as errors:
        qtbot.mouseClick(window.lock_button, LEFT)  # returns when unlocked
    raise_first(errors)
    assert seen == [False] and window.splitter.isVisible()
