"""Running the sync engine off the GUI thread and reporting back through signals.

Runs start on an interval, soon after a filing is queued, and on "sync now"; after a failed
run the next one waits for the engine's backoff. The engine's own lease guarantees one
sender even if a CLI run happens at the same time.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.context import AppContext
from sync.engine import SyncEngine, SyncProgress, SyncReport
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

SOON_AFTER_QUEUEING_MS = 1500


class SyncController(QObject):
    started = Signal()
    progressed = Signal(int, int, int)  # items done, items total, bytes sent
    finished = Signal(object)  # SyncReport

    def __init__(self, ctx: AppContext, interval_s: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = SyncEngine(ctx)
        self._lane = TaskLane("sync", self)
        self._running = False
        self._interval_ms = max(interval_s, 5) * 1000
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sync_now)
        self.last_report: SyncReport | None = None

    def start(self) -> None:
        self._watch_network()
        self._timer.start(0)

    def _watch_network(self) -> None:
        """Sync as soon as the OS says the network is back, where Qt can tell (NetworkManager
        on Linux, the OS elsewhere); otherwise the interval and backoff cover it."""
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network reachability backend; relying on the sync interval")
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._on_reachability)

    @Slot(object)
    def _on_reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            self._timer.start(500)

    @Slot()
    def sync_now(self) -> None:
        if self._running:
            return
        self._running = True
        self.started.emit()
        self._lane.submit(
            functools.partial(self._engine.run_once, self._emit_progress),
            self._on_done,
            self._on_error,
        )

    def filing_queued(self) -> None:
        """A new filing: try to send it soon, unless a backoff is in force."""
        report = self.last_report
        if self._running or (report is not None and report.next_run_in_s):
            return
        self._timer.start(SOON_AFTER_QUEUEING_MS)

    def _emit_progress(self, progress: SyncProgress) -> None:
        # Called on the sync thread; a signal crosses to the GUI thread queued.
        self.progressed.emit(progress.items_done, progress.items_total, progress.bytes_sent)

    def _on_done(self, report: object) -> None:
        assert isinstance(report, SyncReport)
        self._running = False
        self.last_report = report
        self.finished.emit(report)
        delay_ms = self._interval_ms
        if report.next_run_in_s is not None:
            delay_ms = int(report.next_run_in_s * 1000)
        self._timer.start(max(delay_ms, 1000))

    def _on_error(self, exc: BaseException) -> None:
        log.error("sync run failed unexpectedly", exc_info=exc)
        self._running = False
        self._timer.start(self._interval_ms)

    def shutdown(self) -> None:
        self._timer.stop()
        self._lane.shutdown(30_000)
