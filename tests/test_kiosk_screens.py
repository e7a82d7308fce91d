"""Every kiosk screen in portrait (1080×1920) and landscape (1920×1080), in both themes at both
type presets, with nothing cut off.

One kiosk window per orientation and look, on a terminal of the reference centre (a real
process on 127.0.0.1, with the demo insured persons) and the simulated ID card reader; the
window is walked through `SCREENS` in order. Each screen is saved to
`test-artifacts/screenshots/kiosk-<screen>-<orientation>-<look>.png` before it is checked, so
a failure can be looked at, and checked for: anything cut off, clipped or overlapping
(`tests/screen_checks.py`), a control shorter than 15 mm on a 21-inch screen, a control or
picture without a name for a screen reader.

To add a screen (the applications' item choice, questions, keypad, region picker, face
check, review, receipt, rating): write `def my_screen(k: Kiosk, look: Look) -> None` that
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
from app.settings import CameraDriver, IdCardDriver, SscCardDriver
from sync.activation import activate
from sync.engine import SyncEngine
from sync.insured import InsuredOffline
from sync.state import SyncStateStore
from tests.centre_process import running_centre
from ui.app import build_kiosk_window
from ui.kiosk import theme
from ui.kiosk.window import COUNTDOWN_S, KioskWindow

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
    language: str = "zh_CN"


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
                    camera=CameraDriver.NONE,
                )
            )
            activate(ctx, centre.url, seeded["enrolment_code"], "kiosk-screens")
            assert SyncEngine(ctx).run_once().error is None
            SyncStateStore(ctx.db).set(announcements=json.dumps([ANNOUNCEMENT]))
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def kiosk(qtbot: QtBot, terminal: AppContext) -> Iterator[Kiosk]:
    win = build_kiosk_window(terminal, demo=False, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.lane.pending == 0, timeout=TIMEOUT_MS)
    yield Kiosk(win, qtbot)
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


SCREENS: list[tuple[str, Callable[[Kiosk, Look], None]]] = [
    ("attract", attract),
    ("identify", identify),
    ("home", home),
    ("query", query),
    ("query-offline", query_offline),
    ("countdown", countdown),
    ("technician", technician),
]


# ---- the test ---------------------------------------------------------------------------------
@pytest.mark.parametrize("look_name", LOOKS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_every_kiosk_screen(kiosk: Kiosk, orientation: str, look_name: str) -> None:
    size = ORIENTATIONS[orientation]
    kiosk_theme, preset = LOOKS[look_name]
    win = kiosk.win
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
