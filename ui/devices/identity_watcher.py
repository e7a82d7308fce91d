"""Watching one identity reader from its own thread and reporting cards as signals.

Every reader, real or simulated, is watched the same way: the worker asks it for a card with
a short timeout, over and over. `NoCard` is the normal answer while the reader waits; a card
read gives `person_read` once (the same card lying on the reader is not reported again) and
`card_removed` when it goes. A failure gives `failed` once per distinct message, then the
worker backs off before trying again, so an unplugged reader neither floods the log nor keeps
a CPU busy; when it works again `recovered` follows. Health is asked on the same thread every
`health_interval` seconds, because drivers are not safe to call from two threads at once.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

from app.identity import PersonRead
from devices.base import DeviceError, DeviceHealth, NoCard
from devices.identity import IdentityReader

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.5  # one read attempt; also how long stopping can take
BACKOFF_S = 3.0  # after a failure, before trying the reader again
HEALTH_INTERVAL_S = 30.0


class IdentityWatchWorker(QObject):
    person_read = Signal(str, object)  # kind, PersonRead
    card_removed = Signal(str)  # kind
    failed = Signal(str, object)  # kind, DeviceError
    recovered = Signal(str)  # kind
    health_changed = Signal(str, object)  # kind, DeviceHealth

    def __init__(
        self,
        kind: str,
        reader: IdentityReader,
        *,
        poll_timeout: float = POLL_TIMEOUT_S,
        backoff: float = BACKOFF_S,
        health_interval: float = HEALTH_INTERVAL_S,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.reader = reader
        self._poll = poll_timeout
        self._backoff = backoff
        self._health_interval = health_interval
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the loop to end; safe from any thread."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        card: str | None = None  # the id number of the card on the reader, if any
        error: str | None = None
        next_health = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_health:
                self._report_health()
                next_health = now + self._health_interval
            try:
                person = self.reader.read(self._poll)
            except NoCard:
                if card is not None:
                    card = None
                    self.card_removed.emit(self.kind)
                if error is not None:
                    error = None
                    self.recovered.emit(self.kind)
                    self._report_health()
                continue
            except DeviceError as exc:
                if card is not None:  # pulled mid-read ("card moved"), or the reader went
                    card = None
                    self.card_removed.emit(self.kind)
                if exc.zh != error:
                    error = exc.zh
                    log.info("%s reader failed: %s", self.kind, exc.en)
                    self.failed.emit(self.kind, exc)
                    self._report_health()
                self._stop.wait(self._backoff)
                continue
            except Exception:  # a driver bug must not kill the watcher silently
                log.exception("%s reader raised an unexpected error", self.kind)
                self._stop.wait(self._backoff)
                continue
            if error is not None:
                error = None
                self.recovered.emit(self.kind)
                self._report_health()
            if person.id_number != card:
                card = person.id_number
                self.person_read.emit(self.kind, person)

    def _report_health(self) -> None:
        try:
            health = self.reader.health()
        except Exception:
            log.exception("%s health check failed", self.kind)
            return
        self.health_changed.emit(self.kind, health)


def person_of(value: object) -> PersonRead:
    assert isinstance(value, PersonRead)
    return value


def health_of(value: object) -> DeviceHealth:
    assert isinstance(value, DeviceHealth)
    return value
