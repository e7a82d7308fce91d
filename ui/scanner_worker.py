"""Watching a serial (or simulated) QR scanner from its own thread, codes out as signals.

The worker asks the scanner for a code with a short timeout, over and over, and emits
`codeScanned(text)` for each one. A failure (the port cannot be opened, the scanner was
unplugged) gives `failed(message)` once per distinct message, in the operator's language,
then the worker waits `backoff` seconds before trying again, so an unplugged scanner neither
floods the log nor keeps a CPU busy, and a scanner plugged back in is picked up by itself;
`recovered()` follows when it works again. `stop()` (from any thread) ends the loop within a
fraction of a second: it also cancels the scan in progress.

Keyboard-wedge scanners need no worker: `ui/wedge_scanner.py` hears them on the GUI thread.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

from devices.base import DeviceError
from devices.serial_scanner import CodeScanner

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.5  # one scan attempt
BACKOFF_S = 3.0  # after a failure, before trying the scanner again


class ScannerWorker(QObject):
    codeScanned = Signal(str)  # noqa: N815 - Qt-style, as WedgeScanner.codeScanned
    failed = Signal(str)  # what went wrong, for the operator
    recovered = Signal()
    finished = Signal()

    def __init__(
        self,
        scanner: CodeScanner,
        *,
        language: str = "zh_CN",
        poll_timeout: float = POLL_TIMEOUT_S,
        backoff: float = BACKOFF_S,
    ) -> None:
        super().__init__()
        self.scanner = scanner
        self.language = language
        self._poll = poll_timeout
        self._backoff = backoff
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the loop to end; safe from any thread."""
        self._stop.set()
        self.scanner.cancel()

    @Slot()
    def run(self) -> None:
        error: str | None = None
        try:
            while not self._stop.is_set():
                try:
                    code = self.scanner.scan(self._poll)
                except DeviceError as exc:
                    if exc.zh != error:
                        error = exc.zh
                        log.info("scanner %s failed: %s", self.scanner.name, exc.en)
                        self.failed.emit(exc.text(self.language))
                    self._stop.wait(self._backoff)
                    continue
                except Exception:  # a driver bug must not kill the worker silently
                    log.exception("scanner %s raised an unexpected error", self.scanner.name)
                    self._stop.wait(self._backoff)
                    continue
                if error is not None:
                    error = None
                    self.recovered.emit()
                if code and not self._stop.is_set():
                    self.codeScanned.emit(code)
        finally:
            self.finished.emit()
