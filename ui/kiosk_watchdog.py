"""The kiosk's watchdog pings, sent from the GUI thread.

The pings ride a QTimer on the GUI thread on purpose: while the event loop turns they go out
every interval; when the GUI thread hangs (a deadlock, a blocking call, an endless loop) they
stop, and the supervisor restarts the process: systemd after WatchdogSec without a
WATCHDOG=1, watchdog.ps1 after 60 s without a fresh heartbeat file. A ping from a worker
thread would keep a frozen window alive for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QTimer

from app.watchdog import (
    HEARTBEAT_INTERVAL_SECONDS,
    HeartbeatFile,
    Pingable,
    SystemdNotifier,
    default_heartbeat_path,
    watchdog_interval,
)

log = logging.getLogger(__name__)


class WatchdogPinger(QObject):
    """Calls `watchdog()` on every pingable every `interval_seconds`, on this object's thread."""

    def __init__(
        self,
        pingables: Sequence[Pingable],
        interval_seconds: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if interval_seconds <= 0:
            raise ValueError("the watchdog interval must be positive")
        self._pingables = list(pingables)
        self._timer = QTimer(self)
        # A precise timer: a coarse one may fire up to 5 % late, eating into the margin.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, round(interval_seconds * 1000)))
        self._timer.timeout.connect(self.ping)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def start(self) -> None:
        """Ping at once, then every interval."""
        self.ping()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()

    def ping(self) -> None:
        for pingable in self._pingables:
            pingable.watchdog()


def start_kiosk_watchdog(parent: QObject | None = None) -> WatchdogPinger | None:
    """What the kiosk calls once its window is up: READY=1 to systemd and the pings.

    Pings systemd (when it runs us with a watchdog) and writes the heartbeat file (on Windows,
    where `%LOCALAPPDATA%` is set); returns None when neither supervisor is there.
    """
    pingables: list[Pingable] = []
    intervals: list[float] = []
    notifier = SystemdNotifier()
    if notifier.enabled:
        notifier.ready()
        systemd_interval = watchdog_interval()
        if systemd_interval is not None:
            pingables.append(notifier)
            intervals.append(systemd_interval)
    heartbeat = default_heartbeat_path()
    if heartbeat is not None:
        pingables.append(HeartbeatFile(heartbeat))
        intervals.append(HEARTBEAT_INTERVAL_SECONDS)
    if not pingables:
        return None
    pinger = WatchdogPinger(pingables, min(intervals), parent)
    pinger.start()
    log.info("kiosk watchdog pings every %d ms", pinger.interval_ms)
    return pinger
