"""Operators logging in on this terminal: the offline verifier, lock-out, the dialogs, the idle
lock and switching operator. The demo station has no centre, so these run the offline path;
tests/test_login_online.py runs the online one against the reference centre."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.login_service import LOCK_MINUTES, MAX_FAILURES, LoginFailed, LoginService
from app.services.station_service import DEMO_OPERATOR_CODE, DEMO_PASSWORD, StationInfo
from app.store.models import AuditEvent, Operator, utcnow
from tests.test_counter_gui import SHOTS
from ui.app import build_counter_window, save_screenshot, save_widget
from ui.counter.main_window import CounterWindow
from ui.login.idle_watch import IdleWatch
from ui.login.login_dialog import LoginDialog
from ui.login.logins import Logins


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Checked in Chinese (see conftest)."""


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now


def test_offline_log_in_checks_the_verifier_and_locks_after_failures(
    ctx: AppContext, station: StationInfo
) -> None:
    clock = Clock()
    logins = LoginService(ctx.db, now=clock)
    done = logins.login(DEMO_OPERATOR_CODE.lower(), DEMO_PASSWORD, None)  # codes are upper case
    assert done.operator.code == DEMO_OPERATOR_CODE and not done.online
    with ctx.db.read() as s:
        verifier = s.execute(
            select(Operator.verifier).where(Operator.code == DEMO_OPERATOR_CODE)
        ).scalar_one()
    assert verifier is not None and verifier.startswith("scrypt$") and DEMO_PASSWORD not in verifier
    with pytest.raises(LoginFailed) as unknown:
        logins.login("NOBODY", DEMO_PASSWORD, None)
    wrong_answers = []
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginFailed) as wrong:
            logins.login(DEMO_OPERATOR_CODE, "not-the-password", None)
        wrong_answers.append(wrong.value.zh)
    assert unknown.value.zh == "工号或密码不正确。"  # an unknown code reads like a wrong password
    assert wrong_answers == [unknown.value.zh] * MAX_FAILURES
    with pytest.raises(LoginFailed) as locked:
        logins.login(DEMO_OPERATOR_CODE, DEMO_PASSWORD, None)  # even the right one, while locked
    assert "分钟后再试" in locked.value.zh
    clock.now += dt.timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert logins.login(DEMO_OPERATOR_CODE, DEMO_PASSWORD, None).operator.code == DEMO_OPERATOR_CODE
    with ctx.db.read() as s:
        actions = s.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert [a for a, _ in actions].count("operator.login") == 2
    assert ("operator.login_refused", "locked") in [tuple(a) for a in actions]


def test_offline_log_in_expires_and_needs_a_first_online_log_in(
    ctx: AppContext, station: StationInfo
) -> None:
    clock = Clock()
    logins = LoginService(ctx.db, now=clock)
    clock.now += dt.timedelta(days=3651)  # past what the demo verifier allows
    with pytest.raises(LoginFailed) as expired:
        logins.login(DEMO_OPERATOR_CODE, DEMO_PASSWORD, None)
    assert "离线登录期限已过" in expired.value.zh
    with ctx.db.write() as s:
        s.add(Operator(code="NEW01", name="新人", status="active"))
    with pytest.raises(LoginFailed) as first:
        logins.login("NEW01", "whatever-it-is", None)
    assert "首次在本终端登录需要联网" in first.value.zh


def login_dialog(qtbot: QtBot, ctx: AppContext) -> LoginDialog:
    dialog = LoginDialog(Logins(ctx).login, "zh_CN", station_name="示范镇", operator_code="DEMO01")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_log_in_dialog(qtbot: QtBot, ctx: AppContext, station: StationInfo) -> None:
    dialog = login_dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "工号或密码不正确" in dialog.message.text(), timeout=5000)
    assert dialog.password.text() == "" and dialog.result_login is None
    save_widget(dialog, SHOTS / "login-refused.png")
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.result_login is not None


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[CounterWindow]:
    win = build_counter_window(ctx, demo=True, language="zh_CN", logins=Logins(ctx))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)
    yield win
    win.shutdown()


def answer_modal(qtbot: QtBot, act: Callable[[LoginDialog], None]) -> None:
    """When the modal log-in dialog shows, let `act` fill it (it runs inside exec())."""

    def attempt(tries: int = 50) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, LoginDialog):
            act(dialog)
        elif tries:
            QTimer.singleShot(50, lambda: attempt(tries - 1))

    QTimer.singleShot(50, attempt)


def test_the_lock_hides_the_screen_until_the_password(qtbot: QtBot, window: CounterWindow) -> None:
    seen: list[bool] = []

    def unlock(dialog: LoginDialog) -> None:
        seen.append(window.splitter.isVisible())
        save_screenshot(window, SHOTS / "counter-locked.png")
        dialog.reject()  # a locked screen cannot be dismissed
        assert dialog.isVisible()
        dialog.password.setText(DEMO_PASSWORD)
        dialog.submit()

    answer_modal(qtbot, unlock)
    qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)  # returns when unlocked
    assert seen == [False]
    assert window.splitter.isVisible()


def test_idle_time_locks(qtbot: QtBot) -> None:
    watch = IdleWatch(minutes=0.002)  # 120 ms
    watch.start()
    try:
        with qtbot.waitSignal(watch.idle, timeout=2000):
            pass
    finally:
        watch.stop()


def test_switching_to_an_unknown_operator_changes_nothing(
    qtbot: QtBot, window: CounterWindow
) -> None:
    def try_stranger(dialog: LoginDialog) -> None:
        dialog.code.setText("STRANGER")
        dialog.password.setText("some-password")
        dialog.submit()
        QTimer.singleShot(1500, dialog.reject)

    answer_modal(qtbot, try_stranger)
    qtbot.mouseClick(window.switch_button, Qt.MouseButton.LeftButton)
    assert "DEMO01" in window.session.operator_label.text()
