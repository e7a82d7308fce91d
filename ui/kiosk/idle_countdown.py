"""A kiosk session ends by itself: after a while without a touch, a countdown warns the
citizen ("还要继续吗？"), and if nobody touches the screen before it runs out, the session is
reset for the next person.

Built on the same application-wide event filter idea as the counter's idle lock, but with two
stages and a visible count, because at a kiosk the person may simply have walked away.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from ui.login.idle_watch import INPUT_EVENTS


class IdleCountdown(QObject):
    """`warning(seconds_left)` once the idle time has passed, `tick(seconds_left)` every second
    of the countdown, `expired()` at zero; any touch during the countdown emits `resumed()`."""

    warning = Signal(int)
    tick = Signal(int)
    expired = Signal()
    resumed = Signal()

    def __init__(self, idle_s: float, countdown_s: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._countdown_s = max(1, countdown_s)
        self._left = 0
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(max(1, int(idle_s * 1000)))
        self._idle.timeout.connect(self._on_idle)
        self._second = QTimer(self)
        self._second.setInterval(1000)
        self._second.timeout.connect(self._on_second)
        self.running = False

    @property
    def counting_down(self) -> bool:
        return self._second.isActive()

    def start(self) -> None:
        """Watch for idleness (a session has begun)."""
        app = QCoreApplication.instance()
        if app is not None and not self.running:
            app.installEventFilter(self)
        self.running = True
        self._second.stop()
        self._idle.start()

    def stop(self) -> None:
        """No session (the attract screen): nothing to count."""
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.running = False
        self._idle.stop()
        self._second.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.running and event.type() in INPUT_EVENTS:
            if self._second.isActive():
                self._second.stop()
                self.resumed.emit()
            self._idle.start()
        return False

    @Slot()
    def _on_idle(self) -> None:
        self._left = self._countdown_s
        self.warning.emit(self._left)
        self._second.start()

    @Slot()
    def _on_second(self) -> None:
        self._left -= 1
        if self._left > 0:
            self.tick.emit(self._left)
            return
        self._second.stop()
        self._idle.stop()
        self.expired.emit()
