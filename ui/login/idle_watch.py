"""Locking the counter after idle time: no key, click or touch for a while locks the screen.

An application-wide event filter restarts a single-shot timer on every input event; when it
fires, `idle` is emitted and the window shows the lock. The filter does nothing else, so it
costs one comparison per event.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

# What counts as someone at the screen (the kiosk's countdown uses the same).
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)


class IdleWatch(QObject):
    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, int(minutes * 60_000)))
        self._timer.timeout.connect(self._on_timeout)
        self.enabled = minutes > 0

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self.enabled:
            app.installEventFilter(self)
            self._timer.start()

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    def pause(self) -> None:
        """While the lock itself is shown, idleness does not count."""
        self._timer.stop()

    def resume(self) -> None:
        if self.enabled:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False

    @Slot()
    def _on_timeout(self) -> None:
        self.idle.emit()
