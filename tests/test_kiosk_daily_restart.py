"""The kiosk's daily self-restart: only inside the restart window, only when idle, only once;
and the exit status the supervisors are told to expect.

"Now" is injected (the window is hours away from any test run's real time); the timer and the
event loop are real, and the exit status is that of a real process.
"""

from __future__ import annotations

import configparser
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.restart_window import RESTART_EXIT_CODE
from ui.kiosk.daily_restart import DailyRestart

ROOT = Path(__file__).resolve().parent.parent


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


STARTED = utc(2026, 3, 1, 8, 0)  # 16:00 China time, the day before
BEFORE = utc(2026, 3, 1, 19, 59)  # 03:59 China time
INSIDE = utc(2026, 3, 1, 20, 10)  # 04:10
AFTER = utc(2026, 3, 1, 21, 1)  # 05:01: the window has passed


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Kiosk:
    """What the window answers to `is_idle`: a session running or not."""

    def __init__(self) -> None:
        self.in_session = False
        self.asked = 0

    def is_idle(self) -> bool:
        self.asked += 1
        return not self.in_session


def restarter(clock: Clock, kiosk: Kiosk, **options: object) -> DailyRestart:
    return DailyRestart("04:00", kiosk.is_idle, started_at=STARTED, now=clock, **options)  # type: ignore[arg-type]


def test_not_due_outside_the_window(qtbot: QtBot) -> None:
    clock, kiosk = Clock(BEFORE), Kiosk()
    daily = restarter(clock, kiosk)
    with qtbot.assertNotEmitted(daily.restart_due):
        assert not daily.check()
        clock.now = AFTER  # busy (or off) all through the window: tomorrow
        assert not daily.check()
    assert kiosk.asked == 0  # the window is not even asked outside the restart window


def test_not_while_a_citizen_is_using_it_then_once_idle(qtbot: QtBot) -> None:
    clock, kiosk = Clock(INSIDE), Kiosk()
    kiosk.in_session = True
    daily = restarter(clock, kiosk)
    with qtbot.assertNotEmitted(daily.restart_due):
        assert not daily.check()
    assert kiosk.asked == 1
    kiosk.in_session = False  # the session ended: the attract screen is back
    clock.now += dt.timedelta(minutes=1)
    with qtbot.waitSignal(daily.restart_due, timeout=1000):
        assert daily.check()
    with qtbot.assertNotEmitted(daily.restart_due):
        assert not daily.check()  # once only, however often it is asked again
        clock.now += dt.timedelta(minutes=1)
        assert not daily.check()
    assert daily.fired


def test_a_kiosk_started_inside_the_window_waits_for_tomorrow(qtbot: QtBot) -> None:
    clock, kiosk = Clock(INSIDE), Kiosk()
    fresh = DailyRestart("04:00", kiosk.is_idle, started_at=utc(2026, 3, 1, 20, 1), now=clock)
    with qtbot.assertNotEmitted(fresh.restart_due):
        assert not fresh.check()  # it was just restarted (by itself, or by the timer unit)
    clock.now = utc(2026, 3, 2, 20, 0, 30)
    assert fresh.check()


def test_the_timer_fires_it_on_the_event_loop(qtbot: QtBot) -> None:
    clock, kiosk = Clock(INSIDE), Kiosk()
    daily = restarter(clock, kiosk, interval_ms=20)
    daily.start()
    assert daily.is_active()
    with qtbot.waitSignal(daily.restart_due, timeout=2000):
        pass
    assert not daily.is_active()  # stopped once fired
    assert kiosk.asked == 1


def test_the_process_exits_with_the_status_the_supervisors_expect(tmp_path: Path) -> None:
    """A real Qt process: idle inside the window, `restart_due` → `exit_for_restart`."""
    script = tmp_path / "kiosk.py"
    script.write_text(
        textwrap.dedent(
            """
            import datetime as dt, sys
            from PySide6.QtCore import QCoreApplication, QTimer
            from ui.kiosk.daily_restart import DailyRestart, exit_for_restart

            app = QCoreApplication(sys.argv)
            inside = dt.datetime(2026, 3, 1, 20, 10, tzinfo=dt.UTC)
            started = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
            daily = DailyRestart(
                "04:00", lambda: True, started_at=started, now=lambda: inside, interval_ms=10
            )
            daily.restart_due.connect(exit_for_restart)
            daily.start()
            QTimer.singleShot(10_000, lambda: app.exit(3))  # never reached when it works
            sys.exit(app.exec())
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == RESTART_EXIT_CODE, done.stderr
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "installer" / "linux" / "yibao-kiosk.service", encoding="utf-8")
    assert unit["Service"]["SuccessExitStatus"] == str(RESTART_EXIT_CODE)
    assert unit["Service"]["Restart"] == "always"  # a success is restarted too
    ps1 = (ROOT / "installer" / "windows" / "watchdog.ps1").read_text(encoding="utf-8")
    assert f"$DailyRestartExitCode = {RESTART_EXIT_CODE}" in ps1
