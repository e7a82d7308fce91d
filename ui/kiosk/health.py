"""The kiosk looking after its own devices: printer checks, and health where the heartbeat finds it.

`KioskHealth` asks both printers how they are (`devices.printer_state`: CUPS for the A4
printer, ESC/POS status for the receipt printer) on a lane of its own, every minute and right
after a print failure, and tells `KioskAvailability`, which switches services off and on for
citizens. It also writes the device health (the hub's statuses, with the printers' paper and
state merged in) to the sync state on the window's database lane whenever either changes,
as the counter window does, so the next heartbeat carries it to the centre.

The checks block for up to a few seconds (lpstat, a network printer's status) and never run on
the GUI thread; a check asked for while one runs is done once after it, not queued twice.
Settings are read here, on the GUI thread, and handed to the worker as values.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.context import AppContext
from app.settings import DeviceSettings
from devices.printer_state import PrinterState, document_state, receipt_state
from devices.receipt_printer import ReceiptPrinter
from devices.registry import DeviceKind
from sync.state import SyncStateStore
from ui.devices.hub import DeviceHub, DeviceStatus
from ui.kiosk.availability import KioskAvailability
from ui.printing.document_pdf import system_printer_names
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

CHECK_MS = 60_000


def heartbeat_entries(
    statuses: Iterable[DeviceStatus], printers: Mapping[DeviceKind, PrinterState]
) -> list[dict[str, object]]:
    """The heartbeat's `devices` (§8): the hub's statuses, printers as last checked."""
    entries: list[dict[str, object]] = []
    seen: set[DeviceKind] = set()
    for status in statuses:
        entry = status.as_heartbeat()
        state = printers.get(status.kind)
        if state is not None:
            entry.update(_printer_entry(state))
        entries.append(entry)
        seen.add(status.kind)
    for kind, state in printers.items():
        if kind not in seen:
            entries.append({"name": kind.value, "simulated": False, **_printer_entry(state)})
    return entries


def _printer_entry(state: PrinterState) -> dict[str, object]:
    return {
        "present": state.present,
        "working": state.accepting,
        "last_error": (state.message_zh or None) if not state.accepting else None,
        **state.heartbeat_fields(),
    }


def _check_printers(
    cfg: DeviceSettings, demo: bool, receipt: ReceiptPrinter | None, ask_receipt: bool
) -> list[PrinterState]:
    """On the health lane: both printers, or only the A4 one before discovery is done."""
    states = [document_state(cfg, demo=demo, system_printers=system_printer_names)]
    if ask_receipt:
        states.append(receipt_state(receipt))
    return states


class KioskHealth(QObject):
    checked = Signal()  # a round of printer checks is done; `printers` holds the results

    def __init__(
        self,
        ctx: AppContext,
        hub: DeviceHub,
        availability: KioskAvailability,
        db_lane: TaskLane,
        *,
        demo: bool,
        interval_ms: int = CHECK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._hub = hub
        self._availability = availability
        self._db_lane = db_lane
        self._demo = demo
        self._lane = TaskLane("printer-status", self)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)
        self._checking = False
        self._again = False
        self._receipt_checked = False
        self.printers: dict[DeviceKind, PrinterState] = {}
        self.checks = 0  # rounds done, for the technician panel and tests
        hub.status_changed.connect(self._on_devices)

    def start(self) -> None:
        """Check now, then every interval."""
        self.check_now()
        self._timer.start()

    def stop(self) -> None:
        """No more periodic checks (a check running finishes)."""
        self._timer.stop()

    @property
    def busy(self) -> bool:
        return self._checking

    @Slot()
    def check_now(self) -> None:
        if self._checking:
            self._again = True
            return
        self._checking = True
        ask_receipt = self._hub.discovered  # before that the hub has no receipt printer yet
        self._lane.submit(
            functools.partial(
                _check_printers,
                self._ctx.settings.devices,
                self._demo,
                self._hub.receipt_printer,
                ask_receipt,
            ),
            self._on_checked,
            self._on_check_failed,
        )

    @Slot(str)
    def after_print_failure(self, _message: str) -> None:
        """Connect to `PrintWorker.failed`: a job that failed may mean paper ran out."""
        self.check_now()

    def _on_checked(self, result: object) -> None:
        assert isinstance(result, list)
        for state in result:
            assert isinstance(state, PrinterState)
            old = self.printers.get(state.kind)
            if old is None or (old.accepting, old.paper) != (state.accepting, state.paper):
                log.info(
                    "%s: %s, paper %s",
                    state.kind.value,
                    "accepting" if state.accepting else "not accepting",
                    state.paper.value,
                )
            self.printers[state.kind] = state
            self._availability.set_printer(state)
            if state.kind is DeviceKind.RECEIPT_PRINTER:
                self._receipt_checked = True
        self.checks += 1
        self._done()
        self._save()
        self.checked.emit()

    def _on_check_failed(self, exc: BaseException) -> None:
        log.error("kiosk: the printer check failed", exc_info=exc)
        self._done()

    def _done(self) -> None:
        self._checking = False
        if self._again:
            self._again = False
            self.check_now()

    @Slot()
    def _on_devices(self) -> None:
        if self._hub.discovered and not self._receipt_checked:
            self.check_now()  # the receipt printer has just been found (after a running check)
        self._save()

    def entries(self) -> list[dict[str, object]]:
        return heartbeat_entries(self._hub.statuses(), self.printers)

    def _save(self) -> None:
        store = SyncStateStore(self._ctx.db)
        self._db_lane.submit(functools.partial(store.set_device_health, self.entries()))

    def shutdown(self) -> None:
        """Before the hub and the database lane shut down: nothing more is checked or saved."""
        self._timer.stop()
        self._hub.status_changed.disconnect(self._on_devices)
        self._lane.shutdown()
