"""The kiosk restarting itself once a day, when nobody is using it.

A timer on the GUI thread looks every minute: when the kiosk is idle (the window says so: the
attract screen, no session, nothing being saved or printed) and the daily restart window has
come (`app.restart_window.due_for_restart`: the first hour after `kiosk_restart_at`, China
time), `restart_due` fires once. The window then ends cleanly and leaves the event loop with
`RESTART_EXIT_CODE`; the supervisor (systemd's Restart=always, watchdog.ps1) starts it again.
A kiosk busy all through the window waits for the next day; the systemd timer / scheduled
task restarts it anyway.

The check runs on the GUI thread because `is_idle` reads the window's widgets; it does no I/O.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from app.restart_window import DEFAULT_WINDOW, RESTART_EXIT_CODE, due_for_restart

log = logging.getLogger(__name__)

CHECK_MS = 60_000


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DailyRestart(QObject):
    restart_due = Signal()

    def __init__(
        self,
        restart_at: str,
        is_idle: Callable[[], bool],
        parent: QObject | None = None,
        *,
        started_at: dt.datetime | None = None,
        now: Callable[[], dt.datetime] = _utc_now,
        window: dt.timedelta = DEFAULT_WINDOW,
        interval_ms: int = CHECK_MS,
    ) -> None:
        super().__init__(parent)
        self._at = restart_at
        self._is_idle = is_idle
        self._now = now
        self._window = window
        self.started_at = started_at or now()
        self.fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def check(self) -> bool:
        """Fire `restart_due` if it is time and the kiosk is idle; True when it fired."""
        if self.fired:
            return False
        if not due_for_restart(self.started_at, self._now(), self._at, self._window):
            return False
        if not self._is_idle():
            return False  # someone is using the kiosk: look again in a minute
        self.fired = True
        self._timer.stop()
        log.info("kiosk: daily restart (restart time %s China time)", self._at)
        self.restart_due.emit()
        return True


def exit_for_restart() -> None:
    """Leave the event loop with the daily restart's exit status (the window has ended its
    session first); `run_gui` then shuts the window and the store down as on any exit."""
    app = QCoreApplication.instance()
    if app is not None:
        app.exit(RESTART_EXIT_CODE)
