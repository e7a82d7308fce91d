"""The kiosk window offscreen on the demo station's simulated devices: the attract screen,
a citizen identified by card, the session's end by "finish" and by the idle countdown, and
nothing of the person left anywhere afterwards; no way out without the hidden gesture."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.identity import PersonRead
from sync.state import SyncStateStore
from ui.app import build_kiosk_window, save_screenshot
from ui.kiosk.privacy import find_traces
from ui.kiosk.window import EXIT_TAPS, KioskWindow

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


@pytest.fixture
def kiosk(qtbot: QtBot, ctx: AppContext) -> Iterator[KioskWindow]:
    ctx.stations.ensure_demo_station(ctx.catalog.current())
    SyncStateStore(ctx.db).set(
        announcements=json.dumps(
            [{"id": 1, "title": "医保缴费提醒", "body": "2027年度城乡居民医保开始缴费。"}],
            ensure_ascii=False,
        )
    )
    win = build_kiosk_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    qtbot.waitUntil(lambda: win.lane.pending == 0, timeout=5000)
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
    yield win
    win._leaving = True  # the test, not a citizen, closes it
    win.close()


def identify(qtbot: QtBot, win: KioskWindow) -> PersonRead:
    with qtbot.waitSignal(win.devices.person_read, timeout=5000) as read:
        assert win.devices.put_demo_card()
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.home, timeout=5000)
    person = read.args[0]
    assert isinstance(person, PersonRead)
    return person


def traces(win: KioskWindow, person: PersonRead) -> list[str]:
    roots = [w for w in QApplication.topLevelWidgets() if isinstance(w, QWidget)]
    return find_traces([person.name, person.id_number], roots, win.temp_dir)


def test_attract_then_a_card_then_finish_leaves_nothing(qtbot: QtBot, kiosk: KioskWindow) -> None:
    assert kiosk.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert kiosk.pages.currentWidget() is kiosk.attract
    assert kiosk.attract.title.text() == "医保缴费提醒"  # the centre's announcement first
    kiosk.attract.next_slide()
    assert "医保电子凭证" in kiosk.attract.title.text()  # then the explainers
    save_screenshot(kiosk, SHOTS / "kiosk-attract-1920x1080.png")
    qtbot.mouseClick(kiosk.attract.start_button, Qt.MouseButton.LeftButton)
    assert kiosk.pages.currentWidget() is kiosk.identify
    person = identify(qtbot, kiosk)
    greeting = kiosk.home.greeting.text()
    assert person.name not in greeting and person.id_number not in greeting  # masked
    assert person.name[0] in greeting
    save_screenshot(kiosk, SHOTS / "kiosk-home-1920x1080.png")
    (kiosk.temp_dir / "cert.pdf").write_bytes(person.id_number.encode())  # as a print would
    QGuiApplication.clipboard().setText(person.name)
    qtbot.mouseClick(kiosk.home.finish_button, Qt.MouseButton.LeftButton)
    assert kiosk.pages.currentWidget() is kiosk.attract
    assert kiosk.person is None
    assert traces(kiosk, person) == []


def test_the_idle_countdown_resets_the_session(qtbot: QtBot, ctx: AppContext) -> None:
    ctx.stations.ensure_demo_station(ctx.catalog.current())
    from ui.devices.hub import DeviceHub

    hub = DeviceHub("zh_CN")
    hub.discover(ctx.settings.devices, demo=True, receipts=ctx.paths.root / "receipts")
    station = ctx.stations.require_station()
    win = KioskWindow(ctx, hub, "zh_CN", station, idle_s=0.3, countdown_s=2)
    qtbot.addWidget(win)
    win.show()
    try:
        qtbot.waitUntil(lambda: hub.discovered, timeout=5000)
        person = identify(qtbot, win)  # a card laid down on the attract screen starts it
        with qtbot.waitSignal(win.countdown.warning, timeout=3000):
            pass
        assert "秒后将返回首页" in win.banner.text()
        assert not win.banner.isHidden()
        save_screenshot(win, SHOTS / "kiosk-countdown.png")
        with qtbot.waitSignal(win.countdown.expired, timeout=5000):
            pass
        assert win.pages.currentWidget() is win.attract and win.banner.isHidden()
        assert traces(win, person) == []
    finally:
        win._leaving = True
        win.close()


def test_no_way_out_but_the_hidden_gesture(qtbot: QtBot, kiosk: KioskWindow) -> None:
    event = QCloseEvent()
    kiosk.closeEvent(event)
    assert not event.isAccepted()  # Alt+F4 and the like do nothing
    kiosk.exit_gesture.asked.disconnect()
    asked: list[bool] = []
    kiosk.exit_gesture.asked.connect(lambda: asked.append(True))
    corner = kiosk.exit_corner()
    for _ in range(EXIT_TAPS - 1):
        qtbot.mouseClick(kiosk.centralWidget(), Qt.MouseButton.LeftButton, pos=corner)
    assert asked == []
    qtbot.mouseClick(kiosk.centralWidget(), Qt.MouseButton.LeftButton, pos=QPoint(10, 500))
    assert asked == []  # taps elsewhere do not count
    qtbot.mouseClick(kiosk.centralWidget(), Qt.MouseButton.LeftButton, pos=corner)
    assert asked == [True]
